package dev.burst.container.proxy;

import dev.burst.container.admin.AdminToken;
import dev.burst.container.config.BurstConfig;
import dev.burst.container.plugin.Generation;
import dev.burst.container.plugin.GenerationStore;
import dev.burst.container.plugin.PluginException;
import dev.burst.container.plugin.PluginJars;
import dev.burst.container.process.Entry;
import dev.burst.container.process.ExitCode;
import dev.burst.container.process.Signals;
import dev.burst.container.process.SpawnSecrets;
import dev.burst.container.protocol.WireMessage;
import dev.burst.container.protocol.WireMessage.Listening;
import dev.burst.container.protocol.WireMessage.ProxyUp;
import dev.burst.container.protocol.WireMessage.Reloaded;
import dev.burst.container.proxy.box.BoxServer;
import dev.burst.container.proxy.ws.WsEndpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The proxy process: the only one clients talk to. It takes the plugin generation to serve, introduces
 * itself to the master, opens the worker socket (the master then spawns workers), waits until every
 * group has a ready worker, opens the HTTP, admin and Box listeners, and serves until told to stop.
 *
 * <p>{@link #run()} is the proxy's main thread; signal handlers, the control link and the dispatcher
 * only enqueue {@link Event}s for it.
 */
public final class Proxy {

    private static final System.Logger LOG = System.getLogger(Proxy.class.getName());
    /** How long a stopping proxy waits for Box and WebSocket clients to take the replies it owes them. */
    private static final Duration CLIENT_DRAIN = Duration.ofSeconds(2);
    /** How often the proxy checks that its worker socket still exists in the run directory. */
    private static final Duration SOCKET_CHECK = Duration.ofSeconds(1);

    /** What the main thread waits for. */
    private sealed interface Event {
        /** A worker became ready, or a group was given up as degraded: maybe every group is settled now. */
        record WorkerReady() implements Event {
        }

        /** burst.start.timeout passed. */
        record StartTimedOut() implements Event {
        }

        /** Stop: from SIGTERM/SIGINT, the master, or the master's disappearance. */
        record Stop(boolean fast, String why) implements Event {
        }

        /** The master asks for reload_workers, as this operation. */
        record ReloadRequested(long operation) implements Event {
        }

        /** The master asks to drain a worker. */
        record RetireRequested(long pid) implements Event {
        }

        /** The master told a group's target size (a route=key group spreads its keys over it). */
        record GroupResized(String group, int workers) implements Event {
        }
    }

    private final BurstConfig config;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "proxy-timer");
        t.setDaemon(true);
        return t;
    });
    private final MasterView fromMaster = new MasterView();

    private Proxy(BurstConfig config) {
        this.config = config;
    }

    /**
     * @param config the configuration
     * @return a proxy, not yet started
     */
    public static Proxy create(BurstConfig config) {
        return new Proxy(config);
    }

    /**
     * Runs the proxy until it is stopped.
     *
     * @return the process exit code
     */
    public int run() {
        Signals.handle(sig -> events.add(new Event.Stop(sig.equals("INT"), "SIG" + sig)), "TERM", "INT");
        Optional<byte[]> workerKey = Optional.ofNullable(System.getenv(SpawnSecrets.WORKER_KEY_ENV))
                .flatMap(SpawnSecrets::parseKey);
        if (workerKey.isEmpty()) {
            LOG.log(System.Logger.Level.ERROR, "the proxy is started by the master (" + SpawnSecrets.WORKER_KEY_ENV
                    + " is missing or malformed): run bin/burst");
            return ExitCode.CONFIG_ERROR.code();
        }
        GenerationStore store;
        Generation generation;
        try {
            store = GenerationStore.open(config.runDir());
            generation = firstGeneration(store);
        } catch (PluginException e) {
            LOG.log(System.Logger.Level.ERROR, "cannot load plugins: " + e.getMessage());
            return ExitCode.BOOT_ERROR.code();
        }
        try (ControlLink master = ControlLink.connect(config.controlSocket(), new FromMaster())) {
            Dispatcher dispatcher = new Dispatcher(config, generation, timer, master::sendQuietly);
            WorkerSessions sessions = new WorkerSessions(dispatcher, workerKey, master::sendQuietly,
                    () -> events.add(new Event.WorkerReady()));
            Reloader reloader = new Reloader(config, dispatcher, store);
            AtomicReference<BoxServer> box = new AtomicReference<>();
            AtomicReference<HttpListeners> listeners = new AtomicReference<>();
            StatReport report = new StatReport(dispatcher, sessions, reloader, fromMaster, () -> Optional.ofNullable(box.get()),
                    () -> Optional.ofNullable(listeners.get()), Instant.now());
            report.sampleEverySecond(timer);
            AdminApi admin = new AdminApi(dispatcher, report, AdminToken.load(config.adminToken(), config.runDir()),
                    reloader, fromMaster, master::sendQuietly);
            try (WorkerServer workers = WorkerServer.start(config.proxySocket(), sessions)) {
                timer.scheduleWithFixedDelay(workers::rebindIfGone, SOCKET_CHECK.toMillis(), SOCKET_CHECK.toMillis(),
                        TimeUnit.MILLISECONDS);
                master.send(new ProxyUp());
                timer.schedule(() -> events.add(new Event.StartTimedOut()), config.startTimeout().toMillis(),
                        TimeUnit.MILLISECONDS);
                Event.Stop stop = awaitWorkers(dispatcher, sessions, reloader, master);
                if (stop != null) {
                    return shutDown(dispatcher, admin, null, null, stop);
                }
                HttpListeners http = HttpListeners.start(config, new HttpApi(dispatcher),
                        WsEndpoint.create(config.boxMaxPacket(), config.limits(), dispatcher, dispatcher.users()), admin);
                listeners.set(http);
                try {
                    box.set(BoxServer.start(config.boxHost(), config.boxPort(), config.boxMaxPacket(), config.limits(),
                            dispatcher, dispatcher.users()));
                } catch (IOException e) {
                    http.stop();
                    throw e;
                }
                writePorts(http.httpPort(), box.get().port(), http.adminPort());
                master.send(new Listening(http.httpPort(), box.get().port()));
                LOG.log(System.Logger.Level.INFO, "listening: http " + config.httpHost() + ":" + http.httpPort()
                        + ", box " + config.boxHost() + ":" + box.get().port() + ", admin " + config.adminHost() + ":"
                        + http.adminPort());
                while (true) {
                    if (handle(events.take(), dispatcher, sessions, reloader, master) instanceof Event.Stop s) {
                        return shutDown(dispatcher, admin, http, box.get(), s);
                    }
                }
            }
        } catch (IOException | UncheckedIOException e) {
            LOG.log(System.Logger.Level.ERROR, "proxy cannot start: " + e.getMessage());
            return ExitCode.BOOT_ERROR.code();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCode.FAILURE.code();
        } finally {
            timer.shutdownNow();
        }
    }

    /**
     * The generation to serve first. A cold start (the master's first proxy) takes {@code plugins/}
     * afresh, numbered from 1. A respawned proxy serves the generation that was serving, recorded in
     * the run directory with its content-addressed files — not whatever {@code plugins/} holds now,
     * which may be a jar a reload refused; only a reload moves it. When that record cannot be served
     * (its files are gone), the folder is taken afresh, and said so.
     */
    private Generation firstGeneration(GenerationStore store) throws PluginException {
        boolean respawn = "respawn".equals(System.getenv(Entry.PROXY_START_ENV));
        Optional<Generation> recorded = Optional.empty();
        if (respawn) {
            try {
                recorded = store.serving(config.groups());
            } catch (PluginException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot serve the recorded generation again (" + e.getMessage()
                        + "); taking " + config.pluginsDir() + " afresh");
            }
        } else {
            store.forget();
        }
        Generation g;
        if (recorded.isPresent()) {
            g = recorded.get();
            LOG.log(System.Logger.Level.INFO, "respawned: serving generation " + g.number() + " again, as recorded in "
                    + config.runDir() + " (" + g.files().size() + " file(s), plugins "
                    + g.plugins().stream().map(PluginJars::name).toList() + ")");
        } else {
            g = store.take(store.nextNumber(), config.pluginsDir(), config.groups(), config.followSymlinks());
            store.commit(g);
            LOG.log(System.Logger.Level.INFO, "generation " + g.number() + ": " + g.files().size() + " file(s), plugins "
                    + g.plugins().stream().map(PluginJars::name).toList());
        }
        try {
            store.prune(g, Optional.empty());
        } catch (PluginException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot prune the plugin cache: " + e.getMessage());
        }
        return g;
    }

    /** The master's frames, on the control link's reader: they only enqueue or record. */
    private final class FromMaster implements ControlLink.Handler {
        @Override
        public void shutdown(boolean fast) {
            events.add(new Event.Stop(fast, "the master asked"));
        }

        @Override
        public void reload(long operation) {
            events.add(new Event.ReloadRequested(operation));
        }

        @Override
        public void retire(long pid) {
            events.add(new Event.RetireRequested(pid));
        }

        @Override
        public void operation(WireMessage.Operation operation) {
            fromMaster.operation(operation);
        }

        @Override
        public void groupSize(WireMessage.GroupSize size) {
            events.add(new Event.GroupResized(size.group(), size.workers()));
        }

        @Override
        public void groupHealth(WireMessage.GroupHealth health) {
            fromMaster.groupHealth(health);
            events.add(new Event.WorkerReady());
        }

        @Override
        public void lost(String why) {
            events.add(new Event.Stop(false, why));
        }
    }

    /** Acts on the events any phase handles; returns the event for the caller's own handling. */
    private Event handle(Event e, Dispatcher dispatcher, WorkerSessions sessions, Reloader reloader,
                        ControlLink master) {
        switch (e) {
            case Event.ReloadRequested r -> reloader.start(r.operation(), report -> {
                LOG.log(report.ok() ? System.Logger.Level.INFO : System.Logger.Level.ERROR, "reload: " + report.summary());
                master.sendQuietly(new Reloaded(r.operation(), report.ok(), report.tried(), report.serving(),
                        report.summary(), report.details()));
            });
            case Event.RetireRequested r -> sessions.retire(r.pid());
            case Event.GroupResized r -> dispatcher.resize(r.group(), r.workers());
            default -> {
                // the caller's
            }
        }
        return e;
    }

    /**
     * Waits until every group has a ready worker or was given up by the master as degraded (which it does
     * at a cold start only with burst.start.degraded=serve; otherwise it stops burst), or the start timeout
     * passes.
     *
     * @return null when the client ports may open, else the stop asked meanwhile
     */
    private Event.Stop awaitWorkers(Dispatcher dispatcher, WorkerSessions sessions, Reloader reloader, ControlLink master)
            throws InterruptedException {
        while (!dispatcher.everyGroupReady(fromMaster.degraded().keySet())) {
            switch (handle(events.take(), dispatcher, sessions, reloader, master)) {
                case Event.Stop s -> {
                    return s;
                }
                case Event.StartTimedOut t -> {
                    LOG.log(System.Logger.Level.WARNING, "not every group has a ready worker after burst.start.timeout "
                            + config.startTimeout() + "; opening the client ports anyway");
                    return null;
                }
                default -> {
                    // a worker became ready, or a reload or retire was handled: check again
                }
            }
        }
        return null;
    }

    private int shutDown(Dispatcher dispatcher, AdminApi admin, HttpListeners http, BoxServer box, Event.Stop stop)
            throws InterruptedException {
        LOG.log(System.Logger.Level.INFO, (stop.fast() ? "fast" : "graceful") + " stop (" + stop.why() + ")");
        admin.stopping();
        if (box != null) {
            box.stopAccepting();
        }
        int code = ExitCode.OK.code();
        if (stop.fast()) {
            dispatcher.abortAll();
        } else {
            dispatcher.stopAccepting();
            if (!dispatcher.awaitAllAnswered(config.stopTimeout())) {
                LOG.log(System.Logger.Level.WARNING, dispatcher.outstanding() + " task(s) still unanswered after "
                        + "burst.stop.timeout " + config.stopTimeout() + "; answering them as lost");
                dispatcher.abortAll();
                code = ExitCode.FAILURE.code();
            }
        }
        if (box != null) {
            if (!box.closeConnections(CLIENT_DRAIN)) {
                LOG.log(System.Logger.Level.WARNING, "box clients not reading their replies after " + CLIENT_DRAIN
                        + "; closed them");
            }
            box.close();
        }
        if (http != null) {
            if (!http.closeWebSockets(CLIENT_DRAIN)) {
                LOG.log(System.Logger.Level.WARNING, "websocket clients not reading their replies or answering the close "
                        + "after " + CLIENT_DRAIN + "; closed them");
            }
            http.stop();
        }
        dispatcher.stopWorkers();
        try {
            Files.deleteIfExists(config.portsFile());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot remove " + config.portsFile() + ": " + e.getMessage());
        }
        LOG.log(System.Logger.Level.INFO, "stopped");
        return code;
    }

    /** Writes {@code run/ports} (http=, box=, admin=) atomically, so tests and tools read whole files only. */
    private void writePorts(int http, int box, int admin) throws IOException {
        Path tmp = config.portsFile().resolveSibling("ports.tmp");
        Files.writeString(tmp, "http=" + http + "\nbox=" + box + "\nadmin=" + admin + "\n");
        Files.move(tmp, config.portsFile(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
