package dev.burst.container.proxy;

import dev.burst.container.protocol.WireCodec;
import dev.burst.container.protocol.WireMessage.CmdInfo;
import dev.burst.container.protocol.WireMessage;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The proxy's end of one worker's connection.
 *
 * <p>States; every change goes through {@link #moveTo(State)}, which checks it against this table:
 * <pre>
 * CONNECTED --HELLO--------------> STARTING
 * STARTING  --READY--------------> READY
 * READY     --reload takes it----> SWAPPING --READY or LOAD_FAILED--> READY
 * STARTING, READY, SWAPPING --retire--> DRAINING --STOP sent--> STOPPING
 * READY     --task-timeout-------> STUCK (the master kills it)
 * any       --proxy stops--------> STOPPING
 * any       --connection lost----> EXITED
 * </pre>
 * Only a READY worker gets tasks; it is then either idle (in its group's idle list) or holds exactly one
 * task ({@link #current}). The group's lock guards state changes; the reader runs on its own virtual
 * thread ({@link Dispatcher#serve}); writes come from whichever thread dispatches, serialized here.
 */
final class WorkerLink {

    enum State { CONNECTED, STARTING, READY, SWAPPING, DRAINING, STUCK, STOPPING, EXITED }

    private static final Map<State, Set<State>> NEXT = Map.of(
            State.CONNECTED, EnumSet.of(State.STARTING, State.STOPPING, State.EXITED),
            State.STARTING, EnumSet.of(State.READY, State.DRAINING, State.STOPPING, State.EXITED),
            State.READY, EnumSet.of(State.SWAPPING, State.DRAINING, State.STUCK, State.STOPPING, State.EXITED),
            State.SWAPPING, EnumSet.of(State.READY, State.DRAINING, State.STOPPING, State.EXITED),
            State.DRAINING, EnumSet.of(State.STOPPING, State.EXITED),
            State.STUCK, EnumSet.of(State.STOPPING, State.EXITED),
            State.STOPPING, EnumSet.of(State.EXITED),
            State.EXITED, EnumSet.noneOf(State.class));

    private final SocketChannel channel;
    private final DataInputStream in;
    private final OutputStream out;
    private final AtomicReference<Task> current = new AtomicReference<>();
    private volatile State state = State.CONNECTED;
    volatile String group = "";
    volatile int slot;
    volatile long pid;
    volatile int generation;
    volatile Map<Integer, CmdInfo> cmds = Map.of();
    final long connectedNanos = System.nanoTime();
    /** Tasks answered by this worker (under the group lock); recycle when it reaches {@link #recycleAfter} (0 = never). */
    volatile int served;
    int recycleAfter;
    boolean recycleAsked;
    /** When the running task was assigned (System.nanoTime); the task-timeout sweep reads it. */
    volatile long dispatchedNanos;
    /** Completed when a worker taken for a swap has no task left. */
    volatile CompletableFuture<Void> freeForSwap = new CompletableFuture<>();
    /** Completed with READY or LOAD_FAILED after a swap's LOAD. */
    volatile CompletableFuture<WireMessage> swapAnswer = new CompletableFuture<>();

    WorkerLink(SocketChannel channel) {
        this.channel = channel;
        this.in = WireCodec.input(Channels.newInputStream(channel));
        this.out = new BufferedOutputStream(Channels.newOutputStream(channel), 64 * 1024);
    }

    State state() {
        return state;
    }

    /** Changes state, refusing a change the table does not allow. */
    void moveTo(State next) {
        if (state == next) {
            return;
        }
        if (!NEXT.get(state).contains(next)) {
            throw new IllegalStateException(this + ": no transition " + state + " -> " + next);
        }
        state = next;
    }

    boolean serves(int cmd) {
        return cmds.containsKey(cmd);
    }

    boolean idempotent(int cmd) {
        CmdInfo c = cmds.get(cmd);
        return c != null && c.idempotent();
    }

    void serving(int generation, List<CmdInfo> cmds) {
        this.generation = generation;
        this.cmds = cmds.stream().collect(Collectors.toUnmodifiableMap(CmdInfo::id, Function.identity()));
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

    /** Hands the worker a task; only while it is idle and READY, under the group lock. */
    void assign(Task task) {
        dispatchedNanos = System.nanoTime(); // before the task is visible: the sweep reads them in the other order
        if (!current.compareAndSet(null, task)) {
            throw new IllegalStateException(this + " already runs a task");
        }
    }

    /** @return the task the worker held, now taken from it, or null */
    Task takeCurrent() {
        return current.getAndSet(null);
    }

    /** @return the running task, still held, or null */
    Task peekCurrent() {
        return current.get();
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
