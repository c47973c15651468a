package dev.burst.api;

import java.time.Duration;

/**
 * One run of a timer, as its {@link Timers.Tick} sees it.
 *
 * <p>Threads: the task thread, during that tick. burst implements this interface; methods may be added.
 */
public interface TimerRun {

    /**
     * How late the tick started: the time between its planned time and the moment the task thread began
     * it (a task that ran at the planned time, earlier due timers, the wait for the task thread to wake).
     *
     * @return the delay, zero or positive
     */
    Duration lateBy();

    /**
     * @return the timer of this run, e.g. for an {@code every} timer to cancel itself
     */
    Timer timer();
}
