package dev.burst.container.proxy.dispatch;

import dev.burst.container.config.GroupConfig;
import dev.burst.container.plugin.CmdSpec;
import dev.burst.container.proxy.dispatch.PoolWorker.State;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntUnaryOperator;

/**
 * The matching core of one group: the tasks waiting ({@link FairQueue}), the idle workers, and which
 * worker runs which task. Socket-free: it decides, and the {@link Effects} it fills carry the
 * decisions out after the lock is released.
 *
 * <p>Every worker state change ({@link PoolWorker.State}) happens here, under this pool's one lock, so
 * a worker is idle at most once, gets a task only when READY and idle, and runs at most one task. With
 * burst.group.&lt;g&gt;.prefetch N (route=any only), a READY worker that runs a task may also be sent up to
 * N more while no worker that serves them is idle and they would otherwise wait in the queue: it holds
 * them unstarted ({@link PoolWorker#held}), starts the next the moment it answers one (timed from then),
 * and if it dies, those it had not started go back to the head of the queue.
 * Every task that leaves the pool without a worker's answer is answered here (queue full,
 * queue-timeout, cleared, stopping) — nothing is dropped without an answer and a counter.
 *
 * <p>Threads: {@link #submit} on client threads (the Box I/O loops, HTTP request threads); {@link #ready},
 * {@link #result}, {@link #longTick}, {@link #longTickDone} and {@link #left} on the worker's link reader;
 * swaps on the reload thread; {@link #housekeep} on the proxy's timer; the views on admin request threads.
 * All under the lock.
 */
public final class GroupPool {

    /** What the pool tells the rest of the proxy; called from {@link Effects#run()}, outside the lock. */
    public interface Listener {
        /** A worker ran past task-timeout with this task (answered -10003); it gets no more tasks. */
        void stuck(PoolWorker worker, Task task);

        /** A worker should be replaced, spawn-first. */
        void recycle(PoolWorker worker, String reason);

        /**
         * A worker's timer tick ran past task-timeout: it gets no more tasks, and is to be killed.
         *
         * @param detail which timer of which plugin ran how long
         */
        void tickStuck(PoolWorker worker, String detail);
    }

    private final GroupConfig config;
    private final Listener listener;
    private final GroupStats stats = new GroupStats();
    private final RecyclePolicy recycle;
    private final long queueTimeoutNanos;
    private final long taskTimeoutNanos;
    /** Tasks a busy worker may hold unstarted (burst.group.&lt;g&gt;.prefetch); 0 for route=key. */
    private final int prefetch;
    private final ReentrantLock lock = new ReentrantLock();
    private final FairQueue pending = new FairQueue();
    private final ArrayDeque<PoolWorker> idle = new ArrayDeque<>();
    private final List<PoolWorker> workers = new ArrayList<>();
    /** The keyed tasks when the group routes by key (route=key); null for route=any. */
    private final KeySlots keyed;
    /** Keys whose task a STUCK worker may still run: they stay running until that process is gone. */
    private final Map<PoolWorker, String> stuckKeys = new HashMap<>();

    /**
     * @param config   the group's limits
     * @param listener told about stuck workers and recycles
     */
    public GroupPool(GroupConfig config, Listener listener) {
        this(config, listener, n -> ThreadLocalRandom.current().nextInt(n + 1));
    }

    GroupPool(GroupConfig config, Listener listener, IntUnaryOperator jitter) {
        this.config = config;
        this.listener = listener;
        this.recycle = new RecyclePolicy(config, jitter);
        this.queueTimeoutNanos = config.queueTimeout().toNanos();
        this.taskTimeoutNanos = config.taskTimeout().toNanos();
        this.keyed = config.route() == GroupConfig.Route.KEY ? new KeySlots(Math.max(1, config.workers())) : null;
        this.prefetch = keyed == null ? config.prefetch() : 0;
    }

    /** @return the group's configuration */
    public GroupConfig config() {
        return config;
    }

    /** @return the group's counters */
    public GroupStats stats() {
        return stats;
    }

    // ---- tasks ------------------------------------------------------------------------------------

