package dev.burst.container.proxy.dispatch;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What a {@link GroupPool} decided under its lock and must be done outside it: frames to send,
 * tasks to answer, listeners to tell. The caller makes one, passes it to pool operations, then calls
 * {@link #run()} once it holds no lock: no socket write and no client callback ever runs under a
 * group's lock. Effects run in the order they were decided.
 *
 * <p>One per operation and thread; not thread-safe.
 */
public final class Effects {

    private static final System.Logger LOG = System.getLogger(Effects.class.getName());

    /** The first effect when it is a dispatch: the common case costs no list. */
    private PoolWorker firstWorker;
    private Task firstTask;
    private List<Runnable> rest;

    void dispatch(PoolWorker worker, Task task) {
        if (firstWorker == null && rest == null) {
            firstWorker = worker;
            firstTask = task;
        } else {
            add(() -> send(worker, task));
        }
    }

    void answer(Task task, Outcome outcome) {
        add(() -> task.complete(outcome));
    }

    void stop(PoolWorker worker) {
        add(worker.port()::stop);
    }

    void freeForSwap(PoolWorker worker) {
        add(worker.port()::freeForSwap);
    }

    void swapAborted(PoolWorker worker, String why) {
        add(() -> worker.port().swapAborted(why));
    }

    void later(Runnable action) {
        add(action);
    }

    private void add(Runnable r) {
        if (rest == null) {
            rest = new ArrayList<>(4);
        }
        rest.add(r);
    }

    /** @return whether nothing was decided */
    public boolean isEmpty() {
        return firstWorker == null && (rest == null || rest.isEmpty());
    }

    /** Does what was decided, in order; call with no lock held. */
    public void run() {
        if (firstWorker != null) {
            PoolWorker w = firstWorker;
            Task t = firstTask;
            firstWorker = null;
            firstTask = null;
            send(w, t);
        }
        if (rest != null) {
            List<Runnable> actions = rest;
            rest = null;
            actions.forEach(Runnable::run);
        }
    }

    private static void send(PoolWorker worker, Task task) {
        try {
            worker.port().send(task);
        } catch (IOException e) {
            // The worker is gone: its reader sees the closed socket and answers the task it holds.
            LOG.log(System.Logger.Level.DEBUG, "cannot send a task to " + worker + ": " + e);
            worker.port().close();
        }
    }
}
