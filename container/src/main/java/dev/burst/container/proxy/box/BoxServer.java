package dev.burst.container.proxy.box;

import dev.burst.container.config.ConnectionLimits;
import dev.burst.container.proxy.dispatch.Intake;
import dev.burst.container.proxy.users.Users;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Box TCP listener (netkit's frame, see {@link dev.burst.container.protocol}): one accepting thread
 * and a few non-blocking {@link IoLoop}s that serve every connection, so a connection costs a socket
 * and a small object, not threads or buffers.
 *
 * <p>Box is a raw binary protocol, so it has its own listener beside Helidon's HTTP one rather than a
 * Helidon connection provider: frame checks stay exact and no HTTP machinery sits on its path.
 *
 * <p>Limits (each counted in {@link BoxStats} and logged, rate-limited per peer address):
 * burst.box.max-connections (refused at accept), burst.box.max-inbound-bytes (oldest unfinished frames
 * closed first), burst.box.frame-timeout, burst.box.max-in-flight (reading paused),
 * burst.connection.max-outbound (slow consumers closed).
 *
 * <p>Threads: the acceptor (platform, blocking accept) never dies of an exception — a failed accept
 * (out of file descriptors, say) is logged, at most every few seconds, and retried after a pause.
 */
public final class BoxServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(BoxServer.class.getName());
    private static final long PEER_LOG_INTERVAL = TimeUnit.MINUTES.toNanos(1);
    private static final long ACCEPT_FAILURE_PAUSE_MILLIS = 50;

    private final ServerSocketChannel server;
    private final Intake intake;
    private final int maxPacket;
    private final ConnectionLimits limits;
    private final BoxStats stats = new BoxStats();
    private final InboundBudget budget;
    private final PeerLog peerLog = new PeerLog(PEER_LOG_INTERVAL);
    private final PeerLog acceptLog = new PeerLog(TimeUnit.SECONDS.toNanos(10));
    private final List<IoLoop> loops = new ArrayList<>();
    private final Users users;
    private final Set<BoxConnection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicInteger next = new AtomicInteger();
    private final Thread acceptor;

    private BoxServer(ServerSocketChannel server, Intake intake, Users users, int maxPacket, ConnectionLimits limits,
                      int loopCount) throws IOException {
        this.server = server;
        this.intake = intake;
        this.users = users;
        this.maxPacket = maxPacket;
        this.limits = limits;
        this.budget = new InboundBudget(limits.boxMaxInboundBytes());
        for (int i = 0; i < loopCount; i++) {
            loops.add(new IoLoop(this, "box-io-" + (i + 1)));
        }
        this.acceptor = Thread.ofPlatform().name("box-accept").daemon().unstarted(this::acceptLoop);
    }

    /**
     * Binds and starts the listener.
     *
     * @param host      the address to listen on
     * @param port      the port (0 = a free one)
     * @param maxPacket the largest packet_len (burst.box.max-packet)
     * @param limits    the connection limits
     * @param intake    where requests go
     * @param users     told of each connection opening and closing, so it can be logged in and pushed to
     * @return the running listener
     * @throws IOException when it cannot bind; the message names the address and port
     */
    public static BoxServer start(String host, int port, int maxPacket, ConnectionLimits limits, Intake intake,
                                  Users users) throws IOException {
        ServerSocketChannel ch = ServerSocketChannel.open();
        try {
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            ch.bind(new InetSocketAddress(host, port), 1024);
        } catch (IOException e) {
            ch.close();
            throw new IOException("the Box listener cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        int loops = Math.max(1, Math.min(8, Runtime.getRuntime().availableProcessors() / 2));
        BoxServer box = new BoxServer(ch, intake, users, maxPacket, limits, loops);
        box.loops.forEach(IoLoop::start);
        box.acceptor.start();
        return box;
    }

    /** @return the port it listens on */
    public int port() {
        return server.socket().getLocalPort();
    }

    /** @return what it counted */
    public BoxStats stats() {
        return stats;
    }

    /** @return bytes held now in unfinished inbound frames */
    public long inboundBytes() {
        return budget.held();
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (AsynchronousCloseException e) {
                return;
            } catch (IOException | RuntimeException e) {
                if (!server.isOpen()) {
                    return;
                }
                acceptLog.warn("accept", "", "box: accepting a connection failed: " + e.getMessage()
                        + "; retrying (too many open files? see ulimit -n, burst.box.max-connections)");
                pause();
                continue;
            }
            try {
                admit(ch);
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "box: dropping a connection that failed as it came in: " + e);
                closeQuietly(ch);
            }
        }
    }

    private void admit(SocketChannel ch) throws IOException {
        SocketAddress remote = ch.getRemoteAddress();
        String peer = remote == null ? "?" : remote.toString().replaceFirst("^/", "");
        String address = remote instanceof InetSocketAddress isa ? isa.getAddress().getHostAddress() : peer;
        if (stats.open.get() >= limits.boxMaxConnections()) {
            stats.refused.increment();
            closeQuietly(ch);
            peerLog.warn("refused", address, "box: refusing a connection from " + peer + ": burst.box.max-connections "
                    + limits.boxMaxConnections() + " are open");
            return;
        }
        ch.configureBlocking(false);
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        IoLoop loop = loops.get(Math.floorMod(next.getAndIncrement(), loops.size()));
        BoxConnection c = new BoxConnection(intake.newSource(), ch, peer, address, loop, this);
        stats.open.incrementAndGet();
        stats.accepted.increment();
        connections.add(c);
        users.opened(c);
        loop.adopt(c);
    }

    /** Called once by each connection as it closes (its loop's thread), outside its monitor. */
    void closed(BoxConnection c) {
        if (connections.remove(c)) {
            stats.open.decrementAndGet();
        }
        users.closed(c, c.reason());
    }

    /** Stops accepting; open connections go on until {@link #closeConnections}. */
    public void stopAccepting() {
        try {
            server.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing the box listener: " + e);
        }
    }

    /**
     * Finishes every connection: no more input, and each is closed once the replies it is owed are
     * written. Waits for that (the process exits next, and a reply still queued would be lost with it).
     *
     * @param timeout how long a client that does not read may hold the stop up
     * @return true if every connection was written out and closed in time
     */
    public boolean closeConnections(Duration timeout) throws InterruptedException {
        for (IoLoop loop : loops) {
            loop.execute(() -> loop.connections().forEach(BoxConnection::finish));
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!connections.isEmpty() && System.nanoTime() - deadline < 0) {
            Thread.sleep(10); // the stop path, once: what it waits for is clients reading their replies
        }
        boolean done = connections.isEmpty();
        if (!done) {
            for (IoLoop loop : loops) {
                loop.execute(() -> loop.connections().forEach(c -> c.close("stopping", System.Logger.Level.DEBUG)));
            }
        }
        return done;
    }

    @Override
    public void close() {
        stopAccepting();
        for (IoLoop loop : loops) {
            loop.execute(() -> loop.connections().forEach(c -> c.close("stopping", System.Logger.Level.DEBUG)));
        }
        loops.forEach(IoLoop::stop);
    }

    int maxPacket() {
        return maxPacket;
    }

    ConnectionLimits limits() {
        return limits;
    }

    InboundBudget budget() {
        return budget;
    }

    PeerLog peerLog() {
        return peerLog;
    }

    Intake intake() {
        return intake;
    }

    private static void pause() {
        try {
            Thread.sleep(ACCEPT_FAILURE_PAUSE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // refusing it either way
        }
    }
}
