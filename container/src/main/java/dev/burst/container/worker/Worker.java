package dev.burst.container.worker;

import dev.burst.api.WorkerInfo;
import dev.burst.container.config.BurstConfig;
import dev.burst.container.plugin.Handover;
import dev.burst.container.config.GroupConfig;
import dev.burst.container.process.ExitCode;
import dev.burst.container.process.Signals;
import dev.burst.container.process.SpawnSecrets;
import dev.burst.container.protocol.ProtocolException;
import dev.burst.container.protocol.WireMessage;
import dev.burst.container.protocol.WireMessage.Hello;
import dev.burst.container.protocol.WireMessage.Leaked;
import dev.burst.container.protocol.WireMessage.Load;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.Config;

/**
 * A worker process: connects to the proxy, loads the plugin generation it is told to, and runs one task
 * at a time, until the proxy says STOP, SIGTERM arrives (after the running task), or the proxy goes away.
 *
 * <p>Threads. The main thread connects, says HELLO, reads the first LOAD, and then only waits for the
 * exit code. Each plugin generation has a task thread of its own ({@link TaskThread}, {@code task gen N}):
 * it starts the generation, waits for the next frame or the next timer, runs the handlers and the
 * timers, and stops the generation when a newer one takes over, then ends; so one thread at a time waits
 * for the next frame and runs what it brings. The signal thread only flags the stop request and wakes the reader ({@link #requestStop});
 * the leak watch and the tick watch ({@link TickWatch}: a long timer tick) report from threads of their own.
 */
public final class Worker {

    private static final System.Logger LOG = System.getLogger(Worker.class.getName());
    /** How long a worker tries to reach the proxy, which may still be binding its socket. */
    private static final Duration CONNECT_PATIENCE = Duration.ofSeconds(15);

    private final BurstConfig config;
    /** Reads the configuration again for each later generation, so a reload sees the file as it is now. */
    private final Supplier<Config> reread;
    private final WorkerInfo identity;
    /** Counted down once a stop is requested (SIGTERM); never reset. */
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    /** Completed by the task thread that ends the worker. */
    private final CompletableFuture<ExitCode> exit = new CompletableFuture<>();
    /** The connection, once there is one. */
    private volatile ProxyLink link;
    /** Set before the first task thread starts. */
    private volatile LeakWatch leaks;
    /** Set before the first task thread starts. */
    private volatile TickWatch ticks;
    /** Logins and pushes, over the link. */
    private final Gateway gateway = new Gateway(this::link);

    private Worker(BurstConfig config, Supplier<Config> reread, WorkerInfo identity) {
        this.config = config;
        this.reread = reread;
        this.identity = identity;
    }

    /**
     * @param config the configuration the worker started with
     * @param reread reads the configuration's sources again, for each generation after the first
     * @param group  the worker's group
     * @param slot   the worker's slot in its group
     * @return a worker, not yet connected
     */
    public static Worker create(BurstConfig config, Supplier<Config> reread, String group, int slot) {
        return new Worker(config, reread, WorkerInfo.of(group, slot, ProcessHandle.current().pid(), 0));
    }

    /**
     * Serves until the proxy says stop, SIGTERM arrives, or the proxy goes away.
     *
     * @return the process exit code
     */
    public int run() {
        if (config.group(identity.group()).isEmpty()) {
            LOG.log(System.Logger.Level.ERROR, "group " + identity.group() + " is not in burst.groups");
            return ExitCode.CONFIG_ERROR.code();
        }
        Signals.handle(signal -> requestStop(), "TERM");
        return connectAndServe(CONNECT_PATIENCE).code();
    }

    /**
     * What {@link #run} does once the configuration is checked and SIGTERM handled.
     *
     * @param patience how long to try to reach the proxy
     * @return the exit code
     */
    ExitCode connectAndServe(Duration patience) {
        Optional<SocketChannel> channel;
        try {
            channel = connect(patience);
        } catch (ProxyUnreachable e) {
            LOG.log(System.Logger.Level.ERROR, e.getMessage());
            return ExitCode.PROXY_UNREACHABLE;
        }
        if (channel.isEmpty()) {
            LOG.log(System.Logger.Level.INFO, "stopping as SIGTERM asked, before the proxy was reached");
            return ExitCode.OK;
        }
        return serve(channel.get());
    }

