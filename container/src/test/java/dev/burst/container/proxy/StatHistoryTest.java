package dev.burst.container.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.burst.container.proxy.StatHistory.Sample;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class StatHistoryTest {

    private static final long T0 = 1_764_000_000L;

    static Sample at(long second, long ok) {
        return new Sample(second, 1000, ok, 0, 0, 0, 0, 0, OptionalDouble.empty(), OptionalDouble.empty(), 0, 0, 2, 1, 0,
                0, 0, 0, 0, 0);
    }

    @Test
    void a_history_holds_the_newest_fifteen_minutes_however_long_it_runs() {
        StatHistory h = new StatHistory();
        for (long t = T0; t < T0 + 2000; t++) {
            assertTrue(h.add(at(t, t - T0)));
        }
        List<Sample> all = h.after(0);
        assertEquals(StatHistory.CAPACITY, all.size());
        assertEquals(T0 + 2000 - StatHistory.CAPACITY, all.getFirst().second(), "the oldest kept is 899 s before the newest");
        assertEquals(T0 + 1999, all.getLast().second());
        for (int i = 1; i < all.size(); i++) {
            assertEquals(all.get(i - 1).second() + 1, all.get(i).second(), "oldest first, one per second");
        }
    }

    @Test
    void a_second_holds_one_sample_and_an_older_one_is_refused() {
        StatHistory h = new StatHistory();
        assertTrue(h.add(at(T0, 5)));
        assertFalse(h.add(at(T0, 7)), "a second sample in the same second");
        assertFalse(h.add(at(T0 - 1, 7)), "a sample older than the newest");
        assertEquals(List.of(at(T0, 5)), h.after(0));
    }

    @Test
    void seconds_without_a_sample_are_gaps_and_a_long_gap_leaves_nothing_stale() {
        StatHistory h = new StatHistory();
        h.add(at(T0, 1));
        h.add(at(T0 + 1, 2));
        h.add(at(T0 + 4, 3));
        assertEquals(List.of(T0, T0 + 1, T0 + 4), h.after(0).stream().map(Sample::second).toList());

        h.add(at(T0 + 4 + StatHistory.CAPACITY, 4)); // the slot of T0 + 4, a ring later
        assertEquals(List.of(T0 + 4 + StatHistory.CAPACITY), h.after(0).stream().map(Sample::second).toList(),
                "samples older than 15 minutes are not served, though some slots still hold them");
    }

    @Test
    void a_poll_gets_only_the_samples_after_the_second_it_names() {
        StatHistory h = new StatHistory();
        for (long t = T0; t < T0 + 10; t++) {
            h.add(at(t, 1));
        }
        assertEquals(List.of(T0 + 8, T0 + 9), h.after(T0 + 7).stream().map(Sample::second).toList());
        assertEquals(List.of(), h.after(T0 + 9));
    }

    @Test
    void a_new_history_is_empty_since_nothing_is_kept_across_a_proxy_restart() {
        // The history lives in the proxy's heap only: a respawned proxy builds a new one, and it starts empty.
        assertEquals(List.of(), new StatHistory().after(0));
    }
}
