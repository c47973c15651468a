package dev.burst.container.proxy;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * The proxy's stat of the last {@value #CAPACITY} seconds, one sample per second at most, for
 * {@code GET /admin/stat/history} and the dashboard's charts: a ring of {@value #CAPACITY} slots indexed
 * by the sample's second, so it never holds more, and a second the sampler missed (it ran late) is simply
 * absent — the next sample covers the time since the previous one ({@link Sample#spanMillis()}).
 *
 * <p>In memory only: a respawned proxy starts with an empty history.
 *
 * <p>Threads: {@link #add} on the proxy's timer thread (the stat sampler); {@link #after} on admin request
 * threads. One lock, held for an array write or a copy of at most {@value #CAPACITY} references.
 */
final class StatHistory {

    /** Samples kept: 15 minutes of seconds. */
    static final int CAPACITY = 900;

    /**
     * What happened since the previous sample, and the gauges at the moment it was taken. Counts are of
     * answered requests, by how they were answered.
     *
     * @param second        when it was taken, in Unix seconds; its counts are those of the span before it
     * @param spanMillis    time since the previous sample (about 1000; more after a late run)
     * @param ok            answered by a handler, with a reply or none
     * @param handlerErrors answered -10001: the handler threw
     * @param rejected      answered -10002 (queue full, waited past queue-timeout, cleared, stopping) or
     *                      -10006 (no key for a keyless=reject group)
     * @param timedOut      answered -10003: past task-timeout
     * @param lost          answered -10004: the worker died
     * @param unknownCmds   answered -10000: no group serves the cmd
     * @param p50Millis     median time from accepting to answering, of the requests answered in the span
     * @param p99Millis     its 99th percentile; both empty when none was answered
     * @param pending       tasks queued, every group, when taken
     * @param busyWorkers   workers running a task, when taken
     * @param workers       workers connected (not exited), when taken
     * @param generation    the serving plugin generation, when taken
     * @param usersOnline   users logged in, when taken
     * @param connections   Box and WebSocket connections, when taken
     * @param pushes        pushes asked for in the span (by handlers and the admin API)
     * @param pushDelivered frames of pushes delivered to connections in the span
     * @param pushOffline   push recipients found offline in the span
     * @param pushDropped   connections closed as slow consumers by a push in the span
     */
    record Sample(long second, long spanMillis, long ok, long handlerErrors, long rejected, long timedOut, long lost,
                  long unknownCmds, OptionalDouble p50Millis, OptionalDouble p99Millis, int pending, int busyWorkers,
                  int workers, int generation, long usersOnline, long connections, long pushes, long pushDelivered,
                  long pushOffline, long pushDropped) {
    }

    private final Sample[] slots = new Sample[CAPACITY];
    private long newest = Long.MIN_VALUE;

    /**
     * Keeps a sample, in place of the one {@value #CAPACITY} seconds older.
     *
     * @param sample a sample
     * @return false, keeping nothing, when it is not newer than the newest kept: one sample per second
     */
    synchronized boolean add(Sample sample) {
        if (sample.second() <= newest) {
            return false;
        }
        slots[slot(sample.second())] = sample;
        newest = sample.second();
        return true;
    }

    /**
     * @param second a Unix second (0 for every sample)
     * @return the samples taken after it, within {@value #CAPACITY} seconds of the newest, oldest first
     */
    synchronized List<Sample> after(long second) {
        List<Sample> out = new ArrayList<>();
        if (newest == Long.MIN_VALUE) {
            return out;
        }
        for (long t = Math.max(second + 1, newest - CAPACITY + 1); t <= newest; t++) {
            Sample s = slots[slot(t)];
            if (s != null && s.second() == t) {
                out.add(s);
            }
        }
        return out;
    }

    private static int slot(long second) {
        return (int) Math.floorMod(second, (long) CAPACITY);
    }
}
