package dev.burst.container.proxy.dispatch;

import java.io.IOException;

/**
 * How the dispatch core reaches one worker: the proxy's worker link in production, a recorder in unit
 * tests. Called outside the group's lock, on whichever thread ran the operation that decided it.
 */
public interface Port {

    /**
     * Sends a task (a TASK frame).
     *
     * @param task the task the core assigned to this worker
     * @throws IOException when the worker is gone; its reader sees the same and answers the task
     */
    void send(Task task) throws IOException;

    /** Asks the worker to exit after its current task (a STOP frame); a gone worker is no error. */
    void stop();

    /** The worker taken for a swap has no task now: the reload may send it the new generation. */
    void freeForSwap();

    /** The swap this worker was taken for cannot happen any more (it was retired or stopped). */
    void swapAborted(String why);

    /** Drops the connection (after a failed send); the reader thread then reports the worker gone. */
    void close();
}
