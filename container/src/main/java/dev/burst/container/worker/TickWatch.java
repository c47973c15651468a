package dev.burst.container.worker;

import dev.burst.container.plugin.TimerQueue;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Notices a timer tick that runs longer than the group's task-timeout, which the proxy cannot see: between
 * tasks the worker looks idle to it. The watch reports such a tick once, while it still runs, and the proxy
 * then has the worker dumped, killed and replaced, as for a task past task-timeout.
 *
 * <p>What it costs. Tasks are not watched here (the proxy times those), so the task path pays nothing. A
 * tick pays the task thread one volatile write ({@link TimerQueue#overrun} reads it); no frame goes out
 * unless a tick overruns. The watch wakes a quarter of task-timeout apart (10 ms to 1 s), so a stuck tick is
 * reported between task-timeout and task-timeout plus a second after it began.
 *
 * <p>Threads: one daemon platform thread of its own, {@code tick watch}, reads the queue and calls the
 * reporter; {@link #watch} and {@link #unwatch} run on task threads, {@link #close} on the worker's main
 * thread.
 */
final class TickWatch implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(TickWatch.class.getName());
    private static final long MIN_PERIOD = Duration.ofMillis(10).toNanos();
    private static final long MAX_PERIOD = Duration.ofSeconds(1).toNanos();

    private final long limitNanos;
    private final long periodNanos;
    private final Consumer<TimerQueue.Overrun> report;
    private final Thread thread;
    /** The serving generation's timers; null while none serves (boot, between the generations of a swap). */
    private volatile TimerQueue queue;
    private volatile boolean closed;
    /** The watch's thread only: the generation and start of the last tick reported, so each is reported once. */
    private int reportedGeneration;
    private long reportedStart;

    /**
     * Starts the watch's thread.
     *
     * @param limit  how long a tick may run: the group's task-timeout
     * @param report told once about each tick past the limit, on the watch's thread
     */
    TickWatch(Duration limit, Consumer<TimerQueue.Overrun> report) {
        this.limitNanos = limit.toNanos();
        this.periodNanos = Math.clamp(limitNanos / 4, MIN_PERIOD, MAX_PERIOD);
        this.report = report;
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

    private void run() {
        while (!closed) {
            LockSupport.parkNanos(this, periodNanos);
            if (closed) {
                return;
            }
            try {
                check();
            } catch (RuntimeException e) {
                // A periodic check must not die of one failure (HikariCP's HouseKeeper): log it and go on.
                LOG.log(System.Logger.Level.ERROR, "the tick watch failed; it goes on", e);
            }
        }
    }

    /** One look at the serving generation's tick. */
    private void check() {
        TimerQueue q = queue;
        if (q == null) {
            return;
        }
        Optional<TimerQueue.Overrun> overrun = q.overrun(limitNanos);
        if (overrun.isEmpty()) {
            return;
        }
        TimerQueue.Overrun o = overrun.get();
        if (o.generation() == reportedGeneration && o.startedNanos() == reportedStart) {
            return;
        }
        reportedGeneration = o.generation();
        reportedStart = o.startedNanos();
        report.accept(o);
    }

    /** Ends the watch's thread; a report under way finishes. */
    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
    }
}