    /**
     * Serves over a connected channel: HELLO, the first LOAD, then the task threads take over. Closes the
     * channel when done.
     *
     * @param channel connected to the proxy
     * @return the exit code
     */
    ExitCode serve(SocketChannel channel) {
        Optional<GroupConfig> group = config.group(identity.group());
        if (group.isEmpty()) {
            LOG.log(System.Logger.Level.ERROR, "group " + identity.group() + " is not in burst.groups");
            closeQuietly(channel);
            return ExitCode.CONFIG_ERROR;
        }
        ProxyLink l;
        try {
            l = ProxyLink.over(channel);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "cannot set up the connection to the proxy: " + e);
            closeQuietly(channel);
            return ExitCode.FAILURE;
        }
        link = l;
        if (stopRequested()) {
            l.wakeReaderUnlessBusy();
        }
        try (l; LeakWatch watch = new LeakWatch(this::reportLeak);
             TickWatch tickWatch = new TickWatch(group.get().taskTimeout(), l::send)) {
            leaks = watch;
            ticks = tickWatch;
            l.send(new Hello(identity.group(), identity.slot(), identity.pid(), SpawnSecrets.own()));
            WireMessage first = l.read();
            if (!(first instanceof Load load)) {
                throw new ProtocolException("expected LOAD from the proxy, got " + first.getClass().getSimpleName());
            }
            TaskThread boot = TaskThread.launch(this, load, OptionalInt.empty(), Handover.none());
            if (!boot.awaitStarted()) {
                return ExitCode.BOOT_ERROR;
            }
            boot.takeOver(OptionalInt.empty());
            return exit.join();
        } catch (IOException e) {
            if (stopRequested()) {
                LOG.log(System.Logger.Level.INFO, "stopping as SIGTERM asked, before the plugins started");
                return ExitCode.OK;
            }
            LOG.log(System.Logger.Level.ERROR, "lost the proxy: " + e);
            return ExitCode.FAILURE;
        }
    }

    /**
     * What SIGTERM does: the worker stops after the running task, or at once when none runs (also while
     * it is still connecting). Runs on the signal thread: it only flags, and wakes the reader.
     */
    void requestStop() {
        stopRequested.countDown();
        ProxyLink l = link;
        if (l != null) {
            l.wakeReaderUnlessBusy();
        }
    }

    boolean stopRequested() {
        return stopRequested.getCount() == 0;
    }

    /** Ends the worker; the first code given wins. Called by the task thread that ends it. */
    void exit(ExitCode code) {
        exit.complete(code);
    }

    ProxyLink link() {
        return link;
    }

    Gateway gateway() {
        return gateway;
    }

    LeakWatch leaks() {
        return leaks;
    }

    TickWatch ticks() {
        return ticks;
    }

    WorkerInfo identity() {
        return identity;
    }

    /**
     * The configuration a generation's plugins read their keys from.
     *
     * @param first whether it is the worker's first generation: that one sees what the worker started
     *              with; a later one (a reload) sees the sources read again
     * @return the configuration
     */
    Config pluginConfig(boolean first) {
        return first ? config.source() : reread.get();
    }

    /** Runs on the leak watch's thread. */
    private void reportLeak(int generation, String detail) {
        try {
            link.send(new Leaked(generation, TaskThread.truncate(detail)));
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "cannot report the leak: " + e.getMessage());
        }
    }

    /**
     * Connects to the proxy's socket, retrying while it is not there yet. Start-up, not the data path.
     *
     * @param patience how long to keep trying
     * @return the channel; empty when a stop was requested meanwhile
     * @throws ProxyUnreachable naming the socket and why it could not be reached
     */
    Optional<SocketChannel> connect(Duration patience) throws ProxyUnreachable {
        Path socket = config.proxySocket();
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(socket);
        long deadline = System.nanoTime() + patience.toNanos();
        long pause = 20;
        while (!stopRequested()) {
            SocketChannel ch = null;
            try {
                ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                ch.connect(address);
                return Optional.of(ch);
            } catch (IOException e) {
                closeQuietly(ch);
                if (System.nanoTime() - deadline >= 0) {
                    throw new ProxyUnreachable("cannot reach the proxy at " + socket + " (tried for "
                            + (patience.toMillis() % 1000 == 0 ? patience.toSeconds() + " s" : patience.toMillis() + " ms")
                            + "): " + reason(e));
                }
            }
            try {
                if (stopRequested.await(pause, TimeUnit.MILLISECONDS)) {
                    break;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ProxyUnreachable("interrupted while connecting to the proxy at " + socket);
            }
            pause = Math.min(pause * 2, 500);
        }
        return Optional.empty();
    }

    /** Why a connect failed, in an operator's words where the JDK's are terse. */
    private static String reason(IOException e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("No such file")) {
            return "no socket there (" + message + "): the proxy is not up, or it uses another burst.run.dir";
        }
        if (message.contains("Connection refused")) {
            return "connection refused: the socket file is there but no proxy listens on it";
        }
        if (message.contains("Permission denied")) {
            return "permission denied: the socket belongs to a user this worker cannot connect as";
        }
        return e.toString();
    }

    private static void closeQuietly(SocketChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException e) {
                // Nothing was sent on it; a failed close of a never-connected channel changes nothing.
            }
        }
    }

    /** The proxy's socket could not be reached within the patience. */
    static final class ProxyUnreachable extends Exception {
        ProxyUnreachable(String message) {
            super(message);
        }
    }
}
