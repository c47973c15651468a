package dev.burst.container.protocol;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.function.Supplier;

/**
 * One end of a worker connection, as frames: the worker's link to the proxy and the proxy's link to
 * each worker. Over any connected {@link SocketChannel}: the proxy's Unix socket, a loopback pair in tests.
 *
 * <p>Reading. The channel is non-blocking and registered with a selector of its own, so its one reader
 * waits for "the next frame" (or, on a worker, "the next frame or a deadline": its next timer) in one
 * {@code select}. It reads into a buffer it keeps, as many bytes as are there in one {@code read}, and
 * takes whole frames out of it: a frame costs one {@code epoll_wait} and one {@code read} when the reader
 * was waiting, and none when it came in the same read as the frame before. A blocking channel would cost
 * one more: the JDK turns a socket non-blocking for good once a virtual thread uses it (the proxy's HTTP
 * handlers write tasks), and a platform thread's blocking read of it is then a {@code read} that finds
 * nothing, a {@code poll} and a second {@code read}.
 *
 * <p>Writing stays blocking as the frames' senders expect: a frame goes out in one {@code write} call,
 * several frames given together in one, and only when the socket's buffer is full does the sender wait
 * for room on a second selector.
 *
 * <p>Threads: {@link #read} and {@link #poll} on one reader thread at a time; {@link #send} on any
 * thread, one call at a time (a synchronized method: frames go out whole, never interleaved);
 * {@link #shutdownInput} and {@link #close} on any.
 */
public final class FrameLink implements AutoCloseable {

    /** The read buffer's first size; it grows to hold a larger frame whole, and shrinks back after it. */
    private static final int BUFFER = 64 * 1024;

    private final SocketChannel channel;
    private final Selector readable;
    /** Made (under the send lock) the first time the socket's send buffer is full. */
    private volatile Selector writable;
    /** Bytes read and not yet taken as frames, in read mode. */
    private ByteBuffer in = ByteBuffer.allocate(BUFFER).flip();

    private FrameLink(SocketChannel channel, Selector readable) {
        this.channel = channel;
        this.readable = readable;
    }

    /**
     * @param channel a connected channel, which the link makes non-blocking
     * @return the link over it
     * @throws IOException when the channel cannot be set up
     */
    public static FrameLink over(SocketChannel channel) throws IOException {
        Selector selector = Selector.open();
        try {
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_READ);
            return new FrameLink(channel, selector);
        } catch (IOException | RuntimeException e) {
            selector.close();
            throw e;
        }
    }

    /**
     * Waits for the next frame.
     *
     * @return the frame
     * @throws EOFException when the other end closed the connection (or {@link #shutdownInput} ended the wait)
     * @throws IOException  on a broken connection or a malformed frame
     */
    public WireMessage read() throws IOException {
        return next(false, 0);
    }

    /**
     * Waits for the next frame until a deadline.
     *
     * @param deadline a {@link System#nanoTime()} value
     * @return the frame; null when the deadline came first (at once if it has passed and no frame is in)
     * @throws EOFException when the other end closed the connection (or {@link #shutdownInput} ended the wait)
     * @throws IOException  on a broken connection or a malformed frame
     */
    public WireMessage poll(long deadline) throws IOException {
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
                    // What is due comes first, but a frame already in the socket is not left behind it.
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
            throw new EOFException(in.hasRemaining() ? "stream closed inside a frame" : "the other end closed the connection");
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
    public void send(WireMessage message) throws IOException {
        write(ByteBuffer.wrap(WireCodec.encode(message)));
    }

    /**
     * Sends frames together, in one {@code write} when the socket has room for them all.
     *
     * @param messages the frames, in order
     * @throws IOException when the connection is broken
     */
    public void send(List<? extends WireMessage> messages) throws IOException {
        byte[][] frames = new byte[messages.size()][];
        int total = 0;
        for (int i = 0; i < frames.length; i++) {
            frames[i] = WireCodec.encode(messages.get(i));
            total += frames[i].length;
        }
        ByteBuffer all = ByteBuffer.allocate(total);
        for (byte[] f : frames) {
            all.put(f);
        }
        write(all.flip());
    }

    /**
     * Sends the frames a supplier gives, taken under the send lock: frames taken from a queue this way go
     * out in the order they were queued, whichever threads send.
     *
     * @param frames gives the frames to send, in order (none: nothing is written)
     * @throws IOException when the connection is broken
     */
    public synchronized void sendFrom(Supplier<? extends List<? extends WireMessage>> frames) throws IOException {
        List<? extends WireMessage> messages = frames.get();
        if (messages.size() == 1) {
            send(messages.getFirst());
        } else if (!messages.isEmpty()) {
            send(messages);
        }
    }

    private synchronized void write(ByteBuffer frame) throws IOException {
        channel.write(frame);
        while (frame.hasRemaining()) {
            awaitRoom();
            channel.write(frame);
        }
    }

    /** Waits until the socket's send buffer has room (the other end reads slower than this one writes). */
    private void awaitRoom() throws IOException {
        if (writable == null) {
            writable = Selector.open();
            channel.register(writable, SelectionKey.OP_WRITE);
        }
        writable.select();
        writable.selectedKeys().clear();
    }

    /** Ends the reader's wait with an end of stream; frames still go out. */
    public void shutdownInput() {
        try {
            channel.shutdownInput();
        } catch (IOException e) {
            // The channel is already broken or closed: the reader sees that and ends on its own.
        }
    }

    /** Closes the channel and its selectors; a sender waiting for room wakes and finds it closed. */
    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // Closing a broken socket: the other end sees the connection end either way.
        }
        try {
            readable.close();
            Selector w = writable;
            if (w != null) {
                w.close();
            }
        } catch (IOException e) {
            // Selectors hold no data.
        }
    }
}
