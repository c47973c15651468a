package dev.burst.container.worker;

import dev.burst.container.protocol.FrameLink;
import dev.burst.container.protocol.WireMessage;
import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.SocketChannel;

/**
 * A worker's connection to the proxy: frames in and out over a {@link FrameLink}, and a way to end the
 * wait for the next frame when the worker is asked to stop. The task thread waits for "the next frame or
 * its next timer" in one {@code select} of the link, on its own thread: no other thread reads for it
 * and hands frames over.
 *
 * <p>Threads: {@link #read} and {@link #poll} run on the one task thread that serves at a time (the main
 * thread before the first generation); {@link #send} on task threads and the leak and tick watches'
 * threads, one frame at a time; {@link #wakeReaderUnlessBusy} on the signal thread.
 */
final class ProxyLink implements AutoCloseable {

    private final FrameLink frames;
    /** Whether a task runs: its result must still reach the proxy, so a stop request waits for it. */
    private volatile boolean busy;

    private ProxyLink(FrameLink frames) {
        this.frames = frames;
    }

    /**
     * @param channel a connected channel, which the link makes non-blocking
     * @return the link over it
     * @throws IOException when the channel cannot be set up
     */
    static ProxyLink over(SocketChannel channel) throws IOException {
        return new ProxyLink(FrameLink.over(channel));
    }

    /**
     * Waits for the next frame.
     *
     * @return the frame
     * @throws EOFException when the proxy closed the connection, or a stop request ended the wait
     * @throws IOException  on a broken connection or a malformed frame
     */
    WireMessage read() throws IOException {
        return frames.read();
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
        return frames.poll(deadline);
    }

    /**
     * Sends one frame, whole.
     *
     * @param message the frame
     * @throws IOException when the connection is broken
     */
    void send(WireMessage message) throws IOException {
        frames.send(message);
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
            frames.shutdownInput();
        }
    }

    @Override
    public void close() {
        frames.close();
    }
}
