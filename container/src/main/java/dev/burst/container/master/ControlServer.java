package dev.burst.container.master;

import dev.burst.container.process.SpawnSecrets;
import dev.burst.container.protocol.ProtocolException;
import dev.burst.container.protocol.WireCodec;
import dev.burst.container.protocol.WireMessage;
import dev.burst.container.protocol.WireMessage.AdminCommand;
import dev.burst.container.protocol.WireMessage.BootFailed;
import dev.burst.container.protocol.WireMessage.Listening;
import dev.burst.container.protocol.WireMessage.ProxyHello;
import dev.burst.container.protocol.WireMessage.ProxyUp;
import dev.burst.container.protocol.WireMessage.Recycle;
import dev.burst.container.protocol.WireMessage.Reloaded;
import dev.burst.container.protocol.WireMessage.Stuck;
import dev.burst.container.protocol.WireMessage.WorkerReady;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * The master's control socket ({@code run/control.sock}, mode 0600): the link to the proxy it spawned.
 *
 * <p>Only that proxy is accepted. A connection's first frame must be PROXY_HELLO with the secret the
 * master put into the environment of the proxy it spawned last ({@link #expect}); a wrong or missing
 * secret, another first frame, or no frame within {@link #HELLO_TIMEOUT} is refused: logged with what is
 * known of the peer (its user and group, the pid it claims) and closed. At most {@link #MAX_PENDING}
 * connections may wait to prove themselves; refusals are logged at most {@link #LOGGED_REFUSALS} a minute.
 * Only an authenticated connection becomes the link, so a local process cannot take it over; frames of an
 * unauthenticated one never reach the master.
 *
 * <p>If the socket file is removed (or replaced) while burst runs, {@link #check()} binds it again, so a
 * proxy respawned later can still connect; the established link is not affected.
 *
 * <p>Threads: accepting runs on a virtual thread per bound socket, each connection is read on a virtual
 * thread of its own, which only enqueues {@link Event}s; {@link #send} runs on the master's loop thread;
 * {@link #check()} too.
 */
final class ControlServer implements ProxyLink, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ControlServer.class.getName());
    /** How long a connection may take to send PROXY_HELLO. */
    static final Duration HELLO_TIMEOUT = Duration.ofSeconds(5);
    /** Connections that may wait at once for their PROXY_HELLO. */
    static final int MAX_PENDING = 8;
    /** Refusals logged per minute; the rest are counted and reported with the next logged one. */
    static final int LOGGED_REFUSALS = 10;
    /** The largest first frame accepted: a PROXY_HELLO is a pid and a 64-character secret. */
    private static final int MAX_HELLO_BYTES = 1024;

    private final Path path;
    private final Consumer<Event> events;
    private final Duration helloTimeout;
    private final AtomicInteger pending = new AtomicInteger();
    private final Object sending = new Object();
    private final Object refusals = new Object();
    private volatile ServerSocketChannel server;
    private volatile Optional<Object> fileKey = Optional.empty();
    private volatile String expected = "";
    private volatile SocketChannel proxy;
    private long refusalMinute;
    private int refusedThisMinute;
    private int refusalsUnlogged;

    private ControlServer(Path path, Consumer<Event> events, Duration helloTimeout) {
        this.path = path;
        this.events = events;
        this.helloTimeout = helloTimeout;
    }

    /**
     * Binds the socket (mode 0600, whatever the umask) and starts accepting.
     *
     * @param path   the socket file; an old one is replaced
     * @param events the master's queue
     * @return the server
     * @throws IOException when it cannot be bound; the message names the path
     */
    static ControlServer open(Path path, Consumer<Event> events) throws IOException {
        return open(path, events, HELLO_TIMEOUT);
    }

    /** As {@link #open(Path, Consumer)}, with another bound on the wait for PROXY_HELLO (tests). */
    static ControlServer open(Path path, Consumer<Event> events, Duration helloTimeout) throws IOException {
        ControlServer cs = new ControlServer(path, events, helloTimeout);
        cs.bind();
        return cs;
    }

    private void bind() throws IOException {
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            Files.deleteIfExists(path);
            ch.bind(UnixDomainSocketAddress.of(path));
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
            fileKey = key(path);
        } catch (IOException e) {
            ch.close();
            throw new IOException("cannot bind the control socket " + path + ": " + e, e);
        }
        server = ch;
        Thread.ofVirtual().name("control-accept").start(() -> acceptLoop(ch));
    }

    private static Optional<Object> key(Path path) throws IOException {
        return Optional.ofNullable(Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                .fileKey());
    }

    @Override
    public void expect(String secret) {
        expected = secret;
    }

    @Override
    public boolean connected() {
        SocketChannel ch = proxy;
        return ch != null && ch.isOpen();
    }

    @Override
    public boolean send(WireMessage message) {
        SocketChannel ch = proxy;
        if (ch == null || !ch.isOpen()) {
            return false;
        }
        try {
            OutputStream out = Channels.newOutputStream(ch);
            synchronized (sending) {
                WireCodec.write(out, message);
            }
            return true;
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "control send failed: " + e.getMessage());
            return false;
        }
    }

    @Override
    public void check() {
        Optional<Object> now;
        try {
            now = key(path);
        } catch (NoSuchFileException e) {
            now = Optional.empty();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot check the control socket " + path + ": " + e);
            return;
        }
        if (now.isPresent() && (now.equals(fileKey) || fileKey.isEmpty())) {
            return;
        }
        LOG.log(System.Logger.Level.WARNING, "the control socket " + path + " was " + (now.isEmpty() ? "removed" : "replaced")
                + "; binding it again, so a respawned proxy can reach the master");
        try {
            ServerSocketChannel old = server;
            bind();
            old.close();
            LOG.log(System.Logger.Level.INFO, "bound the control socket " + path + " again");
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, e.getMessage() + " (tried again in a moment)");
        }
    }

    private void acceptLoop(ServerSocketChannel ch) {
        while (ch.isOpen()) {
            SocketChannel conn;
            try {
                conn = ch.accept();
            } catch (AsynchronousCloseException e) {
                return;
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "accepting on the control socket " + path + " failed: " + e.getMessage());
                continue;
            }
            if (pending.incrementAndGet() > MAX_PENDING) {
                pending.decrementAndGet();
                refuse(conn, Optional.empty(), "more than " + MAX_PENDING + " connections are waiting to introduce "
                        + "themselves");
                continue;
            }
            Thread.ofVirtual().name("control-read").start(() -> serve(conn));
        }
    }

    /** Reads one connection: PROXY_HELLO first, then, if it proved itself, its frames until it closes. */
    private void serve(SocketChannel ch) {
        AtomicBoolean decided = new AtomicBoolean();
        Thread.ofVirtual().name("control-hello-timeout").start(() -> {
            try {
                Thread.sleep(helloTimeout);
            } catch (InterruptedException e) {
                return;
            }
            if (decided.compareAndSet(false, true)) {
                pending.decrementAndGet();
                refuse(ch, Optional.empty(), "no PROXY_HELLO within " + helloTimeout.toMillis() + " ms");
            }
        });
        long pid;
        DataInputStream in;
        try {
            in = WireCodec.input(Channels.newInputStream(ch));
            WireMessage first = firstFrame(in);
            if (!(first instanceof ProxyHello hello)) {
                if (decided.compareAndSet(false, true)) {
                    pending.decrementAndGet();
                    refuse(ch, Optional.empty(), "its first frame is " + first.getClass().getSimpleName()
                            + ", not PROXY_HELLO");
                }
                return;
            }
            boolean ok = !expected.isEmpty() && SpawnSecrets.matches(expected, hello.secret());
            if (!decided.compareAndSet(false, true)) {
                return; // timed out meanwhile: already refused
            }
            pending.decrementAndGet();
            if (!ok) {
                refuse(ch, Optional.of(hello.pid()), hello.secret().isEmpty() ? "no secret" : "wrong secret");
                return;
            }
            pid = hello.pid();
        } catch (IOException e) {
            if (decided.compareAndSet(false, true)) {
                pending.decrementAndGet();
                refuse(ch, Optional.empty(), "no valid PROXY_HELLO (" + e.getMessage() + ")");
            }
            return;
        }
        SocketChannel previous = proxy;
        proxy = ch;
        if (previous != null) {
            close(previous);
        }
        LOG.log(System.Logger.Level.INFO, "the proxy (pid " + pid + ") connected to " + path);
        events.accept(new Event.ProxyConnected(pid));
        read(ch, in, pid);
    }

    /** The first frame, bounded: a peer that has not proved itself cannot make the master hold much. */
    private static WireMessage firstFrame(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 1 || length > MAX_HELLO_BYTES) {
            throw new ProtocolException("a first frame of " + length + " bytes");
        }
        byte[] frame = new byte[4 + length];
        ByteBuffer.wrap(frame).putInt(length);
        in.readFully(frame, 4, length);
        return WireCodec.read(new DataInputStream(new ByteArrayInputStream(frame)));
    }

    private void read(SocketChannel ch, DataInputStream in, long pid) {
        try {
            while (true) {
                switch (WireCodec.read(in)) {
                    case ProxyUp up -> events.accept(new Event.ProxyUp(pid));
                    case Listening l -> events.accept(new Event.ProxyListening(l.httpPort(), l.boxPort()));
                    case WorkerReady r -> events.accept(new Event.WorkerReady(r.pid(), r.generation()));
                    case BootFailed b -> events.accept(new Event.BootFailed(b.group(), b.slot(), b.pid(), b.generation(),
                            b.reason()));
                    case Recycle r -> events.accept(new Event.RecycleAsked(r.pid(), r.reason()));
                    case Stuck s -> events.accept(new Event.WorkerStuck(s.pid(), s.detail()));
                    case Reloaded r -> events.accept(new Event.ReloadDone(r.operation(), r.ok(), r.tried(), r.serving(),
                            r.summary(), r.details()));
                    case AdminCommand c -> events.accept(new Event.AdminCommand(c.request(), c.operation(), c.group(),
                            c.workers()));
                    case WireMessage other -> LOG.log(System.Logger.Level.WARNING, "unexpected "
                            + other.getClass().getSimpleName() + " from the proxy (pid " + pid + ") on the control socket");
                }
            }
        } catch (IOException e) {
            // The proxy went away; its exit reaches the master through the process exit callback.
            LOG.log(System.Logger.Level.DEBUG, "control connection of pid " + pid + " closed: " + e.getMessage());
        } finally {
            if (proxy == ch) {
                proxy = null;
            }
            close(ch);
        }
    }

    /** Logs a refused connection with what is known of its peer (rate-limited), and closes it. */
    private void refuse(SocketChannel ch, Optional<Long> claimedPid, String why) {
        String peer = peer(ch) + claimedPid.map(p -> ", claims pid " + p).orElse("");
        close(ch);
        synchronized (refusals) {
            long minute = System.nanoTime() / 60_000_000_000L;
            if (minute != refusalMinute) {
                refusalMinute = minute;
                refusedThisMinute = 0;
            }
            if (++refusedThisMinute > LOGGED_REFUSALS) {
                refusalsUnlogged++;
                return;
            }
            String unlogged = refusalsUnlogged == 0 ? "" : " (" + refusalsUnlogged + " more refused before, not logged)";
            refusalsUnlogged = 0;
            LOG.log(System.Logger.Level.WARNING, "refused a connection to the control socket " + path + " (" + peer
                    + "): " + why + "; only the proxy this master spawned may connect" + unlogged);
        }
    }

    private static String peer(SocketChannel ch) {
        try {
            UnixDomainPrincipal p = ch.getOption(ExtendedSocketOptions.SO_PEERCRED);
            return "peer user " + p.user().getName() + ", group " + p.group().getName();
        } catch (IOException | UnsupportedOperationException e) {
            return "peer unknown: " + e.getMessage();
        }
    }

    private static void close(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing a control connection: " + e.getMessage());
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        SocketChannel ch = proxy;
        if (ch != null) {
            close(ch);
        }
        try {
            if (key(path).equals(fileKey)) {
                Files.delete(path);
            }
        } catch (NoSuchFileException e) {
            // removed already
        }
    }
}
