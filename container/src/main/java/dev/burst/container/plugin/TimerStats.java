package dev.burst.container.plugin;

/**
 * What one plugin's timers did in a worker: ticks run, ticks that threw, planned ticks skipped because
 * the task thread was busy past them, and how late ticks started, in a fixed histogram good for a p99.
 *
 * <p>Threads: the task thread that runs the ticks; {@link #snapshot()} copies the counts for it to send.
 */
public final class TimerStats {

    /** Upper bounds (inclusive, microseconds) of the lateness buckets; a last bucket holds the rest. */
    static final long[] LATE_BOUNDS_MICROS = {
        100, 250, 500, 1_000, 2_000, 3_000, 5_000, 10_000, 20_000, 50_000, 100_000, 250_000, 500_000,
        1_000_000, 5_000_000};

    private final String plugin;
    private long runs;
    private long failures;
    private long skipped;
    private long maxLateNanos;
    private final long[] late = new long[LATE_BOUNDS_MICROS.length + 1];

    TimerStats(String plugin) {
        this.plugin = plugin;
    }

    void ran(long lateNanos, boolean failed) {
        runs++;
        if (failed) {
            failures++;
        }
        maxLateNanos = Math.max(maxLateNanos, lateNanos);
        long micros = lateNanos / 1_000;
        int i = 0;
        while (i < LATE_BOUNDS_MICROS.length && micros > LATE_BOUNDS_MICROS[i]) {
            i++;
        }
        late[i]++;
    }

    void skipped(long ticks) {
        skipped += ticks;
    }

    /** @return the counts as they are now */
    Snapshot snapshot() {
        return new Snapshot(plugin, runs, failures, skipped, p99Micros(), maxLateNanos / 1_000);
    }

    /**
     * @return the upper bound of the bucket holding the 99th percentile of lateness, in microseconds (so a
     *         p99 "at most" this), but never more than the largest lateness seen; 0 before any run
     */
    private long p99Micros() {
        if (runs == 0) {
            return 0;
        }
        long rank = (runs * 99 + 99) / 100;
        long seen = 0;
        for (int i = 0; i < LATE_BOUNDS_MICROS.length; i++) {
            seen += late[i];
            if (seen >= rank) {
                return Math.min(LATE_BOUNDS_MICROS[i], maxLateNanos / 1_000);
            }
        }
        return maxLateNanos / 1_000;
    }

    /**
     * One plugin's timer counts at one moment.
     *
     * @param plugin         the plugin
     * @param runs           ticks run
     * @param failures       ticks that threw
     * @param skipped        planned ticks of {@code every} timers skipped as the thread was busy past them
     * @param lateP99Micros  99th percentile of how late ticks started, as the upper bound of its bucket
     * @param lateMaxMicros  the latest a tick started
     */
    public record Snapshot(String plugin, long runs, long failures, long skipped, long lateP99Micros,
                           long lateMaxMicros) {
    }
}
