package dev.burst.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

    @Test
    void every_value_lands_in_a_bucket_whose_range_holds_it() {
        for (long v = 0; v < 5_000_000_000L; v += Math.max(1, v / 1000)) {
            int i = LatencyHistogram.index(v);
            assertTrue(LatencyHistogram.lowest(i) <= v, v + " below bucket " + i);
            assertTrue(i + 1 == LatencyHistogram.BUCKETS || LatencyHistogram.lowest(i + 1) > v, v + " above bucket " + i);
        }
    }

    @Test
    void percentiles_are_within_two_percent_and_the_maximum_is_exact() {
        LatencyHistogram h = new LatencyHistogram();
        for (int i = 1; i <= 100_000; i++) {
            h.record(i * 1_000L);          // 1 us .. 100 ms, uniform
        }
        assertEquals(100_000, h.count());
        assertEquals(100_000_000L, h.max());
        assertEquals(50_000_000, h.percentile(50), 50_000_000 * 0.02);
        assertEquals(99_000_000, h.percentile(99), 99_000_000 * 0.02);
        assertEquals(1_000, h.percentile(0.0001), 1_000 * 0.02);
    }

    @Test
    void merged_histograms_count_both() {
        LatencyHistogram a = new LatencyHistogram();
        LatencyHistogram b = new LatencyHistogram();
        a.record(10);
        b.record(1_000_000);
        a.add(b);
        assertEquals(2, a.count());
        assertEquals(1_000_000, a.max());
        assertEquals(10, a.min());
    }
}
