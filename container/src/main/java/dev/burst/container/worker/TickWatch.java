package dev.burst.container.worker;

import dev.burst.container.plugin.TimerQueue;
import dev.burst.container.protocol.WireMessage;
import dev.burst.container.protocol.WireMessage.LongTick;
import dev.burst.container.protocol.WireMessage.LongTickDone;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Tells the proxy about a long timer tick, which it cannot see: between tasks the worker looks idle to it.
 * While a tick runs, the task thread reads no frame, so a task the proxy hands the worker then waits behind
 * the tick without having started. Once a tick has run a quarter of the group's task-timeout (at most a
 * second), the watch sends LONG_TICK; the proxy then times the tick, not that task, and has the worker
 * dumped, killed and replaced if the tick reaches task-timeout (the waiting task is then answered as for a
 * lost worker). When the timer pass ends, the task thread sends LONG_TICK_DONE before it reads the next
 * frame, and the proxy times tasks again.
 *
 * <p>What it costs. Tasks are not watched (the proxy times those), so the task path pays nothing. A tick
 * pays the task thread one volatile write ({@link TimerQueue#overrun} reads it), and a pass that ran ticks
 * one volatile read ({@link #passEnded}); frames go out only for a long tick, two of them.
 *
 * <p>Order. LONG_TICK_DONE must never reach the proxy before its LONG_TICK (the proxy would then time a
 * tick that has ended, and kill a healthy worker), and a LONG_TICK must always get its DONE. So the watch
 * raises {@code noticed} before it checks once more that the tick still runs and sends, and the task
 * thread, which clears the running tick before it reads {@code noticed}, sends DONE under the same lock:
 * either the watch sees the tick ended and sends nothing, or the task thread sees the notice and sends
 * DONE after it.
 *
 * <p>Threads: one daemon platform thread of its own, {@code tick watch}, looks at the serving generation's
 * queue and sends LONG_TICK; {@link #watch}, {@link #unwatch} and {@link #passEnded} run on task threads,
 * {@link #close} on the worker's main thread.
 */
final class TickWatch implements AutoCloseable {

    /** Sends a frame to the proxy. */
    @FunctionalInterface
    interface Sender {
        void send(WireMessage message) throws IOException;
    }

    private static final System.Logger LOG = System.getLogger(TickWatch.class.getName());
    private static final long MIN_NOTICE = Duration.ofMillis(10).toNanos();
    private static final long MAX_NOTICE = Duration.ofSeconds(1).toNanos();

    private final Duration taskTimeout;
    /** How long a tick runs before the proxy is told; also how often the watch looks. */
    private final long noticeNanos;
    private final Sender sender;
    private final Thread thread;
    /** Orders a LONG_TICK before its LONG_TICK_DONE. */
    private final Object lock = new Object();
    /** The serving generation's timers; null while none serves (boot, between the generations of a swap). */
    private volatile TimerQueue queue;
    /** Whether a LONG_TICK went (or is going) out for the pass running now; cleared with its DONE. */
    private volatile boolean noticed;
    /** When the noticed tick began ({@link System#nanoTime()}); written before {@link #noticed}. */
    private long noticedStart;
    private volatile boolean closed;

    /**
     * Starts the watch's thread.
     *
     * @param taskTimeout the group's task-timeout: a quarter of it (10 ms to 1 s) makes a tick long
     * @param sender      sends LONG_TICK (on the watch's thread) and LONG_TICK_DONE (on the task thread)
     */
    TickWatch(Duration taskTimeout, Sender sender) {
        this.taskTimeout = taskTimeout;
        this.noticeNanos = Math.clamp(taskTimeout.toNanos() / 4, MIN_NOTICE, MAX_NOTICE);
        this.sender = sender;
        this.thread = Thread.ofPlatform().name("tick watch").daemon().start(this::run);
    }

    /** @param timers the timers of the generation that serves from now on (called by its task thread) */
    void watch(TimerQueue timers) {
        queue = timers;
    }

    /** @param timers the timers of a generation that stops serving; another one's are left watched */
    void unwatch(TimerQueue timers) {
        if (queue == timers) {
            queue = null;
        }
    }

    /**
     * A timer pass that ran ticks has ended (its running tick is cleared): if the proxy was told of a long
     * tick in it, it is told that the worker reads frames again. Called by the task thread before it reads
     * the next frame; costs one volatile read when no tick was long.
     */
    void passEnded() {
        if (!noticed) {
            return;
        }
        synchronized (lock) {
            if (!noticed) {
                return;
            }
            noticed = false;
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - noticedStart);
            LOG.log(System.Logger.Level.INFO, "the long timer tick ended; the timers' pass took " + ms + " ms");
            send(new LongTickDone(ms));
        }
    }

    private void run() {
        while (!closed) {
            LockSupport.parkNanos(this, noticeNanos);
            if (closed) {
                return;
            }
            try {
                look();
            } catch (RuntimeException e) {
                // A periodic check must not die of one failure (HikariCP's HouseKeeper): log it and go on.
                LOG.log(System.Logger.Level.ERROR, "the tick watch failed; it goes on", e);
            }
        }
    }

    /** One look at the serving generation's running tick. */
    private void look() {
        TimerQueue q = queue;
        if (q == null || noticed) {
            return;
        }
        Optional<TimerQueue.Overrun> overrun = q.overrun(noticeNanos);
        if (overrun.isEmpty()) {
            return;
        }
        TimerQueue.Overrun o = overrun.get();
        synchronized (lock) {
            noticedStart = o.startedNanos();
            noticed = true;
            if (!q.running(o.startedNanos())) {
                noticed = false; // it ended meanwhile; the task thread may not have seen the notice
                return;
            }
            long ms = TimeUnit.NANOSECONDS.toMillis(o.runningNanos());
            LOG.log(System.Logger.Level.WARNING, "a timer of plugin " + o.plugin() + " (generation " + o.generation()
                    + ", " + o.timer() + ") has run for " + ms + " ms; if it reaches the group's task-timeout "
                    + taskTimeout + ", the proxy has this worker dumped and replaced");
            send(new LongTick(o.generation(), o.plugin(), o.timer(), ms));
        }
    }

    private void send(WireMessage m) {
        try {
            sender.send(m);
        } catch (IOException e) {
            // The proxy is gone: the task thread finds that out on its next read and ends the worker.
            LOG.log(System.Logger.Level.DEBUG, "cannot send " + m.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /** Ends the watch's thread; a notice under way finishes. */
    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
    }
}
