package dev.burst.container.proxy;

import dev.burst.container.config.BurstConfig;
import dev.burst.container.config.GroupConfig;
import dev.burst.container.plugin.CmdSpec;
import dev.burst.container.plugin.Generation;
import dev.burst.container.protocol.DisconnectCode;
import dev.burst.container.protocol.WireMessage;
import dev.burst.container.protocol.WireMessage.Recycle;
import dev.burst.container.protocol.WireMessage.Stuck;
import dev.burst.container.proxy.dispatch.Effects;
import dev.burst.container.proxy.dispatch.GroupPool;
import dev.burst.container.proxy.dispatch.GroupStats;
import dev.burst.container.proxy.dispatch.Intake;
import dev.burst.container.proxy.dispatch.Outcome;
import dev.burst.container.proxy.dispatch.PoolWorker;
import dev.burst.container.proxy.dispatch.Routes;
import dev.burst.container.proxy.dispatch.Task;
import dev.burst.container.proxy.users.Users;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Routes accepted requests to their group's {@link GroupPool}: the routes (cmd to group, rebuilt from
 * what workers serve), the serving generation, the count of accepted tasks a graceful stop waits for,
 * and the periodic housekeeping of every pool. The matching itself — which task goes to which worker,
 * every worker state change — is the pools'; worker connections are {@link WorkerSessions}'.
 *
 * <p>Threads: {@link #submit} on client threads (Box I/O loops, HTTP request threads); routing changes on
 * worker links and the reload thread; the housekeeping sweep on the proxy's timer; views on admin
 * threads. Routes are an immutable snapshot read without locks.
 */
final class Dispatcher implements Intake, GroupPool.Listener {

    private static final System.Logger LOG = System.getLogger(Dispatcher.class.getName());

    private final Map<String, GroupPool> pools = new LinkedHashMap<>();
    private final Consumer<WireMessage> toMaster;
    private final AtomicLong taskIds = new AtomicLong();
    private final AtomicLong sources = new AtomicLong();
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
    /** Disconnect events queued to a group, run by a worker, failed there, or not run (no worker, stopping). */
    final LongAdder disconnectQueued = new LongAdder();
    final LongAdder disconnectRun = new LongAdder();
    final LongAdder disconnectFailed = new LongAdder();
    final LongAdder disconnectNotRun = new LongAdder();
    private static final long NOT_RUN_LOG_EVERY = TimeUnit.SECONDS.toNanos(10);
    private final AtomicLong lastNotRunLog = new AtomicLong();
    /** Connections, their users, and push. */
    private final Users users;
    /** HTTP requests in progress (Box connections are counted by the Box listener). */
    final AtomicInteger clients = new AtomicInteger();

    /** Accepted tasks not yet answered; a graceful stop waits for zero. Lock-free on the request path. */
    private final AtomicLong outstanding = new AtomicLong();
    private final ReentrantLock outstandingLock = new ReentrantLock();
    private final Condition allAnswered = outstandingLock.newCondition();

    /**
     * @param config     the configuration
     * @param generation the plugin generation new workers load
     * @param timer      the proxy's timer, for the housekeeping sweep
     * @param toMaster   sends a control frame to the master (RECYCLE, STUCK)
     */
    Dispatcher(BurstConfig config, Generation generation, ScheduledExecutorService timer, Consumer<WireMessage> toMaster) {
        this.toMaster = toMaster;
        this.generation = generation;
        this.users = new Users(config.kickOldLogin() ? Users.DuplicateLogin.KICK_OLD : Users.DuplicateLogin.ALLOW,
                this::disconnected);
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

    /**
     * Accepts a request that is its own source (one HTTP request): no connection, no user.
     *
     * @param key the client's Burst-Key header, checked; "" when none
     */
    void submit(int cmd, int sn, String client, String key, byte[] body, Consumer<Outcome> onDone) {
        submit(cmd, sn, client, newSource(), false, key, body, onDone);
    }

    /** Accepts a request of a client connection (Box or WebSocket): its source is the connection's id. */
    @Override
    public void submit(int cmd, int sn, String client, long source, byte[] body, Consumer<Outcome> onDone) {
        submit(cmd, sn, client, source, true, "", body, onDone);
    }

    private void submit(int cmd, int sn, String client, long source, boolean connected, String headerKey, byte[] body,
                        Consumer<Outcome> onDone) {
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
        long connection = connected ? source : 0;
        String user = connected ? users.userOf(source).orElse("") : "";
        String key = user.isEmpty() ? headerKey : user;
        Task task = new Task(taskIds.incrementAndGet(), cmd, sn, client, source, body, connection, user, key, outcome -> {
            try {
                stats.answered(cmd, outcome.kind(), System.nanoTime() - accepted);
                clientResponses.increment();
                onDone.accept(outcome);
            } finally {
                answered();
            }
        });
        Effects fx = Effects.forOperation();
        pool.submit(task, fx);
        fx.runUnlessRound(); // a Box I/O loop's round sends its tasks for one worker in one write
    }

    /**
     * change_group gave a group a new size: a route=key group spreads its keys over the new slots, and
     * the log says how many slots' key ranges changed. Runs on the proxy's event loop.
     */
    void resize(String group, int workers) {
        GroupPool pool = pools.get(group);
        if (pool == null || pool.config().route() != GroupConfig.Route.KEY) {
            return;
        }
        Effects fx = new Effects();
        int before = pool.slotLoads().size();
        int changed = pool.resize(workers, fx);
        fx.run();
        if (changed > 0) {
            int after = Math.max(1, workers);
            LOG.log(System.Logger.Level.INFO, "change_group " + group + ": keys spread over " + after + " slot(s), was "
                    + before + "; the key ranges of " + changed + " slot(s) changed, about "
                    + Math.abs(after - before) + "/" + Math.max(after, before) + " of the keys moved");
        }
    }

    /** @return the connections, their users, and push */
    Users users() {
        return users;
    }

    /**
     * A connection with a user closed: each group with disconnect handlers gets one event, queued like a
     * task; nobody waits for its answer, it is only counted. Runs on the thread that closed the connection.
     */
    private void disconnected(Users.Left left) {
        for (GroupPool pool : routes.disconnectGroups()) {
            disconnectQueued.increment();
            outstanding.incrementAndGet();
            Task event = new Task(taskIds.incrementAndGet(), WireMessage.DISCONNECT_CMD, 0, left.clientAddress(),
                    newSource(), new byte[] {DisconnectCode.of(left.reason())}, 0, left.user(), left.user(), outcome -> {
                        try {
                            switch (outcome.kind()) {
                                case REPLY, NO_REPLY -> disconnectRun.increment();
                                case HANDLER_ERROR -> disconnectFailed.increment();
                                default -> {
                                    disconnectNotRun.increment();
                                    notRunLogged(left, pool, outcome);
                                }
                            }
                        } finally {
                            answered();
                        }
                    });
            if (!accepting) {
                event.complete(Outcome.overloaded("burst is stopping"));
                continue;
            }
            Effects fx = new Effects();
            pool.submit(event, fx);
            fx.run();
        }
    }

    /**
     * A disconnect event that could not run (the group's queue full or timed out, its worker lost) is
     * counted; the log gets one line per ten seconds at most, since many users leave at once (a network
     * blip) exactly when the queue is full. At a stop none runs, and none is logged.
     */
    private void notRunLogged(Users.Left left, GroupPool pool, Outcome outcome) {
        long now = System.nanoTime();
        long last = lastNotRunLog.get();
        if (!accepting || (last != 0 && now - last < NOT_RUN_LOG_EVERY) || !lastNotRunLog.compareAndSet(last, now)) {
            return;
        }
        LOG.log(System.Logger.Level.WARNING, "the disconnect event of user " + left.user() + " (" + left.reason()
                + ") did not run in group " + pool.config().name() + ": " + outcome.kind() + "; "
                + disconnectNotRun.sum() + " did not run so far (stat: users.disconnect_events.not_run)");
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
    public void tickStuck(PoolWorker worker, String detail) {
        Task held = worker.current();
        LOG.log(System.Logger.Level.ERROR, detail + "; asking the master to dump its threads and kill it"
                + (held == null ? "" : "; cmd " + held.cmd + ", handed to it during the tick, is answered when it is"
                + " gone, as for a lost worker"));
        toMaster.accept(new Stuck(worker.pid(), detail));
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

    /** @return whether new tasks are taken (false once a stop began) */
    boolean accepting() {
        return accepting;
    }

    /**
     * A worker reported READY on a generation: when that is the serving one, its cmds become the
     * group's serving cmds; the routes follow.
     */
    void reported(GroupPool pool, int generationNumber, Map<Integer, CmdSpec> cmds) {
        if (generationNumber == generation.number()) {
            synchronized (this) {
                servingCmds.put(pool.config().name(), cmds);
            }
        }
        rebuildRoutes();
    }
}
