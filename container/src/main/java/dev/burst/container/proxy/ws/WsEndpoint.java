package dev.burst.container.proxy.ws;

import dev.burst.api.DisconnectReason;
import dev.burst.container.config.ConnectionLimits;
import dev.burst.container.proxy.box.PeerLog;
import dev.burst.container.proxy.dispatch.Intake;
import dev.burst.container.proxy.users.Users;
import io.helidon.common.concurrency.limits.Limit;
import io.helidon.http.HttpPrologue;
import io.helidon.http.WritableHeaders;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.spi.Http1Upgrader;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.websocket.WsConfig;
import io.helidon.webserver.websocket.WsRouting;
import io.helidon.webserver.websocket.WsUpgrader;
import io.helidon.websocket.WsCloseException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * WebSocket clients at {@code GET /ws} on the HTTP listener: one binary message is one Box frame, in and
 * out, checked as Box/TCP checks a frame, so the same client code speaks both. Each connection is a
 * {@link WsConnection}, which users can be bound to and frames pushed to.
 *
 * <p>It plugs into Helidon's WebSocket module in three places the HTTP listener installs: the
 * {@link #protocol()} (the frame limit: {@code burst.box.max-packet} and {@link #FRAME_SLACK}), the
 * {@link #routing()} (the endpoint), and the {@link #upgrader()}, which wraps Helidon's. The wrapper is
 * what lets burst know a connection's end whatever causes it: Helidon 4.2 tells a listener of a close
 * frame, but not of a dropped connection or of a frame it refused itself. It also keeps such a connection
 * from being closed as idle: like a Box connection, one that only waits for pushes is the normal case.
 *
 * <p>Threads: upgrades and each connection's reading run on Helidon's virtual thread of that connection;
 * {@link #closeConnections} on the proxy's main thread as it stops; views on admin threads.
 */
public final class WsEndpoint {

    private static final System.Logger LOG = System.getLogger(WsEndpoint.class.getName());
    /** The path clients upgrade on. */
    public static final String PATH = "/ws";
    /** WebSocket frames up to this much over burst.box.max-packet reach burst's own check (and its message). */
    static final int FRAME_SLACK = 4096;
    private static final long PEER_LOG_INTERVAL = TimeUnit.MINUTES.toNanos(1);
    /**
     * The connection being upgraded, from the upgrader to the endpoint's listener supplier: Helidon calls
     * that supplier inside the upgrader's own call, on the same thread.
     */
    private static final ThreadLocal<WsConnection> UPGRADING = new ThreadLocal<>();

    private final Intake intake;
    private final Users users;
    private final int maxPacket;
    private final ConnectionLimits limits;
    private final WsConfig protocol;
    private final WsStats stats = new WsStats();
    private final PeerLog peerLog = new PeerLog(PEER_LOG_INTERVAL, line -> LOG.log(System.Logger.Level.WARNING, line));
    private final Set<WsConnection> connections = ConcurrentHashMap.newKeySet();
    private volatile boolean stopping;
    /** Bytes of unfinished messages over every connection, within burst.box.max-inbound-bytes. */
    private final AtomicLong inbound = new AtomicLong();
    /** Closes connections whose message is not whole within burst.box.frame-timeout; started with the first. */
    private ScheduledExecutorService sweeper;

    private WsEndpoint(int maxPacket, ConnectionLimits limits, Intake intake, Users users) {
        this.intake = intake;
        this.users = users;
        this.maxPacket = maxPacket;
        this.limits = limits;
        this.protocol = WsConfig.builder().maxFrameLength(maxPacket + FRAME_SLACK).build();
    }

    /**
     * @param maxPacket the largest Box packet_len, and so the largest message (burst.box.max-packet)
     * @param limits    the connection limits (burst.box.max-in-flight, burst.connection.max-outbound)
     * @param intake    where requests go
     * @param users     told of each connection opening and closing, so it can be logged in and pushed to
     * @return the endpoint, for the HTTP listener to install
     */
    public static WsEndpoint create(int maxPacket, ConnectionLimits limits, Intake intake, Users users) {
        return new WsEndpoint(maxPacket, limits, intake, users);
    }

    /** @return the WebSocket protocol settings of the listener (the frame limit) */
    public WsConfig protocol() {
        return protocol;
    }

    /** @return the listener's WebSocket routing: the endpoint at {@link #PATH} */
    public WsRouting.Builder routing() {
        return WsRouting.builder().endpoint(PATH, () -> Objects.requireNonNull(UPGRADING.get(),
                "a WebSocket upgrade outside burst's upgrader"));
    }

    /** @return the upgrader from HTTP/1.1 to WebSocket, for the listener's HTTP/1.1 connections */
    public Http1Upgrader upgrader() {
        return new Upgrader(WsUpgrader.create(protocol));
    }

    /** @return what it counted */
    public WsStats stats() {
        return stats;
    }

    /**
     * Closes every connection once what is queued for it is written (close code 1001, reason
     * SERVER_STOPPING), and waits for that; past the timeout, closes their sockets. Connections opened
     * from now on are closed at once.
     *
     * @param timeout how long a client that does not read or answer the close may hold the stop up
     * @return true if every connection closed in time
     */
    public boolean closeConnections(Duration timeout) throws InterruptedException {
        stopping = true;
        synchronized (this) {
            if (sweeper != null) {
                sweeper.shutdownNow();
            }
        }
        List<WsConnection> all = List.copyOf(connections);
        all.forEach(c -> c.closeAfterWrites(DisconnectReason.SERVER_STOPPING));
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean done = true;
        for (WsConnection c : all) {
            if (!c.awaitEnd(deadline - System.nanoTime())) {
                done = false;
                c.abort();
            }
        }
        return done;
    }

    // ---- for its connections ------------------------------------------------------------------------

    void opened(WsConnection c) {
        startSweeper();
        stats.open.incrementAndGet();
        stats.accepted.increment();
        connections.add(c);
        users.opened(c);
        if (stopping) {
            c.closeAfterWrites(DisconnectReason.SERVER_STOPPING);
        }
    }

    void closed(WsConnection c, WsStats.Close cause) {
        if (connections.remove(c)) {
            stats.open.decrementAndGet();
        }
        stats.closed(cause);
        users.closed(c, cause.reason);
    }

    /**
     * Charges (or, negative, gives back) bytes of an unfinished message.
     *
     * @param bytes the change
     * @return false, charging nothing, if it would take the total over burst.box.max-inbound-bytes
     */
    boolean charge(long bytes) {
        if (bytes <= 0) {
            inbound.addAndGet(bytes);
            return true;
        }
        long limit = limits.boxMaxInboundBytes();
        while (true) {
            long now = inbound.get();
            if (now + bytes > limit) {
                return false;
            }
            if (inbound.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    /** @return bytes of unfinished messages held now, over every connection */
    public long inboundBytes() {
        return inbound.get();
    }

    private synchronized void startSweeper() {
        if (sweeper != null || stopping) {
            return;
        }
        long timeout = limits.boxFrameTimeout().toNanos();
        long period = Math.max(TimeUnit.MILLISECONDS.toNanos(5), Math.min(TimeUnit.SECONDS.toNanos(1), timeout / 4));
        sweeper = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("ws-frame-timeout")
                .daemon().unstarted(r));
        sweeper.scheduleAtFixedRate(() -> sweep(timeout), period, period, TimeUnit.NANOSECONDS);
    }

    /** A periodic task must not die of one failure: each connection is looked at on its own. */
    private void sweep(long timeoutNanos) {
        long now = System.nanoTime();
        for (WsConnection c : connections) {
            try {
                c.checkFrameTimeout(now, timeoutNanos);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "the WebSocket frame-timeout sweep failed on " + c, e);
            }
        }
    }

    Intake intake() {
        return intake;
    }

    int maxPacket() {
        return maxPacket;
    }

    ConnectionLimits limits() {
        return limits;
    }

    PeerLog peerLog() {
        return peerLog;
    }

    /** Helidon's upgrader, with each upgraded connection given its {@link WsConnection} and tracked to its end. */
    private final class Upgrader implements Http1Upgrader {
        private final Http1Upgrader helidon;

        Upgrader(Http1Upgrader helidon) {
            this.helidon = helidon;
        }

        @Override
        public String supportedProtocol() {
            return helidon.supportedProtocol();
        }

        @Override
        public ServerConnection upgrade(ConnectionContext ctx, HttpPrologue prologue, WritableHeaders<?> headers) {
            SocketAddress remote = ctx.remotePeer().address();
            String peer = remote.toString().replaceFirst("^/", "");
            String address = remote instanceof InetSocketAddress isa ? isa.getAddress().getHostAddress() : peer;
            WsConnection c = new WsConnection(intake.newSource(), peer, address, WsEndpoint.this, ctx.dataWriter(),
                    ctx.serverSocket());
            ServerConnection upgraded;
            UPGRADING.set(c);
            try {
                upgraded = helidon.upgrade(ContextView.watched(ctx, c), prologue, headers);
            } finally {
                UPGRADING.remove();
            }
            return upgraded == null ? null : new Tracked(upgraded, c);
        }
    }

    /** Helidon's WebSocket connection, watched: its end, however it comes, ends the {@link WsConnection}. */
    private static final class Tracked implements ServerConnection {
        private final ServerConnection helidon;
        private final WsConnection connection;

        Tracked(ServerConnection helidon, WsConnection connection) {
            this.helidon = helidon;
            this.connection = connection;
        }

        @Override
        public void handle(Limit limit) throws InterruptedException {
            try {
                helidon.handle(limit);
            } catch (CloseConnectionException e) {
                if (e.getCause() instanceof WsCloseException refused) {
                    connection.refusedByHelidon(refused.closeCode(), refused.getMessage());
                }
                throw e;
            } finally {
                connection.ended();
            }
        }

        /** Never idle: a client that only waits for pushes is served as long as it stays connected. */
        @Override
        public Duration idleTime() {
            return Duration.ZERO;
        }

        /** Helidon closes its connections as the listener stops. */
        @Override
        public void close(boolean interrupt) {
            connection.stopping();
            helidon.close(interrupt);
        }
    }
}
