package dev.burst.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class LoadRecorderTest {

    private static final long START = 1_000_000_000_000L;
    private static final long MS = 1_000_000L;

    @Test
    void percentiles_are_within_a_tenth_of_a_percent_and_the_maximum_is_kept() {
        LoadRecorder r = new LoadRecorder(START);
        r.openWindow();
        for (int i = 1; i <= 100_000; i++) {
            r.ok(START, START + i * 1_000L);          // 1 us .. 100 ms, uniform
        }
        r.close(1);
        Histogram h = r.rawTotal();
        assertEquals(100_000, h.getTotalCount());
        assertEquals(100 * MS, h.getMaxValue(), 100 * MS * 0.001);
        assertEquals(50 * MS, h.getValueAtPercentile(50), 50 * MS * 0.001);
        assertEquals(99 * MS, h.getValueAtPercentile(99), 99 * MS * 0.001);
    }

    @Test
    void threads_recording_at_once_lose_nothing() throws Exception {
        LoadRecorder r = new LoadRecorder(START);
        r.openWindow();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                for (int i = 0; i < 50_000; i++) {
                    r.ok(START, START + MS);
                    if (i % 1000 == 0) {
                        r.failed(START, 1);
                    }
                }
            }));
        }
        go.countDown();
        r.cut();
        for (Thread t : threads) {
            t.join();
        }
        r.close(2);
        assertEquals(400_000, r.rawTotal().getTotalCount());
        assertEquals(400, r.errorCount());
        assertEquals(r.raw(0, 1).getTotalCount() + r.raw(1, 2).getTotalCount(), 400_000, "every value lands in one second");
    }

    @Test
    void a_stall_in_a_closed_loop_is_corrected_with_the_requests_it_kept_from_being_sent() {
        LoadRecorder r = new LoadRecorder(START);
        for (int i = 0; i < 100; i++) {
            r.ok(START - 10 * MS, START - 10 * MS + MS);   // warm-up: 1 ms round trips
        }
        r.openWindow();
        for (int i = 0; i < 99; i++) {
            r.ok(START, START + MS);
        }
        r.ok(START, START + 100 * MS + MS / 2);            // one 100.5 ms stall
        r.close(1);

        assertEquals(MS, r.expectedIntervalNanos(), MS * 0.001);
        assertEquals(100, r.rawTotal().getTotalCount(), "warm-up requests are not counted");
        assertEquals(MS, r.rawTotal().getValueAtPercentile(99), MS * 0.001);
        // ~99.5 ms, 98.5 ms ... 1.5 ms: the 99 requests the connection would have sent during the stall.
        Histogram corrected = r.correctedTotal();
        assertEquals(199, corrected.getTotalCount());
        assertEquals(51.5 * MS, corrected.getValueAtPercentile(75), MS);
        assertEquals(100.5 * MS, corrected.getMaxValue(), 100 * MS * 0.001);
    }

    @Test
    void without_warm_up_nothing_is_corrected() {
        LoadRecorder r = new LoadRecorder(START);
        r.openWindow();
        r.ok(START, START + 100 * MS);
        r.close(1);
        assertEquals(0, r.expectedIntervalNanos());
        assertEquals(1, r.correctedTotal().getTotalCount());
    }

    @Test
    void seconds_are_cut_in_order_and_late_answers_and_failures_fall_into_the_last_one() {
        LoadRecorder r = new LoadRecorder(START);
        r.openWindow();
        r.ok(START, START + MS);
        r.failed(START + 500 * MS, 2);
        r.cut();
        r.ok(START, START + 2 * MS);
        r.ok(START, START + 2 * MS);
        r.cut();
        r.ok(START, START + 3 * MS);                       // answered while draining
        r.failed(START + 4_500 * MS, 5);                   // unanswered, noticed 1.5 s after a 3 s window
        r.close(3);
        assertEquals(3, r.secondCount());
        assertEquals(List.of(1L, 2L, 1L), List.of(r.raw(0, 1).getTotalCount(), r.raw(1, 2).getTotalCount(), r.raw(2, 3).getTotalCount()));
        assertEquals(List.of(2L, 0L, 5L), List.of(r.errorsAt(0), r.errorsAt(1), r.errorsAt(2)));
        assertEquals(7, r.errorCount());
        assertEquals(4, r.raw(0, 3).getTotalCount());
    }

    @Test
    void a_load_stopped_early_still_has_every_second_of_its_window() {
        LoadRecorder r = new LoadRecorder(START);
        r.openWindow();
        r.ok(START, START + MS);
        r.close(5);
        assertEquals(5, r.secondCount());
        assertEquals(1, r.raw(4, 5).getTotalCount());
    }

    @Test
    void results_are_refused_while_the_load_is_being_recorded() {
        LoadRecorder r = new LoadRecorder(START);
        assertThrows(IllegalStateException.class, r::rawTotal);
    }

    @Test
    void load_stats_take_corrected_percentiles_and_keep_the_uncorrected_ones_beside() {
        LoadRecorder r = new LoadRecorder(START);
        for (int i = 0; i < 10; i++) {
            r.ok(START - 10 * MS, START - 9 * MS);
        }
        r.openWindow();
        for (int i = 0; i < 99; i++) {
            r.ok(START, START + MS);
        }
        r.ok(START, START + 100 * MS);
        r.close(1);
        LoadStats s = LoadStats.of("boxload", r, 1.0, "");
        assertEquals(100, s.requests());
        assertEquals(1.0, s.correction().orElseThrow().expectedIntervalMs(), 0.001);
        assertEquals(1.0, s.correction().orElseThrow().rawP99Ms(), 0.001);
        assertTrue(s.p99Ms() > 90, "corrected p99 " + s.p99Ms());
        assertEquals(100.0, s.maxMs(), 0.1);
        assertEquals(1, s.timeline().size());
        assertEquals(100, s.timeline().getFirst().requests());
    }
}
