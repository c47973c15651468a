package dev.burst.container.proxy.dispatch;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * A lock-free latency histogram: microsecond values in log-linear buckets, eight per power of two, so a
 * percentile is within 12.5% of the truth; count, sum and max are exact. Powers of two (in µs) are
 * bucket edges, which makes the Prometheus buckets ({@link #countBelow(long)}) exact.
 *
 * <p>Threads: {@link #record} from any thread, without locks; reads see a consistent-enough view.
 */
public final class Latency {

    private static final int SUB = 8;
    private final AtomicLongArray buckets = new AtomicLongArray(64 * SUB);
    private final LongAdder count = new LongAdder();
    private final LongAdder sumNanos = new LongAdder();
    private final AtomicLong maxNanos = new AtomicLong();

    /** @param nanos one latency, in nanoseconds */
    public void record(long nanos) {
        buckets.incrementAndGet(index(Math.max(1, nanos / 1000)));
        count.increment();
        sumNanos.add(nanos);
        maxNanos.accumulateAndGet(nanos, Math::max);
    }

    /** Bucket of a value in µs: exact below 8, then 8 sub-buckets per power of two. */
    static int index(long micros) {
        int exp = 63 - Long.numberOfLeadingZeros(micros);
        if (exp < 3) {
            return (int) micros;
        }
        return exp * SUB + (int) ((micros >> (exp - 3)) & (SUB - 1));
    }

    /** Largest µs value that falls into a bucket. */
    static long upper(int index) {
        if (index < SUB) {
            return index;
        }
        int exp = index / SUB;
        long lower = (long) (SUB + index % SUB) << (exp - 3);
        return lower + (1L << (exp - 3)) - 1;
    }

    /** @return values recorded */
    public long count() {
        return count.sum();
    }

    /** @return their sum, in seconds */
    public double sumSeconds() {
        return sumNanos.sum() / 1e9;
    }

    /** @return the largest, in milliseconds */
    public double maxMillis() {
        return maxNanos.get() / 1e6;
    }

    /**
     * @param p a fraction, 0.5 for the median
     * @return the value at that rank, in milliseconds (0 when empty)
     */
    public double percentileMillis(double p) {
        long total = count();
        if (total == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(p * total);
        long seen = 0;
        for (int i = 0; i < buckets.length(); i++) {
            seen += buckets.get(i);
            if (seen >= rank) {
                return Math.min(upper(i) / 1000.0, maxMillis());
            }
        }
        return maxMillis();
    }

    /**
     * @param powerOfTwoMicros a bucket edge: a power of two, in µs
     * @return how many values were below it
     */
    public long countBelow(long powerOfTwoMicros) {
        long n = 0;
        for (int i = 0; i < buckets.length() && upper(i) < powerOfTwoMicros; i++) {
            n += buckets.get(i);
        }
        return n;
    }
}
