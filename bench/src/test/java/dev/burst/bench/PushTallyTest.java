package dev.burst.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class PushTallyTest {

    private static final long MS = 1_000_000L;
    private static final long ORIGIN = 5_000 * MS;
    private static final List<PushWindows.Layout> LAYOUT = List.of(
            new PushWindows.Layout("warmup", Duration.ofSeconds(1), false),
            new PushWindows.Layout("alone", Duration.ofSeconds(1), true),
            new PushWindows.Layout("echo-warmup", Duration.ZERO, false),
            new PushWindows.Layout("beside-echo", Duration.ofSeconds(2), true));

    @Test
    void windows_follow_each_other_from_the_origin_and_empty_ones_are_left_out() {
        PushWindows w = PushWindows.of(ORIGIN, LAYOUT);
        assertEquals(List.of("warmup", "alone", "beside-echo"), w.windows().stream().map(PushWindows.Window::name).toList());
        assertEquals(-1, w.indexOf(ORIGIN - 1));
        assertEquals(0, w.indexOf(ORIGIN));
        assertEquals(1, w.indexOf(ORIGIN + 1_000 * MS));
        assertEquals(2, w.indexOf(ORIGIN + 3_999 * MS));
        assertEquals(3, w.indexOf(ORIGIN + 4_000 * MS));
        assertEquals(ORIGIN + 4_000 * MS, w.end());
        assertEquals(2.0, w.window("beside-echo").seconds());
        assertThrows(IllegalArgumentException.class, () -> w.window("echo-warmup"));
    }

    @Test
    void delivery_latency_is_read_time_minus_send_time_timed_in_the_measured_window_the_frame_was_read_in() {
        PushTally tally = new PushTally(1, LAYOUT);
        tally.start(ORIGIN);
        long aloneStart = ORIGIN + 1_000 * MS;
        for (int i = 1; i <= 100; i++) {          // 100 frames read in "alone", latencies 1 .. 100 ms
            long read = aloneStart + i * MS;
            tally.frame(0, i, read - i * MS, read);
        }
        tally.frame(0, 101, ORIGIN, ORIGIN + 500 * MS);                     // read in the warm-up: counted, not timed
        tally.frame(0, 102, ORIGIN + 2_500 * MS, ORIGIN + 2_503 * MS);      // read beside the echo, 3 ms
        tally.frame(0, 103, ORIGIN + 3_990 * MS, ORIGIN + 4_100 * MS);      // read after the last window: received only

        BitSet accepted = new BitSet();
        accepted.set(1, 104);
        PushTally.Count c = tally.count(accepted);
        PushTally.WindowStats alone = c.window("alone");
        assertEquals(100, alone.frames());
        assertEquals(100.0, alone.framesPerSecond());
        assertEquals(50.0, alone.p50Ms(), 0.05);
        assertEquals(99.0, alone.p99Ms(), 0.1);
        assertEquals(100.0, alone.maxMs(), 0.1);
        PushTally.WindowStats warmup = c.window("warmup");
        assertEquals(1, warmup.frames());
        assertEquals(0.0, warmup.p99Ms());
        PushTally.WindowStats beside = c.window("beside-echo");
        assertEquals(1, beside.frames());
        assertEquals(0.5, beside.framesPerSecond());
        assertEquals(3.0, beside.p50Ms(), 0.01);
        assertEquals(103, c.received());
        assertEquals(0, c.lost());
        assertEquals(List.of("warmup", "alone", "beside-echo", "beside-echo"), c.timeline().stream().map(PushTally.Second::window).toList());
        assertEquals(List.of(1L, 100L, 1L, 0L), c.timeline().stream().map(PushTally.Second::frames).toList(),
                "per second of the windows; what is read after them is not timed");
        assertEquals(99.0, c.timeline().get(1).p99Ms(), 0.1);
    }

    @Test
    void lost_frames_are_the_accepted_pushes_times_the_connections_minus_what_each_received_once() {
        PushTally tally = new PushTally(3, LAYOUT);
        tally.start(ORIGIN);
        long t = ORIGIN + 1_500 * MS;
        for (int seq = 0; seq < 4; seq++) {
            tally.frame(0, seq, t, t + MS);
        }
        tally.frame(0, 1, t, t + 2 * MS);                 // a duplicate: received once
        for (int seq : new int[] {0, 1, 3, 4}) {          // 4 was rejected: its frame does not count
            tally.frame(1, seq, t, t + MS);
        }
        // connection 2 received nothing

        BitSet accepted = new BitSet();
        accepted.set(0, 4);
        PushTally.Count c = tally.count(accepted);
        assertEquals(12, c.expected());
        assertEquals(7, c.received());
        assertEquals(5, c.lost());
        assertEquals(1, c.duplicates());
        assertEquals(0, c.unexpected());
        assertEquals(8, c.window("alone").frames(), "every distinct frame read counts in its window, accepted or not");
    }

    @Test
    void frames_before_the_start_and_other_frames_are_unexpected_and_closed_connections_are_counted() {
        PushTally tally = new PushTally(2, LAYOUT);
        tally.frame(0, 0, 0, 1);
        tally.start(ORIGIN);
        tally.unexpected(1);
        tally.lostConnection(1);
        tally.frame(0, -5, ORIGIN, ORIGIN + MS);
        PushTally.Count c = tally.count(new BitSet());
        assertEquals(3, c.unexpected());
        assertEquals(1, c.closed());
        assertEquals(0, c.expected());
        assertEquals(0, c.lost());
    }

    @Test
    void counting_before_the_start_is_refused() {
        assertThrows(IllegalStateException.class, () -> new PushTally(1, LAYOUT).count(new BitSet()));
    }
}
