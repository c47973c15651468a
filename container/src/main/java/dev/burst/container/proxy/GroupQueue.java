package dev.burst.container.proxy;

import dev.burst.container.config.GroupConfig;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The pending tasks and the idle workers of one group: pull dispatch. A task goes straight to an idle
 * worker if there is one, else waits in a bounded FIFO; a worker that finishes takes the oldest task
 * that has not waited past queue-timeout. Every task that leaves here without a worker is answered.
 *
 * <p>Threads: {@link #submit} runs on client threads (HTTP request, Box reader), {@link #workerFree} on
 * worker reader threads, {@link #expire} on the proxy's timer. All state is under {@link #lock}; frames
 * are sent outside it.
 */
final class GroupQueue {

    private static final System.Logger LOG = System.getLogger(GroupQueue.class.getName());

    final GroupConfig config;
    private final ScheduledExecutorService timer;
    private final long queueTimeoutNanos;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Task> pending = new ArrayDeque<>();
    private final ArrayDeque<WorkerLink> idle = new ArrayDeque<>();
    private final List<WorkerLink> workers = new ArrayList<>();
    private boolean expiryScheduled;

    GroupQueue(GroupConfig config, ScheduledExecutorService timer) {
        this.config = config;
        this.timer = timer;
        this.queueTimeoutNanos = config.queueTimeout().toNanos();
    }

    /** Takes an accepted task: to an idle worker, into the queue, or rejected when the queue is full. */
    void submit(Task task) {
        WorkerLink worker;
        lock.lock();
        try {
            worker = idle.pollFirst();
            if (worker == null) {
                if (pending.size() >= config.maxPending()) {
                    worker = null;
                } else {
                    pending.addLast(task);
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
            task.complete(Outcome.overloaded("group " + config.name() + " queue is full ("
                    + config.maxPending() + " pending)"));
            return;
        }
        send(worker, task);
    }

    /** A READY worker has no task: give it the next live one, or park it as idle. */
    void workerFree(WorkerLink worker) {
        List<Task> expired = new ArrayList<>();
        Task next;
        lock.lock();
        try {
            if (worker.state != WorkerLink.State.READY) {
                return;
            }
            long now = System.nanoTime();
            next = pending.pollFirst();
            while (next != null && next.waitedLongerThan(queueTimeoutNanos, now)) {
                expired.add(next);
                next = pending.pollFirst();
            }
            if (next == null) {
                idle.addLast(worker);
            } else {
                worker.assign(next);
            }
        } finally {
            lock.unlock();
        }
        expired.forEach(this::rejectExpired);
        if (next != null) {
            send(worker, next);
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
    }

    /** @return whether at least one worker is READY */
    boolean hasReadyWorker() {
        lock.lock();
        try {
            return workers.stream().anyMatch(w -> w.state == WorkerLink.State.READY);
        } finally {
            lock.unlock();
        }
    }

    /** @return every connected worker, for stop and stats */
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
     */
    void rejectPending(String why) {
        List<Task> dropped;
        lock.lock();
        try {
            dropped = List.copyOf(pending);
            pending.clear();
        } finally {
            lock.unlock();
        }
        dropped.forEach(t -> t.complete(Outcome.overloaded(why)));
    }

    private void send(WorkerLink worker, Task task) {
        try {
            worker.send(new dev.burst.container.protocol.WireMessage.Task(task.id, task.cmd, task.sn, task.client, task.body));
        } catch (IOException e) {
            // The worker is gone. Its reader thread sees the closed socket and answers the task it holds.
            LOG.log(System.Logger.Level.DEBUG, "cannot send to " + worker + ": " + e);
            worker.close();
        }
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
    void expire() {
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
        t.complete(Outcome.overloaded("waited longer than burst.group." + config.name() + ".queue-timeout "
                + config.queueTimeout()));
    }
}
