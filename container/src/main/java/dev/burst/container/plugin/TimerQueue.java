package dev.burst.container.plugin;

import dev.burst.api.Timer;
import dev.burst.api.TimerRun;
import dev.burst.api.Timers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;

/**
 * The timers of one plugin generation: a queue ordered by planned time that the generation's task thread
 * asks for its next deadline ({@link #nextDue()}) and runs between tasks ({@link #runDue()}), so it waits
 * for "the next frame or the next timer" in one place. Fixed-rate rules and failure handling as
 * {@link Timers} documents them; counts per plugin in {@link TimerStats}.
 *
 * <p>Threads: everything runs on the task thread that made the queue (the generation's); the plugins'
 * {@link Timers} and {@link Timer}s refuse any other thread. {@link #stats()} snapshots are plain values
 * for the same thread to send. The exceptions are {@link #overrun} and {@link #running}, which the worker's
 * tick watch calls from its own thread to see a tick that runs long: for them, each tick costs the task
 * thread one volatile write (and each pass one more), and a task none.
 */
public final class TimerQueue {

    private static final System.Logger LOG = System.getLogger(TimerQueue.class.getName());

    private final int generation;
    private final Thread owner = Thread.currentThread();
    private final PriorityQueue<Entry> queue = new PriorityQueue<>();
    private final Map<String, TimerStats> stats = new LinkedHashMap<>();
    /** Entries due in the pass being run, taken off the queue; reused. */
    private final List<Entry> pass = new ArrayList<>();
    private long sequence;
    private boolean closed;
    /**
     * The timer whose tick runs now (its {@link Entry#started} says since when); null between passes.
     * Written by the task thread, read by the tick watch: with that {@code started}, the only state here
     * another thread reads.
     */
    private volatile Entry ticking;

    /** @param generation the generation the timers belong to, for messages; the calling thread owns the queue */
    TimerQueue(int generation) {
        this.generation = generation;
    }

    /**
     * @param plugin the plugin's name
     * @param loader its class loader, the context loader of its ticks
     * @return that plugin's timers on this queue
     */
    Timers forPlugin(String plugin, ClassLoader loader) {
        TimerStats counts = stats.computeIfAbsent(plugin, TimerStats::new);
        return new PluginTimers(plugin, loader, counts);
    }

    /** @return whether the calling thread is the one whose timers these are */
    boolean onOwner() {
        return Thread.currentThread() == owner;
    }

    /**
     * @return the {@link System#nanoTime()} at which the earliest timer is due, or {@link Long#MAX_VALUE}
     *         when none is planned
     */
    public long nextDue() {
        Entry head = queue.peek();
        return head == null ? Long.MAX_VALUE : head.due;
    }

    /** @return whether any timer is planned */
    public boolean any() {
        return !queue.isEmpty();
    }

    /**
     * Runs every timer due now, once each, in planned order; an {@code every} is planned again after its
     * tick. A timer that becomes due while this pass runs waits for the next pass, so the caller reads
     * frames in between.
     *
     * @return whether a timer was due (the pass ran ticks)
     */
    public boolean runDue() {
        if (queue.isEmpty()) {
            return false;
        }
        long now = System.nanoTime();
        Entry head;
        while ((head = queue.peek()) != null && head.due - now <= 0) {
            pass.add(queue.poll());
        }
        if (pass.isEmpty()) {
            return false;
        }
        try {
            for (Entry e : pass) {
                if (e.state == State.PLANNED) {
                    e.fire();
                }
            }
        } finally {
            pass.clear();
            ticking = null;
        }
        return true;
    }

    /**
     * Whether a tick has been running longer than a limit: the tick watch asks, from its own thread, a few
     * times a second at most. It reads what the task thread wrote when the tick began, and reads it twice, so a
     * tick that ended (and maybe began again) between the reads is not taken for a long one.
     *
     * @param limitNanos how long a tick may run before it is told about
     * @return the tick running past the limit; empty when none runs or the one running is younger
     */
    public Optional<Overrun> overrun(long limitNanos) {
        Entry e = ticking;
        if (e == null) {
            return Optional.empty();
        }
        long since = e.started;
        long running = System.nanoTime() - since;
        if (running <= limitNanos || ticking != e || e.started != since) {
            return Optional.empty();
        }
        return Optional.of(new Overrun(generation, e.plugin, e.describe(), since, running));
    }

    /**
     * @param startedNanos a tick's {@link Overrun#startedNanos()}
     * @return whether that tick still runs (read from any thread, like {@link #overrun})
     */
    public boolean running(long startedNanos) {
        Entry e = ticking;
        return e != null && e.started == startedNanos;
    }

    /**
     * A tick that has run longer than a limit.
     *
     * @param generation   the generation of its timer
     * @param plugin       the plugin that started the timer
     * @param timer        what timer: {@code every 100 ms}, {@code after}
     * @param startedNanos when the tick began ({@link System#nanoTime()}): tells one tick from the next
     * @param runningNanos how long it has run
     */
    public record Overrun(int generation, String plugin, String timer, long startedNanos, long runningNanos) {
    }

    /**
     * Cancels every timer: the generation retires. Later calls to the plugins' {@link Timers} are refused.
     *
     * @return how many timers were still planned
     */
    public int cancelAll() {
        closed = true;
        int planned = 0;
        for (Entry e : queue) {
            if (e.state == State.PLANNED) {
                e.state = State.DONE;
                planned++;
            }
        }
        queue.clear();
        return planned;
    }