    /**
     * Takes an accepted task: to an idle READY worker that serves its cmd, else into the queue, else
     * (queue full) it is answered -10002 at once.
     */
    public void submit(Task task, Effects fx) {
        lock.lock();
        try {
            if (keyed != null) {
                if (!task.key.isEmpty()) {
                    submitKeyed(task, fx);
                    return;
                }
                if (config.keyless() == GroupConfig.Keyless.REJECT) {
                    stats.rejects.increment();
                    fx.answer(task, Outcome.keyRequired("group " + config.name() + " routes by key and this task has"
                            + " none: log in on the connection, or send the HTTP header Burst-Key"
                            + " (burst.group." + config.name() + ".keyless=reject)"));
                    return;
                }
            }
            PoolWorker w = takeIdleServing(task.cmd);
            if (w != null) {
                assign(w, task, fx);
            } else if (queued() >= config.maxPending()) {
                stats.rejects.increment();
                fx.answer(task, Outcome.overloaded("group " + config.name() + " queue is full ("
                        + config.maxPending() + " pending)"));
            } else {
                pending.add(task);
                if (prefetch > 0) {
                    prefetchOne(task.cmd, fx);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * A task was queued because no worker that serves its cmd is idle: the busy READY worker that serves it
     * and holds the fewest tasks, if it has room, is sent the queue's next task for it.
     */
    private void prefetchOne(int cmd, Effects fx) {
        PoolWorker best = null;
        for (PoolWorker w : workers) {
            if (canHold(w) && w.serves(cmd) && (best == null || w.ahead.size() < best.ahead.size())) {
                best = w;
            }
        }
        if (best != null) {
            Task t = takeLive(best, fx);
            if (t != null) {
                hold(best, t, fx);
            }
        }
    }

    /** Fills a busy worker's prefetch from the queue (after it answered a task or took one). */
    private void topUp(PoolWorker w, Effects fx) {
        while (canHold(w)) {
            Task t = takeLive(w, fx);
            if (t == null) {
                return;
            }
            hold(w, t, fx);
        }
    }

    /** @return whether a worker may be sent one more task to hold: READY, running one, not in a long tick, room left */
    private boolean canHold(PoolWorker w) {
        return w.state() == State.READY && w.busy() && w.longTick == null && w.ahead.size() < prefetch;
    }

    private void hold(PoolWorker w, Task task, Effects fx) {
        w.ahead.addLast(task);
        w.heldChanged();
        stats.workerRequests.increment();
        stats.prefetched.increment();
        fx.dispatch(w, task);
    }

    /**
     * The worker answered the task it ran: the next task it holds has begun, timed from now.
     *
     * @return false when it held none
     */
    private boolean startNext(PoolWorker w) {
        Task next = w.ahead.pollFirst();
        if (next == null) {
            return false;
        }
        w.heldChanged();
        w.dispatchedNanos = System.nanoTime();
        w.current(next);
        return true;
    }

    /**
     * A keyed task joins its slot's queue, then the slot's worker takes what it may: a task goes at once
     * when the slot's worker is idle and no task of its key runs or waits.
     */
    private void submitKeyed(Task task, Effects fx) {
        if (queued() >= config.maxPending()) {
            stats.rejects.increment();
            fx.answer(task, Outcome.overloaded("group " + config.name() + " queue is full ("
                    + config.maxPending() + " pending)"));
            return;
        }
        keyed.add(task);
        pump(keyed.slotOf(task.key), fx);
    }

    /** Gives the idle READY workers of a slot the slot's tasks that may run now. */
    private void pump(int slot, Effects fx) {
        for (Iterator<PoolWorker> it = idle.iterator(); it.hasNext(); ) {
            PoolWorker w = it.next();
            if (w.slot() != slot) {
                continue;
            }
            Task t = takeLiveKeyed(w, fx);
            if (t != null) {
                it.remove();
                w.idle = false;
                assign(w, t, fx);
            }
        }
    }

    private int queued() {
        return keyed == null ? pending.size() : pending.size() + keyed.size();
    }

    /** Puts a task whose worker died back at the head of the queue (an idempotent cmd's one retry). */
    public void retry(Task task, Effects fx) {
        lock.lock();
        try {
            task.retried = true;
            if (keyed != null && !task.key.isEmpty()) {
                keyed.addFirst(task);
                pump(keyed.slotOf(task.key), fx);
                return;
            }
            PoolWorker w = takeIdleServing(task.cmd);
            if (w != null) {
                assign(w, task, fx);
            } else {
                pending.addFirst(task);
            }
        } finally {
            lock.unlock();
        }
    }

    private PoolWorker takeIdleServing(int cmd) {
        for (Iterator<PoolWorker> it = idle.iterator(); it.hasNext(); ) {
            PoolWorker w = it.next();
            if (w.serves(cmd)) {
                it.remove();
                w.idle = false;
                return w;
            }
        }
        return null;
    }

    private void assign(PoolWorker w, Task task, Effects fx) {
        if (w.state() != State.READY || w.idle || w.busy()) {
            throw new IllegalStateException(w + " cannot take a task: " + w.state() + (w.idle ? ", idle" : "")
                    + (w.busy() ? ", busy" : ""));
        }
        w.dispatchedNanos = System.nanoTime();
        w.keylessTurn = !task.key.isEmpty();
        w.current(task);
        stats.workerRequests.increment();
        fx.dispatch(w, task);
        if (prefetch > 0) {
            topUp(w, fx);
        }
    }

    /** A worker has no task: give it the next live task it serves, park it idle, or act on its state. */
    private void free(PoolWorker w, Effects fx) {
        switch (w.state()) {
            case READY -> {
                Task next = keyed == null ? takeLive(w, fx) : takeKeyedOrKeyless(w, fx);
                if (next != null) {
                    assign(w, next, fx);
                } else if (!w.idle) {
                    w.idle = true;
                    idle.addLast(w);
                }
            }
            case SWAPPING -> fx.freeForSwap(w);
            case DRAINING -> {
                w.moveTo(State.STOPPING);
                fx.stop(w);
            }
            default -> {
                // STARTING, QUARANTINED, STUCK, STOPPING, EXITED: no task for it.
            }
        }
    }

    /**
     * In a route=key group a worker takes its slot's keyed tasks and the group's keyless ones in turns
     * when both wait, so neither kind starves the other: after a keyed task the oldest keyless one goes
     * first, after a keyless task the slot's next keyed one.
     */
    private Task takeKeyedOrKeyless(PoolWorker w, Effects fx) {
        Task next;
        if (w.keylessTurn) {
            next = takeLive(w, fx);
            if (next == null) {
                next = takeLiveKeyed(w, fx);
            }
        } else {
            next = takeLiveKeyed(w, fx);
            if (next == null) {
                next = takeLive(w, fx);
            }
        }
        return next;
    }

    private Task takeLive(PoolWorker w, Effects fx) {
        long now = System.nanoTime();
        while (true) {
            Task t = pending.poll(w::serves);
            if (t == null || !t.waitedLongerThan(queueTimeoutNanos, now)) {
                return t;
            }
            expired(t, fx);
        }
    }

    private Task takeLiveKeyed(PoolWorker w, Effects fx) {
        long now = System.nanoTime();
        while (true) {
            Task t = keyed.poll(w.slot(), w::serves);
            if (t == null || !t.waitedLongerThan(queueTimeoutNanos, now)) {
                return t;
            }
            keyed.finished(t.key);
            expired(t, fx);
        }
    }

    private void expired(Task t, Effects fx) {
        stats.discards.increment();
        fx.answer(t, Outcome.overloaded("waited longer than burst.group." + config.name() + ".queue-timeout "
                + config.queueTimeout()));
    }

    // ---- workers ----------------------------------------------------------------------------------

    /** A worker said HELLO: it is STARTING (loading its generation) and gets no task yet. */
    public void joined(PoolWorker w) {
        lock.lock();
        try {
            workers.add(w);
        } finally {
            lock.unlock();
        }
    }

    /**
     * A worker started its first generation (its READY at boot).
     *
     * @return false when the READY was not expected (a late or repeated one), which changes nothing
     */
    public boolean ready(PoolWorker w, int generation, Map<Integer, CmdSpec> cmds, Effects fx) {
        lock.lock();
        try {
            switch (w.state()) {
                case STARTING -> {
                    w.serving(generation, cmds);
                    w.moveTo(State.READY);
                    free(w, fx);
                    return true;
                }
                case DRAINING -> {
                    if (!w.busy()) {
                        w.moveTo(State.STOPPING);
                        fx.stop(w);
                    }
                    return true;
                }
                default -> {
                    return false;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * A worker answered its task.
     *
     * @return the task the answer belongs to, now taken from the worker; null when the worker held none
     *         because that task was already answered -10003 (a STUCK worker's late answer)
     * @throws IllegalStateException when the worker answers a task it was not given: a protocol error
     */
    public Task result(PoolWorker w, long taskId, Effects fx) {
        lock.lock();
        try {
            Task t = w.current();
            if (t == null && w.state() == State.STUCK) {
                if (taskId == w.stuckTaskId) {
                    w.stuckTaskId = -1;
                    startNext(w); // it went on to the next task it held: that one has started now
                }
                return null;
            }
            if (t == null || t.id != taskId) {
                throw new IllegalStateException(w + " answered task " + taskId + ", which it was not given");
            }
            w.current(null);
            w.servedOne();
            boolean wasKeyed = keyed != null && !t.key.isEmpty();
            if (wasKeyed) {
                keyed.finished(t.key);
            }
            stats.workerResponses.increment();
            recycle.afterServed(w).ifPresent(reason -> fx.later(() -> listener.recycle(w, reason)));
            if (!startNext(w)) {
                free(w, fx);
            } else if (w.state() == State.READY && w.ahead.size() <= prefetch / 2) {
                topUp(w, fx); // refilled at half: a write carries several tasks while the queue is long
            }
            if (wasKeyed) {
                // a task of this key may wait on another worker of its slot (spawn-first overlap, resize)
                pump(keyed.slotOf(t.key), fx);
            }
            return t;
        } finally {
            lock.unlock();
        }
    }

    /**
     * A worker's connection is gone.
     *
     * @return the task it was running, now taken from it; the caller answers or retries it
     */
    public Optional<Task> left(PoolWorker w, Effects fx) {
        lock.lock();
        try {
            State was = w.state();
            w.moveTo(State.EXITED);
            if (w.idle) {
                idle.remove(w);
                w.idle = false;
            }
            workers.remove(w);
            if (was == State.SWAPPING) {
                fx.swapAborted(w, w + " exited");
            }
            Task t = w.current();
            w.current(null);
            if (t != null && keyed != null && !t.key.isEmpty()) {
                keyed.finished(t.key); // its process is gone: the caller answers or retries it
            }
            requeueHeld(w, fx);
            String stuckKey = stuckKeys.remove(w);
            if (stuckKey != null) {
                keyed.finished(stuckKey); // the next housekeeping sweep gives its slot's worker the key's next task
            }
            return Optional.ofNullable(t);
        } finally {
            lock.unlock();
        }
    }

    /**
     * A gone worker's held tasks never started (it runs one task at a time, and starts a held one only after
     * the RESULT before it, which the reader has seen by now): they go back to the head of the queue, in
     * order, whether idempotent or not, and idle workers take them.
     */
    private void requeueHeld(PoolWorker w, Effects fx) {
        if (w.ahead.isEmpty()) {
            return;
        }
        for (Iterator<Task> it = w.ahead.descendingIterator(); it.hasNext(); ) {
            pending.addFirst(it.next());
            stats.requeued.increment();
        }
        w.ahead.clear();
        w.heldChanged();
        for (Iterator<PoolWorker> it = idle.iterator(); it.hasNext() && pending.size() > 0; ) {
            PoolWorker idleWorker = it.next();
            Task t = takeLive(idleWorker, fx);
            if (t != null) {
                it.remove();
                idleWorker.idle = false;
                assign(idleWorker, t, fx);
            }
        }
    }

    /** Drains a worker (restart, resize, recycle): no new task; STOP once its current task is answered. */
    public void retire(PoolWorker w, Effects fx) {
        lock.lock();
        try {
            State s = w.state();
            if (s != State.STARTING && s != State.READY && s != State.SWAPPING && s != State.QUARANTINED) {
                return;
            }
            w.moveTo(State.DRAINING);
            if (s == State.SWAPPING) {
                fx.swapAborted(w, w + " is retired");
            }
            if (w.idle) {
                idle.remove(w);
                w.idle = false;
            }
            if (s != State.STARTING && !w.busy()) {
                w.moveTo(State.STOPPING);
                fx.stop(w);
            }
        } finally {
            lock.unlock();
        }
    }

    /** The proxy stops: every worker is told to exit after its current task. */
    public void stopAll(Effects fx) {
        lock.lock();
        try {
            for (PoolWorker w : workers) {
                if (w.state() == State.EXITED) {
                    continue;
                }
                if (w.state() == State.SWAPPING) {
                    fx.swapAborted(w, "burst is stopping");
                }
                w.moveTo(State.STOPPING);
                if (w.idle) {
                    idle.remove(w);
                    w.idle = false;
                }
                fx.stop(w);
            }
        } finally {
            lock.unlock();
        }
    }

    // ---- swaps (reload_workers) -------------------------------------------------------------------

    /**
     * Takes a READY worker out of dispatch for a swap: {@link Port#freeForSwap()} follows once it has no
     * task (at once when idle).
     *
     * @return false when it is not READY (it is then left as it is)
     */
    public boolean beginSwap(PoolWorker w, Effects fx) {
        lock.lock();
        try {
            if (w.state() != State.READY) {
                return false;
            }
            w.moveTo(State.SWAPPING);
            w.swapAnswered = false;
            if (w.idle) {
                idle.remove(w);
                w.idle = false;
            }
            if (!w.busy()) {
                fx.freeForSwap(w);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The worker answered the LOAD of its swap (READY or LOAD_FAILED), on its reader thread.
     *
     * @return true if the answer counts: the worker is still swapping and the reload has not given up
     *         on it; false for an answer that comes too late (ignore it)
     */
    public boolean swapAnswered(PoolWorker w) {
        lock.lock();
        try {
            if (w.state() != State.SWAPPING || w.swapAnswered) {
                return false;
            }
            w.swapAnswered = true;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * A swap ended with an answer, or before the LOAD was sent: the worker serves again.
     *
     * @param started the generation it runs now and its cmds, when it started the new one; empty when it
     *                stays on the one it had
     */
    public void endSwap(PoolWorker w, Optional<Started> started, Effects fx) {
        lock.lock();
        try {
            if (w.state() != State.SWAPPING) {
                return;
            }
            started.ifPresent(s -> w.serving(s.generation(), s.cmds()));
            w.moveTo(State.READY);
            free(w, fx);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The worker did not answer its swap's LOAD in time: it may still finish starting the new generation
     * later, so it never gets a task again, and is replaced.
     *
     * @return false when its answer arrived meanwhile (then use the answer) or it is no longer swapping
     */
    public boolean swapTimedOut(PoolWorker w, String why, Effects fx) {
        lock.lock();
        try {
            if (w.state() != State.SWAPPING || w.swapAnswered) {
                return false;
            }
            w.moveTo(State.QUARANTINED);
            stats.quarantined.increment();
            fx.later(() -> listener.recycle(w, why));
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * A generation a worker started.
     *
     * @param generation its number
     * @param cmds       the cmds it serves
     */
    public record Started(int generation, Map<Integer, CmdSpec> cmds) {
    }

    // ---- housekeeping -----------------------------------------------------------------------------

    /**
     * The periodic sweep (HikariCP's HouseKeeper): answers -10002 the queued tasks that waited past
     * queue-timeout, and -10003 the running ones past task-timeout (their worker becomes STUCK and the
     * listener is told, so the master dumps and kills it); the same for a long timer tick past it, whose
     * worker's task, if any, has not started. One sweep over the group rather than a timer per task: a
     * per-task timer costs a heap insert and a cancel on every request.
     */
    public void housekeep(Effects fx) {
        lock.lock();
        try {
            long now = System.nanoTime();
            for (Task t : pending.expire(now, queueTimeoutNanos)) {
                expired(t, fx);
            }
            if (keyed != null) {
                for (Task t : keyed.expire(now, queueTimeoutNanos)) {
                    expired(t, fx);
                }
                for (int s = 1; s <= keyed.slots(); s++) {
                    pump(s, fx); // a key freed by a lost worker, with its slot's other worker idle
                }
            }
            for (PoolWorker w : workers) {
                if (w.longTick != null) {
                    timeLongTick(w, now, fx); // a task it was handed waits behind the tick: it has not started
                    continue;
                }
                Task t = w.current();
                if (t == null || now - w.dispatchedNanos <= taskTimeoutNanos || !canGetStuck(w.state())) {
                    continue;
                }
                w.current(null);
                w.stuckTaskId = t.id;
                w.moveTo(State.STUCK);
                if (keyed != null && !t.key.isEmpty()) {
                    stuckKeys.put(w, t.key);
                }
                fx.answer(t, Outcome.timedOut("cmd " + t.cmd + " ran longer than burst.group." + config.name()
                        + ".task-timeout " + config.taskTimeout() + " on " + w));
                fx.later(() -> listener.stuck(w, t));
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * The worker says a timer tick of its has run long (LONG_TICK): until {@link #longTickDone} it reads no
     * frame, so the sweep times the tick from now on, not a task handed to the worker before, which waits
     * behind it. An idle worker leaves the idle list meanwhile, so no task is handed to it to wait.
     *
     * @param runningNanos how long the tick had run
     * @param what         which timer of which plugin, for messages
     */
    public void longTick(PoolWorker w, long runningNanos, String what) {
        lock.lock();
        try {
            w.longTickSince = System.nanoTime() - runningNanos;
            w.longTick = what;
            if (w.idle) {
                idle.remove(w); // no task is handed to it to wait behind the tick; the tick's end frees it
                w.idle = false;
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * The long tick's timer pass ended (LONG_TICK_DONE): the worker reads frames again, and a task handed to
     * it before the LONG_TICK starts now, so it is timed from now; a worker without one takes the next
     * task or is idle again.
     */
    public void longTickDone(PoolWorker w, Effects fx) {
        lock.lock();
        try {
            if (w.longTick == null) {
                return;
            }
            w.longTick = null;
            if (w.busy()) {
                w.dispatchedNanos = System.nanoTime();
            } else if (!w.idle) {
                free(w, fx); // taken off the idle list at the LONG_TICK: the next task, or idle again
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * A worker in a long tick: once the tick has run past task-timeout, the worker is stuck as if a task
     * had, and the master is to dump and kill it. It becomes STUCK and leaves the idle list, and a swap it
     * was in is aborted; a STOPPING one stays STOPPING (it gets no task either) and is killed too, or its
     * stop would wait for the tick forever. A task handed to it meanwhile stays with it, and is answered
     * as for a lost worker once the connection is gone ({@link #left}).
     */
    private void timeLongTick(PoolWorker w, long now, Effects fx) {
        State s = w.state();
        if (now - w.longTickSince <= taskTimeoutNanos || !(canGetStuck(s) || s == State.STOPPING)) {
            return;
        }
        String detail = w + ": " + w.longTick + " ran " + (now - w.longTickSince) / 1_000_000 + " ms, past burst.group."
                + config.name() + ".task-timeout " + config.taskTimeout();
        w.longTick = null;
        stats.stuckTicks.increment();
        if (s != State.STOPPING) {
            w.moveTo(State.STUCK);
            if (w.idle) {
                idle.remove(w);
                w.idle = false;
            }
            if (s == State.SWAPPING) {
                fx.swapAborted(w, w + " is stuck in a timer tick");
            }
        }
        fx.later(() -> listener.tickStuck(w, detail));
    }

    private static boolean canGetStuck(State s) {
        return s == State.READY || s == State.SWAPPING || s == State.DRAINING || s == State.QUARANTINED;
    }

    /** @return how often {@link #housekeep} should run: a tenth of the shorter timeout, 10 to 100 ms */
    public long housekeepingPeriodNanos() {
        return Math.clamp(Math.min(queueTimeoutNanos, taskTimeoutNanos) / 10, 10_000_000L, 100_000_000L);
    }

    /**
     * Empties the queue, answering every task -10002 with the reason.
     *
     * @return how many tasks were dropped
     */
    public int clear(String why, Effects fx) {
        lock.lock();
        try {
            List<Task> dropped = drainAll();
            stats.discards.add(dropped.size());
            dropped.forEach(t -> fx.answer(t, Outcome.overloaded(why)));
            return dropped.size();
        } finally {
            lock.unlock();
        }
    }

    /** Fast stop: queued tasks get -10002, running ones -10004, now. */
    public void abort(String why, Effects fx) {
        lock.lock();
        try {
            List<Task> dropped = drainAll();
            stats.discards.add(dropped.size());
            dropped.forEach(t -> fx.answer(t, Outcome.overloaded(why)));
            for (PoolWorker w : workers) {
                Task t = w.current();
                if (t != null) {
                    fx.answer(t, Outcome.workerLost(why + " before " + w.id() + " finished"));
                }
                for (Task held : w.ahead) {
                    stats.discards.increment();
                    fx.answer(held, Outcome.overloaded(why + " before " + w.id() + " started it"));
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private List<Task> drainAll() {
        List<Task> dropped = pending.drain();
        if (keyed != null) {
            List<Task> all = new ArrayList<>(dropped);
            all.addAll(keyed.drain());
            return all;
        }
        return dropped;
    }

    // ---- keys (route=key) -------------------------------------------------------------------------

    /**
     * change_group gave the group a new size: keys are spread over slots 1..workers from now on, and the
     * queued tasks of moved keys follow them. A key whose task still runs on its old slot's worker waits
     * until that task is answered.
     *
     * @param workers the group's new size
     * @return how many slots gained or lost keys (0 when the group does not route by key or kept its size)
     */
    public int resize(int workers, Effects fx) {
        lock.lock();
        try {
            if (keyed == null) {
                return 0;
            }
            int changed = keyed.resize(Math.max(1, workers));
            for (int s = 1; s <= keyed.slots(); s++) {
                pump(s, fx);
            }
            return changed;
        } finally {
            lock.unlock();
        }
    }

    /**
     * One slot of a route=key group as stat shows it.
     *
     * @param slot   the slot number
     * @param queued tasks waiting for it
     * @param ran    tasks it was given since the proxy started
     */
    public record SlotLoad(int slot, int queued, long ran) {
    }

    /** @return per slot of a route=key group, its queue and load, by slot number; empty for route=any */
    public List<SlotLoad> slotLoads() {
        lock.lock();
        try {
            if (keyed == null) {
                return List.of();
            }
            int[] depths = keyed.depths();
            long[] ran = keyed.ran();
            List<SlotLoad> out = new ArrayList<>(keyed.slots());
            for (int s = 1; s <= keyed.slots(); s++) {
                out.add(new SlotLoad(s, depths[s], ran[s]));
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    // ---- views ------------------------------------------------------------------------------------

    /** @return every connected worker */
    public List<PoolWorker> workers() {
        lock.lock();
        try {
            return List.copyOf(workers);
        } finally {
            lock.unlock();
        }
    }

    /** @return idle READY workers */
    public int idleCount() {
        lock.lock();
        try {
            return idle.size();
        } finally {
            lock.unlock();
        }
    }

    /** @return queued tasks (keyed ones included) */
    public int pendingCount() {
        lock.lock();
        try {
            return queued();
        } finally {
            lock.unlock();
        }
    }

    /** @return connections (or HTTP requests) with tasks queued */
    public int pendingSources() {
        lock.lock();
        try {
            return pending.sources();
        } finally {
            lock.unlock();
        }
    }

    /** @return whether at least one worker is READY */
    public boolean hasReadyWorker() {
        lock.lock();
        try {
            return workers.stream().anyMatch(w -> w.state() == State.READY);
        } finally {
            lock.unlock();
        }
    }
}
