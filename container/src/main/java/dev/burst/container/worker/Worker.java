package dev.burst.container.worker;

import dev.burst.api.WorkerInfo;
import dev.burst.container.config.BurstConfig;
import dev.burst.container.plugin.PluginException;
import dev.burst.container.plugin.PluginGeneration.Registered;
import dev.burst.container.plugin.PluginGeneration;
import dev.burst.container.plugin.PluginJars;
import dev.burst.container.process.ExitCode;
import dev.burst.container.process.Signals;
import dev.burst.container.protocol.RetCode;
import dev.burst.container.protocol.WireCodec;
import dev.burst.container.protocol.WireMessage.CmdInfo;
import dev.burst.container.protocol.WireMessage.Hello;
import dev.burst.container.protocol.WireMessage.Leaked;
import dev.burst.container.protocol.WireMessage.Load;
import dev.burst.container.protocol.WireMessage.LoadFailed;
import dev.burst.container.protocol.WireMessage.Ready;
import dev.burst.container.protocol.WireMessage.Result;
import dev.burst.container.protocol.WireMessage.Status;
import dev.burst.container.protocol.WireMessage.Stop;
import dev.burst.container.protocol.WireMessage.Task;
import dev.burst.container.protocol.WireMessage;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A worker process: connects to the proxy, loads the plugin generation it is told to, and runs one task
 * at a time. Everything below runs on the main thread, which is the task thread: plugins start, handle
 * and stop on it.
 */
public final class Worker {

    private static final System.Logger LOG = System.getLogger(Worker.class.getName());
    private static final Duration CONNECT_PATIENCE = Duration.ofSeconds(15);

    private final BurstConfig config;
    private final WorkerInfo identity;
    private volatile boolean stopRequested;
    private volatile boolean busy;
    private volatile SocketChannel channel;
    /**
     * The generation serving. Only this field refers to it: a local variable in a long-lived frame
     * would keep a retired generation's class loaders reachable (found by the 200-reload test).
     * Task thread only.
     */
    private PluginGeneration generation;

    private Worker(BurstConfig config, WorkerInfo identity) {
        this.config = config;
        this.identity = identity;
    }

    /**
     * @param config the configuration
     * @param group  the worker's group
     * @param slot   the worker's slot in its group
     * @return a worker, not yet connected
     */
    public static Worker create(BurstConfig config, String group, int slot) {
        return new Worker(config, new WorkerInfo(group, slot, ProcessHandle.current().pid(), 0));
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
        Signals.handle(this::onSignal, "TERM");
        try (SocketChannel ch = connect()) {
            channel = ch;
            DataInputStream in = WireCodec.input(Channels.newInputStream(ch));
            Frames out = new Frames(new BufferedOutputStream(Channels.newOutputStream(ch), 64 * 1024));
            out.send(new Hello(identity.group(), identity.slot(), identity.pid(), System.getenv().getOrDefault("BURST_SPAWN_SECRET", "")));
            if (!boot(in, out)) {
                return ExitCode.BOOT_ERROR.code();
            }
            try (LeakWatch leaks = new LeakWatch((gen, detail) -> reportLeak(out, gen, detail))) {
                return serve(in, out, leaks);
            } finally {
                generation.close();
            }
        } catch (ProxyUnreachable e) {
            LOG.log(System.Logger.Level.ERROR, e.getMessage());
            return ExitCode.PROXY_UNREACHABLE.code();
        } catch (IOException e) {
            if (stopRequested) {
                return ExitCode.OK.code();
            }
            LOG.log(System.Logger.Level.ERROR, "lost the proxy: " + e);
            return ExitCode.FAILURE.code();
        }
    }

    /** Frames to the proxy, from the task thread and the leak watch: one writer at a time. */
    private record Frames(OutputStream out) {
        synchronized void send(WireMessage m) throws IOException {
            WireCodec.write(out, m);
        }
    }

