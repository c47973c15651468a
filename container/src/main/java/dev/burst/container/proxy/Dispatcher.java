package dev.burst.container.proxy;

import dev.burst.container.config.BurstConfig;
import dev.burst.container.config.GroupConfig;
import dev.burst.container.plugin.Generation;
import dev.burst.container.protocol.ProtocolException;
import dev.burst.container.protocol.WireMessage.BootFailed;
import dev.burst.container.protocol.WireMessage.CmdInfo;
import dev.burst.container.protocol.WireMessage.Hello;
import dev.burst.container.protocol.WireMessage.Leaked;
import dev.burst.container.protocol.WireMessage.Load;
import dev.burst.container.protocol.WireMessage.LoadFailed;
import dev.burst.container.protocol.WireMessage.Ready;
import dev.burst.container.protocol.WireMessage.Recycle;
import dev.burst.container.protocol.WireMessage.Result;
import dev.burst.container.protocol.WireMessage.Stop;
import dev.burst.container.protocol.WireMessage.Stuck;
import dev.burst.container.protocol.WireMessage.WorkerReady;
import dev.burst.container.protocol.WireMessage;
import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Routes tasks by cmd to their group's queue and runs the proxy's side of every worker connection.
 * Routes are learned from the workers' READY frames: a cmd belongs to the group whose workers serve it.
 *
 * <p>Threads: {@link #submit} on client threads; {@link #serve} on one virtual thread per worker.
 */
final class Dispatcher {

    private static final System.Logger LOG = System.getLogger(Dispatcher.class.getName());

    private final Map<String, GroupQueue> groups = new LinkedHashMap<>();
    private final Map<Integer, GroupQueue> routes = new ConcurrentHashMap<>();
    private final Map<String, Integer> names = new ConcurrentHashMap<>();
    private final AtomicLong taskIds = new AtomicLong();
    private final Consumer<WireMessage> toMaster;
    private final Runnable onWorkerReady;
    private final Set<Long> retiredPids = ConcurrentHashMap.newKeySet();
    /** Requests from clients, including those for unknown cmds, and the answers sent back. */
    final LongAdder clientRequests = new LongAdder();
    final LongAdder clientResponses = new LongAdder();
    final LongAdder unknownCmds = new LongAdder();
    /** Open client connections (Box) plus HTTP requests in progress. */
    final AtomicInteger clients = new AtomicInteger();
    /** Worker connections per slot (group#slot): restarts are the connections after the first. */
    final Map<String, AtomicInteger> connectionsPerSlot = new ConcurrentHashMap<>();
    private volatile Generation generation;
    private volatile boolean accepting = true;

    /** Accepted tasks not yet answered; a graceful stop waits for zero. Lock-free on the request path. */
    private final AtomicLong outstanding = new AtomicLong();
    private final ReentrantLock outstandingLock = new ReentrantLock();
    private final Condition allAnswered = outstandingLock.newCondition();

    /**
     * @param config        the configuration
     * @param generation    the plugin generation new workers load
     * @param timer         the proxy's timer (queue expiry, task timeouts)
     * @param toMaster      sends a control frame to the master (WORKER_READY, RECYCLE, STUCK)
     * @param onWorkerReady called when a worker becomes ready
     */
    Dispatcher(BurstConfig config, Generation generation, ScheduledExecutorService timer,
               Consumer<WireMessage> toMaster, Runnable onWorkerReady) {
        this.toMaster = toMaster;
        GroupQueue.Events events = new GroupQueue.Events() {
            @Override
            public void stuck(WorkerLink worker, int cmd) {
                toMaster.accept(new Stuck(worker.pid, worker + " ran cmd " + cmd + " past its task-timeout"));
            }

            @Override
            public void recycle(WorkerLink worker, String reason) {
                LOG.log(System.Logger.Level.INFO, worker + " " + reason + "; asking for its replacement");
                toMaster.accept(new Recycle(worker.pid, reason));
            }
        };
        for (GroupConfig g : config.groups()) {
            GroupQueue q = new GroupQueue(g, timer, events);
            groups.put(g.name(), q);
            timer.scheduleAtFixedRate(() -> sweep(q), q.sweepPeriodNanos(), q.sweepPeriodNanos(), TimeUnit.NANOSECONDS);
        }
        this.generation = generation;
        this.onWorkerReady = onWorkerReady;
    }

    /**
     * Resolves the {cmd} of {@code POST /cmd/{cmd}}: a number, or a name a plugin registered.
     *
     * @param cmdOrName the path segment
     * @return the cmd id, if known
     */
    OptionalInt resolve(String cmdOrName) {
        try {
            return OptionalInt.of(Integer.parseInt(cmdOrName));
        } catch (NumberFormatException e) {
            Integer id = names.get(cmdOrName);
            return id == null ? OptionalInt.empty() : OptionalInt.of(id);
        }
    }

    /**
     * Accepts a request: it is answered exactly once through {@code onDone}, possibly before this returns
     * (unknown cmd, overloaded, draining).
     *
     * @param cmd    the command id
     * @param sn     the client's sequence number
     * @param client the client's address, for the handler
     * @param body   the payload
     * @param onDone receives the outcome, on whichever thread answers
     */
    void submit(int cmd, int sn, String client, byte[] body, Consumer<Outcome> onDone) {
        clientRequests.increment();
        GroupQueue group = routes.get(cmd);
        if (group == null) {
            unknownCmds.increment();
            clientResponses.increment();
            onDone.accept(Outcome.unknownCmd("unknown cmd " + cmd));
            return;
        }
        GroupStats stats = group.stats;
        stats.requests.increment();
        long accepted = System.nanoTime();
        if (!accepting) {
            stats.rejects.increment();
            stats.answered(cmd, Outcome.Kind.OVERLOADED, System.nanoTime() - accepted);
            clientResponses.increment();
            onDone.accept(Outcome.overloaded("burst is stopping"));
            return;
        }
        outstanding.incrementAndGet();
        group.submit(new Task(taskIds.incrementAndGet(), cmd, sn, client, body, outcome -> {
            try {
                stats.answered(cmd, outcome.kind(), System.nanoTime() - accepted);
                clientResponses.increment();
                onDone.accept(outcome);
            } finally {
                answered();
            }
        }));
    }

    /** Only a stop waits on the count, so only then is the lock taken (the waiter also re-checks on its own). */
    private void answered() {
        if (outstanding.decrementAndGet() == 0 && !accepting) {
            outstandingLock.lock();
            try {
                allAnswered.signalAll();
            } finally {
                outstandingLock.unlock();
            }
        }
    }

    /** A periodic task must not die of one failure (HikariCP's HouseKeeper): log it and go on. */
    private static void sweep(GroupQueue q) {
        try {
            q.sweepTaskTimeouts();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "task-timeout sweep of group " + q.config.name() + " failed", e);
        }
    }

    /** Refuses new tasks from now on (-10002, "burst is stopping"); queued and running ones go on. */
    void stopAccepting() {
        accepting = false;
    }

    /**
     * Waits until every accepted task is answered.
     *
     * @param timeout how long to wait at most
     * @return whether all were answered in time
     */
    boolean awaitAllAnswered(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        outstandingLock.lock();
        try {
            while (outstanding.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                // Bounded wait: an answer that raced with stopAccepting() may not have signalled.
                allAnswered.awaitNanos(Math.min(left, 50_000_000L));
            }
            return true;
        } finally {
            outstandingLock.unlock();
        }
    }

    /** Fast stop: every queued task gets -10002, every running one -10004, now. */
    void abortAll() {
        accepting = false;
        for (GroupQueue g : groups.values()) {
            g.rejectPending("burst is stopping");
            for (WorkerLink w : g.workers()) {
                Task t = w.takeCurrent();
                if (t != null) {
                    t.complete(Outcome.workerLost("burst stopped before " + w.id() + " finished"));
                }
            }
        }
    }

    /** Asks every worker to exit after its current task. */
    void stopWorkers() {
        for (GroupQueue g : groups.values()) {
            for (WorkerLink w : g.workers()) {
                if (w.state() != WorkerLink.State.EXITED) {
                    w.moveTo(WorkerLink.State.STOPPING);
                }
                try {
                    w.send(new Stop());
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.DEBUG, w + " is already gone: " + e);
                }
            }
        }
    }

    /** @return whether every group with workers configured has at least one ready */
    boolean everyGroupReady() {
        return groups.values().stream().allMatch(g -> g.config.workers() == 0 || g.hasReadyWorker());
    }

    /** @return the groups, in configuration order */
    Map<String, GroupQueue> groups() {
        return groups;
    }

    /**
     * Runs one worker connection until it closes: HELLO, LOAD, READY, then RESULTs (and swaps).
     * Runs on the connection's own virtual thread.
     */
    void serve(SocketChannel channel) {
        WorkerLink link = new WorkerLink(channel);
        GroupQueue group = null;
        try {
            WireMessage first = link.read();
            if (!(first instanceof Hello hello)) {
                throw new ProtocolException("expected HELLO, got " + first.getClass().getSimpleName());
            }
            group = groups.get(hello.group());
            if (group == null) {
                throw new ProtocolException("worker pid " + hello.pid() + " names unknown group " + hello.group());
            }
            link.group = hello.group();
            link.slot = hello.slot();
            link.pid = hello.pid();
            link.moveTo(WorkerLink.State.STARTING);
            connectionsPerSlot.computeIfAbsent(link.id(), k -> new AtomicInteger()).incrementAndGet();
            group.joined(link);
            if (retiredPids.contains(link.pid)) {
                group.retire(link);
            }
            Generation g = generation;
            link.send(Loads.of(g, group.config));
            while (true) {
                WireMessage m = link.read();
                switch (m) {
                    case Ready ready -> onReady(link, group, ready);
                    case LoadFailed failed -> onLoadFailed(link, failed);
                    case Result result -> onResult(link, group, result);
                    case Leaked leaked -> toMaster.accept(new Recycle(link.pid, "generation " + leaked.generation()
                            + " leaked: " + leaked.detail()));
                    default -> throw new ProtocolException("unexpected " + m.getClass().getSimpleName() + " from " + link);
                }
            }
        } catch (EOFException e) {
            LOG.log(link.state() == WorkerLink.State.STOPPING ? System.Logger.Level.DEBUG : System.Logger.Level.WARNING,
                    link + " disconnected");
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, link + " connection failed: " + e.getMessage());
        } finally {
            link.moveTo(WorkerLink.State.EXITED);
            link.close();
            retiredPids.remove(link.pid);
            if (group != null) {
                group.left(link);
            }
            Task lost = link.takeCurrent();
            if (lost != null) {
                lose(link, group, lost);
            }
        }
    }

    /** The worker died with a task: an idempotent one is run once more elsewhere, any other answered -10004. */
    private void lose(WorkerLink link, GroupQueue group, Task task) {
        if (group != null && !task.retried && link.idempotent(task.cmd) && accepting) {
            task.retried = true;
            LOG.log(System.Logger.Level.WARNING, link + " died while running idempotent cmd " + task.cmd
                    + "; running it again on another worker");
            group.retry(task);
            return;
        }
        task.complete(Outcome.workerLost(link + " died while running cmd " + task.cmd));
    }

    private void onReady(WorkerLink link, GroupQueue group, Ready ready) {
        link.serving(ready.generation(), ready.cmds());
        route(group, ready);
        if (link.state() == WorkerLink.State.SWAPPING) {
            link.swapAnswer.complete(ready);
            return;
        }
        group.markReady(link);
        LOG.log(System.Logger.Level.INFO, link + " ready on generation " + ready.generation());
        toMaster.accept(new WorkerReady(link.group, link.slot, link.pid, ready.generation()));
        group.workerFree(link);
        onWorkerReady.run();
    }

    private void onLoadFailed(WorkerLink link, LoadFailed failed) {
        if (link.state() == WorkerLink.State.SWAPPING) {
            link.swapAnswer.complete(failed);
            return;
        }
        LOG.log(System.Logger.Level.ERROR, link + " cannot start generation " + failed.generation() + ": " + failed.reason());
        toMaster.accept(new BootFailed(link.group, link.slot, link.pid, failed.generation(), failed.reason()));
    }

    private void route(GroupQueue group, Ready ready) {
        for (CmdInfo c : ready.cmds()) {
            GroupQueue owner = routes.putIfAbsent(c.id(), group);
            if (owner != null && owner != group) {
                LOG.log(System.Logger.Level.ERROR, "cmd " + c.id() + " is served by groups " + owner.config.name()
                        + " and " + group.config.name() + "; it stays routed to " + owner.config.name());
                continue;
            }
            if (!c.name().isEmpty()) {
                names.putIfAbsent(c.name(), c.id());
                group.stats.cmd(c.id()).name = c.name();
            }
        }
    }

    private void onResult(WorkerLink link, GroupQueue group, Result result) throws ProtocolException {
        Task task = link.takeCurrent();
        if (task == null && link.state() == WorkerLink.State.STUCK) {
            return; // the answer of a task already answered -10003; the master is killing this worker
        }
        if (task == null || task.id != result.taskId()) {
            throw new ProtocolException(link + " answered task " + result.taskId() + ", which it was not given");
        }
        task.complete(switch (result.status()) {
            case REPLY -> Outcome.reply(result.ret(), result.body());
            case NO_REPLY -> Outcome.noReply();
            case UNKNOWN_CMD -> Outcome.unknownCmd("unknown cmd " + task.cmd);
            case HANDLER_ERROR -> Outcome.handlerError(result.body());
        });
        group.served(link);
        group.workerFree(link);
    }

    /**
     * Drains the worker with this pid (restart, resize, recycle): no new task, STOP after the current
     * one. A pid not connected yet is drained as soon as it says HELLO.
     *
     * @param pid the worker's process id
     */
    void retire(long pid) {
        retiredPids.add(pid);
        for (GroupQueue g : groups.values()) {
            for (WorkerLink w : g.workers()) {
                if (w.pid == pid) {
                    LOG.log(System.Logger.Level.INFO, "draining " + w);
                    g.retire(w);
                }
            }
        }
    }

    /** @param next the generation new workers load from now on */
    void commit(Generation next) {
        generation = next;
    }

    /** @return the generation new workers load */
    Generation generation() {
        return generation;
    }
}
