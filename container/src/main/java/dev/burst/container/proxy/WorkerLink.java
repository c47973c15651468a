package dev.burst.container.proxy;

import dev.burst.container.protocol.WireCodec;
import dev.burst.container.protocol.WireMessage;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The proxy's end of one worker's connection.
 *
 * <p>States, and who moves them (all under the group's lock once the worker has a group):
 * <pre>
 * CONNECTED --HELLO--> STARTING --READY--> READY --STOP sent--> STOPPING
 *     any state --connection lost--> EXITED
 * </pre>
 * A READY worker is either idle (in its group's idle list) or holds exactly one task ({@link #current}).
 * Its reader runs on its own virtual thread ({@link Dispatcher#serve(WorkerLink)}); writes come from
 * whichever thread dispatches, serialized here.
 */
final class WorkerLink {

    enum State { CONNECTED, STARTING, READY, STOPPING, EXITED }

    private final SocketChannel channel;
    private final DataInputStream in;
    private final OutputStream out;
    private final AtomicReference<Task> current = new AtomicReference<>();
    volatile State state = State.CONNECTED;
    volatile String group = "";
    volatile int slot;
    volatile long pid;
    volatile int generation;
    final long connectedNanos = System.nanoTime();

    WorkerLink(SocketChannel channel) {
        this.channel = channel;
        this.in = WireCodec.input(Channels.newInputStream(channel));
        this.out = new BufferedOutputStream(Channels.newOutputStream(channel), 64 * 1024);
    }

    WireMessage read() throws IOException {
        return WireCodec.read(in);
    }

    /**
     * Sends a frame.
     *
     * @throws IOException when the worker is gone; the reader thread sees the same and answers its task
     */
    void send(WireMessage message) throws IOException {
        byte[] frame = WireCodec.encode(message);
        synchronized (out) {
            out.write(frame);
            out.flush();
        }
    }

    /** Hands the worker a task; only while it is idle, under the group lock. */
    void assign(Task task) {
        if (!current.compareAndSet(null, task)) {
            throw new IllegalStateException(this + " already runs a task");
        }
    }

    /** @return the task the worker held, now taken from it, or null */
    Task takeCurrent() {
        return current.getAndSet(null);
    }

    boolean busy() {
        return current.get() != null;
    }

    void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // Closing a broken socket: the worker is gone either way.
        }
    }

    String id() {
        return group + "#" + slot;
    }

    @Override
    public String toString() {
        return "worker " + id() + " pid " + pid;
    }
}
