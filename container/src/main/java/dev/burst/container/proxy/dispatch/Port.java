package dev.burst.container.proxy.dispatch;

import java.io.IOException;

/**
 * How the dispatch core reaches one worker: the proxy's worker link in production, a recorder in unit
 * tests. Called outside the group's lock, on whichever thread ran the operation that decided it.
 */
public interface Port {

    /**
     * Sends the tasks queued in the worker's outbox ({@link PoolWorker#drainOutbox()}), in order, in one
     * write where it can: taking them and writing them happen under the lock that orders this link's
     * writes, so tasks reach the worker in the order the pool queued them, whichever threads flush.
     *
     * @param worker the worker this port reaches
     * @throws IOException when the worker is gone; its reader sees the same and answers the tasks
     */
    void sendQueued(PoolWorker worker) throws IOException;

    /**
     * Asks the worker to exit after its current task and the tasks it holds (a STOP frame, after whatever
     * its outbox still has); a gone worker is no error.
     */
    void stop();

    /** The worker taken for a swap has no task now: the reload may send it the new generation. */
    void freeForSwap();

    /** The swap this worker was taken for cannot happen any more (it was retired or stopped). */
    void swapAborted(String why);

    /** Drops the connection (after a failed send); the reader thread then reports the worker gone. */
    void close();
}
