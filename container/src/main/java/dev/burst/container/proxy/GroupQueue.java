package dev.burst.container.proxy;

import dev.burst.container.config.GroupConfig;
import dev.burst.container.proxy.WorkerLink.State;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The pending tasks and the idle workers of one group: pull dispatch. A task goes straight to an idle
 * READY worker that serves its cmd if there is one, else waits in a bounded FIFO; a worker that finishes
 * takes the oldest task it serves that has not waited past queue-timeout. Every task that leaves here
 * without a worker is answered.
 *
 * <p>Threads: {@link #submit} runs on client threads (HTTP request, Box reader), {@link #workerFree} on
 * worker reader threads, expiry and task timeouts on the proxy's timer, swaps on the reload thread. All
 * state is under {@link #lock}; frames are sent outside it.
 */
final class GroupQueue {

    private static final System.Logger LOG = System.getLogger(GroupQueue.class.getName());

    /** What the group tells the rest of the proxy. */
    interface Events {
        /** A worker ran past task-timeout with this task; it gets no more tasks. */
        void stuck(WorkerLink worker, int cmd);

        /** A worker should be replaced. */
        void recycle(WorkerLink worker, String reason);
    }

    final GroupConfig config;
    final GroupStats stats = new GroupStats();
    private final ScheduledExecutorService timer;
    private final Events events;
    private final long queueTimeoutNanos;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Task> pending = new ArrayDeque<>();
    private final ArrayDeque<WorkerLink> idle = new ArrayDeque<>();
    private final List<WorkerLink> workers = new ArrayList<>();
    private boolean expiryScheduled;

    GroupQueue(GroupConfig config, ScheduledExecutorService timer, Events events) {
        this.config = config;
        this.timer = timer;
        this.events = events;
        this.queueTimeoutNanos = config.queueTimeout().toNanos();
    }

    /** Takes an accepted task: to an idle worker, into the queue, or rejected when the queue is full. */
    void submit(Task task) {
        enqueue(task, false);
    }

    /** Puts a task that lost its worker back at the head of the queue (idempotent retry). */
    void retry(Task task) {
        enqueue(task, true);
    }

    private void enqueue(Task task, boolean first) {
        WorkerLink worker;
        lock.lock();
        try {
            worker = takeIdleServing(task.cmd);
            if (worker == null) {
                if (!first && pending.size() >= config.maxPending()) {
                    worker = null;
                } else {
                    if (first) {
                        pending.addFirst(task);
                    } else {
                        pending.addLast(task);
                    }
                    scheduleExpiry(task);
                    return;
                }
            } else {
                worker.assign(task);
            }
        } finally {
            lock.unlock();
        }
        if (worker == null) {
            stats.rejects.increment();
            task.complete(Outcome.overloaded("group " + config.name() + " queue is full ("
                    + config.maxPending() + " pending)"));
            return;
        }
        dispatch(worker, task);
    }

    private WorkerLink takeIdleServing(int cmd) {
        for (Iterator<WorkerLink> it = idle.iterator(); it.hasNext(); ) {
            WorkerLink w = it.next();
            if (w.serves(cmd)) {
                it.remove();
                return w;
            }
        }
        return null;
    }

    /**
     * A worker has no task (its result came back, it became ready, or a swap ended): give it the next
     * live task it serves, or park it as idle; a worker taken for a swap or retired is not given one.
     */
    void workerFree(WorkerLink worker) {
        List<Task> expired = new ArrayList<>();
        Task next = null;
        boolean stop = false;
        lock.lock();
        try {
            switch (worker.state()) {
                case READY -> {
                    long now = System.nanoTime();
                    while (!pending.isEmpty() && pending.peekFirst().waitedLongerThan(queueTimeoutNanos, now)) {
                        expired.add(pending.pollFirst());
                    }
                    for (Iterator<Task> it = pending.iterator(); it.hasNext(); ) {
                        Task t = it.next();
                        if (worker.serves(t.cmd)) {
                            it.remove();
                            next = t;
                            break;
                        }
                    }
                    if (next == null) {
                        idle.addLast(worker);
                    } else {
                        worker.assign(next);
                    }
                }
                case SWAPPING -> worker.freeForSwap.complete(null);
                case DRAINING -> {
                    worker.moveTo(State.STOPPING);
                    stop = true;
                }
                default -> {
                    // STARTING, STUCK, STOPPING, EXITED: no task for it.
                }
            }
        } finally {
            lock.unlock();
        }
        expired.forEach(this::rejectExpired);
        if (next != null) {
            dispatch(worker, next);
        }
        if (stop) {
            sendStop(worker);
        }
    }

    /** The worker answered its task: count it, and ask for a recycle when it has served enough. */
    void served(WorkerLink worker) {
        stats.workerResponses.increment();
        String reason = null;
        lock.lock();
        try {
            worker.served++;
            if (config.maxRequests() <= 0) {
                return;
            }
            if (worker.recycleAfter == 0) {
                worker.recycleAfter = config.maxRequests()
                        + (config.maxRequestsJitter() > 0 ? ThreadLocalRandom.current().nextInt(config.maxRequestsJitter() + 1) : 0);
            }
            if (!worker.recycleAsked && worker.served >= worker.recycleAfter) {
                worker.recycleAsked = true;
                reason = "served " + worker.served + " requests (max-requests " + config.maxRequests() + ")";
            }
        } finally {
            lock.unlock();
        }
        if (reason != null) {
            events.recycle(worker, reason);
        }
    }

    /**
     * Takes a READY worker out of dispatch for a swap.
     *
     * @return completed once the worker has no task; failed at once if it is not READY
     */
    CompletableFuture<Void> beginSwap(WorkerLink worker) {
        lock.lock();
        try {
            if (worker.state() != State.READY) {
                return CompletableFuture.failedFuture(new IllegalStateException(worker + " is " + worker.state()));
            }
            worker.moveTo(State.SWAPPING);
            worker.freeForSwap = new CompletableFuture<>();
            worker.swapAnswer = new CompletableFuture<>();
            if (idle.remove(worker) || !worker.busy()) {
                worker.freeForSwap.complete(null);
            }
            return worker.freeForSwap;
        } finally {
            lock.unlock();
        }
    }

    /** The worker started its plugins: it may take tasks, unless it was retired meanwhile. */
    void markReady(WorkerLink worker) {
        lock.lock();
        try {
            if (worker.state() == State.STARTING) {
                worker.moveTo(State.READY);
            }
        } finally {
            lock.unlock();
        }
    }

    /** A swap ended (either way): the worker serves again. */
    void endSwap(WorkerLink worker) {
        boolean back;
        lock.lock();
        try {
            back = worker.state() == State.SWAPPING;
            if (back) {
                worker.moveTo(State.READY);
            }
        } finally {
            lock.unlock();
        }
        if (back) {
            workerFree(worker);
        }
    }

    /** Drains a worker: no new task; STOP once its current task is answered. */
    void retire(WorkerLink worker) {
        boolean stop = false;
        lock.lock();
        try {
            State s = worker.state();
            if (s == State.STARTING || s == State.READY || s == State.SWAPPING) {
                worker.moveTo(State.DRAINING);
                worker.freeForSwap.completeExceptionally(new IllegalStateException(worker + " is retired"));
                if (idle.remove(worker) || (s != State.STARTING && !worker.busy())) {
                    worker.moveTo(State.STOPPING);
                    stop = true;
                }
            }
        } finally {
            lock.unlock();
        }
        if (stop) {
            sendStop(worker);
        }
    }

    private void sendStop(WorkerLink worker) {
        try {
            worker.send(new dev.burst.container.protocol.WireMessage.Stop());
            LOG.log(System.Logger.Level.INFO, worker + " drained; stopping it");
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, worker + " is already gone: " + e);
        }
    }

    void joined(WorkerLink worker) {
        lock.lock();
        try {
            workers.add(worker);
        } finally {
            lock.unlock();
        }
    }

    /** The worker's connection is gone: forget it. Its task, if any, is answered by the caller. */
    void left(WorkerLink worker) {
        lock.lock();
        try {
            idle.remove(worker);
            workers.remove(worker);
        } finally {
            lock.unlock();
        }
        worker.freeForSwap.completeExceptionally(new IllegalStateException(worker + " exited"));
        worker.swapAnswer.completeExceptionally(new IllegalStateException(worker + " exited"));
    }

    /** @return idle READY workers */
    int idleCount() {
        lock.lock();
        try {
            return idle.size();
        } finally {
            lock.unlock();
        }
    }

    /** @return whether at least one worker is READY */
    boolean hasReadyWorker() {
        lock.lock();
        try {
            return workers.stream().anyMatch(w -> w.state() == State.READY);
        } finally {
            lock.unlock();
        }
    }

    /** @return every connected worker */
    List<WorkerLink> workers() {
        lock.lock();
        try {
            return List.copyOf(workers);
        } finally {
            lock.unlock();
        }
    }

    /** @return queued tasks */
    int pendingCount() {
        lock.lock();
        try {
            return pending.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Empties the queue, answering every task with the given reason.
     *
     * @param why the reason clients get with -10002
     * @return how many tasks were dropped
     */
    int rejectPending(String why) {
        List<Task> dropped;
        lock.lock();
        try {
            dropped = List.copyOf(pending);
            pending.clear();
        } finally {
            lock.unlock();
        }
        stats.discards.add(dropped.size());
        dropped.forEach(t -> t.complete(Outcome.overloaded(why)));
        return dropped.size();
    }

    private void dispatch(WorkerLink worker, Task task) {
        stats.workerRequests.increment();
        try {
            worker.send(new dev.burst.container.protocol.WireMessage.Task(task.id, task.cmd, task.sn, task.client, task.body));
        } catch (IOException e) {
            // The worker is gone. Its reader thread sees the closed socket and answers the task it holds.
            LOG.log(System.Logger.Level.DEBUG, "cannot send to " + worker + ": " + e);
            worker.close();
        }
    }

    /**
     * Timer, every {@link #sweepPeriodNanos()}: answers -10003 the tasks that ran past task-timeout. One
     * sweep over the workers rather than a timer per task: a per-task timer costs a heap insert and a
     * cancel on every request, and cancelled ones linger until their deadline.
     */
    void sweepTaskTimeouts() {
        long now = System.nanoTime();
        long limit = config.taskTimeout().toNanos();
        for (WorkerLink w : workers()) {
            Task t = w.peekCurrent();
            if (t != null && now - w.dispatchedNanos > limit) {
                timedOut(w, t);
            }
        }
    }

    /** @return how often {@link #sweepTaskTimeouts()} runs: a tenth of task-timeout, 10 to 100 ms */
    long sweepPeriodNanos() {
        return Math.clamp(config.taskTimeout().toNanos() / 10, 10_000_000L, 100_000_000L);
    }

    /** The task ran past task-timeout. Answer it -10003; the worker gets nothing more. */
    private void timedOut(WorkerLink worker, Task task) {
        lock.lock();
        try {
            if (worker.peekCurrent() != task || worker.state() != State.READY) {
                return;
            }
            worker.moveTo(State.STUCK);
        } finally {
            lock.unlock();
        }
        if (worker.takeCurrent() == task) {
            task.complete(Outcome.timedOut("cmd " + task.cmd + " ran longer than burst.group." + config.name()
                    + ".task-timeout " + config.taskTimeout() + " on " + worker));
        }
        LOG.log(System.Logger.Level.ERROR, worker + " ran cmd " + task.cmd + " past task-timeout "
                + config.taskTimeout() + "; asking the master to dump its threads and kill it");
        events.stuck(worker, task.cmd);
    }

    /** Called with the lock held when a task is queued: make sure someone checks its deadline. */
    private void scheduleExpiry(Task head) {
        if (expiryScheduled) {
            return;
        }
        expiryScheduled = true;
        long delay = head.acceptedNanos + queueTimeoutNanos - System.nanoTime();
        timer.schedule(this::expire, Math.max(delay, 0) + 1_000_000, TimeUnit.NANOSECONDS);
    }

    /** Timer: answers the tasks at the head that waited too long, then watches the new head. */
    private void expire() {
        List<Task> expired = new ArrayList<>();
        lock.lock();
        try {
            expiryScheduled = false;
            long now = System.nanoTime();
            while (!pending.isEmpty() && pending.peekFirst().waitedLongerThan(queueTimeoutNanos, now)) {
                expired.add(pending.pollFirst());
            }
            if (!pending.isEmpty()) {
                scheduleExpiry(pending.peekFirst());
            }
        } finally {
            lock.unlock();
        }
        expired.forEach(this::rejectExpired);
    }

    private void rejectExpired(Task t) {
        stats.discards.increment();
        t.complete(Outcome.overloaded("waited longer than burst.group." + config.name() + ".queue-timeout "
                + config.queueTimeout()));
    }
}
