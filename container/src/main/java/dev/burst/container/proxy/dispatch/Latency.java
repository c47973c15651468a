package dev.burst.container.proxy.dispatch;

import java.util.OptionalDouble;
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
    /** How many buckets a histogram has: the length of {@link #addBucketsTo}'s array. */
    public static final int BUCKETS = 64 * SUB;
    private final AtomicLongArray buckets = new AtomicLongArray(BUCKETS);
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
     * Adds this histogram's bucket counts, as they are now, into an array: summed over several
     * histograms, or subtracted from a later copy, they give the buckets of a group of histograms or of
     * an interval, for {@link #percentileMillis(long[], double)}. Costs the recorders nothing.
     *
     * @param into {@link #BUCKETS} counts, added to
     */
    public void addBucketsTo(long[] into) {
        for (int i = 0; i < BUCKETS; i++) {
            into[i] += buckets.get(i);
        }
    }

    /**
     * @param counts {@link #BUCKETS} bucket counts (see {@link #addBucketsTo})
     * @param p      a fraction, 0.5 for the median
     * @return the upper edge of the bucket holding that rank, in milliseconds (within 12.5%); empty when
     * the counts are all zero
     */
    public static OptionalDouble percentileMillis(long[] counts, double p) {
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        if (total == 0) {
            return OptionalDouble.empty();
        }
        long rank = Math.max(1, (long) Math.ceil(p * total));
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return OptionalDouble.of(upper(i) / 1000.0);
            }
        }
        return OptionalDouble.of(upper(counts.length - 1) / 1000.0);
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
