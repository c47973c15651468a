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
 * <p>One per operation and thread; not thread-safe. A thread that takes in many requests at once (a Box
 * I/O loop, one select round) may open a round ({@link #beginRound}): the operations it runs until
 * {@link #endRound} share one instance, so the tasks they send one worker go in one write.
 */
public final class Effects {

    private static final System.Logger LOG = System.getLogger(Effects.class.getName());
    private static final ThreadLocal<Effects> ROUND = new ThreadLocal<>();

    /** @return the open round's instance on this thread, else a new one; finish it with {@link #runUnlessRound} */
    public static Effects forOperation() {
        Effects round = ROUND.get();
        return round != null ? round : new Effects();
    }

    /** Opens a round on this thread (it must not have one open). */
    public static void beginRound() {
        ROUND.set(new Effects());
    }

    /** Closes this thread's round and does what its operations decided; call with no lock held. */
    public static void endRound() {
        Effects round = ROUND.get();
        ROUND.remove();
        if (round != null) {
            round.run();
        }
    }

    /** Does what was decided now, unless it belongs to this thread's open round (which runs at its end). */
    public void runUnlessRound() {
        if (ROUND.get() != this) {
            run();
        }
    }

    /** The worker of the first effect when it is a dispatch: the common case costs no list. */
    private PoolWorker firstWorker;
    private List<Runnable> rest;

    /**
     * A task for a worker: it joins the worker's outbox now (under the pool's lock, so the outbox holds a
     * worker's tasks in the order the pool gave them), and one flush of that outbox is sent at {@link #run}.
     * Whichever thread flushes sends everything queued then, in order: the wire order is the pool's order
     * even when two threads dispatch to one worker (a prefetch and a top-up), and the tasks an operation,
     * or a round, gives one worker go in one write.
     */
    void dispatch(PoolWorker worker, Task task) {
        worker.post(task);
        if (firstWorker == worker || flushes(worker)) {
            return;
        }
        if (firstWorker == null && rest == null) {
            firstWorker = worker;
        } else {
            add(new Flush(worker));
        }
    }

    private boolean flushes(PoolWorker worker) {
        if (rest == null) {
            return false;
        }
        for (Runnable r : rest) {
            if (r instanceof Flush f && f.worker == worker) {
                return true;
            }
        }
        return false;
    }

    /** Sends what a worker's outbox holds. */
    private record Flush(PoolWorker worker) implements Runnable {
        @Override
        public void run() {
            flush(worker);
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

    /** Does what was decided, in order, each effect whatever the others did; call with no lock held. */
    public void run() {
        if (firstWorker != null) {
            PoolWorker w = firstWorker;
            firstWorker = null;
            flush(w);
        }
        if (rest != null) {
            List<Runnable> actions = rest;
            rest = null;
            for (Runnable action : actions) {
                try {
                    action.run();
                } catch (RuntimeException e) {
                    // one failing effect (a client callback, say) must not leave the others undone: a task
                    // unsent or unanswered would wait forever
                    LOG.log(System.Logger.Level.ERROR, "a dispatch effect failed; the others go on", e);
                }
            }
        }
    }

    private static void flush(PoolWorker worker) {
        try {
            worker.port().sendQueued(worker);
        } catch (IOException e) {
            // The worker is gone: its reader sees the closed socket and answers the tasks it holds.
            LOG.log(System.Logger.Level.DEBUG, "cannot send a task to " + worker + ": " + e);
            worker.port().close();
        }
    }
}
