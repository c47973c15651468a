package dev.burst.api;

/**
 * A timer made by {@link Timers}: cancel it to stop it.
 *
 * <p>Threads: the task thread only; from another thread its methods throw {@link IllegalStateException}.
 * burst implements this interface; methods may be added to it.
 */
public interface Timer {

    /**
     * Stops the timer: it runs no more. Cancelling a timer from its own tick lets that tick finish and
     * plans no other; cancelling one that is done (an {@code after} that ran, or a cancelled one) does
     * nothing.
     *
     * @return whether this call stopped it (false: it had already run its last tick or was cancelled)
     * @throws IllegalStateException off the task thread
     */
    boolean cancel();

    /**
     * @return whether it will still run: not cancelled, not retired, and not an {@code after} that ran
     * @throws IllegalStateException off the task thread
     */
    boolean pending();
}
