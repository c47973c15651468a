package dev.burst.container.proxy;

import dev.burst.container.protocol.FrameLink;
import dev.burst.container.protocol.WireMessage;
import dev.burst.container.protocol.WireMessage.Pushed;
import dev.burst.container.protocol.WireMessage.Stop;
import dev.burst.container.proxy.dispatch.PoolWorker;
import dev.burst.container.proxy.dispatch.Port;
import dev.burst.container.proxy.dispatch.Task;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The proxy's end of one worker's Unix-socket connection: frames in and out, and the two waits of a
 * swap. The worker's state lives in its {@link PoolWorker}, changed only by its group's pool.
 *
 * <p>Threads: frames are read by the link's own platform thread ({@link WorkerSessions#serve}), through a
 * {@link FrameLink} (non-blocking, a selector of its own: one {@code epoll_wait} and one {@code read} per
 * wait); frames are written from whichever thread dispatches (a client thread, another worker's reader,
 * the reload thread), one call at a time.
 */
final class WorkerLink implements Port {

    private static final System.Logger LOG = System.getLogger(WorkerLink.class.getName());

    private final FrameLink frames;
    private volatile PoolWorker worker;
    /** Completed when a worker taken for a swap has no task left; failed when the swap cannot happen. */
    private volatile CompletableFuture<Void> freeForSwap = new CompletableFuture<>();
    /** Completed with READY or LOAD_FAILED, the answer to a swap's LOAD. */
    private volatile CompletableFuture<WireMessage> swapAnswer = new CompletableFuture<>();
    /** The generation a swap's LOAD asked for: only an answer for it counts. */
    private volatile int swapGeneration;
    /** Answers to pushes made during the running task, sent before the worker's next frame (guarded by itself). */
    private final List<Pushed> deferred = new ArrayList<>();

    /**
     * @param channel a worker's connection, which the link makes non-blocking
     * @throws IOException when the channel cannot be set up
     */
    WorkerLink(SocketChannel channel) throws IOException {
        this.frames = FrameLink.over(channel);
    }

    void attach(PoolWorker worker) {
        this.worker = worker;
    }

    PoolWorker worker() {
        return worker;
    }

    WireMessage read() throws IOException {
        return frames.read();
    }

    /**
     * Sends a frame.
     *
     * @throws IOException when the worker is gone; the reader thread sees the same and answers its task
     */
    void send(WireMessage message) throws IOException {
        frames.send(message);
    }

    /**
     * Answers a push. While the worker runs a task it reads nothing, so a handler that pushes thousands of
     * frames would fill its socket with answers and stall this link's reader: the answers made during a
     * task wait until its RESULT ({@link #flushPushed()}); one made between tasks goes at once.
     *
     * @param answer the answer
     * @throws IOException when the worker is gone
     */
    void pushed(Pushed answer) throws IOException {
        PoolWorker w = worker;
        if (w != null && w.current() != null) {
            synchronized (deferred) {
                deferred.add(answer);
            }
            return;
        }
        flushPushed();
        send(answer);
    }

    /**
     * Sends the answers to the pushes of the task that just ended (the link's reader, on its RESULT).
     *
     * @throws IOException when the worker is gone
     */
    void flushPushed() throws IOException {
        List<Pushed> answers;
        synchronized (deferred) {
            if (deferred.isEmpty()) {
                return;
            }
            answers = List.copyOf(deferred);
            deferred.clear();
        }
        frames.send(answers);
    }

    @Override
    public void sendQueued(PoolWorker worker) throws IOException {
        frames.sendFrom(() -> frames(worker.drainOutbox()));
    }

    private static List<WireMessage> frames(List<Task> tasks) {
        List<WireMessage> out = new ArrayList<>(tasks.size());
        for (Task task : tasks) {
            out.add(new WireMessage.Task(task.id, task.cmd, task.sn, task.client, task.connection, task.user, task.key,
                    task.body));
        }
        return out;
    }

    @Override
    public void stop() {
        PoolWorker w = worker;
        try {
            frames.sendFrom(() -> {
                List<WireMessage> out = w == null ? new ArrayList<>(1) : frames(w.drainOutbox());
                out.add(new Stop()); // after the tasks it was given: it runs them, then stops
                return out;
            });
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, this + " is already gone: " + e);
        }
    }

    /** Before a swap: fresh waits, for the generation it will be asked to load. */
    void prepareSwap(int generation) {
        swapGeneration = generation;
        freeForSwap = new CompletableFuture<>();
        swapAnswer = new CompletableFuture<>();
    }

    int swapGeneration() {
        return swapGeneration;
    }

    CompletableFuture<Void> freeForSwapFuture() {
        return freeForSwap;
    }

    CompletableFuture<WireMessage> swapAnswerFuture() {
        return swapAnswer;
    }

    @Override
    public void freeForSwap() {
        freeForSwap.complete(null);
    }

    @Override
    public void swapAborted(String why) {
        IllegalStateException e = new IllegalStateException(why);
        freeForSwap.completeExceptionally(e);
        swapAnswer.completeExceptionally(e);
    }

    /** The worker answered its swap's LOAD (the pool said the answer counts). */
    void swapAnswered(WireMessage answer) {
        swapAnswer.complete(answer);
    }

    @Override
    public void close() {
        frames.close();
    }

    @Override
    public String toString() {
        PoolWorker w = worker;
        return w == null ? "a worker connection" : w.toString();
    }
}
