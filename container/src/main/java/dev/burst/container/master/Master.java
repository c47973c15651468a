package dev.burst.container.master;

import dev.burst.container.admin.AdminToken;
import dev.burst.container.config.BurstConfig;
import dev.burst.container.config.GroupConfig;
import dev.burst.container.process.ExitCode;
import dev.burst.container.process.LogSink;
import dev.burst.container.process.Signals;
import dev.burst.container.protocol.WireMessage.Reload;
import dev.burst.container.protocol.WireMessage.Retire;
import dev.burst.container.protocol.WireMessage.Shutdown;
import dev.burst.container.protocol.WireMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The supervisor (gunicorn's arbiter). Starts the proxy, then every group's workers once the proxy's
 * worker socket is up; respawns the dead with backoff; gives up a worker slot that keeps failing at boot
 * and reports its group degraded; runs the process-level operations (reload_workers, restart_workers,
 * change_group, recycling); stops everything on SIGTERM (graceful) or SIGINT (fast).
 *
 * <p>One thread, the one in {@link #run()}, changes state. Signal handlers, exit callbacks, the control
 * socket reader, timers and the operation methods only enqueue {@link Event}s.
 *
 * <pre>
 * STARTING --ProxyUp--> RUNNING --TERM/INT/stop--> STOPPING --all children gone--> (exit)
 * STARTING --TERM/INT--> STOPPING
 * </pre>
 *
 * <p>Replacing a worker (restart_workers, recycle) is spawn-first and one worker at a time: the
 * replacement takes the same slot, and only once the proxy reports it ready is the old one retired
 * (drained by the proxy, then stopped), so a group never runs below its size.
 */
public final class Master {

    private static final System.Logger LOG = System.getLogger(Master.class.getName());
    private static final Duration STABLE_UPTIME = Duration.ofSeconds(2);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);
    private static final int KEPT_REPORTS = 50;

    private enum State { STARTING, RUNNING, STOPPING }

    /** What the master remembers about a role across its processes. */
    private static final class Slot {
        int bootFailures;
        int quickCrashes;
        boolean givenUp;
        boolean respawnScheduled;
    }

    /** One spawn-first replacement: {@code fresh} is null until spawned. */
    private static final class Replacement {
        final Child old;
        final String reason;
        final Optional<Long> operation;
        Child fresh;

        Replacement(Child old, String reason, Optional<Long> operation) {
            this.old = old;
            this.reason = reason;
            this.operation = operation;
        }
    }

    private final BurstConfig config;
    private final Spawner spawner;
    private final Optional<LogSink> log;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final Map<Long, Child> children = new LinkedHashMap<>();
    private final Map<Role, Slot> slots = new HashMap<>();
    private final Map<String, Integer> targets = new LinkedHashMap<>();
    private final Set<Long> retiring = new HashSet<>();
    private final Deque<Replacement> replacements = new ArrayDeque<>();
    private final Map<Long, OperationReport> reports = new LinkedHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "master-timer");
        t.setDaemon(true);
        return t;
    });
    private Replacement inFlight;
    private Optional<Long> pendingReload = Optional.empty();
    private long operationIds;
    private State state = State.STARTING;
    private boolean everListened;
    private int exitCode = ExitCode.OK.code();
    private Predicate<WireMessage> toProxy = m -> false;

    Master(BurstConfig config, Spawner spawner) {
        this(config, spawner, Optional.empty());
    }

    private Master(BurstConfig config, Spawner spawner, Optional<LogSink> log) {
        this.config = config;
        this.spawner = spawner;
        this.log = log;
        config.groups().forEach(g -> targets.put(g.name(), g.workers()));
    }

    /**
     * @param config the configuration
     * @param log    the log file the master and its children write to; empty = they share stderr
     * @return a master that spawns real processes
     */
    public static Master create(BurstConfig config, Optional<LogSink> log) {
        return new Master(config, new ProcessSpawner(config, log), log);
    }

    /** reload_workers: the proxy snapshots the plugins and swaps every worker to the new generation. */
    public void reloadWorkers() {
        events.add(new Event.ReloadWorkers());
    }

    /** restart_workers: every worker is replaced, spawn-first, one at a time. */
    public void restartWorkers() {
        events.add(new Event.RestartWorkers());
    }

    /**
     * change_group: spawn, or drain and stop, workers until the group has this many.
     *
     * @param group   a configured group
     * @param workers 0 .. the group's max-workers
     */
    public void changeGroup(String group, int workers) {
        events.add(new Event.ChangeGroup(group, workers));
    }

    /**
     * Stops burst.
     *
     * @param fast true: answer queued and running tasks with an error now; false: finish them first
     */
    public void stop(boolean fast) {
        events.add(new Event.Stop(fast));
    }

    /**
     * Runs until every child has stopped.
     *
     * @return the process exit code: 0 after a clean stop
     */
    public int run() {
        try {
            Files.createDirectories(config.runDir());
            if (!claimPidFile()) {
                return ExitCode.CONFIG_ERROR.code();
            }
            Files.deleteIfExists(config.portsFile());
            AdminToken.prepare(config.adminToken(), config.runDir());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "cannot prepare the run directory " + config.runDir() + ": " + e);
            return ExitCode.CONFIG_ERROR.code();
        }
        try (ControlServer control = ControlServer.start(config.controlSocket(), events::add)) {
            toProxy = control::send;
            Signals.handle(name -> events.add(new Event.SignalReceived(name)), "TERM", "INT", "HUP", "TTIN", "TTOU",
                    "USR1", "USR2");
            LOG.log(System.Logger.Level.INFO, "starting burst in " + config.home() + ": groups " + targets);
            spawn(Role.PROXY);
            while (state != State.STOPPING || !children.isEmpty()) {
                handle(events.take());
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "cannot open the control socket " + config.controlSocket() + ": " + e);
            exitCode = ExitCode.CONFIG_ERROR.code();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exitCode = ExitCode.FAILURE.code();
        } finally {
            timer.shutdownNow();
            children.values().forEach(Child::kill);
            releasePidFile();
        }
        LOG.log(System.Logger.Level.INFO, "burst stopped (exit " + exitCode + ")");
        return exitCode;
    }

    void handle(Event event) {
        switch (event) {
            case Event.SignalReceived s -> onSignal(s.name());
            case Event.ChildExited e -> onExit(e.child(), e.status());
            case Event.ProxyUp up -> onProxyUp();
            case Event.ProxyListening l -> {
                everListened = true;
                LOG.log(System.Logger.Level.INFO, "burst is serving: http port " + l.httpPort() + ", box port "
                        + l.boxPort());
            }
            case Event.WorkerReady r -> onWorkerReady(r.pid());
            case Event.RecycleAsked r -> child(r.pid()).ifPresent(c -> replace(c, r.reason(), Optional.empty()));
            case Event.WorkerStuck s -> child(s.pid()).ifPresent(c -> dumpAndKill(c, s.detail()));
            case Event.ReloadDone r -> onReloadDone(r);
            case Event.RespawnDue r -> {
                slot(r.role()).respawnScheduled = false;
                if (wanted(r.role())) {
                    spawn(r.role());
                }
            }
            case Event.ReplacementTimedOut t -> {
                if (inFlight != null && inFlight.fresh != null && inFlight.fresh.pid() == t.pid()) {
                    LOG.log(System.Logger.Level.ERROR, "replacement " + inFlight.fresh.role() + " (pid " + t.pid()
                            + ") was not ready within burst.start.timeout; killing it, keeping pid " + inFlight.old.pid());
                    inFlight.fresh.kill();
                }
            }
            case Event.StopDeadline d -> {
                if (!children.isEmpty()) {
                    LOG.log(System.Logger.Level.WARNING, "burst.stop.timeout " + config.stopTimeout()
                            + " passed; killing " + children.values().stream().map(c -> c.role() + " pid " + c.pid()).toList());
                    children.values().forEach(Child::kill);
                    exitCode = ExitCode.FAILURE.code();
                }
            }
            case Event.ReloadWorkers r -> reload();
            case Event.RestartWorkers r -> restart();
            case Event.ChangeGroup c -> resize(c.group(), c.workers());
            case Event.Stop s -> beginStop(s.fast());
        }
    }

    /** @return the latest operation reports, oldest first (for the admin API) */
    List<OperationReport> reports() {
        return List.copyOf(reports.values());
    }

    private void onSignal(String name) {
        switch (name) {
            case "TERM" -> beginStop(false);
            case "INT" -> beginStop(true);
            case "HUP" -> reload();
            case "USR2" -> restart();
            case "USR1" -> reopenLog();
            case "TTIN", "TTOU" -> {
                String first = config.groups().getFirst().name();
                int now = targets.get(first);
                if (name.equals("TTIN")) {
                    resize(first, now + 1);
                } else if (now > 1) {
                    resize(first, now - 1);
                } else {
                    LOG.log(System.Logger.Level.WARNING, "SIGTTOU: group " + first + " keeps its last worker");
                }
            }
            default -> LOG.log(System.Logger.Level.WARNING, "SIG" + name + " ignored");
        }
    }

    private void onProxyUp() {
        if (state == State.STOPPING) {
            return;
        }
        state = State.RUNNING;
        for (GroupConfig g : config.groups()) {
            for (int i = 1; i <= targets.get(g.name()); i++) {
                Role r = Role.worker(g.name(), i);
                if (wanted(r) && !slot(r).respawnScheduled) {
                    spawn(r);
                }
            }
        }
    }

    /** SIGUSR1: logrotate moved the file away; write to a fresh one at the same path. */
    private void reopenLog() {
        if (log.isEmpty()) {
            LOG.log(System.Logger.Level.INFO, "SIGUSR1: no burst.log.file to reopen (logging to stderr)");
            return;
        }
        try {
            log.get().reopen();
            LOG.log(System.Logger.Level.INFO, "SIGUSR1: reopened " + log.get().path());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "SIGUSR1: cannot reopen " + log.get().path() + ": " + e.getMessage());
        }
    }

    // ---- operations --------------------------------------------------------------------------------

    private void reload() {
        if (state != State.RUNNING) {
            LOG.log(System.Logger.Level.WARNING, "reload_workers refused: burst is " + state.name().toLowerCase());
            return;
        }
        long id = open("reload_workers", "snapshot of " + config.pluginsDir(), 0);
        if (!toProxy.test(new Reload(id))) {
            close(id, "failed", List.of("the proxy is not connected"));
            return;
        }
        pendingReload.ifPresent(previous -> close(previous, "failed", List.of("superseded by reload #" + id)));
        pendingReload = Optional.of(id);
    }

    private void onReloadDone(Event.ReloadDone r) {
        LOG.log(r.ok() ? System.Logger.Level.INFO : System.Logger.Level.ERROR, "reload_workers: " + r.report());
        pendingReload.ifPresent(id -> close(id, r.ok() ? "done" : "failed", r.ok() ? List.of() : List.of(r.report())));
        pendingReload = Optional.empty();
        if (r.ok()) {
            retryGivenUp("generation " + r.generation() + " is serving");
        }
    }

    /** Slots given up after boot failures get another chance once the plugins or the workers change. */
    private void retryGivenUp(String why) {
        slots.forEach((role, slot) -> {
            if (slot.givenUp) {
                slot.givenUp = false;
                slot.bootFailures = 0;
                if (wanted(role)) {
                    LOG.log(System.Logger.Level.INFO, "trying " + role + " again: " + why);
                    spawn(role);
                }
            }
        });
    }

    private void restart() {
        if (state != State.RUNNING) {
            LOG.log(System.Logger.Level.WARNING, "restart_workers refused: burst is " + state.name().toLowerCase());
            return;
        }
        List<Child> workers = new ArrayList<>();
        for (GroupConfig g : config.groups()) {
            children.values().stream()
                    .filter(c -> c.role().isWorker() && c.role().group().equals(g.name()) && !retiring.contains(c.pid()))
                    .forEach(workers::add);
        }
        long id = open("restart_workers", workers.size() + " worker(s), one at a time", workers.size());
        if (workers.isEmpty()) {
            close(id, "done", List.of());
        }
        workers.forEach(c -> replace(c, "restart_workers", Optional.of(id)));
        retryGivenUp("restart_workers");
    }

    private void resize(String group, int workers) {
        int max = config.group(group).map(GroupConfig::maxWorkers).orElse(0);
        if (!targets.containsKey(group) || workers < 0 || workers > max || state != State.RUNNING) {
            LOG.log(System.Logger.Level.WARNING, "change_group " + group + " " + workers + " refused: "
                    + (!targets.containsKey(group) ? "no such group" : state != State.RUNNING
                    ? "burst is " + state.name().toLowerCase() : "workers must be 0 to " + max
                    + " (burst.group." + group + ".max-workers)"));
            return;
        }
        int before = targets.put(group, workers);
        long id = open("change_group", group + " " + before + " -> " + workers, Math.abs(workers - before));
        for (int i = before + 1; i <= workers; i++) {
            Role r = Role.worker(group, i);
            Slot s = slot(r);
            s.givenUp = false;
            s.bootFailures = 0;
            if (wanted(r)) {
                spawn(r);
            }
        }
        children.values().stream()
                .filter(c -> c.role().isWorker() && c.role().group().equals(group) && c.role().slot() > workers)
                .toList()
                .forEach(this::retire);
        for (int i = 0; i < Math.abs(workers - before); i++) {
            progress(id, Optional.empty());
        }
        close(id, "done", List.of());
    }

    /** Queues a spawn-first replacement of a worker; one runs at a time. */
    private void replace(Child old, String reason, Optional<Long> operation) {
        if (!old.role().isWorker() || retiring.contains(old.pid()) || state != State.RUNNING
                || replacements.stream().anyMatch(r -> r.old == old) || (inFlight != null && inFlight.old == old)) {
            return;
        }
        replacements.add(new Replacement(old, reason, operation));
        nextReplacement();
    }

    private void nextReplacement() {
        while (inFlight == null && !replacements.isEmpty() && state == State.RUNNING) {
            Replacement r = replacements.poll();
            if (!children.containsKey(r.old.pid())) {
                r.operation.ifPresent(id -> progress(id, Optional.empty()));
                continue;
            }
            LOG.log(System.Logger.Level.INFO, "replacing " + r.old.role() + " (pid " + r.old.pid() + "): " + r.reason);
            inFlight = r;
            r.fresh = spawn(r.old.role()).orElse(null);
            if (r.fresh == null) {
                inFlight = null;
                r.operation.ifPresent(id -> progress(id, Optional.of(r.old.role() + ": cannot spawn a replacement")));
                continue;
            }
            long pid = r.fresh.pid();
            timer.schedule(() -> events.add(new Event.ReplacementTimedOut(pid)), config.startTimeout().toMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }

    private void onWorkerReady(long pid) {
        child(pid).ifPresent(c -> {
            Slot s = slot(c.role());
            s.bootFailures = 0;
        });
        if (inFlight != null && inFlight.fresh != null && inFlight.fresh.pid() == pid) {
            Replacement r = inFlight;
            if (children.containsKey(r.old.pid())) {
                retire(r.old);
            } else {
                finishReplacement(Optional.empty());
            }
        }
    }

    private void finishReplacement(Optional<String> failure) {
        Replacement r = inFlight;
        inFlight = null;
        failure.ifPresent(f -> LOG.log(System.Logger.Level.ERROR, "replacing " + r.old.role() + " failed: " + f));
        if (failure.isEmpty()) {
            LOG.log(System.Logger.Level.INFO, r.old.role() + " replaced: pid " + r.old.pid() + " -> " + r.fresh.pid());
        }
        r.operation.ifPresent(id -> progress(id, failure));
        nextReplacement();
    }

    /** Drains a worker through the proxy (no new task, stop after the current one). */
    private void retire(Child c) {
        if (!retiring.add(c.pid())) {
            return;
        }
        LOG.log(System.Logger.Level.INFO, "retiring " + c.role() + " (pid " + c.pid() + ")");
        if (!toProxy.test(new Retire(c.pid()))) {
            c.terminate();
        }
    }

    /** Off the loop thread: the dump takes a while, and the kill must follow it. */
    private void dumpAndKill(Child c, String detail) {
        Thread.ofVirtual().name("dump " + c.pid()).start(() -> {
            String dump = spawner.threadDump(c);
            LOG.log(System.Logger.Level.ERROR, detail + "; thread dump of " + c.role() + " (pid " + c.pid()
                    + ") before it is killed:\n" + dump);
            c.kill();
        });
    }

    // ---- children ----------------------------------------------------------------------------------

    private void onExit(Child child, int status) {
        if (children.remove(child.pid()) == null) {
            return;
        }
        Role role = child.role();
        String how = describe(status);
        boolean retired = retiring.remove(child.pid());
        if (state == State.STOPPING) {
            LOG.log(System.Logger.Level.INFO, role + " (pid " + child.pid() + ") " + how);
            if (!role.isWorker()) {
                children.values().forEach(Child::terminate);
            }
            return;
        }
        if (inFlight != null && inFlight.fresh == child) {
            finishReplacement(Optional.of("replacement pid " + child.pid() + " " + how + " before it was ready; pid "
                    + inFlight.old.pid() + " keeps serving"));
            return;
        }
        if (retired) {
            LOG.log(System.Logger.Level.INFO, role + " (pid " + child.pid() + ") retired, " + how);
            if (inFlight != null && inFlight.old == child) {
                finishReplacement(Optional.empty());
            } else if (wanted(role)) {
                spawn(role); // the group grew back while this one drained
            }
            return;
        }
        Slot slot = slot(role);
        Optional<ExitCode> code = ExitCode.of(status);
        boolean bootError = code.filter(c -> c == ExitCode.BOOT_ERROR || c == ExitCode.CONFIG_ERROR).isPresent();
        if (!role.isWorker()) {
            if (!everListened && bootError) {
                LOG.log(System.Logger.Level.ERROR, "the proxy failed to start (" + how + "); stopping");
                exitCode = ExitCode.BOOT_ERROR.code();
                beginStop(true);
                return;
            }
            LOG.log(System.Logger.Level.ERROR, "the proxy (pid " + child.pid() + ") " + how + "; respawning it");
            respawnLater(role, slot, child);
            return;
        }
        if (bootError) {
            slot.bootFailures++;
            if (slot.bootFailures >= config.bootRetries()) {
                slot.givenUp = true;
                LOG.log(System.Logger.Level.ERROR, "group " + role.group() + " is degraded: " + role + " failed to boot "
                        + slot.bootFailures + " times in a row; it is not respawned until a reload succeeds or restart_workers");
                return;
            }
            LOG.log(System.Logger.Level.ERROR, role + " (pid " + child.pid() + ") failed to boot (" + slot.bootFailures
                    + " of " + config.bootRetries() + "); respawning");
        } else {
            slot.bootFailures = 0;
            LOG.log(System.Logger.Level.WARNING, role + " (pid " + child.pid() + ") " + how + "; respawning"
                    + (status == 137 ? " (SIGKILL: perhaps out of memory?)" : ""));
        }
        if (wanted(role)) {
            respawnLater(role, slot, child);
        }
    }

    /** Whether a role should have a process now: configured, not given up, and none alive. */
    private boolean wanted(Role role) {
        if (state == State.STOPPING || slot(role).givenUp) {
            return false;
        }
        if (role.isWorker() && role.slot() > targets.getOrDefault(role.group(), 0)) {
            return false;
        }
        return children.values().stream().noneMatch(c -> c.role().equals(role));
    }

    /** Respawns at once after a stable run, with doubling delays after quick deaths. */
    private void respawnLater(Role role, Slot slot, Child dead) {
        boolean quick = Duration.between(dead.started(), Instant.now()).compareTo(STABLE_UPTIME) < 0;
        slot.quickCrashes = quick || slot.bootFailures > 0 ? slot.quickCrashes + 1 : 0;
        if (slot.quickCrashes == 0) {
            spawn(role);
            return;
        }
        long delay = Math.min(100L << Math.min(slot.quickCrashes, 10), MAX_BACKOFF.toMillis());
        slot.respawnScheduled = true;
        timer.schedule(() -> events.add(new Event.RespawnDue(role)), delay, TimeUnit.MILLISECONDS);
    }

    /**
     * Graceful: the proxy stops accepting, finishes and answers every task, then stops its workers; the
     * master only signals workers once the proxy is gone. Fast: the proxy answers every task with an
     * error now, and workers are killed, not asked (a busy worker would finish its task first).
     */
    private void beginStop(boolean fast) {
        if (state == State.STOPPING) {
            if (fast) {
                LOG.log(System.Logger.Level.INFO, "fast stop requested during the stop");
                stopNow();
            }
            return;
        }
        state = State.STOPPING;
        replacements.clear();
        LOG.log(System.Logger.Level.INFO, (fast ? "fast" : "graceful") + " stop of " + children.size() + " process(es)");
        timer.schedule(() -> events.add(new Event.StopDeadline()),
                (fast ? Duration.ofSeconds(5) : config.stopTimeout().plusSeconds(2)).toMillis(), TimeUnit.MILLISECONDS);
        if (fast) {
            stopNow();
            return;
        }
        Optional<Child> proxy = proxy();
        if (proxy.isEmpty()) {
            children.values().forEach(Child::terminate);
            return;
        }
        toProxy.test(new Shutdown(false));
        proxy.get().terminate();
    }

    private void stopNow() {
        Optional<Child> proxy = proxy();
        if (proxy.isPresent() && !toProxy.test(new Shutdown(true))) {
            proxy.get().terminate();
        }
        children.values().stream().filter(c -> c.role().isWorker()).forEach(Child::kill);
    }

    private Optional<Child> proxy() {
        return children.values().stream().filter(c -> !c.role().isWorker()).findFirst();
    }

    private Optional<Child> spawn(Role role) {
        try {
            Child c = spawner.spawn(role, (child, status) -> events.add(new Event.ChildExited(child, status)));
            children.put(c.pid(), c);
            LOG.log(System.Logger.Level.INFO, "spawned " + role + " (pid " + c.pid() + ")");
            return Optional.of(c);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "cannot spawn " + role + ": " + e.getMessage());
            Slot slot = slot(role);
            slot.quickCrashes++;
            slot.respawnScheduled = true;
            timer.schedule(() -> events.add(new Event.RespawnDue(role)), MAX_BACKOFF.toMillis(), TimeUnit.MILLISECONDS);
            return Optional.empty();
        }
    }

    private Optional<Child> child(long pid) {
        return Optional.ofNullable(children.get(pid));
    }

    private Slot slot(Role role) {
        return slots.computeIfAbsent(role, r -> new Slot());
    }

    // ---- reports -----------------------------------------------------------------------------------

    private long open(String kind, String detail, int total) {
        long id = ++operationIds;
        OperationReport r = new OperationReport(id, kind, detail, "running", 0, total, List.of(), Instant.now(),
                Optional.empty());
        reports.put(id, r);
        while (reports.size() > KEPT_REPORTS) {
            reports.remove(reports.keySet().iterator().next());
        }
        LOG.log(System.Logger.Level.INFO, r.summary());
        return id;
    }

    private void progress(long id, Optional<String> failure) {
        OperationReport r = reports.get(id);
        if (r == null) {
            return;
        }
        List<String> failures = new ArrayList<>(r.failures());
        failure.ifPresent(failures::add);
        OperationReport next = new OperationReport(id, r.kind(), r.detail(), r.state(), r.done() + 1, r.total(),
                List.copyOf(failures), r.started(), r.finished());
        reports.put(id, next);
        if (next.total() > 0 && next.done() >= next.total()) {
            close(id, failures.isEmpty() ? "done" : "failed", List.of());
        }
    }

    private void close(long id, String state, List<String> failures) {
        OperationReport r = reports.get(id);
        if (r == null || r.finished().isPresent()) {
            return;
        }
        List<String> all = new ArrayList<>(r.failures());
        all.addAll(failures);
        OperationReport done = new OperationReport(id, r.kind(), r.detail(), state, r.done(), r.total(), List.copyOf(all),
                r.started(), Optional.of(Instant.now()));
        reports.put(id, done);
        LOG.log(failures.isEmpty() && state.equals("done") ? System.Logger.Level.INFO : System.Logger.Level.ERROR,
                done.summary());
    }

    private static String describe(int status) {
        if (status > 128 && status < 160) {
            return "was killed by signal " + (status - 128);
        }
        return ExitCode.of(status).map(c -> "exited " + status + " (" + c.name().toLowerCase() + ")")
                .orElse("exited " + status);
    }

    /** Writes run/master.pid, refusing when a live process already holds it. */
    private boolean claimPidFile() throws IOException {
        if (Files.exists(config.pidFile())) {
            String text = Files.readString(config.pidFile()).trim();
            try {
                long pid = Long.parseLong(text);
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
                        && pid != ProcessHandle.current().pid()) {
                    LOG.log(System.Logger.Level.ERROR, "burst is already running here (pid " + pid + ", "
                            + config.pidFile() + "); stop it first or use another burst.run.dir");
                    return false;
                }
            } catch (NumberFormatException e) {
                LOG.log(System.Logger.Level.WARNING, "replacing unreadable pid file " + config.pidFile());
            }
        }
        Files.writeString(config.pidFile(), ProcessHandle.current().pid() + "\n");
        return true;
    }

    private void releasePidFile() {
        try {
            Files.deleteIfExists(config.pidFile());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot remove " + config.pidFile() + ": " + e.getMessage());
        }
    }
}
