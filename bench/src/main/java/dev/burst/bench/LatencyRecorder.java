package dev.burst.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * What one load thread saw: the latencies of requests answered successfully, over the whole measured
 * window and per second of it, and the failed requests per second. Owned by one thread while the load
 * runs; merged by the caller afterwards ({@link #merge}).
 *
 * <p>A request belongs to the second in which it was sent (a failure: in which it was noticed); requests
 * sent before {@code measureStart} are warm-up and are not recorded.
 */
final class LatencyRecorder {

    private static final long SECOND = 1_000_000_000L;

    private final long measureStart;
    private final LatencyHistogram total = new LatencyHistogram();
    private final List<LatencyHistogram> seconds = new ArrayList<>();
    private final List<long[]> errors = new ArrayList<>();
    private long errorCount;

    /** @param measureStart {@link System#nanoTime()} at which the measured window opens */
    LatencyRecorder(long measureStart) {
        this.measureStart = measureStart;
    }

    /** A successful answer to a request sent at {@code sentAt}. */
    void ok(long sentAt, long latencyNanos) {
        if (sentAt < measureStart) {
            return;
        }
        total.record(latencyNanos);
        second((int) ((sentAt - measureStart) / SECOND)).record(latencyNanos);
    }

    /** {@code n} requests failed (an error reply, a lost connection, no answer), noticed at {@code at}. */
    void failed(long at, int n) {
        if (at < measureStart || n <= 0) {
            return;
        }
        int s = (int) ((at - measureStart) / SECOND);
        while (errors.size() <= s) {
            errors.add(new long[1]);
        }
        errors.get(s)[0] += n;
        errorCount += n;
    }

    private LatencyHistogram second(int s) {
        while (seconds.size() <= s) {
            seconds.add(new LatencyHistogram());
        }
        return seconds.get(s);
    }

    LatencyHistogram total() {
        return total;
    }

    long errorCount() {
        return errorCount;
    }

    int secondCount() {
        return Math.max(seconds.size(), errors.size());
    }

    /** @return second s's histogram (empty if nothing was recorded then) */
    LatencyHistogram secondAt(int s) {
        return s < seconds.size() ? seconds.get(s) : new LatencyHistogram();
    }

    long errorsAt(int s) {
        return s < errors.size() ? errors.get(s)[0] : 0;
    }

    /** @return one recorder holding everything the given ones recorded */
    static LatencyRecorder merge(long measureStart, List<LatencyRecorder> parts) {
        LatencyRecorder all = new LatencyRecorder(measureStart);
        for (LatencyRecorder p : parts) {
            all.total.add(p.total);
            for (int s = 0; s < p.seconds.size(); s++) {
                all.second(s).add(p.seconds.get(s));
            }
            for (int s = 0; s < p.errors.size(); s++) {
                all.failed(measureStart + s * SECOND, (int) p.errors.get(s)[0]);
            }
        }
        return all;
    }
}