    /** @return per plugin that asked for its timers, in start order: its counts so far */
    public List<TimerStats.Snapshot> stats() {
        return stats.values().stream().map(TimerStats::snapshot).toList();
    }

    private enum State { PLANNED, RUNNING, DONE }

    /** One timer: its plan and its tick. */
    private final class Entry implements Timer, TimerRun, Comparable<Entry> {
        private final String plugin;
        private final ClassLoader loader;
        private final TimerStats counts;
        private final Timers.Tick tick;
        /** Nanoseconds between planned ticks; 0 for an {@code after}. */
        private final long period;
        private long due;
        private long seq;
        private long late;
        /** When its last tick began; written before {@link #ticking} names it, so the tick watch sees it. */
        private long started;
        private State state = State.PLANNED;
        private boolean failedBefore;

        Entry(String plugin, ClassLoader loader, TimerStats counts, Timers.Tick tick, long due, long period) {
            this.plugin = plugin;
            this.loader = loader;
            this.counts = counts;
            this.tick = tick;
            this.period = period;
            plan(due);
        }

        private void plan(long at) {
            due = at;
            seq = ++sequence;
            queue.add(this);
        }

        void fire() {
            long start = System.nanoTime();
            late = Math.max(0, start - due);
            state = State.RUNNING;
            started = start;
            ticking = this;
            Thread t = Thread.currentThread();
            ClassLoader previous = t.getContextClassLoader();
            t.setContextClassLoader(loader);
            Throwable thrown = null;
            try {
                tick.run(this);
            } catch (Exception | StackOverflowError | LinkageError e) {
                thrown = e;
            } finally {
                t.setContextClassLoader(previous);
            }
            counts.ran(late, thrown != null);
            if (thrown != null) {
                failed(thrown);
            }
            if (state != State.RUNNING) {
                return;
            }
            if (period == 0 || closed) {
                state = State.DONE;
                return;
            }
            state = State.PLANNED;
            long next = due + period;
            long now = System.nanoTime();
            if (next - now < 0) {
                long skipped = (now - next) / period;
                counts.skipped(skipped);
                next += skipped * period;
            }
            plan(next);
        }

        /** @return what timer it is, for messages: {@code every 100 ms}, {@code after} */
        String describe() {
            return period == 0 ? "after" : "every " + Duration.ofNanos(period).toMillis() + " ms";
        }

        private void failed(Throwable thrown) {
            String what = "a timer of plugin " + plugin + " (generation " + generation + ", " + describe() + ") threw"
                    + (period == 0 ? "" : "; it keeps its plan");
            if (failedBefore) {
                LOG.log(System.Logger.Level.WARNING, what + ": " + thrown);
            } else {
                failedBefore = true;
                LOG.log(System.Logger.Level.WARNING, what, thrown);
            }
        }

        @Override
        public boolean cancel() {
            checkThread("cancel a timer");
            return switch (state) {
                case PLANNED -> {
                    queue.remove(this);
                    state = State.DONE;
                    yield true;
                }
                case RUNNING -> {
                    state = State.DONE;
                    yield period != 0;
                }
                case DONE -> false;
            };
        }

        @Override
        public boolean pending() {
            checkThread("ask a timer");
            return state == State.PLANNED || (state == State.RUNNING && period != 0 && !closed);
        }

        @Override
        public Duration lateBy() {
            return Duration.ofNanos(late);
        }

        @Override
        public Timer timer() {
            return this;
        }

        @Override
        public int compareTo(Entry o) {
            int byTime = Long.compare(due - o.due, 0);
            return byTime != 0 ? byTime : Long.compare(seq, o.seq);
        }
    }

    private void checkThread(String what) {
        if (!onOwner()) {
            throw new IllegalStateException("cannot " + what + " from thread " + Thread.currentThread().getName()
                    + ": timers belong to the task thread (" + owner.getName() + ")");
        }
    }

    /** One plugin's view of the queue. */
    private final class PluginTimers implements Timers {
        private final String plugin;
        private final ClassLoader loader;
        private final TimerStats counts;

        PluginTimers(String plugin, ClassLoader loader, TimerStats counts) {
            this.plugin = plugin;
            this.loader = loader;
            this.counts = counts;
        }

        @Override
        public Timer after(Duration delay, Tick tick) {
            return add(delay, tick, 0);
        }

        @Override
        public Timer every(Duration period, Tick tick) {
            Objects.requireNonNull(period, "period");
            if (period.isNegative() || period.isZero()) {
                throw new IllegalArgumentException("plugin " + plugin + ": a timer's period must be positive, not "
                        + period);
            }
            return add(period, tick, saturatedNanos(period));
        }

        private Timer add(Duration delay, Tick tick, long period) {
            Objects.requireNonNull(delay, "delay");
            Objects.requireNonNull(tick, "tick");
            checkThread("start a timer");
            if (closed) {
                throw new IllegalStateException("plugin " + plugin + ": generation " + generation
                        + " has retired; it starts no timer");
            }
            long nanos = delay.isNegative() ? 0 : saturatedNanos(delay);
            return new Entry(plugin, loader, counts, tick, System.nanoTime() + nanos, period);
        }
    }

    /** A delay as nanoseconds, capped at about 146 years so that it still compares by subtraction. */
    private static long saturatedNanos(Duration d) {
        try {
            return Math.min(d.toNanos(), Long.MAX_VALUE / 2);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 2;
        }
    }
}