    private void reportLeak(Frames out, int generation, String detail) {
        try {
            out.send(new Leaked(generation, truncate(detail)));
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "cannot report the leak: " + e.getMessage());
        }
    }

    /** @return whether the first generation started */
    private boolean boot(DataInputStream in, Frames out) throws IOException {
        WireMessage first = WireCodec.read(in);
        if (!(first instanceof Load load)) {
            throw new IOException("expected LOAD from the proxy, got " + first.getClass().getSimpleName());
        }
        try {
            generation = PluginGeneration.start(load.generation(), jars(load), identity, config.source());
            out.send(ready(generation));
            LOG.log(System.Logger.Level.INFO, "ready: generation " + generation.number() + ", " + load.plugins().size()
                    + " plugin(s), cmds " + generation.cmds().stream().map(c -> c.id()).toList());
            return true;
        } catch (PluginException e) {
            LOG.log(System.Logger.Level.ERROR, "cannot start generation " + load.generation() + ": " + e.getMessage(),
                    e.getCause());
            out.send(new LoadFailed(load.generation(), truncate(e.getMessage())));
            return false;
        }
    }

    private int serve(DataInputStream in, Frames out, LeakWatch leaks) throws IOException {
        while (true) {
            WireMessage m;
            try {
                m = WireCodec.read(in);
            } catch (EOFException e) {
                if (stopRequested) {
                    return ExitCode.OK.code();
                }
                LOG.log(System.Logger.Level.ERROR, "the proxy closed the connection; exiting");
                return ExitCode.FAILURE.code();
            }
            switch (m) {
                case Task t -> {
                    busy = true;
                    Result r = runTask(t);
                    busy = false;
                    out.send(r);
                    if (stopRequested) {
                        return ExitCode.OK.code();
                    }
                }
                case Load load -> swap(load, out, leaks);
                case Stop s -> {
                    LOG.log(System.Logger.Level.INFO, "stopping as the proxy asked");
                    return ExitCode.OK.code();
                }
                default -> throw new IOException("unexpected " + m.getClass().getSimpleName() + " from the proxy");
            }
        }
    }

    /**
     * Swaps plugin generations in place: the new one starts first, so if it fails the old one never
     * stopped serving. On success the old one is stopped, its jars closed, and its loaders watched.
     * The proxy sends no task meanwhile.
     */
    private void swap(Load load, Frames out, LeakWatch leaks) throws IOException {
        PluginGeneration next;
        try {
            next = PluginGeneration.start(load.generation(), jars(load), identity, config.source());
        } catch (PluginException e) {
            LOG.log(System.Logger.Level.ERROR, "cannot start generation " + load.generation() + "; staying on "
                    + generation.number() + ": " + e.getMessage(), e.getCause());
            out.send(new LoadFailed(load.generation(), truncate(e.getMessage())));
            return;
        }
        int old = generation.number();
        List<ClassLoader> retired = generation.classLoaders();
        generation.close();
        generation = next;
        leaks.retire(old, retired);
        out.send(ready(next));
        LOG.log(System.Logger.Level.INFO, "swapped generation " + old + " for " + next.number() + ", cmds "
                + next.cmds().stream().map(c -> c.id()).toList());
    }

    private Result runTask(Task task) {
        Registered r = generation.handler(task.cmd()).orElse(null);
        if (r == null) {
            return new Result(task.taskId(), Status.UNKNOWN_CMD, RetCode.UNKNOWN_CMD,
                    ("unknown cmd " + task.cmd()).getBytes(StandardCharsets.UTF_8));
        }
        TaskRequest request = new TaskRequest(task);
        Thread t = Thread.currentThread();
        ClassLoader previous = t.getContextClassLoader();
        t.setContextClassLoader(r.loader());
        Throwable failure = null;
        try {
            r.handler().handle(request);
        } catch (Exception | StackOverflowError | LinkageError e) {
            // A handler's failure is its request's, not the worker's. Other errors (OutOfMemoryError ...)
            // end the worker; the proxy answers the task "worker lost" and the master respawns.
            failure = e;
        } finally {
            request.close();
            t.setContextClassLoader(previous);
        }
        if (failure != null) {
            LOG.log(System.Logger.Level.WARNING, "cmd " + task.cmd() + " (plugin " + r.plugin() + ") threw"
                    + (request.replied() ? " after replying; the reply stands" : ""), failure);
        }
        if (request.replied()) {
            return new Result(task.taskId(), Status.REPLY, request.ret(), request.replyBody());
        }
        if (failure != null) {
            return new Result(task.taskId(), Status.HANDLER_ERROR, RetCode.HANDLER_ERROR,
                    ("handler of cmd " + task.cmd() + " failed: " + failure.getClass().getName())
                            .getBytes(StandardCharsets.UTF_8));
        }
        return new Result(task.taskId(), Status.NO_REPLY, RetCode.OK, new byte[0]);
    }

    /** Runs on the signal thread: only flags, and wakes the reader when no task runs. */
    private void onSignal(String name) {
        stopRequested = true;
        SocketChannel ch = channel;
        if (!busy && ch != null) {
            try {
                ch.shutdownInput();
            } catch (IOException e) {
                // The channel is already broken; the task thread sees that and exits.
            }
        }
    }

    /** Connecting is start-up, not the data path: the proxy may still be binding its socket. */
    private SocketChannel connect() throws ProxyUnreachable {
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(config.proxySocket());
        Instant deadline = Instant.now().plus(CONNECT_PATIENCE);
        long pause = 20;
        while (true) {
            SocketChannel ch = null;
            try {
                ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                ch.connect(address);
                return ch;
            } catch (IOException e) {
                closeQuietly(ch);
                if (Instant.now().isAfter(deadline)) {
                    throw new ProxyUnreachable("cannot reach the proxy at " + config.proxySocket() + ": " + e);
                }
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ProxyUnreachable("interrupted while connecting to the proxy");
            }
            pause = Math.min(pause * 2, 500);
        }
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

    private static List<PluginJars> jars(Load load) {
        return load.plugins().stream().map(p -> new PluginJars(p.name(), p.files())).toList();
    }

    private static Ready ready(PluginGeneration g) {
        return new Ready(g.number(), g.cmds().stream().map(c -> new CmdInfo(c.id(), c.name(), c.idempotent())).toList());
    }

    private static String truncate(String s) {
        return s.length() > 4000 ? s.substring(0, 4000) + "..." : s;
    }

    private static final class ProxyUnreachable extends Exception {
        ProxyUnreachable(String message) {
            super(message);
        }
    }
}
