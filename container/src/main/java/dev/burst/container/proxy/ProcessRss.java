package dev.burst.container.proxy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongUnaryOperator;

/**
 * Resident set sizes of the workers, read from {@code /proc/<pid>/status} ({@code VmRSS}) at most once a
 * second per process, however many stat callers (dashboards, burstctl stat --loop, scrapers) ask.
 *
 * <p>Threads: admin request threads, any number at once; a reading is taken under its map entry's lock.
 */
final class ProcessRss {

    private static final long FRESH_NANOS = TimeUnit.SECONDS.toNanos(1);

    private record Reading(long bytes, long nanos) {
    }

    private final ConcurrentHashMap<Long, Reading> readings = new ConcurrentHashMap<>();
    private final LongUnaryOperator source;

    /** Reads /proc. */
    ProcessRss() {
        this(ProcessRss::fromProc);
    }

    /** @param source a process's RSS in bytes, by pid (tests count the reads) */
    ProcessRss(LongUnaryOperator source) {
        this.source = source;
    }

    /**
     * @param pid a process
     * @param nowNanos {@link System#nanoTime()}
     * @return its RSS in bytes, read now unless read less than a second ago; 0 when it cannot be read
     */
    long bytes(long pid, long nowNanos) {
        return readings.compute(pid, (p, r) -> r != null && nowNanos - r.nanos() < FRESH_NANOS ? r
                : new Reading(source.applyAsLong(p), nowNanos)).bytes();
    }

    /** Forgets the processes not in the list (exited workers). */
    void retain(Collection<Long> pids) {
        readings.keySet().retainAll(pids);
    }

    /** Resident set size of a process, from /proc (0 where there is none). */
    static long fromProc(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // the process is gone, or this is not Linux: no figure
        }
        return 0;
    }
}
