package dev.burst.container.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.burst.api.Timers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The timer queue driven by hand on the test's thread, as the task thread drives it between frames. */
class TimerQueueTest {

    private final TimerQueue queue = new TimerQueue(7);
    private final Timers timers = queue.forPlugin("game", getClass().getClassLoader());

    @Test
    void failing_ticks_are_counted_with_the_runs_and_their_every_timer_keeps_its_plan() throws Exception {
        timers.every(Duration.ofMillis(1), () -> {
            throw new IllegalStateException("boom");
        });

        runUntil(() -> queue.stats().getFirst().failures() >= 3);

        TimerStats.Snapshot s = queue.stats().getFirst();
        assertEquals("game", s.plugin());
        assertEquals(s.runs(), s.failures());
        assertTrue(queue.any(), "still planned");
    }

    @Test
    void a_slow_tick_delays_the_next_which_runs_once_late_and_the_missed_plans_are_skipped() throws Exception {
        List<Duration> lateness = new ArrayList<>();
        timers.every(Duration.ofMillis(10), run -> {
            lateness.add(run.lateBy());
            if (lateness.size() == 1) {
                Thread.sleep(55);
            }
        });

        runUntil(() -> lateness.size() >= 2);

        assertEquals(2, lateness.size(), "one pass ran the late tick once, not one per missed plan");
        assertTrue(queue.stats().getFirst().skipped() >= 4, "55 ms over a 10 ms period: " + queue.stats());
    }

    @Test
    void due_timers_run_in_planned_order_each_once_per_pass() throws Exception {
        List<String> ran = new ArrayList<>();
        timers.after(Duration.ofMillis(20), () -> ran.add("second"));
        timers.after(Duration.ZERO, () -> ran.add("first"));
        timers.every(Duration.ofMillis(10), () -> ran.add("every"));
        Thread.sleep(50);

        queue.runDue();

        assertEquals(List.of("first", "every", "second"), ran);
    }

    @Test
    void a_tick_may_cancel_its_own_timer_and_a_retired_queue_runs_and_takes_nothing() throws Exception {
        int[] runs = {0};
        timers.every(Duration.ofMillis(1), run -> {
            runs[0]++;
            assertTrue(run.timer().cancel());
            assertFalse(run.timer().pending());
        });
        runUntil(() -> runs[0] == 1);
        Thread.sleep(5);
        queue.runDue();
        assertEquals(1, runs[0]);
        assertFalse(queue.any());

        timers.after(Duration.ZERO, () -> runs[0]++);
        assertEquals(1, queue.cancelAll());
        queue.runDue();

        assertEquals(1, runs[0]);
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> timers.after(Duration.ZERO, () -> { }));
        assertEquals("plugin game: generation 7 has retired; it starts no timer", refused.getMessage());
    }

    @Test
    void a_period_that_is_not_positive_is_refused_naming_the_plugin() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> timers.every(Duration.ZERO, () -> { }));
        assertEquals("plugin game: a timer's period must be positive, not PT0S", e.getMessage());
    }

    @Test
    void another_thread_sees_a_tick_that_runs_past_the_limit_with_its_plugin_and_timer_and_nothing_once_it_ended()
            throws Exception {
        CompletableFuture<TimerQueue.Overrun> seen = new CompletableFuture<>();
        List<Boolean> youngAtFirst = new ArrayList<>();
        timers.after(Duration.ZERO, run -> {
            youngAtFirst.add(queue.overrun(Duration.ofSeconds(30).toNanos()).isEmpty());
            // The watch's side: ask from another thread until the tick is older than 50 ms; the tick waits for it.
            Thread.ofPlatform().start(() -> {
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (System.nanoTime() - deadline < 0) {
                    var o = queue.overrun(Duration.ofMillis(50).toNanos());
                    if (o.isPresent()) {
                        seen.complete(o.get());
                        return;
                    }
                    Thread.onSpinWait();
                }
                seen.completeExceptionally(new AssertionError("no overrun seen within 30 s"));
            });
            seen.get(30, TimeUnit.SECONDS);
        });
        assertTrue(queue.overrun(0).isEmpty(), "no tick runs before the pass");

        queue.runDue();

        TimerQueue.Overrun o = seen.getNow(null);
        assertEquals(List.of(true), youngAtFirst, "a tick younger than the limit is no overrun");
        assertEquals(7, o.generation());
        assertEquals("game", o.plugin());
        assertEquals("after", o.timer());
        assertTrue(o.runningNanos() > Duration.ofMillis(50).toNanos(), o.toString());
        assertEquals(0, queue.stats().getFirst().failures(), "the tick saw its overrun and returned");
        assertTrue(queue.overrun(0).isEmpty(), "no tick runs after the pass");
    }

    /** Runs due timers until the condition holds; at most 30 s. */
    private void runUntil(java.util.function.BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() - deadline < 0, "not done within 30 s");
            queue.runDue();
            Thread.sleep(1);
        }
    }
}
