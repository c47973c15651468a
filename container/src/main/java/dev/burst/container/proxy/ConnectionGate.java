package dev.burst.container.proxy;

import dev.burst.container.proxy.ws.ContextView;
import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataReader;
import io.helidon.common.concurrency.limits.Limit;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.socket.PeerInfo;
import io.helidon.common.task.InterruptableTask;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.ServerConnectionException;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionSelector;
import io.helidon.webserver.http1.spi.Http1Upgrader;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The only connection selector of one listener: every accepted connection passes here before any byte
 * is read, so this is where burst counts open connections, refuses those over the limit, lets HTTP/1.0
 * in and turns the end of a client's stream into a quiet close.
 *
 * <ul>
 * <li><b>Limit.</b> Helidon's own {@code max-tcp-connections} stops accepting at the limit: new clients
 *     wait in the kernel's backlog, silent, and nothing counts them. Here a connection over
 *     {@code max} is closed at once, counted ({@link #refused()}), and logged at most once a minute per
 *     peer address. Because this is the listener's only selector, Helidon hands it each connection as
 *     soon as it is accepted (it needs no bytes to choose), so idle connections count too.</li>
 * <li><b>HTTP/1.0.</b> Helidon 4 answers HTTP/1.0 with 505, and it cannot be configured otherwise. The
 *     gate waits for the first request line; an HTTP/1.0 one is served by Helidon's HTTP/1.1 connection
 *     through {@link Http10}'s translation, anything else by the HTTP/1.1 connection directly.</li>
 * <li><b>End of stream.</b> Helidon's own reader reports a client that closed in the middle of a
 *     request as an exception the routing answers with a 500 and a stack trace. The gate gives the
 *     connection a reader over the same socket whose end of stream is a {@link CloseConnectionException},
 *     which Helidon takes as what it is: the client left. That is logged as one DEBUG line.</li>
 * <li><b>Close after the response.</b> Helidon 4.2 writes {@code Connection: close} but goes on reading.
 *     {@link #closeAfterResponse()} lets the error handling and the HTTP/1.0 path end the connection once
 *     the response in progress is written.</li>
 * </ul>
 *
 * <p>Threads: {@link #connection} and everything a {@link Gated} connection does run on that
 * connection's Helidon virtual thread (which also runs the routing, so {@link #closeAfterResponse()}
 * finds its connection in a thread local); {@link Gated#close} may be called from Helidon's listener
 * and idle-timer threads.
 */
final class ConnectionGate implements ServerConnectionSelector {

    private static final System.Logger LOG = System.getLogger(ConnectionGate.class.getName());
    private static final ThreadLocal<Gated> CURRENT = new ThreadLocal<>();
    private static final long LOG_EVERY = TimeUnit.MINUTES.toNanos(1);
    /** Peer addresses remembered for the once-a-minute log; beyond it, refusals are counted but not logged. */
    static final int MAX_LOGGED_PEERS = 4096;

    private final String listener;
    private final int max;
    private final String maxKey;
    private final Http1Config http1;
    private final Http1ConnectionSelector delegate;
    private final AtomicInteger open = new AtomicInteger();
    private final LongAdder refused = new LongAdder();
    private final ConcurrentHashMap<InetAddress, Long> lastLogged = new ConcurrentHashMap<>();

    /**
     * @param listener the listener's name for log lines ({@code http}, {@code admin})
     * @param max      most connections open at once
     * @param maxKey   the configuration key of {@code max}, for log lines
     * @param http1    the HTTP/1.1 protocol settings
     * @param upgrades  what HTTP/1.1 connections may upgrade to (WebSocket on the HTTP listener)
     */
    ConnectionGate(String listener, int max, String maxKey, Http1Config http1, List<Http1Upgrader> upgrades) {
        this.listener = listener;
        this.max = max;
        this.maxKey = maxKey;
        this.http1 = http1;
        var selector = Http1ConnectionSelector.builder().config(http1);
        upgrades.forEach(selector::addUpgrader);
        this.delegate = selector.build();
    }

    /** Ends the current thread's connection once the response in progress is written; no-op elsewhere. */
    static void closeAfterResponse() {
        Gated g = CURRENT.get();
        if (g != null) {
            g.closeAfterResponse();
        }
    }

    /** @return connections refused over the limit since start */
    long refused() {
        return refused.sum();
    }

    /** @return connections open now */
    int open() {
        return open.get();
    }

    @Override
    public int bytesToIdentifyConnection() {
        return 0;
    }

    @Override
    public Support supports(BufferData request) {
        return Support.SUPPORTED;
    }

    @Override
    public Set<String> supportedApplicationProtocols() {
        return delegate.supportedApplicationProtocols();
    }

    @Override
    public ServerConnection connection(ConnectionContext ctx) {
        return new Gated(ctx);
    }

    private boolean admit() {
        if (open.incrementAndGet() <= max) {
            return true;
        }
        open.decrementAndGet();
        refused.increment();
        return false;
    }

    private void logRefusal(PeerInfo peer) {
        InetAddress address = peer.address() instanceof java.net.InetSocketAddress a ? a.getAddress() : null;
        if (address == null) {
            return;
        }
        long now = System.nanoTime();
        if (lastLogged.size() >= MAX_LOGGED_PEERS && !lastLogged.containsKey(address)) {
            lastLogged.values().removeIf(t -> now - t >= LOG_EVERY);
            if (lastLogged.size() >= MAX_LOGGED_PEERS) {
                return;
            }
        }
        boolean[] due = new boolean[1];
        lastLogged.compute(address, (k, last) -> {
            due[0] = last == null || now - last >= LOG_EVERY;
            return due[0] ? now : last;
        });
        if (due[0]) {
            LOG.log(System.Logger.Level.WARNING, listener + " listener refused a connection from "
                    + address.getHostAddress() + ": " + maxKey + " " + max + " connections are open; "
                    + refused.sum() + " refused since start (each address is logged at most once a minute)");
        }
    }

    /** One accepted connection: admitted or refused, then served by Helidon's HTTP/1.1 connection. */
    private final class Gated implements ServerConnection, InterruptableTask<Void> {
        private final ConnectionContext ctx;
        private final long acceptedAt = System.nanoTime();
        private volatile ServerConnection http;
        private volatile Thread thread;
        private volatile boolean closed;

        Gated(ConnectionContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public void handle(Limit limit) throws InterruptedException {
            if (!admit()) {
                logRefusal(ctx.remotePeer());
                return; // Helidon closes the socket as this returns
            }
            thread = Thread.currentThread();
            CURRENT.set(this);
            try {
                DataReader reader = new DataReader(this::read);
                boolean old = Http10.isRequestLine(firstLine(reader));
                ConnectionContext view = old ? Http10.translate(ctx, reader, http1) : new ContextView(ctx, reader, ctx.dataWriter());
                if (view == null) {
                    return; // an HTTP/1.0 request refused by the translation itself, already answered
                }
                ServerConnection c = delegate.connection(view);
                http = c;
                if (!closed) {
                    c.handle(limit);
                }
            } catch (CloseConnectionException e) {
                if (http instanceof InterruptableTask<?> t && !t.canInterrupt()) {
                    // the HTTP/1.1 connection is not between requests: the client left in the middle of one
                    LOG.log(System.Logger.Level.DEBUG, () -> listener + " listener: " + ctx.remotePeer().host()
                            + " closed its connection in the middle of a request (" + e.getMessage() + ")");
                }
                throw e;
            } finally {
                CURRENT.remove();
                open.decrementAndGet();
            }
        }

        /** The socket's next bytes; its end is the end of this connection, wherever it falls. */
        private byte[] read() {
            HelidonSocket socket = ctx.serverSocket();
            byte[] bytes;
            try {
                bytes = socket.get();
            } catch (UncheckedIOException e) {
                throw new ServerConnectionException("the socket failed", e);
            }
            if (bytes == null) {
                throw new CloseConnectionException("the client closed its side");
            }
            return bytes;
        }

        /** Waits for the first request line (without consuming it); empty if it is not a line yet. */
        private String firstLine(DataReader reader) {
            try {
                int eol = reader.findNewLine(http1.maxPrologueLength());
                if (eol >= http1.maxPrologueLength()) {
                    return "";
                }
                return reader.getBuffer(eol).readString(eol, StandardCharsets.US_ASCII);
            } catch (DataReader.IncorrectNewLineException e) {
                return ""; // Helidon's prologue parser answers it
            }
        }

        void closeAfterResponse() {
            ServerConnection c = http;
            if (c != null) {
                c.close(false); // not reading a prologue now, so this only stops the loop after this request
            }
        }

        @Override
        public boolean canInterrupt() {
            ServerConnection c = http;
            return c == null || c instanceof InterruptableTask<?> t && t.canInterrupt();
        }

        @Override
        public Duration idleTime() {
            ServerConnection c = http;
            return c != null ? c.idleTime() : Duration.ofNanos(System.nanoTime() - acceptedAt);
        }

        @Override
        public void close(boolean interrupt) {
            closed = true;
            ServerConnection c = http;
            if (c != null) {
                c.close(interrupt);
                return;
            }
            Thread t = thread;
            if (t != null) {
                t.interrupt(); // waiting for the first request line: nothing to finish
            }
        }
    }
}
