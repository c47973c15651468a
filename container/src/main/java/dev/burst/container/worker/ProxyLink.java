package dev.burst.container.worker;

import dev.burst.container.protocol.WireCodec;
import dev.burst.container.protocol.WireMessage;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;

/**
 * A worker's connection to the proxy: frames in, frames out, and a way to end the wait for the next
 * frame when the worker is asked to stop. Over any connected {@link SocketChannel}: the proxy's Unix
 * socket in a worker, a loopback pair in tests.
 *
 * <p>Threads: {@link #read} runs on the one task thread that serves at a time (the main thread before
 * the first generation); {@link #send} on task threads and the leak watch's thread, one frame at a time;
 * {@link #wakeReaderUnlessBusy} on the signal thread.
 */
final class ProxyLink implements AutoCloseable {

    private final SocketChannel channel;
    private final DataInputStream in;
    private final OutputStream out;
    /** Whether a task runs: its result must still reach the proxy, so a stop request waits for it. */
    private volatile boolean busy;

    ProxyLink(SocketChannel channel) {
        this.channel = channel;
        this.in = WireCodec.input(Channels.newInputStream(channel));
        this.out = new BufferedOutputStream(Channels.newOutputStream(channel), 64 * 1024);
    }

    /**
     * Waits for the next frame.
     *
     * @return the frame
     * @throws java.io.EOFException when the proxy closed the connection, or a stop request ended the wait
     * @throws IOException          on a broken connection or a malformed frame
     */
    WireMessage read() throws IOException {
        return WireCodec.read(in);
    }

    /**
     * Sends one frame and flushes it.
     *
     * @param message the frame
     * @throws IOException when the connection is broken
     */
    synchronized void send(WireMessage message) throws IOException {
        WireCodec.write(out, message);
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
    }
}
