package dev.burst.container.proxy;

import dev.burst.container.config.BurstConfig;
import dev.burst.container.config.GroupConfig;
import dev.burst.container.plugin.CmdSpec;
import dev.burst.container.plugin.Generation;
import dev.burst.container.process.SpawnSecrets;
import dev.burst.container.protocol.ProtocolException;
import dev.burst.container.protocol.WireMessage;
import dev.burst.container.protocol.WireMessage.BootFailed;
import dev.burst.container.protocol.WireMessage.CmdInfo;
import dev.burst.container.protocol.WireMessage.Hello;
import dev.burst.container.protocol.WireMessage.Leaked;
import dev.burst.container.protocol.WireMessage.LoadFailed;
import dev.burst.container.protocol.WireMessage.Ready;
import dev.burst.container.protocol.WireMessage.Recycle;
import dev.burst.container.protocol.WireMessage.Result;
import dev.burst.container.protocol.WireMessage.Stuck;
import dev.burst.container.protocol.WireMessage.WorkerReady;
import dev.burst.container.proxy.dispatch.Effects;
import dev.burst.container.proxy.dispatch.GroupPool;
import dev.burst.container.proxy.dispatch.GroupStats;
import dev.burst.container.proxy.dispatch.Intake;
import dev.burst.container.proxy.dispatch.Outcome;
import dev.burst.container.proxy.dispatch.PoolWorker;
import dev.burst.container.proxy.dispatch.Routes;
import dev.burst.container.proxy.dispatch.Task;
import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Routes accepted requests to their group's {@link GroupPool}, and runs every worker connection: HELLO
 * (checked against the master's per-spawn secret), the boot LOAD, READY, RESULTs, and the answers of
 * swaps. The matching itself — which task goes to which worker, every worker state change — is the
 * pools'; this class turns frames into pool operations and pool decisions into frames.
 *
 * <p>Threads: {@link #submit} on client threads (Box I/O loops, HTTP request threads); {@link #serve} on
 * one platform thread per worker connection; the housekeeping sweep on the proxy's timer; reloads on the
 * reload thread; views on admin threads. Routes are an immutable snapshot read without locks.
 */
final class Dispatcher implements Intake, GroupPool.Listener {

    private static final System.Logger LOG = System.getLogger(Dispatcher.class.getName());

    private final Map<String, GroupPool> pools = new LinkedHashMap<>();
    private final Consumer<WireMessage> toMaster;
    private final Runnable onWorkerReady;
    private final Optional<byte[]> workerKey;
    private final AtomicLong taskIds = new AtomicLong();
    private final AtomicLong sources = new AtomicLong();
    private final Set<Long> retiredPids = ConcurrentHashMap.newKeySet();
    /** Per group, the cmds of the serving generation (from the last worker that reported it). */
    private final Map<String, Map<Integer, CmdSpec>> servingCmds = new HashMap<>();
    private final Set<String> conflictsLogged = new HashSet<>();
    private volatile Routes routes = Routes.EMPTY;
    private volatile Generation generation;
    private volatile boolean accepting = true;

    /** Requests from clients, including those for unknown cmds, and the answers sent back. */
    final LongAdder clientRequests = new LongAdder();
    final LongAdder clientResponses = new LongAdder();
    final LongAdder unknownCmds = new LongAdder();
    /** HTTP requests in progress (Box connections are counted by the Box listener). */
    final AtomicInteger clients = new AtomicInteger();
    /** Worker connections per slot (group#slot): restarts are the connections after the first. */
    final Map<String, AtomicInteger> connectionsPerSlot = new ConcurrentHashMap<>();
    /** Worker connections refused: no or a wrong per-spawn secret, or an unknown group. */
    final LongAdder workersRefused = new LongAdder();
    /** READY or LOAD_FAILED frames ignored because they came when nothing waited for them. */
    final LongAdder lateAnswers = new LongAdder();

    /** Accepted tasks not yet answered; a graceful stop waits for zero. Lock-free on the request path. */
    private final AtomicLong outstanding = new AtomicLong();
    private final ReentrantLock outstandingLock = new ReentrantLock();
    private final Condition allAnswered = outstandingLock.newCondition();

    /**
     * @param config        the configuration
     * @param generation    the plugin generation new workers load
     * @param workerKey     the key the master's worker secrets are made with; empty refuses every worker
     * @param timer         the proxy's timer, for the housekeeping sweep
     * @param toMaster      sends a control frame to the master (WORKER_READY, RECYCLE, STUCK, BOOT_FAILED)
     * @param onWorkerReady called when a worker becomes ready
     */
    Dispatcher(BurstConfig config, Generation generation, Optional<byte[]> workerKey, ScheduledExecutorService timer,
               Consumer<WireMessage> toMaster, Runnable onWorkerReady) {
        this.toMaster = toMaster;
        this.onWorkerReady = onWorkerReady;
        this.workerKey = workerKey;
        this.generation = generation;
        for (GroupConfig g : config.groups()) {
            GroupPool pool = new GroupPool(g, this);
            pools.put(g.name(), pool);
            long period = pool.housekeepingPeriodNanos();
            timer.scheduleAtFixedRate(() -> housekeep(pool), period, period, TimeUnit.NANOSECONDS);
        }
    }

    // ---- requests ---------------------------------------------------------------------------------

    /**
     * Resolves the {cmd} of {@code POST /cmd/{cmd}}: a number, or a name a plugin registered.
     *
     * @param cmdOrName the path segment
     * @return the cmd id, if known
     */
    OptionalInt resolve(String cmdOrName) {
        return routes.resolve(cmdOrName);
    }

    @Override
    public long newSource() {
        return sources.incrementAndGet();
    }

    /** Accepts a request that is its own source (one HTTP request). */
    void submit(int cmd, int sn, String client, byte[] body, Consumer<Outcome> onDone) {
        submit(cmd, sn, client, newSource(), body, onDone);
    }

    @Override
    public void submit(int cmd, int sn, String client, long source, byte[] body, Consumer<Outcome> onDone) {
        clientRequests.increment();
        GroupPool pool = routes.group(cmd);
        if (pool == null) {
            unknownCmds.increment();
            clientResponses.increment();
            onDone.accept(Outcome.unknownCmd("unknown cmd " + cmd));
            return;
        }
        GroupStats stats = pool.stats();
        stats.requests.increment();
        long accepted = System.nanoTime();
        if (!accepting) {
            stats.rejects.increment();
            stats.answered(cmd, Outcome.Kind.OVERLOADED, 0);
            clientResponses.increment();
            onDone.accept(Outcome.overloaded("burst is stopping"));
            return;
        }
        outstanding.incrementAndGet();
        Task task = new Task(taskIds.incrementAndGet(), cmd, sn, client, source, body, outcome -> {
            try {
                stats.answered(cmd, outcome.kind(), System.nanoTime() - accepted);
                clientResponses.increment();
                onDone.accept(outcome);
            } finally {
                answered();
            }
        });
        Effects fx = new Effects();
        pool.submit(task, fx);
        fx.run();
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
    private static void housekeep(GroupPool pool) {
        try {
            Effects fx = new Effects();
            pool.housekeep(fx);
            fx.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "housekeeping of group " + pool.config().name() + " failed", e);
        }
    }

    @Override
    public void stuck(PoolWorker worker, Task task) {
        LOG.log(System.Logger.Level.ERROR, worker + " ran cmd " + task.cmd + " past task-timeout "
                + pools.get(worker.group()).config().taskTimeout() + "; asking the master to dump its threads and kill it");
        toMaster.accept(new Stuck(worker.pid(), worker + " ran cmd " + task.cmd + " past its task-timeout"));
    }

    @Override
    public void recycle(PoolWorker worker, String reason) {
        LOG.log(System.Logger.Level.INFO, worker + " " + reason + "; asking for its replacement");
        toMaster.accept(new Recycle(worker.pid(), reason));
        rebuildRoutes();
    }

    // ---- stopping ---------------------------------------------------------------------------------

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

    /** @return accepted tasks not answered yet */
    long outstanding() {
        return outstanding.get();
    }

    /** Fast stop: every queued task gets -10002, every running one -10004, now. */
    void abortAll() {
        accepting = false;
        Effects fx = new Effects();
        pools.values().forEach(p -> p.abort("burst stopped", fx));
        fx.run();
    }

    /** Asks every worker to exit after its current task. */
    void stopWorkers() {
        Effects fx = new Effects();
        pools.values().forEach(p -> p.stopAll(fx));
        fx.run();
    }

    // ---- views ------------------------------------------------------------------------------------

    /**
     * @param degraded groups the master gave up as degraded: they count as settled
     * @return whether every group with workers configured has at least one ready, or is degraded
     */
    boolean everyGroupReady(java.util.Set<String> degraded) {
        return pools.values().stream().allMatch(p -> p.config().workers() == 0 || p.hasReadyWorker()
                || degraded.contains(p.config().name()));
    }

    /** @return the groups, in configuration order */
    Map<String, GroupPool> groups() {
        return pools;
    }

    /** @return the generation new workers load */
    Generation generation() {
        return generation;
    }

    // ---- worker connections -----------------------------------------------------------------------

    /**
     * Runs one worker connection until it closes: HELLO, LOAD, READY, then RESULTs (and swaps).
     * Runs on the connection's own platform thread.
     */
    void serve(SocketChannel channel) {
        WorkerLink link = new WorkerLink(channel);
        GroupPool pool = null;
        try {
            WireMessage first = link.read();
            if (!(first instanceof Hello hello)) {
                throw new ProtocolException("expected HELLO, got " + first.getClass().getSimpleName());
            }
            pool = admit(hello);
            if (pool == null) {
                return;
            }
            PoolWorker w = new PoolWorker(hello.group(), hello.slot(), hello.pid(), link);
            link.attach(w);
            pool.joined(w);
            connectionsPerSlot.computeIfAbsent(w.id(), k -> new AtomicInteger()).incrementAndGet();
            if (retiredPids.contains(w.pid())) {
                retire(pool, w);
            }
            link.send(Loads.of(generation, pool.config()));
            while (true) {
                WireMessage m = link.read();
                switch (m) {
                    case Ready ready -> onReady(link, pool, ready);
                    case LoadFailed failed -> onLoadFailed(link, pool, failed);
                    case Result result -> onResult(link, pool, result);
                    case Leaked leaked -> toMaster.accept(new Recycle(w.pid(), "generation " + leaked.generation()
                            + " leaked: " + leaked.detail()));
                    default -> throw new ProtocolException("unexpected " + m.getClass().getSimpleName() + " from " + link);
                }
            }
        } catch (EOFException e) {
            PoolWorker w = link.worker();
            boolean expected = w != null && w.state() == PoolWorker.State.STOPPING;
            LOG.log(expected ? System.Logger.Level.DEBUG : System.Logger.Level.WARNING, link + " disconnected"
                    + (w != null && w.current() != null ? " while running cmd " + w.current().cmd : ""));
        } catch (IOException | IllegalStateException e) {
            LOG.log(System.Logger.Level.WARNING, link + " connection failed: " + e.getMessage());
        } finally {
            link.close();
            PoolWorker w = link.worker();
            if (w != null && pool != null) {
                retiredPids.remove(w.pid());
                Effects fx = new Effects();
                Optional<Task> lost = pool.left(w, fx);
                fx.run();
                rebuildRoutes();
                lost.ifPresent(t -> lose(w, t));
            }
        }
    }

    /** Checks a HELLO: a configured group, and a secret the master made for that group and slot. */
    private GroupPool admit(Hello hello) {
        GroupPool pool = pools.get(hello.group());
        String who = "worker " + hello.group() + "#" + hello.slot() + " pid " + hello.pid();
        if (pool == null) {
            workersRefused.increment();
            LOG.log(System.Logger.Level.WARNING, "refused a connection on the worker socket claiming to be " + who
                    + ": no such group");
            return null;
        }
        if (workerKey.isEmpty() || !SpawnSecrets.verifyWorker(workerKey.get(), hello.group(), hello.slot(), hello.secret())) {
            workersRefused.increment();
            LOG.log(System.Logger.Level.WARNING, "refused a connection on the worker socket claiming to be " + who
                    + ": " + (hello.secret().isEmpty() ? "no" : "a wrong") + " spawn secret (not a worker this master spawned)");
            return null;
        }
        return pool;
    }

    /** The worker died with a task: an idempotent one is run once more elsewhere, any other answered -10004. */
    private void lose(PoolWorker w, Task task) {
        GroupPool pool = pools.get(w.group());
        if (!task.retried() && w.idempotent(task.cmd) && accepting) {
            LOG.log(System.Logger.Level.WARNING, w + " died while running idempotent cmd " + task.cmd
                    + "; running it again on another worker");
            Effects fx = new Effects();
            pool.retry(task, fx);
            fx.run();
            return;
        }
        task.complete(Outcome.workerLost(w + " died while running cmd " + task.cmd));
    }

    private void onReady(WorkerLink link, GroupPool pool, Ready ready) {
        PoolWorker w = link.worker();
        Map<Integer, CmdSpec> cmds = cmds(ready.cmds());
        PoolWorker.State state = w.state();
        if (state == PoolWorker.State.SWAPPING || state == PoolWorker.State.QUARANTINED) {
            if (ready.generation() == link.swapGeneration() && pool.swapAnswered(w)) {
                link.swapAnswered(ready);
            } else {
                lateAnswers.increment();
                LOG.log(System.Logger.Level.WARNING, w + " reported READY on generation " + ready.generation()
                        + " after its swap was given up; ignored (the worker is being replaced)");
            }
            return;
        }
        Effects fx = new Effects();
        boolean accepted = pool.ready(w, ready.generation(), cmds, fx);
        fx.run();
        if (!accepted) {
            lateAnswers.increment();
            LOG.log(System.Logger.Level.WARNING, w + " reported READY on generation " + ready.generation()
                    + " while " + state + "; ignored");
            return;
        }
        if (ready.generation() == generation.number()) {
            synchronized (this) {
                servingCmds.put(pool.config().name(), cmds);
            }
        }
        rebuildRoutes();
        LOG.log(System.Logger.Level.INFO, w + " ready on generation " + ready.generation());
        toMaster.accept(new WorkerReady(w.group(), w.slot(), w.pid(), ready.generation()));
        onWorkerReady.run();
    }

    private void onLoadFailed(WorkerLink link, GroupPool pool, LoadFailed failed) {
        PoolWorker w = link.worker();
        PoolWorker.State state = w.state();
        if (state == PoolWorker.State.SWAPPING || state == PoolWorker.State.QUARANTINED) {
            if (failed.generation() == link.swapGeneration() && pool.swapAnswered(w)) {
                link.swapAnswered(failed);
            } else {
                lateAnswers.increment();
                LOG.log(System.Logger.Level.WARNING, w + " reported LOAD_FAILED for generation " + failed.generation()
                        + " after its swap was given up; ignored");
            }
            return;
        }
        if (state == PoolWorker.State.STARTING) {
            LOG.log(System.Logger.Level.ERROR, w + " cannot start generation " + failed.generation() + ": "
                    + failed.reason());
            toMaster.accept(new BootFailed(w.group(), w.slot(), w.pid(), failed.generation(), failed.reason()));
            return;
        }
        lateAnswers.increment();
        LOG.log(System.Logger.Level.WARNING, w + " reported LOAD_FAILED while " + state + "; ignored");
    }

    private void onResult(WorkerLink link, GroupPool pool, Result result) {
        Effects fx = new Effects();
        Task task = pool.result(link.worker(), result.taskId(), fx);
        fx.run(); // the worker's next task first: it works while the reply goes out
        if (task == null) {
            return; // the answer of a task already answered -10003; the master is killing this worker
        }
        task.complete(switch (result.status()) {
            case REPLY -> Outcome.reply(result.ret(), result.body());
            case NO_REPLY -> Outcome.noReply();
            case UNKNOWN_CMD -> Outcome.unknownCmd("unknown cmd " + task.cmd);
            case HANDLER_ERROR -> Outcome.handlerError(result.body());
        });
    }

    /**
     * @param info a worker's cmds as its READY listed them
     * @return them as the pools keep them
     */
    static Map<Integer, CmdSpec> cmds(List<CmdInfo> info) {
        return info.stream()
                .map(c -> new CmdSpec(c.id(), c.name(), c.idempotent()))
                .collect(Collectors.toUnmodifiableMap(CmdSpec::id, Function.identity(), (a, b) -> a));
    }

    // ---- routes, generations, retiring ------------------------------------------------------------

    /** Recomputes the routes from what every group's workers serve now. */
    void rebuildRoutes() {
        List<String> conflicts = new ArrayList<>();
        Routes next;
        synchronized (this) {
            next = Routes.build(List.copyOf(pools.values()), servingCmds, conflicts::add);
            routes = next;
            conflicts.removeIf(c -> !conflictsLogged.add(c));
        }
        conflicts.forEach(c -> LOG.log(System.Logger.Level.ERROR, c));
    }

    /**
     * Makes a generation the serving one: new workers load it, and its cmds (from the workers already on
     * it) become the routes' serving cmds.
     *
     * @param next the generation a reload's canaries started
     */
    void commit(Generation next) {
        synchronized (this) {
            generation = next;
            servingCmds.clear();
            for (GroupPool pool : pools.values()) {
                pool.workers().stream()
                        .filter(w -> w.generation() == next.number() && w.state() == PoolWorker.State.READY)
                        .findFirst()
                        .ifPresent(w -> servingCmds.put(pool.config().name(), w.cmds()));
            }
        }
        rebuildRoutes();
    }

    /** A swap ended: a worker that started the serving generation tells its group's serving cmds. */
    void swapped(GroupPool pool, PoolWorker w) {
        if (w.generation() == generation.number()) {
            synchronized (this) {
                servingCmds.put(pool.config().name(), w.cmds());
            }
        }
        rebuildRoutes();
    }

    /**
     * Drains the worker with this pid (restart, resize, recycle): no new task, STOP after the current
     * one. A pid not connected yet is drained as soon as it says HELLO.
     *
     * @param pid the worker's process id
     */
    void retire(long pid) {
        retiredPids.add(pid);
        for (GroupPool pool : pools.values()) {
            for (PoolWorker w : pool.workers()) {
                if (w.pid() == pid) {
                    retire(pool, w);
                }
            }
        }
    }

    private void retire(GroupPool pool, PoolWorker w) {
        LOG.log(System.Logger.Level.INFO, "draining " + w);
        Effects fx = new Effects();
        pool.retire(w, fx);
        fx.run();
        rebuildRoutes();
    }
}
