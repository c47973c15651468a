package dev.burst.container.master;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The master's clock: events it wants later (a backoff's end, a deadline, the periodic housekeeping).
 * A timer only enqueues; the loop thread acts. Hidden behind this interface so tests fire them by hand.
 */
interface Timers extends AutoCloseable {

    /**
     * Enqueues an event once the delay has passed.
     *
     * @param delay how long from now
     * @param event what to enqueue
     */
    void after(Duration delay, Event event);

    /**
     * Enqueues an event every period, from one period from now.
     *
     * @param period the period
     * @param event  what to enqueue
     */
    void every(Duration period, Event event);

    /** Cancels everything scheduled. */
    @Override
    void close();

    /**
     * @param events where due events go (the master's queue)
     * @return timers on one daemon thread, {@code master-timer}
     */
    static Timers onThread(Consumer<Event> events) {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "master-timer");
            t.setDaemon(true);
            return t;
        });
        return new Timers() {
            @Override
            public void after(Duration delay, Event event) {
                timer.schedule(() -> events.accept(event), delay.toMillis(), TimeUnit.MILLISECONDS);
            }

            @Override
            public void every(Duration period, Event event) {
                timer.scheduleAtFixedRate(() -> events.accept(event), period.toMillis(), period.toMillis(),
                        TimeUnit.MILLISECONDS);
            }

            @Override
            public void close() {
                timer.shutdownNow();
            }
        };
    }
}
