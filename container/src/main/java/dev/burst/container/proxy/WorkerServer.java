package dev.burst.container.proxy;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Unix domain socket workers connect to ({@code run/proxy.sock}); one platform thread per worker
 * link (a few dozen at most, never one per request). A platform thread blocks in read(2) itself; a
 * virtual one costs a failed read, an epoll registration and a poller wake-up per reply, which the
 * benchmark saw as 20% more proxy CPU per request at one connection.
 */
final class WorkerServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(WorkerServer.class.getName());

    private final ServerSocketChannel server;
    private final Path path;

    private WorkerServer(ServerSocketChannel server, Path path) {
        this.server = server;
        this.path = path;
    }

    static WorkerServer start(Path path, Dispatcher dispatcher) throws IOException {
        Files.deleteIfExists(path);
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        ch.bind(UnixDomainSocketAddress.of(path));
        WorkerServer ws = new WorkerServer(ch, path);
        Thread.ofVirtual().name("worker-accept").start(() -> ws.acceptLoop(dispatcher));
        return ws;
    }

    private void acceptLoop(Dispatcher dispatcher) {
        while (server.isOpen()) {
            try {
                SocketChannel worker = server.accept();
                Thread.ofPlatform().name("worker-link").daemon().start(() -> dispatcher.serve(worker));
            } catch (AsynchronousCloseException e) {
                return;
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "worker socket accept failed: " + e.getMessage());
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        Files.deleteIfExists(path);
    }
}
