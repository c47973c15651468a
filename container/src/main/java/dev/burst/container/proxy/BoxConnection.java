package dev.burst.container.proxy;

import dev.burst.container.protocol.BoxHeader;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One Box client connection: many requests in flight, replies written in completion order.
 *
 * <p>Threads: the reader virtual thread parses frames and submits tasks; outcomes arrive on worker
 * reader threads and only enqueue the encoded reply; the writer virtual thread writes queued replies,
 * flushing when the queue runs dry, so a slow client never holds a worker's thread.
 *
 * <p>A frame with a bad magic or an out-of-range packet_len closes this connection (and only it).
 * A body is read as it arrives, so a claimed length costs memory only as its bytes come in.
 */
final class BoxConnection {

    private static final System.Logger LOG = System.getLogger(BoxConnection.class.getName());
    private static final byte[] CLOSE = new byte[0];

    private final Socket socket;
    private final Dispatcher dispatcher;
    private final int maxPacket;
    private final Consumer<BoxConnection> onClosed;
    private final String peer;
    private final LinkedBlockingQueue<byte[]> replies = new LinkedBlockingQueue<>();
    /** Requests submitted and not yet replied to. */
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean readerDone;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    /** Completes when the writer has written what it owed and closed the socket. */
    private final CompletableFuture<Void> writerDone = new CompletableFuture<>();

    BoxConnection(Socket socket, Dispatcher dispatcher, int maxPacket, Consumer<BoxConnection> onClosed) {
        this.socket = socket;
        this.dispatcher = dispatcher;
        this.maxPacket = maxPacket;
        this.onClosed = onClosed;
        this.peer = socket.getRemoteSocketAddress().toString().replaceFirst("^/", "");
    }

    void start() {
        dispatcher.clients.incrementAndGet();
        Thread.ofVirtual().name("box-read " + peer).start(this::readLoop);
        Thread.ofVirtual().name("box-write " + peer).start(this::writeLoop);
    }

    private void readLoop() {
        byte[] header = new byte[BoxHeader.SIZE];
        // Not try-with-resources: closing a socket's input stream closes the socket, and after the
        // client's EOF (or half-close) the writer still owes it the replies in flight.
        try {
            InputStream in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
            while (true) {
                int n = in.readNBytes(header, 0, BoxHeader.SIZE);
                if (n == 0) {
                    break;
                }
                if (n < BoxHeader.SIZE) {
                    abort("connection closed inside a frame header (" + n + " of 24 bytes)");
                    return;
                }
                int magic = BoxHeader.magicOf(header);
                if (magic != BoxHeader.MAGIC) {
                    abort(String.format("bad magic 0x%08X", magic));
                    return;
                }
                BoxHeader h = BoxHeader.decode(header);
                var problem = h.check(maxPacket);
                if (problem.isPresent()) {
                    abort(problem.get());
                    return;
                }
                byte[] body = in.readNBytes(h.bodyLength());
                if (body.length < h.bodyLength()) {
                    abort("connection closed inside a frame body (" + body.length + " of " + h.bodyLength() + " bytes)");
                    return;
                }
                inFlight.incrementAndGet();
                dispatcher.submit(h.cmd(), h.sn(), peer, body, outcome -> {
                    replies.add(h.encodeReply(outcome.ret(), outcome.isError() ? new byte[0] : outcome.body()));
                });
            }
        } catch (IOException e) {
            if (!socket.isClosed()) {
                LOG.log(System.Logger.Level.DEBUG, "box " + peer + ": " + e.getMessage());
            }
        }
        // The client stopped sending (EOF or half-close): answer what it asked, then close.
        readerDone = true;
        replies.add(CLOSE);
    }

    private void writeLoop() {
        try (OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024)) {
            while (true) {
                byte[] frame = replies.take();
                do {
                    if (frame == CLOSE) {
                        if (readerDone && inFlight.get() == 0 || socket.isClosed()) {
                            out.flush();
                            return;
                        }
                    } else {
                        out.write(frame);
                        inFlight.decrementAndGet();
                    }
                    frame = replies.poll();
                } while (frame != null);
                out.flush();
                if (readerDone && inFlight.get() == 0) {
                    return;
                }
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "box " + peer + " write failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeSocket();
            writerDone.complete(null);
        }
    }

    /** A bad frame: log who sent it and drop this connection only. */
    private void abort(String why) {
        LOG.log(System.Logger.Level.WARNING, "box: closing connection from " + peer + ": " + why);
        closeSocket();
        replies.add(CLOSE);
    }

    /**
     * Stop reading; the writer closes after the replies still owed are written.
     *
     * @return completes once the writer has written them and closed the socket
     */
    CompletableFuture<Void> finish() {
        try {
            socket.shutdownInput();
        } catch (IOException e) {
            closeSocket();
            replies.add(CLOSE);
        }
        return writerDone;
    }

    private void closeSocket() {
        if (closed.compareAndSet(false, true)) {
            dispatcher.clients.decrementAndGet();
        }
        try {
            socket.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "box " + peer + " close: " + e.getMessage());
        }
        onClosed.accept(this);
    }
}
