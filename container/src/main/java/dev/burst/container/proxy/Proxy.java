package dev.burst.container.proxy;

import dev.burst.container.admin.AdminToken;
import dev.burst.container.config.BurstConfig;
import dev.burst.container.plugin.Generation;
import dev.burst.container.plugin.PluginException;
import dev.burst.container.plugin.PluginJars;
import dev.burst.container.plugin.PluginSnapshot;
import dev.burst.container.process.ExitCode;
import dev.burst.container.process.Signals;
import dev.burst.container.protocol.WireMessage.Listening;
import dev.burst.container.protocol.WireMessage.ProxyUp;
import dev.burst.container.protocol.WireMessage.Reloaded;
import dev.burst.container.protocol.WireMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The proxy process: the only one clients talk to. It snapshots the plugins as generation 1, opens the
 * worker socket, tells the master (which then spawns workers), waits until every group has a ready
 * worker, opens the HTTP and Box listeners, and serves until told to stop.
 *
 * <p>{@link #run()} is the proxy's main thread; signal handlers, the control reader and the dispatcher
 * only enqueue {@link Event}s for it.
 */
public final class Proxy {

    private static final System.Logger LOG = System.getLogger(Proxy.class.getName());
    /** How long a stopping proxy waits for Box clients to take the replies it owes them. */
    private static final Duration CLIENT_DRAIN = Duration.ofSeconds(2);

    /** What the main thread waits for. */
    private sealed interface Event {
        /** A worker became ready (maybe every group has one now). */
        record WorkerReady() implements Event {
        }

        /** burst.start.timeout passed. */
        record StartTimedOut() implements Event {
        }

        /** Stop: from SIGTERM/SIGINT, the master, or the master's disappearance. */
        record Stop(boolean fast, String why) implements Event {
        }

        /** The master asks for reload_workers, as its operation with this id. */
        record ReloadRequested(long operation) implements Event {
        }

        /** The master asks to drain a worker. */
        record RetireRequested(long pid) implements Event {
        }
    }

    private final BurstConfig config;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "proxy-timer");
        t.setDaemon(true);
        return t;
    });

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
        Generation generation;
        try {
            generation = PluginSnapshot.take(config.pluginsDir(), config.pluginCache(), 1, config.groups());
        } catch (PluginException e) {
            LOG.log(System.Logger.Level.ERROR, "cannot load plugins: " + e.getMessage());
            return ExitCode.BOOT_ERROR.code();
        }
        LOG.log(System.Logger.Level.INFO, "generation 1: " + generation.files().size() + " file(s), plugins "
                + generation.plugins().stream().map(PluginJars::name).toList());
        MasterView fromMaster = new MasterView();
        try (ControlLink master = ControlLink.connect(config.controlSocket(), new ControlLink.Handler() {
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
            public void groupHealth(WireMessage.GroupHealth health) {
                fromMaster.groupHealth(health);
            }

            @Override
            public void lost(String why) {
                events.add(new Event.Stop(false, why));
            }
        })) {
            Dispatcher dispatcher = new Dispatcher(config, generation, timer, master::sendQuietly,
                    () -> events.add(new Event.WorkerReady()));
            Reloader reloader = new Reloader(config, dispatcher, master::sendQuietly);
            AdminToken token = AdminToken.load(config.adminToken(), config.runDir());
            Supplier<CompletableFuture<ReloadReport>> reload = () -> reload(reloader, master, 0L);
            AdminApi admin = new AdminApi(dispatcher, new StatReport(dispatcher, reloader, Instant.now()), token, reload,
                    master::sendQuietly);
            try (WorkerServer workers = WorkerServer.start(config.proxySocket(), dispatcher)) {
                master.send(new ProxyUp());
                timer.schedule(() -> events.add(new Event.StartTimedOut()), config.startTimeout().toMillis(),
                        TimeUnit.MILLISECONDS);
                Event.Stop stop = awaitWorkers(dispatcher, reloader, master);
                if (stop != null) {
                    return shutDown(dispatcher, admin, null, null, stop);
                }
                HttpListeners http = HttpListeners.start(config, new HttpApi(dispatcher), admin);
                BoxServer box = BoxServer.start(config.boxHost(), config.boxPort(), dispatcher, config.boxMaxPacket());
                writePorts(http.httpPort(), box.port(), http.adminPort());
                master.send(new Listening(http.httpPort(), box.port()));
                LOG.log(System.Logger.Level.INFO, "listening: http " + config.httpHost() + ":" + http.httpPort()
                        + ", box " + config.boxHost() + ":" + box.port() + ", admin " + config.adminHost() + ":"
                        + http.adminPort());
                while (true) {
                    if (handle(events.take(), dispatcher, reloader, master) instanceof Event.Stop s) {
                        return shutDown(dispatcher, admin, http, box, s);
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
     * Starts reload_workers (from the master, as its operation, or the admin API, operation 0); the outcome
     * is logged and told to the master with the operation's id.
     */
    private static CompletableFuture<ReloadReport> reload(Reloader reloader, ControlLink master, long operation) {
        CompletableFuture<ReloadReport> done = new CompletableFuture<>();
        reloader.start(report -> {
            LOG.log(report.ok() ? System.Logger.Level.INFO : System.Logger.Level.ERROR, "reload: " + report.summary());
            master.sendQuietly(new Reloaded(operation, report.ok(), report.attempted(), report.serving(), report.summary(), java.util.List.of()));
            done.complete(report);
        });
        return done;
    }

    /** Acts on the events any phase handles; returns the event for the caller's own handling. */
    private Event handle(Event e, Dispatcher dispatcher, Reloader reloader, ControlLink master) {
        switch (e) {
            case Event.ReloadRequested r -> reload(reloader, master, r.operation());
            case Event.RetireRequested r -> dispatcher.retire(r.pid());
            default -> {
                // the caller's
            }
        }
        return e;
    }

    /** @return null once every group has a ready worker (or the start timeout passed), else the stop asked meanwhile */
    private Event.Stop awaitWorkers(Dispatcher dispatcher, Reloader reloader, ControlLink master)
            throws InterruptedException {
        while (!dispatcher.everyGroupReady()) {
            switch (handle(events.take(), dispatcher, reloader, master)) {
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
                LOG.log(System.Logger.Level.WARNING, "tasks still unanswered after burst.stop.timeout "
                        + config.stopTimeout() + "; answering them as lost");
                dispatcher.abortAll();
                code = ExitCode.FAILURE.code();
            }
        }
        if (box != null && !box.closeConnections(CLIENT_DRAIN)) {
            LOG.log(System.Logger.Level.WARNING, "box clients not reading their replies after " + CLIENT_DRAIN
                    + "; closing them");
        }
        if (http != null) {
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
