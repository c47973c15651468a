package dev.burst.api;

import java.time.Duration;

/**
 * Runs code later on the worker's task thread, between tasks: never while a handler, a hook or another
 * timer runs, so a tick may read and change the plugin's in-memory state without locks, and may push.
 *
 * <p><b>When a tick runs.</b> A timer is due at its planned time; the task thread runs it as soon as it
 * is free at or after that time: after the task running then, if any. How late it started is
 * {@link TimerRun#lateBy()}. Due timers run in order of their planned times (registration order for equal
 * times), each at most once before the worker looks at the proxy's frames again, so timers never starve
 * the requests and requests never starve the timers.
 *
 * <p><b>Fixed rate.</b> An {@link #every} timer is planned at {@code t0 + period}, {@code t0 + 2 * period} ...
 * ({@code t0} = when {@code every} was called). Ticks never overlap: the next one runs after the last one
 * returned. When a tick (or a task before it) ran so long that the next planned time has passed, the
 * next tick runs at once, late, and the planned times that passed before it are skipped, not made up: at
 * most one late tick, then the plan goes on at its old rhythm. The worker counts the skipped ticks; runs,
 * failures, skipped ticks and lateness (p99, max) of each plugin's timers show in the proxy's
 * {@code GET /admin/stat}, under each worker ({@code workers_detail[].timers}), updated about once a second.
 *
 * <p><b>Failures.</b> A tick that throws is logged with the plugin's name and counted; an
 * {@code every} timer keeps its plan. An {@link Error} other than a {@link StackOverflowError} or a
 * {@link LinkageError} ends the worker, as it does from a handler.
 *
 * <p><b>Lifetime.</b> Every timer of a generation is cancelled when it retires (a reload swaps it for the
 * next generation, or the worker stops), after the plugins' {@link Plugin#stop}: none runs afterwards, and
 * the next generation starts with none. Ticks run with the registering plugin's class loader as the
 * context class loader.
 *
 * <p><b>Threads.</b> On the task thread only: from {@link Plugin#start}, handlers, hooks, disconnect
 * handlers and ticks. From any other thread, every method here and on {@link Timer} throws
 * {@link IllegalStateException}. A timer's work is as slow as its slowest tick: like a handler, a tick that
 * blocks holds the whole worker.
 *
 * <p><b>A stuck tick.</b> A tick gets the same bound as a task: the group's {@code task-timeout}. A tick that
 * runs longer is treated like a task that does: the worker gets no more tasks, its thread dump (showing
 * where the tick hangs) goes into the log, and it is killed and replaced by a new process whose plugins
 * start afresh: their in-memory state and timers are gone, as with any replacement. No client waits on a
 * tick, so none gets -10003 for it. A tick that runs a quarter of the timeout (at most a second) is
 * long: it is logged, the proxy times it from then on and hands the worker no new task until it ends
 * (it costs two frames; a shorter tick costs none). Before that, a worker between tasks looks idle to
 * the proxy, so it may hand it a task while a tick runs: that task waits for the tick. Behind a long
 * tick, its own task-timeout counts from when it can start;
 * if the tick is stuck, the task is answered as for a worker lost mid-task: run once more on another
 * worker if its cmd is idempotent, else answered -10004.
 *
 * <p>burst implements this interface; plugins do not. Methods may be added to it in later versions.
 */
public interface Timers {

    /**
     * Runs a tick once, after a delay.
     *
     * @param delay how long from now; zero or negative: as soon as the task thread is free
     * @param tick  what to run
     * @return its handle
     * @throws IllegalStateException off the task thread, or once the generation retired
     */
    Timer after(Duration delay, Tick tick);

    /**
     * Runs code once, after a delay.
     *
     * @param delay how long from now; zero or negative: as soon as the task thread is free
     * @param tick  what to run
     * @return its handle
     * @throws IllegalStateException off the task thread, or once the generation retired
     */
    default Timer after(Duration delay, Runnable tick) {
        return after(delay, run -> tick.run());
    }

    /**
     * Runs a tick at a fixed rate, first one period from now, until cancelled or the generation retires.
     *
     * @param period time between planned ticks; positive
     * @param tick   what to run
     * @return its handle
     * @throws IllegalArgumentException if the period is not positive
     * @throws IllegalStateException    off the task thread, or once the generation retired
     */
    Timer every(Duration period, Tick tick);

    /**
     * Runs code at a fixed rate, first one period from now, until cancelled or the generation retires.
     *
     * @param period time between planned ticks; positive
     * @param tick   what to run
     * @return its handle
     * @throws IllegalArgumentException if the period is not positive
     * @throws IllegalStateException    off the task thread, or once the generation retired
     */
    default Timer every(Duration period, Runnable tick) {
        return every(period, run -> tick.run());
    }

    /**
     * The code of a timer, told about the run it is in.
     */
    @FunctionalInterface
    interface Tick {
        /**
         * @param run this run: how late it started, and its timer (to cancel it from inside)
         * @throws Exception logged and counted; an {@code every} timer goes on
         */
        void run(TimerRun run) throws Exception;
    }
}
