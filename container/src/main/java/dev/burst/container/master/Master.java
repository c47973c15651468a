package dev.burst.container.master;

import dev.burst.container.admin.AdminToken;
import dev.burst.container.config.BurstConfig;
import dev.burst.container.config.GroupConfig;
import dev.burst.container.master.OperationRecord.Kind;
import dev.burst.container.process.Entry;
import dev.burst.container.process.ExitCode;
import dev.burst.container.process.LogSink;
import dev.burst.container.process.PidFile;
import dev.burst.container.process.Signals;
import dev.burst.container.process.SpawnSecrets;
import dev.burst.container.protocol.WireMessage.Detail;
import dev.burst.container.protocol.WireMessage.GroupSize;
import dev.burst.container.protocol.WireMessage.Reload;
import dev.burst.container.protocol.WireMessage.Retire;
import dev.burst.container.protocol.WireMessage.Shutdown;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The supervisor (gunicorn's arbiter). It keeps one proxy and every group's workers running, runs the
 * process-level operations (reload_workers through the proxy, restart_workers, change_group, recycling,
 * stop) and keeps their records ({@link Operations}).
 *
 * <p>{@link #run()} is one loop: take an {@link Event}, apply it, reconcile. Applying an event only changes
 * facts (a child exited, a worker is ready) or targets (a group's size, a replacement asked for);
 * {@link #reconcile()} then brings the proxy and every group to their targets, and it is the only code that
 * spawns: the proxy when its slot is PENDING, a worker slot when it is PENDING and the proxy is up, and the
 * new process of the {@link Replacement} whose turn it is. A place's life is a {@link Slot.State}, a
 * replacement's a {@link Replacement.State}; both are checked where they change.
 *
 * <pre>
 * master   STARTING --PROXY_UP--> RUNNING --TERM, INT, stop, a failed cold start--> STOPPING --no child left--> exit
 *          STARTING --TERM, INT, the proxy cannot boot--> STOPPING
 * </pre>
 *
 * <p>Threads: one thread, the one in {@link #run()}, changes state. Signal handlers, exit callbacks, the
 * control socket's readers and the timers only enqueue events; a stuck worker's thread dump is taken on a
 * virtual thread of its own, which then kills it.
 */
public final class Master {

    private static final System.Logger LOG = System.getLogger(Master.class.getName());
    /** The environment variable that tells a proxy whether it is the master's first ("cold") or a respawn. */
    static final String PROXY_START_ENV = Entry.PROXY_START_ENV;
    private static final Duration HOUSEKEEPING = Duration.ofSeconds(1);
    private static final Duration FAST_STOP_BOUND = Duration.ofSeconds(5);

    private enum State { STARTING, RUNNING, STOPPING }

    private final BurstConfig config;
    private final Spawner spawner;
    private final BlockingQueue<Event> events;
    private final Timers timers;
    private final LogRotation logRotation;
    private final byte[] workerKey = SpawnSecrets.randomKey();
    private final Map<Role, Slot> slots = new LinkedHashMap<>();
    private final Map<String, Integer> targets = new LinkedHashMap<>();
    /** Processes that left their slot and drain: surplus after change_group, replaced ones, cancelled replacements. */
    private final Map<Long, Child> retiring = new LinkedHashMap<>();
    private final Operations operations;
    private final Replacements replacements;
    private final DegradedGroups degraded;
    /** Pids the master itself killed (stop, task-timeout, a late replacement): their SIGKILL is no mystery. */
    private final Set<Long> killedByMaster = new HashSet<>();
    /** Pids asked to stop during the stop. */
    private final Set<Long> stopAsked = new HashSet<>();
    private ProxyLink link;
    private Optional<Long> reloadOperation = Optional.empty();
    private Optional<Long> stopOperation = Optional.empty();
    private State state = State.STARTING;
    private boolean everListened;
    private boolean stopFast;
    private int proxiesSpawned;
    private int exitCode = ExitCode.OK.code();
    private String exitWhy = "";

    Master(BurstConfig config, Spawner spawner, BlockingQueue<Event> events, Timers timers, ProxyLink link,
           LogRotation logRotation) {
        this.config = config;
        this.spawner = spawner;
        this.events = events;
        this.timers = timers;
        this.link = link;
        this.logRotation = logRotation;
        this.operations = new Operations(r -> this.link.send(r.frame()));
        this.replacements = new Replacements(replacementHost(), operations, timers, config.startTimeout());
        this.degraded = new DegradedGroups(config.runDir());
        config.groups().forEach(g -> targets.put(g.name(), g.workers()));
        slots.put(Role.PROXY, new Slot(Role.PROXY));
    }

    /**
     * @param config the configuration
     * @param log    the log file the master and its children write to; empty = they share stderr
     * @return a master that spawns real processes
     */
    public static Master create(BurstConfig config, Optional<LogSink> log) {
        LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
        return new Master(config, new ProcessSpawner(config, log), events, Timers.onThread(events::add), ProxyLink.NONE,
                LogRotation.of(log));
    }

    /**
     * Runs until every child has stopped.
     *
     * @return the process exit code: 0 after a clean stop
     */
    public int run() {
        PidFile pidFile;
        try {
            RunDirectory.prepare(config.runDir());
            pidFile = PidFile.claim(config.pidFile());
        } catch (PidFile.HeldException e) {
            LOG.log(System.Logger.Level.ERROR, e.getMessage());
            return ExitCode.CONFIG_ERROR.code();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "cannot prepare the run directory " + config.runDir() + ": " + e.getMessage());
            return ExitCode.CONFIG_ERROR.code();
        }
        try {
            Files.deleteIfExists(config.portsFile());
            degraded.clear();
            AdminToken.prepare(config.adminToken(), config.runDir());
            try (ControlServer control = ControlServer.open(config.controlSocket(), events::add)) {
                link = control;
                Signals.handle(name -> events.add(new Event.SignalReceived(name)), "TERM", "INT", "HUP", "TTIN", "TTOU",
                        "USR1", "USR2");
                timers.every(HOUSEKEEPING, new Event.Housekeeping());
                begin();
                while (!finished()) {
                    handle(events.take());
                }
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "cannot start: " + e.getMessage());
            exit(ExitCode.CONFIG_ERROR, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exit(ExitCode.FAILURE, "interrupted");
        } finally {
            timers.close();
            children().forEach(Child::kill);
            link = ProxyLink.NONE;
            closeRecords();
            degraded.clear();
            pidFile.release();
        }
        LOG.log(System.Logger.Level.INFO, "burst stopped (exit " + exitCode + ")");
        return exitCode;
    }

    /** Says what starts, and spawns the proxy. */
    void begin() {
        LOG.log(System.Logger.Level.INFO, "starting burst in " + config.home() + ": groups " + targets);
        reconcile();
    }

    /** @return whether the loop is over: stopping, and no child left */
    boolean finished() {
        return state == State.STOPPING && children().findAny().isEmpty();
    }

    /** Applies one event, then reconciles. */
    void handle(Event event) {
        switch (event) {
            case Event.SignalReceived s -> onSignal(s.name());
            case Event.ChildExited e -> onExit(e.child(), e.status());
            case Event.ProxyConnected c -> onProxyConnected(c.pid());
            case Event.ProxyUp up -> onProxyUp(up.pid());
            case Event.ProxyListening l -> {
                everListened = true;
                LOG.log(System.Logger.Level.INFO, "burst is serving: http port " + l.httpPort() + ", box port " + l.boxPort());
            }
            case Event.WorkerReady r -> onWorkerReady(r.pid());
            case Event.BootFailed b -> slot(Role.worker(b.group(), b.slot())).ifPresent(s -> s.bootFailed(b.reason()));
            case Event.RecycleAsked r -> recycle(r.pid(), r.reason());
            case Event.WorkerStuck s -> process(s.pid()).ifPresent(c -> dumpAndKill(c, s.detail()));
            case Event.ReloadDone r -> onReloadDone(r);
            case Event.AdminCommand c -> onAdminCommand(c);
            case Event.BackoffOver b -> slot(b.role())
                    .filter(s -> s.state() == Slot.State.BACKOFF && s.backoffTicket() == b.ticket())
                    .ifPresent(s -> s.moveTo(Slot.State.PENDING));
            case Event.ReplacementTimedOut t -> replacements.timedOut(t.pid());
            case Event.StopDeadline d -> onStopDeadline();
            case Event.Housekeeping h -> link.check();
        }
        reconcile();
    }

    /** @return the kept operation records, oldest first */
    List<OperationRecord> operations() {
        return operations.all();
    }

    /** @return the exit code {@link #run()} would return now */
    int exitCode() {
        return exitCode;
    }

    /**
     * Brings the proxy and every group to their targets: spawns the proxy if its slot is PENDING; drains
     * the slots above a group's size; while the proxy is up, spawns every PENDING worker slot and moves the
     * replacements on; says which groups are degraded. While stopping, asks every child to stop instead.
     */
    private void reconcile() {
        if (state == State.STOPPING) {
            stopChildren();
            return;
        }
        Slot proxy = slots.get(Role.PROXY);
        if (proxy.state() == Slot.State.PENDING) {
            spawn(proxy);
        }
        removeSurplus();
        if (proxy.state() == Slot.State.RUNNING) {
            for (GroupConfig g : config.groups()) {
                for (int i = 1; i <= targets.get(g.name()); i++) {
                    Slot s = slots.computeIfAbsent(Role.worker(g.name(), i), Slot::new);
                    if (s.state() == Slot.State.PENDING) {
                        spawn(s);
                    }
                }
            }
            replacements.advance();
        }
        publishHealth();
    }

    private void spawn(Slot slot) {
        try {
            slot.spawned(start(slot.role()));
        } catch (IOException e) {
            slot.spawnFailed();
            LOG.log(System.Logger.Level.ERROR, "cannot spawn " + slot.role() + ": " + e.getMessage() + "; trying again in "
                    + Slot.MAX_BACKOFF.toSeconds() + " s");
            timers.after(Slot.MAX_BACKOFF, new Event.BackoffOver(slot.role(), slot.backoffTicket()));
        }
    }

    /** Starts a process for a role, with its secrets in its environment. */
    private Child start(Role role) throws IOException {
        Map<String, String> env = new HashMap<>();
        if (role.isWorker()) {
            env.put(SpawnSecrets.SECRET_ENV, SpawnSecrets.forWorker(workerKey, role.group(), role.slot()));
        } else {
            String secret = SpawnSecrets.hex(SpawnSecrets.randomKey());
            link.expect(secret);
            env.put(SpawnSecrets.SECRET_ENV, secret);
            env.put(SpawnSecrets.WORKER_KEY_ENV, SpawnSecrets.hex(workerKey));
            env.put(PROXY_START_ENV, proxiesSpawned == 0 ? "cold" : "respawn");
        }
        Child c = spawner.spawn(role, env, (child, status) -> events.add(new Event.ChildExited(child, status)));
        if (!role.isWorker()) {
            proxiesSpawned++;
        }
        LOG.log(System.Logger.Level.INFO, "spawned " + role + " (pid " + c.pid() + ")");
        return c;
    }

    /** The slots above their group's size leave; their processes drain. */
    private void removeSurplus() {
        List<Slot> surplus = slots.values().stream()
                .filter(s -> s.role().isWorker() && s.role().slot() > targets.getOrDefault(s.role().group(), 0))
                .toList();
        for (Slot s : surplus) {
            replacements.slotRemoved(s);
            s.process().ifPresent(p -> retire(p, "the group shrank"));
            slots.remove(s.role());
        }
    }

    /** Tells the proxy (and run/degraded) which groups are degraded, when that changes. */
    private void publishHealth() {
        Map<String, String> now = new TreeMap<>();
        for (Slot s : slots.values()) {
            s.degraded().ifPresent(why -> now.merge(s.role().group(), why, (a, b) -> a + "; " + b));
        }
        degraded.publish(targets.keySet(), now, link);
    }

    /** Stopping: the proxy first; workers once it is gone (graceful), or killed at once (fast). */
    private void stopChildren() {
        Optional<Child> proxy = slots.get(Role.PROXY).process();
        if (proxy.isPresent() && stopAsked.add(proxy.get().pid())) {
            boolean told = link.send(new Shutdown(stopFast));
            if (!stopFast || !told) {
                proxy.get().terminate();
            }
        }
        children().filter(c -> c.role().isWorker()).forEach(c -> {
            if (stopFast) {
                if (killedByMaster.add(c.pid())) {
                    c.kill();
                }
            } else if (proxy.isEmpty() && stopAsked.add(c.pid())) {
                c.terminate();
            }
        });
    }

    private void onSignal(String name) {
        String trigger = "SIG" + name;
        switch (name) {
            case "TERM" -> stop(false, trigger, 0);
            case "INT" -> stop(true, trigger, 0);
            case "HUP" -> reload(trigger, 0);
            case "USR2" -> restart(trigger, 0);
            case "USR1" -> logRotation.reopen();
            case "TTIN", "TTOU" -> {
                String first = config.groups().getFirst().name();
                int now = targets.get(first);
                if (name.equals("TTOU") && now <= 1) {
                    operations.refuse(Kind.CHANGE_GROUP, trigger, 0, first + " " + now + " -> " + (now - 1),
                            "group " + first + " keeps its last worker");
                } else {
                    changeGroup(first, name.equals("TTIN") ? now + 1 : now - 1, trigger, 0);
                }
            }
            default -> LOG.log(System.Logger.Level.WARNING, "SIG" + name + " ignored");
        }
    }

    private void onAdminCommand(Event.AdminCommand c) {
        String trigger = "admin API";
        switch (c.operation()) {
            case "reload_workers" -> reload(trigger, c.request());
            case "restart_workers" -> restart(trigger, c.request());
            case "change_group" -> changeGroup(c.group(), c.workers(), trigger, c.request());
            case "stop" -> stop(false, trigger, c.request());
            default -> LOG.log(System.Logger.Level.WARNING, "unknown admin operation '" + c.operation() + "' (request "
                    + c.request() + ") ignored");
        }
    }

    private void onProxyConnected(long pid) {
        if (!slots.get(Role.PROXY).process().filter(p -> p.pid() == pid).isPresent()) {
            LOG.log(System.Logger.Level.WARNING, "the proxy that connected says it is pid " + pid + ", not the proxy "
                    + "this master spawned last; it has that proxy's secret, so it keeps the link");
        }
        targets.forEach((group, workers) -> link.send(new GroupSize(group, workers)));
        operations.all().forEach(r -> link.send(r.frame()));
        degraded.tell(link);
    }

    private void onProxyUp(long pid) {
        Slot proxy = slots.get(Role.PROXY);
        if (state == State.STOPPING || proxy.state() != Slot.State.STARTING
                || proxy.process().filter(p -> p.pid() == pid).isEmpty()) {
            return;
        }
        proxy.ready();
        state = State.RUNNING;
    }

    private void onWorkerReady(long pid) {
        if (replacements.ready(pid)) {
            return;
        }
        slots.values().stream().filter(s -> s.state() == Slot.State.STARTING && s.process().filter(p -> p.pid() == pid)
                .isPresent()).findFirst().ifPresent(Slot::ready);
    }

    private void onExit(Child child, int status) {
        boolean ours = killedByMaster.remove(child.pid());
        stopAsked.remove(child.pid());
        String how = describe(status, ours);
        if (retiring.remove(child.pid()) != null) {
            LOG.log(System.Logger.Level.INFO, child.role() + " (pid " + child.pid() + ") "
                    + (state == State.STOPPING ? "" : "retired, ") + how);
            replacements.retiredExited(child);
            return;
        }
        Optional<Slot> holder = slots.values().stream().filter(s -> s.holds(child)).findFirst();
        if (holder.isEmpty()) {
            // the booting replacement of a slot, or not a process of this master (or one it already forgot)
            replacements.freshExited(child, how);
            return;
        }
        Slot slot = holder.get();
        if (state == State.STOPPING) {
            slot.stopped();
            onExitDuringStop(child, status, how, ours);
        } else if (child.role().isWorker()) {
            onWorkerExit(slot, child, status, how);
        } else {
            onProxyExit(slot, child, status, how);
        }
    }

    private void onExitDuringStop(Child child, int status, String how, boolean ours) {
        if (child.role().isWorker()) {
            LOG.log(System.Logger.Level.INFO, child.role() + " (pid " + child.pid() + ") " + how);
            return;
        }
        failReload("burst stopped before the reload reported: the proxy (pid " + child.pid() + ") " + how);
        if (status != ExitCode.OK.code() && !ours && exitCode == ExitCode.OK.code()) {
            LOG.log(System.Logger.Level.ERROR, "the proxy (pid " + child.pid() + ") " + how + ": its stop failed");
            exit(ExitCode.FAILURE, "the proxy's stop failed: it " + how);
        } else {
            LOG.log(System.Logger.Level.INFO, "the proxy (pid " + child.pid() + ") " + how);
        }
    }

    private void onProxyExit(Slot slot, Child child, int status, String how) {
        failReload("the proxy (pid " + child.pid() + ") " + how + " before the reload reported");
        if (!everListened && isBootError(status)) {
            slot.died(false, quick(child), Integer.MAX_VALUE);
            LOG.log(System.Logger.Level.ERROR, "the proxy failed to start (" + how + "); stopping");
            exit(ExitCode.BOOT_ERROR, "the proxy failed to start");
            stop(true, "proxy boot failure", 0);
            return;
        }
        backOffOrRespawn(slot, slot.died(false, quick(child), Integer.MAX_VALUE),
                "the proxy (pid " + child.pid() + ") " + how, System.Logger.Level.ERROR);
    }

    private void onWorkerExit(Slot slot, Child child, int status, String how) {
        if (replacements.slotProcessExited(slot, child, how)) {
            return;
        }
        boolean bootError = isBootError(status);
        Slot.State next = slot.died(bootError, quick(child), config.bootRetries());
        if (next == Slot.State.GIVEN_UP) {
            givenUp(slot);
        } else if (bootError) {
            backOffOrRespawn(slot, next, child.role() + " (pid " + child.pid() + ") failed to boot (" + slot.bootFailures()
                    + " of " + config.bootRetries() + ")", System.Logger.Level.ERROR);
        } else {
            backOffOrRespawn(slot, next, child.role() + " (pid " + child.pid() + ") " + how, System.Logger.Level.WARNING);
        }
    }

    private void backOffOrRespawn(Slot slot, Slot.State next, String what, System.Logger.Level level) {
        if (next == Slot.State.BACKOFF) {
            LOG.log(level, what + "; respawning in " + slot.backoff().toMillis() + " ms");
            timers.after(slot.backoff(), new Event.BackoffOver(slot.role(), slot.backoffTicket()));
        } else {
            LOG.log(level, what + "; respawning");
        }
    }

    /**
     * A slot failed to boot boot-retries times in a row. On a cold start (the proxy never listened) with
     * burst.start.degraded=fail, burst stops: its plugins cannot start. Otherwise the group is degraded.
     */
    private void givenUp(Slot slot) {
        Role role = slot.role();
        String cause = slot.bootFailure().orElse("the proxy did not relay why; the worker's log lines above say");
        slot.degrade(role + " failed to boot " + slot.bootFailures() + " times in a row: " + cause);
        if (!everListened && !config.startDegraded()) {
            LOG.log(System.Logger.Level.ERROR, "burst cannot start: group " + role.group() + " cannot boot: " + role
                    + " failed to boot " + slot.bootFailures() + " times in a row: " + cause
                    + "; stopping (burst.start.degraded=fail; with serve, burst starts the other groups anyway)");
            exit(ExitCode.BOOT_ERROR, "group " + role.group() + " cannot boot: " + cause);
            stop(true, "boot failure of group " + role.group(), 0);
            return;
        }
        LOG.log(System.Logger.Level.ERROR, "group " + role.group() + " is degraded: " + role + " failed to boot "
                + slot.bootFailures() + " times in a row; it is not respawned until a reload succeeds or restart_workers: "
                + cause);
    }

    private void onStopDeadline() {
        List<Child> left = children().toList();
        if (state != State.STOPPING || left.isEmpty()) {
            return;
        }
        LOG.log(System.Logger.Level.WARNING, "the stop did not end within " + (stopFast ? FAST_STOP_BOUND
                : "burst.stop.timeout " + config.stopTimeout()) + "; killing "
                + left.stream().map(c -> c.role() + " pid " + c.pid()).toList());
        left.forEach(c -> {
            killedByMaster.add(c.pid());
            c.kill();
        });
        exit(ExitCode.FAILURE, "the stop did not end in time; killed " + left.size() + " process(es)");
    }

    /** Off the loop thread: the dump takes a while, and the kill must follow it. */
    private void dumpAndKill(Child c, String detail) {
        killedByMaster.add(c.pid());
        Thread.ofVirtual().name("dump " + c.pid()).start(() -> {
            String dump = spawner.threadDump(c);
            LOG.log(System.Logger.Level.ERROR, detail + "; thread dump of " + c.role() + " (pid " + c.pid()
                    + ") before it is killed:\n" + dump);
            c.kill();
        });
    }

    /** reload_workers: the proxy runs it as this operation and answers RELOADED with its id. */
    private void reload(String trigger, long request) {
        String asked = "snapshot of " + config.pluginsDir();
        Optional<String> refusal = refusal().or(() -> link.connected() ? Optional.empty()
                : Optional.of("the proxy is not connected (it is being respawned)"))
                .or(() -> reloadOperation.map(id -> "reload #" + id + " is already running"));
        if (refusal.isPresent()) {
            operations.refuse(Kind.RELOAD_WORKERS, trigger, request, asked, refusal.get());
            return;
        }
        long id = operations.open(Kind.RELOAD_WORKERS, trigger, request, asked);
        if (link.send(new Reload(id))) {
            reloadOperation = Optional.of(id);
        } else {
            operations.end(id, OperationRecord.State.FAILED, "the proxy could not be told", List.of());
        }
    }

    private void onReloadDone(Event.ReloadDone r) {
        OperationRecord.State end = r.ok() ? OperationRecord.State.DONE : OperationRecord.State.FAILED;
        if (r.operation() != 0 && reloadOperation.equals(Optional.of(r.operation()))) {
            operations.end(r.operation(), end, r.summary(), r.details());
            reloadOperation = Optional.empty();
        } else if (r.operation() == 0) {
            // A reload the proxy ran on its own (its admin API): recorded once it is over.
            long id = operations.open(Kind.RELOAD_WORKERS, "admin API", 0, "snapshot of " + config.pluginsDir());
            operations.end(id, end, r.summary(), r.details());
        } else {
            LOG.log(System.Logger.Level.WARNING, "the proxy reported reload #" + r.operation() + ", which is not running: "
                    + r.summary());
        }
        if (r.ok()) {
            retryGivenUp("generation " + r.serving() + " is serving");
        }
    }

    private void failReload(String why) {
        reloadOperation.ifPresent(id -> operations.end(id, OperationRecord.State.FAILED, why, List.of()));
        reloadOperation = Optional.empty();
    }

    /** Slots given up after boot failures get another chance once the plugins or the workers change. */
    private void retryGivenUp(String why) {
        slots.values().stream().filter(s -> s.state() == Slot.State.GIVEN_UP).forEach(s -> {
            LOG.log(System.Logger.Level.INFO, "trying " + s.role() + " again: " + why);
            s.retry();
        });
    }

    /** restart_workers: every ready worker is replaced, spawn-first, one at a time. */
    private void restart(String trigger, long request) {
        List<Slot> workers = new ArrayList<>();
        for (GroupConfig g : config.groups()) {
            for (int i = 1; i <= targets.get(g.name()); i++) {
                slot(Role.worker(g.name(), i)).filter(s -> s.state() == Slot.State.RUNNING && !replacements.covers(s))
                        .ifPresent(workers::add);
            }
        }
        String asked = workers.size() + " worker(s), one at a time";
        Optional<String> refusal = refusal().or(() -> operations.running(Kind.RESTART_WORKERS)
                .map(r -> "restart_workers #" + r.id() + " is already running"));
        if (refusal.isPresent()) {
            operations.refuse(Kind.RESTART_WORKERS, trigger, request, asked, refusal.get());
            return;
        }
        long id = operations.openCounted(Kind.RESTART_WORKERS, trigger, request, asked, workers.size());
        workers.forEach(s -> replacements.add(s.process().orElseThrow(), "restart_workers #" + id, Optional.of(id)));
        retryGivenUp("restart_workers #" + id);
    }

    /** A recycle asked by the proxy: replace that worker, spawn-first. */
    private void recycle(long pid, String reason) {
        Optional<Slot> slot = slots.values().stream()
                .filter(s -> s.role().isWorker() && s.process().filter(p -> p.pid() == pid).isPresent()).findFirst();
        String asked = slot.map(s -> s.role() + " pid " + pid).orElse("pid " + pid) + ": " + reason;
        String trigger = recycleTrigger(reason);
        Optional<String> refusal = refusal()
                .or(() -> slot.isEmpty() ? Optional.of("pid " + pid + " is not a worker in a slot of this master")
                        : Optional.empty())
                .or(() -> slot.filter(replacements::covers).map(s -> "it is being replaced already"))
                .or(() -> slot.filter(s -> s.state() != Slot.State.RUNNING)
                        .map(s -> "it is " + s.state().name().toLowerCase().replace('_', ' ')));
        if (refusal.isPresent()) {
            operations.refuse(Kind.RECYCLE, trigger, 0, asked, refusal.get());
            return;
        }
        long id = operations.openCounted(Kind.RECYCLE, trigger, 0, asked, 1);
        replacements.add(slot.get().process().orElseThrow(), reason, Optional.of(id));
    }

    /** change_group: a new target; reconcile spawns the new slots and drains the surplus ones. */
    private void changeGroup(String group, int workers, String trigger, long request) {
        Optional<GroupConfig> g = config.group(group);
        String asked = group + " " + g.map(x -> Integer.toString(targets.get(group))).orElse("?") + " -> " + workers;
        Optional<String> refusal = (state == State.STOPPING ? Optional.of("burst is stopping") : Optional.<String>empty())
                .or(() -> g.isEmpty() ? Optional.of("no such group; groups: " + targets.keySet()) : Optional.empty())
                .or(() -> g.filter(x -> workers < 0 || workers > x.maxWorkers()).map(x -> "workers must be 0 to "
                        + x.maxWorkers() + " (burst.group." + group + ".max-workers)"));
        if (refusal.isPresent()) {
            operations.refuse(Kind.CHANGE_GROUP, trigger, request, asked, refusal.get());
            return;
        }
        int before = targets.put(group, workers);
        link.send(new GroupSize(group, workers));
        long id = operations.open(Kind.CHANGE_GROUP, trigger, request, asked);
        List<Detail> details = new ArrayList<>();
        boolean proxyUp = slots.get(Role.PROXY).state() == Slot.State.RUNNING;
        for (int i = before + 1; i <= workers; i++) {
            details.add(new Detail(Role.worker(group, i).toString(), proxyUp ? "spawned" : "spawned once the proxy is up"));
        }
        for (int i = workers + 1; i <= before; i++) {
            Role role = Role.worker(group, i);
            details.add(new Detail(role.toString(), slot(role).flatMap(Slot::process)
                    .map(p -> "pid " + p.pid() + " drains: it finishes its task, then stops").orElse("removed")));
        }
        if (g.get().route() == GroupConfig.Route.KEY && workers != before) {
            // rendezvous hashing: a new slot takes a share from every old one; a removed slot's keys spread over all
            int from = Math.max(1, before);
            int to = Math.max(1, workers);
            details.add(new Detail("keys (route=key)", "spread over " + to + " slot(s), was " + from
                    + "; the key ranges of " + Math.max(from, to) + " slot(s) change, about " + Math.abs(to - from) + "/"
                    + Math.max(from, to) + " of the keys move"));
        }
        String result = workers > before ? (workers - before) + " worker(s) added"
                : workers < before ? (before - workers) + " worker(s) removed" : "no change";
        operations.end(id, OperationRecord.State.DONE, result, details);
    }

    /**
     * Stops burst. Graceful: the proxy stops accepting, finishes and answers every task, then stops; the
     * workers are asked once it is gone. Fast: the proxy answers every task with an error now, and the
     * workers are killed, not asked (a busy worker would finish its task first).
     */
    private void stop(boolean fast, String trigger, long request) {
        String asked = (fast ? "fast" : "graceful") + " stop";
        if (state == State.STOPPING) {
            if (fast && !stopFast) {
                stopFast = true;
                LOG.log(System.Logger.Level.INFO, "fast stop requested during the stop (" + trigger + ")");
                link.send(new Shutdown(true));
                stopOperation.ifPresent(id -> operations.note(id, List.of(new Detail(trigger, "made the stop fast"))));
            } else {
                operations.refuse(Kind.STOP, trigger, request, asked,
                        "stop #" + stopOperation.map(String::valueOf).orElse("?") + " is already running");
            }
            return;
        }
        state = State.STOPPING;
        stopFast = fast;
        stopOperation = Optional.of(operations.open(Kind.STOP, trigger, request, asked + " of "
                + children().count() + " process(es)"));
        replacements.cancelAll().forEach(f -> retiring.put(f.pid(), f));
        operations.running().stream()
                .filter(r -> r.kind() == Kind.RESTART_WORKERS || r.kind() == Kind.RECYCLE)
                .forEach(r -> operations.abandon(r.id(), "burst is stopping"));
        slots.values().forEach(s -> s.moveTo(Slot.State.STOPPING));
        timers.after(fast ? FAST_STOP_BOUND : config.stopTimeout().plusSeconds(2), new Event.StopDeadline());
    }

    /** @return why no operation can start now, if none can */
    private Optional<String> refusal() {
        return switch (state) {
            case STARTING -> Optional.of("burst is starting");
            case STOPPING -> Optional.of("burst is stopping");
            case RUNNING -> Optional.empty();
        };
    }

    /** Ends what is still running when the master exits; the stop's record says how it ended. */
    void closeRecords() {
        failReload("burst stopped before the reload reported");
        for (OperationRecord r : operations.running()) {
            if (r.kind() == Kind.STOP) {
                operations.end(r.id(), exitCode == ExitCode.OK.code() ? OperationRecord.State.DONE
                        : OperationRecord.State.FAILED, "exit " + exitCode + (exitWhy.isEmpty() ? "" : ": " + exitWhy),
                        List.of());
            } else {
                operations.abandon(r.id(), "burst stopped");
            }
        }
    }

    /** What a replacement needs of the master: slots, spawning, draining, killing. */
    private Replacements.Host replacementHost() {
        return new Replacements.Host() {
            @Override
            public Optional<Slot> slot(Role role) {
                return Master.this.slot(role);
            }

            @Override
            public Child start(Role role) throws IOException {
                return Master.this.start(role);
            }

            @Override
            public void retire(Child child, String why) {
                Master.this.retire(child, why);
            }

            @Override
            public void kill(Child child) {
                killedByMaster.add(child.pid());
                child.kill();
            }
        };
    }

    /** Drains a process through the proxy (no new task, stop after the current one); tracked until it exits. */
    private void retire(Child c, String why) {
        if (retiring.putIfAbsent(c.pid(), c) != null) {
            return;
        }
        LOG.log(System.Logger.Level.INFO, "retiring " + c.role() + " (pid " + c.pid() + "): " + why);
        if (!link.send(new Retire(c.pid()))) {
            c.terminate();
        }
    }

    private Optional<Slot> slot(Role role) {
        return Optional.ofNullable(slots.get(role));
    }

    /** @return a live process of this master with this pid */
    private Optional<Child> process(long pid) {
        return children().filter(c -> c.pid() == pid).findFirst();
    }

    /** @return every process of this master that has not exited */
    private Stream<Child> children() {
        return Stream.of(slots.values().stream().flatMap(s -> s.process().stream()),
                        replacements.fresh().stream(), retiring.values().stream())
                .flatMap(s -> s)
                .collect(Collectors.toMap(Child::pid, c -> c, (a, b) -> a, LinkedHashMap::new))
                .values().stream();
    }

    private void exit(ExitCode code, String why) {
        if (exitCode == ExitCode.OK.code()) {
            exitCode = code.code();
            exitWhy = why;
        }
    }

    private static boolean quick(Child child) {
        return Duration.between(child.started(), Instant.now()).compareTo(Slot.STABLE_UPTIME) < 0;
    }

    private static boolean isBootError(int status) {
        return ExitCode.of(status).filter(c -> c == ExitCode.BOOT_ERROR || c == ExitCode.CONFIG_ERROR).isPresent();
    }

    /** @return the trigger of a RECYCLE: what kind of reason the proxy gave */
    private static String recycleTrigger(String reason) {
        if (reason.contains("max-requests")) {
            return "max-requests";
        }
        if (reason.contains("leaked")) {
            return "leak";
        }
        if (reason.contains("swap") || reason.contains("return to generation")) {
            return "failed swap";
        }
        return "proxy";
    }

    /**
     * @param status         an exit status
     * @param killedByMaster whether the master itself killed it (no mystery then)
     * @return how it ended, for the log
     */
    private static String describe(int status, boolean killedByMaster) {
        if (status > 128 && status < 160) {
            return "was killed by signal " + (status - 128)
                    + (status == 128 + 9 && !killedByMaster ? " (SIGKILL: perhaps out of memory?)" : "");
        }
        return ExitCode.of(status).map(c -> "exited " + status + " (" + c.name().toLowerCase() + ")")
                .orElse("exited " + status);
    }
}
