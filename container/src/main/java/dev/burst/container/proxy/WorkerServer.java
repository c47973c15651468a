package dev.burst.container.proxy;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;

/**
 * The Unix domain socket workers connect to ({@code run/proxy.sock}), readable and writable by burst's
 * own user only (mode 0600 whatever the umask); a worker is admitted only with the master's per-spawn
 * secret ({@link WorkerSessions#serve}). One platform thread per worker link (a few dozen at most, never one
 * per request): a platform thread blocks in read(2) itself, where a virtual one costs a failed read, an
 * epoll registration and a poller wake-up per reply (20% more proxy CPU per request at one connection).
 *
 * <p>If the socket file disappears (an operator's {@code rm}, a cleanup script), the next check on the
 * proxy's timer binds it again, so replacement workers can still connect.
 */
final class WorkerServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(WorkerServer.class.getName());

    private final Path path;
    private final WorkerSessions sessions;
    private volatile ServerSocketChannel server;
    private volatile Object boundFile;

    private WorkerServer(Path path, WorkerSessions sessions) {
        this.path = path;
        this.sessions = sessions;
    }

    static WorkerServer start(Path path, WorkerSessions sessions) throws IOException {
        WorkerServer ws = new WorkerServer(path, sessions);
        ws.bind();
        return ws;
    }

    private synchronized void bind() throws IOException {
        Files.deleteIfExists(path);
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.bind(UnixDomainSocketAddress.of(path));
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            ch.close();
            throw new IOException("cannot listen on the worker socket " + path + ": " + e.getMessage(), e);
        }
        ServerSocketChannel old = server;
        server = ch;
        boundFile = fileKey();
        Thread.ofVirtual().name("worker-accept").start(() -> acceptLoop(ch));
        if (old != null) {
            old.close();
        }
    }

    private Object fileKey() {
        try {
            return Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS).fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    /** Timer: binds the socket again when its file is gone or was replaced. Never throws. */
    void rebindIfGone() {
        if (!server.isOpen()) {
            return;
        }
        Object now = fileKey();
        if (now != null && Objects.equals(now, boundFile)) {
            return;
        }
        LOG.log(System.Logger.Level.WARNING, "the worker socket " + path + " was "
                + (now == null ? "removed" : "replaced") + "; binding it again");
        try {
            bind();
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, e.getMessage() + "; trying again in a second");
        }
    }

    private void acceptLoop(ServerSocketChannel ch) {
        while (ch.isOpen()) {
            try {
                SocketChannel worker = ch.accept();
                Thread.ofPlatform().name("worker-link").daemon().start(() -> sessions.serve(worker));
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "worker socket accept failed: " + e.getMessage());
            }
        }
    }

    @Override
    public synchronized void close() throws IOException {
        server.close();
        if (Objects.equals(fileKey(), boundFile)) {
            Files.deleteIfExists(path);
        }
    }
}
