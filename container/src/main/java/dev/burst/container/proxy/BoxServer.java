package dev.burst.container.proxy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The Box TCP listener (netkit's frame, see {@link dev.burst.container.protocol}). One virtual thread
 * accepts; each connection gets a reader and a writer virtual thread ({@link BoxConnection}).
 *
 * <p>Box is a raw binary protocol, so it has its own listener beside Helidon's HTTP one rather than a
 * Helidon connection provider: frame checks stay exact and no HTTP machinery sits on its path.
 */
final class BoxServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(BoxServer.class.getName());

    private final ServerSocket server;
    private final Dispatcher dispatcher;
    private final int maxPacket;
    private final Set<BoxConnection> connections = ConcurrentHashMap.newKeySet();

    private BoxServer(ServerSocket server, Dispatcher dispatcher, int maxPacket) {
        this.server = server;
        this.dispatcher = dispatcher;
        this.maxPacket = maxPacket;
    }

    static BoxServer start(String host, int port, Dispatcher dispatcher, int maxPacket) throws IOException {
        ServerSocket ss = new ServerSocket();
        ss.setReuseAddress(true);
        ss.bind(new InetSocketAddress(host, port), 1024);
        BoxServer box = new BoxServer(ss, dispatcher, maxPacket);
        Thread.ofVirtual().name("box-accept").start(box::acceptLoop);
        return box;
    }

    int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                s.setTcpNoDelay(true);
                BoxConnection c = new BoxConnection(s, dispatcher, maxPacket, connections::remove);
                connections.add(c);
                c.start();
            } catch (SocketException e) {
                if (!server.isClosed()) {
                    LOG.log(System.Logger.Level.WARNING, "box accept failed: " + e.getMessage());
                }
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "box accept failed: " + e.getMessage());
            }
        }
    }

    /** Stops accepting; open connections go on until {@link #closeConnections()}. */
    void stopAccepting() {
        try {
            server.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing the box listener: " + e);
        }
    }

    /**
     * Closes every connection once the replies already queued on it are written, and waits for that
     * (the process exits next, and a reply still in a writer's queue would be lost with it).
     *
     * @param timeout how long a client that does not read may hold the stop up
     * @return true if every connection was written out and closed in time
     */
    boolean closeConnections(Duration timeout) throws InterruptedException {
        CompletableFuture<?>[] done = connections.stream().map(BoxConnection::finish).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(done).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public void close() {
        stopAccepting();
        connections.forEach(BoxConnection::finish);
    }
}
