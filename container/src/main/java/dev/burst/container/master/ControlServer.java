package dev.burst.container.master;

import dev.burst.container.protocol.WireCodec;
import dev.burst.container.protocol.WireMessage.AdminCommand;
import dev.burst.container.protocol.WireMessage.Listening;
import dev.burst.container.protocol.WireMessage.ProxyUp;
import dev.burst.container.protocol.WireMessage.Recycle;
import dev.burst.container.protocol.WireMessage.Reloaded;
import dev.burst.container.protocol.WireMessage.Stuck;
import dev.burst.container.protocol.WireMessage.WorkerReady;
import dev.burst.container.protocol.WireMessage;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The master's control socket ({@code run/control.sock}). The proxy connects to it; its frames become
 * {@link Event}s, and the master sends it {@link WireMessage.Shutdown}. The reader runs on a virtual
 * thread and only enqueues.
 */
final class ControlServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ControlServer.class.getName());

    private final ServerSocketChannel server;
    private final Path path;
    private volatile SocketChannel proxy;

    private ControlServer(ServerSocketChannel server, Path path) {
        this.server = server;
        this.path = path;
    }

    static ControlServer start(Path path, Consumer<Event> events) throws IOException {
        Files.deleteIfExists(path);
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        ch.bind(UnixDomainSocketAddress.of(path));
        ControlServer cs = new ControlServer(ch, path);
        Thread.ofVirtual().name("control-accept").start(() -> cs.acceptLoop(events));
        return cs;
    }

    private void acceptLoop(Consumer<Event> events) {
        while (server.isOpen()) {
            try {
                SocketChannel ch = server.accept();
                proxy = ch;
                Thread.ofVirtual().name("control-read").start(() -> read(ch, events));
            } catch (AsynchronousCloseException e) {
                return;
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "control socket accept failed: " + e.getMessage());
            }
        }
    }

    private void read(SocketChannel ch, Consumer<Event> events) {
        try {
            DataInputStream in = WireCodec.input(Channels.newInputStream(ch));
            while (true) {
                switch (WireCodec.read(in)) {
                    case ProxyUp up -> events.accept(new Event.ProxyUp());
                    case Listening l -> events.accept(new Event.ProxyListening(l.httpPort(), l.boxPort()));
                    case WorkerReady r -> events.accept(new Event.WorkerReady(r.pid(), r.generation()));
                    case Recycle r -> events.accept(new Event.RecycleAsked(r.pid(), r.reason()));
                    case Stuck s -> events.accept(new Event.WorkerStuck(s.pid(), s.detail()));
                    case Reloaded r -> events.accept(new Event.ReloadDone(r.ok(), r.serving(), r.summary()));
                    case AdminCommand c -> {
                        switch (c.operation()) {
                            case "restart_workers" -> events.accept(new Event.RestartWorkers());
                            case "change_group" -> events.accept(new Event.ChangeGroup(c.group(), c.workers()));
                            case "stop" -> events.accept(new Event.Stop(false));
                            default -> LOG.log(System.Logger.Level.WARNING, "unknown admin operation " + c.operation());
                        }
                    }
                    case WireMessage other -> LOG.log(System.Logger.Level.WARNING,
                            "unexpected " + other.getClass().getSimpleName() + " on the control socket");
                }
            }
        } catch (IOException e) {
            // The proxy went away; its exit reaches the master through the process exit callback.
            LOG.log(System.Logger.Level.DEBUG, "control connection closed: " + e.getMessage());
        }
    }

    /**
     * Sends a frame to the proxy.
     *
     * @return whether it was sent (false when no proxy is connected)
     */
    boolean send(WireMessage message) {
        SocketChannel ch = proxy;
        if (ch == null || !ch.isOpen()) {
            return false;
        }
        try {
            OutputStream out = Channels.newOutputStream(ch);
            synchronized (this) {
                WireCodec.write(out, message);
            }
            return true;
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "control send failed: " + e.getMessage());
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        SocketChannel ch = proxy;
        if (ch != null) {
            ch.close();
        }
        Files.deleteIfExists(path);
    }
}
