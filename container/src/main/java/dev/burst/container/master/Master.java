package dev.burst.container.master;

import dev.burst.container.ExitCode;
import dev.burst.container.Signals;
import dev.burst.container.config.BurstConfig;
import dev.burst.container.config.GroupConfig;
import dev.burst.container.protocol.WireMessage.Shutdown;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The supervisor (gunicorn's arbiter). Starts the proxy, then every group's workers once the proxy's
 * worker socket is up; respawns the dead with backoff; gives up a worker slot that keeps failing at boot
 * and reports its group degraded; stops everything on SIGTERM (graceful) or SIGINT (fast).
 *
 * <p>One thread, the one in {@link #run()}, changes state. Signal handlers, exit callbacks, the control
 * socket reader and timers only enqueue {@link Event}s.
 *
 * <pre>
 * STARTING --ProxyUp--> RUNNING --TERM/INT--> STOPPING --all children gone--> (exit)
 * STARTING --TERM/INT--> STOPPING
 * </pre>
 */
public final class Master {

    private static final System.Logger LOG = System.getLogger(Master.class.getName());
    private static final Duration STABLE_UPTIME = Duration.ofSeconds(2);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

    private enum State { STARTING, RUNNING, STOPPING }

    /** What the master remembers about a role across its processes. */
    private static final class Slot {
        int bootFailures;
        int quickCrashes;
        boolean givenUp;
        boolean respawnScheduled;
    }

    private final BurstConfig config;
    private final Spawner spawner;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final Map<Role, Child> children = new LinkedHashMap<>();
    private final Map<Role, Slot> slots = new HashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "master-timer");
        t.setDaemon(true);
        return t;
    });
    private State state = State.STARTING;
    private boolean everListened;
    private int exitCode = ExitCode.OK.code();
    private Consumer<Shutdown> toProxy = s -> { };

    Master(BurstConfig config, Spawner spawner) {
        this.config = config;
        this.spawner = spawner;
    }

    /**
     * @param config the configuration
     * @return a master that spawns real processes
     */
    public static Master create(BurstConfig config) {
        return new Master(config, new ProcessSpawner(config));
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
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "cannot prepare the run directory " + config.runDir() + ": " + e);
            return ExitCode.CONFIG_ERROR.code();
        }
        try (ControlServer control = ControlServer.start(config.controlSocket(), events::add)) {
            toProxy = control::send;
            Signals.handle(name -> events.add(new Event.SignalReceived(name)), "TERM", "INT", "HUP");
            LOG.log(System.Logger.Level.INFO, "starting burst in " + config.home() + ": groups "
                    + config.groups().stream().map(g -> g.name() + "=" + g.workers()).toList());
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
            case Event.RespawnDue r -> {
                slot(r.role()).respawnScheduled = false;
                if (state != State.STOPPING && !children.containsKey(r.role())) {
                    spawn(r.role());
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
        }
    }

    private void onSignal(String name) {
        switch (name) {
            case "TERM" -> beginStop(false);
            case "INT" -> beginStop(true);
            case "HUP" -> LOG.log(System.Logger.Level.WARNING, "SIGHUP: reload is not available in this version; ignored");
            default -> LOG.log(System.Logger.Level.WARNING, "SIG" + name + " ignored");
        }
    }

    private void onProxyUp() {
        if (state == State.STOPPING) {
            return;
        }
        state = State.RUNNING;
        for (GroupConfig g : config.groups()) {
            for (int i = 1; i <= g.workers(); i++) {
                Role r = Role.worker(g.name(), i);
                Slot s = slot(r);
                if (!children.containsKey(r) && !s.givenUp && !s.respawnScheduled) {
                    spawn(r);
                }
            }
        }
    }

    private void onExit(Child child, int status) {
        if (children.get(child.role()) != child) {
            return;
        }
        children.remove(child.role());
        Role role = child.role();
        String how = describe(status);
        if (state == State.STOPPING) {
            LOG.log(System.Logger.Level.INFO, role + " (pid " + child.pid() + ") " + how);
            if (!role.isWorker()) {
                children.values().forEach(Child::terminate);
            }
            return;
        }
        Slot slot = slot(role);
        Optional<ExitCode> code = ExitCode.of(status);
        if (!role.isWorker()) {
            if (!everListened && code.filter(c -> c == ExitCode.BOOT_ERROR || c == ExitCode.CONFIG_ERROR).isPresent()) {
                LOG.log(System.Logger.Level.ERROR, "the proxy failed to start (" + how + "); stopping");
                exitCode = ExitCode.BOOT_ERROR.code();
                beginStop(true);
                return;
            }
            LOG.log(System.Logger.Level.ERROR, "the proxy (pid " + child.pid() + ") " + how + "; respawning it");
            respawnLater(role, slot, child);
            return;
        }
        if (code.filter(c -> c == ExitCode.BOOT_ERROR || c == ExitCode.CONFIG_ERROR).isPresent()) {
            slot.bootFailures++;
            if (slot.bootFailures >= config.bootRetries()) {
                slot.givenUp = true;
                LOG.log(System.Logger.Level.ERROR, "group " + role.group() + " is degraded: " + role + " failed to boot "
                        + slot.bootFailures + " times in a row; it is not respawned (fix the plugin, then restart burst)");
                return;
            }
            LOG.log(System.Logger.Level.ERROR, role + " (pid " + child.pid() + ") failed to boot (" + slot.bootFailures
                    + " of " + config.bootRetries() + "); respawning");
        } else {
            slot.bootFailures = 0;
            LOG.log(System.Logger.Level.WARNING, role + " (pid " + child.pid() + ") " + how + "; respawning"
                    + (status == 137 ? " (SIGKILL: perhaps out of memory?)" : ""));
        }
        respawnLater(role, slot, child);
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

    private void beginStop(boolean fast) {
        if (state == State.STOPPING) {
            if (fast) {
                LOG.log(System.Logger.Level.INFO, "fast stop requested during the stop");
                toProxy.accept(new Shutdown(true));
                children.values().forEach(Child::terminate);
            }
            return;
        }
        state = State.STOPPING;
        LOG.log(System.Logger.Level.INFO, (fast ? "fast" : "graceful") + " stop of " + children.size() + " process(es)");
        timer.schedule(() -> events.add(new Event.StopDeadline()),
                (fast ? Duration.ofSeconds(5) : config.stopTimeout().plusSeconds(2)).toMillis(), TimeUnit.MILLISECONDS);
        Child proxy = children.get(Role.PROXY);
        if (proxy == null) {
            children.values().forEach(Child::terminate);
            return;
        }
        toProxy.accept(new Shutdown(fast));
        proxy.terminate();
        if (fast) {
            children.values().forEach(Child::terminate);
        }
    }

    private void spawn(Role role) {
        try {
            Child c = spawner.spawn(role, (child, status) -> events.add(new Event.ChildExited(child, status)));
            children.put(role, c);
            LOG.log(System.Logger.Level.INFO, "spawned " + role + " (pid " + c.pid() + ")");
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "cannot spawn " + role + ": " + e.getMessage());
            Slot slot = slot(role);
            slot.quickCrashes++;
            slot.respawnScheduled = true;
            timer.schedule(() -> events.add(new Event.RespawnDue(role)), MAX_BACKOFF.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private Slot slot(Role role) {
        return slots.computeIfAbsent(role, r -> new Slot());
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
