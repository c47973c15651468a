package dev.burst.bench;

/**
 * A log-linear latency histogram in nanoseconds (HdrHistogram's layout, small): values below 128 ns are
 * exact, above that each power of two is split into 64 buckets, so a value is kept within 1.6 %.
 * From 1 ns to about 18 minutes in 2,304 counters (18 KB). Not thread-safe: one recording thread owns
 * each instance; {@link #add} merges them afterwards.
 */
final class LatencyHistogram {

    private static final int SUB_BITS = 7;
    private static final int SUB = 1 << SUB_BITS;          // 128 exact values
    private static final int HALF = SUB / 2;               // 64 buckets per power of two above them
    private static final int MAX_SHIFT = 34;
    static final int BUCKETS = SUB + MAX_SHIFT * HALF;     // 2,304
    private static final long LARGEST = (long) (SUB - 1) << MAX_SHIFT;

    private final long[] counts = new long[BUCKETS];
    private long count;
    private long max;
    private long min = Long.MAX_VALUE;
    private double sum;

    /** @param nanos a latency; negative values count as 0, values past ~18 min as the largest bucket */
    void record(long nanos) {
        long v = Math.max(0, Math.min(nanos, LARGEST));
        counts[index(v)]++;
        count++;
        sum += nanos;
        if (nanos > max) {
            max = nanos;
        }
        if (nanos < min) {
            min = nanos;
        }
    }

    /** Adds every value recorded by the other histogram to this one. */
    void add(LatencyHistogram other) {
        for (int i = 0; i < BUCKETS; i++) {
            counts[i] += other.counts[i];
        }
        count += other.count;
        sum += other.sum;
        max = Math.max(max, other.max);
        min = Math.min(min, other.min);
    }

    long count() {
        return count;
    }

    /** @return the largest value recorded, exact; 0 when empty */
    long max() {
        return max;
    }

    /** @return the smallest value recorded, exact; 0 when empty */
    long min() {
        return count == 0 ? 0 : min;
    }

    double mean() {
        return count == 0 ? 0 : sum / count;
    }

    /**
     * @param percent 0..100
     * @return the value at that percentile (the middle of its bucket, never above the exact maximum);
     *         0 when empty
     */
    long percentile(double percent) {
        if (count == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(percent / 100.0 * count));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.min(max, Math.max(min(), middle(i)));
            }
        }
        return max;
    }

    static int index(long v) {
        if (v < SUB) {
            return (int) v;
        }
        int msb = 63 - Long.numberOfLeadingZeros(v);      // >= SUB_BITS
        int shift = msb - (SUB_BITS - 1);                  // >= 1
        int mantissa = (int) (v >>> shift);                // HALF .. SUB-1
        return SUB + (shift - 1) * HALF + (mantissa - HALF);
    }

    /** @return the smallest value that falls into bucket i */
    static long lowest(int i) {
        if (i < SUB) {
            return i;
        }
        int shift = (i - SUB) / HALF + 1;
        long mantissa = (i - SUB) % HALF + HALF;
        return mantissa << shift;
    }

    private static long middle(int i) {
        if (i < SUB) {
            return i;
        }
        int shift = (i - SUB) / HALF + 1;
        return lowest(i) + (1L << shift) / 2;
    }
}
