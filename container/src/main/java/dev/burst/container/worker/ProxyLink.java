package dev.burst.container.worker;

import dev.burst.container.protocol.WireCodec;
import dev.burst.container.protocol.WireMessage;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

/**
 * A worker's connection to the proxy: frames in, frames out, and a way to end the wait for the next
 * frame when the worker is asked to stop. Over any connected {@link SocketChannel}: the proxy's Unix
 * socket in a worker, a loopback pair in tests.
 *
 * <p>Reading. The channel is non-blocking and registered with a selector of its own, so the task thread
 * waits for "the next frame or a deadline" (its next timer) in one {@code select}, on its own thread:
 * no other thread reads for it and hands frames over. It reads into a buffer it keeps, as many bytes as
 * are there in one {@code read}, and takes whole frames out of it; so a frame costs one
 * {@code epoll_wait} and one {@code read} when the worker was idle, and none at all when it came in the
 * same read as the frame before (a PUSHED and the next TASK). A blocking stream cannot wait with a
 * deadline; a stream over a socket with a timeout would poll and read per call as well, and could not
 * tell the frames already buffered from the socket's.
 *
 * <p>Writing stays blocking as the frames' senders expect: a frame goes out in one {@code write} call,
 * and only when the socket's buffer is full does the sender wait for room on a second selector.
 *
 * <p>Threads: {@link #read} and {@link #poll} run on the one task thread that serves at a time (the main
 * thread before the first generation); {@link #send} on task threads and the leak and tick watches'
 * threads, one frame at a time (a synchronized method: a frame goes out whole, never interleaved); {@link #wakeReaderUnlessBusy} on the signal thread.
 */
final class ProxyLink implements AutoCloseable {

    /** The read buffer's first size; it grows to hold a larger frame whole, and shrinks back after it. */
    private static final int BUFFER = 64 * 1024;

    private final SocketChannel channel;
    private final Selector readable;
    /** Made (under the send lock) the first time the socket's send buffer is full. */
    private volatile Selector writable;
    /** Bytes read and not yet taken as frames, in read mode. */
    private ByteBuffer in = ByteBuffer.allocate(BUFFER).flip();
    /** Whether a task runs: its result must still reach the proxy, so a stop request waits for it. */
    private volatile boolean busy;

    private ProxyLink(SocketChannel channel, Selector readable) {
        this.channel = channel;
        this.readable = readable;
    }

    /**
     * @param channel a connected channel, which the link makes non-blocking
     * @return the link over it
     * @throws IOException when the channel cannot be set up
     */
    static ProxyLink over(SocketChannel channel) throws IOException {
        Selector selector = Selector.open();
        try {
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_READ);
            return new ProxyLink(channel, selector);
        } catch (IOException | RuntimeException e) {
            selector.close();
            throw e;
        }
    }

    /**
     * Waits for the next frame.
     *
     * @return the frame
     * @throws EOFException when the proxy closed the connection, or a stop request ended the wait
     * @throws IOException  on a broken connection or a malformed frame
     */
    WireMessage read() throws IOException {
        return next(false, 0);
    }

    /**
     * Waits for the next frame until a deadline.
     *
     * @param deadline a {@link System#nanoTime()} value
     * @return the frame; null when the deadline came first (at once if it has passed and no frame is in)
     * @throws EOFException when the proxy closed the connection, or a stop request ended the wait
     * @throws IOException  on a broken connection or a malformed frame
     */
    WireMessage poll(long deadline) throws IOException {
        return next(true, deadline);
    }

    private WireMessage next(boolean timed, long deadline) throws IOException {
        while (true) {
            WireMessage m = WireCodec.next(in);
            if (m != null) {
                return m;
            }
            makeRoom();
            if (timed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    // Due timers come first, but a frame already in the socket is not left behind them.
                    if (fill() > 0) {
                        continue;
                    }
                    return null;
                }
                readable.select(Math.max(1, (left + 999_999) / 1_000_000));
            } else {
                readable.select();
            }
            if (!readable.selectedKeys().isEmpty()) {
                readable.selectedKeys().clear();
                fill();
            }
        }
    }

    /** One read of what the socket has; @return the bytes read */
    private int fill() throws IOException {
        in.compact();
        int n;
        try {
            n = channel.read(in);
        } finally {
            in.flip();
        }
        if (n < 0) {
            throw new EOFException(in.hasRemaining() ? "stream closed inside a frame" : "the proxy closed the connection");
        }
        return n;
    }

    /**
     * Makes the buffer large enough for the frame it holds the start of, or, once a large frame is taken,
     * small again.
     */
    private void makeRoom() throws IOException {
        int length = WireCodec.pendingLength(in);
        int needed = Math.max(BUFFER, length < 0 ? 0 : 4 + length);
        if (needed > in.capacity() || (needed == BUFFER && in.capacity() > BUFFER)) {
            ByteBuffer resized = ByteBuffer.allocate(needed);
            resized.put(in).flip();
            in = resized;
        }
    }

    /**
     * Sends one frame.
     *
     * @param message the frame
     * @throws IOException when the connection is broken
     */
    synchronized void send(WireMessage message) throws IOException {
        ByteBuffer frame = ByteBuffer.wrap(WireCodec.encode(message));
        channel.write(frame);
        while (frame.hasRemaining()) {
            awaitRoom();
            channel.write(frame);
        }
    }

    /** Waits until the socket's send buffer has room (the proxy reads slower than the worker writes). */
    private void awaitRoom() throws IOException {
        if (writable == null) {
            writable = Selector.open();
            channel.register(writable, SelectionKey.OP_WRITE);
        }
        writable.select();
        writable.selectedKeys().clear();
    }

    /** @param running whether a task runs now (set by the task thread around each task) */
    void busy(boolean running) {
        busy = running;
    }

    /**
     * Ends the wait for the next frame with an end of stream, unless a task runs: the task thread then
     * sends that task's result and sees the stop request itself. Frames still go out.
     */
    void wakeReaderUnlessBusy() {
        if (!busy) {
            try {
                channel.shutdownInput();
            } catch (IOException e) {
                // The channel is already broken or closed: the reader sees that and ends on its own.
            }
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // Closing on the way out: the proxy sees the connection end either way.
        }
        try {
            readable.close();
            Selector w = writable;
            if (w != null) {
                w.close(); // wakes a sender waiting for room, which then finds the channel closed
            }
        } catch (IOException e) {
            // Selectors hold no data; the process is ending the connection anyway.
        }
    }
}
