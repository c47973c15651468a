package dev.burst.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What a closed-loop load measured: the latencies of the requests answered successfully, over the whole
 * measured window and per second of it, and the failed requests per second. Built on HdrHistogram
 * ({@link Recorder}: wait-free recording from any number of threads, interval histograms taken without
 * stopping them; 3 significant digits, so a latency is kept within 0.1 %).
 *
 * <p>Coordinated omission: a closed-loop connection sends its next request only when the previous one
 * has been answered, so while the server stalls it sends nothing, and the requests it would have sent
 * meanwhile are never measured. Each latency is therefore recorded twice: as is ({@code raw}), and in a
 * histogram corrected with {@link Recorder#recordValueWithExpectedInterval}: a latency L longer than the
 * expected interval I between two sends of a connection also records L - I, L - 2I, ... down to I, the
 * latencies those unsent requests would have seen. I is the median latency of the warm-up (a
 * connection's usual round trip); without warm-up samples nothing is corrected.
 *
 * <p>Requests sent before the measured window opens are warm-up: they only feed I. The seconds are cut
 * by time of recording (when the reply came); failures go to the second in which they were noticed; the
 * last second also holds what was answered or lost while the load drained after the window.
 *
 * <p>Threads: {@link #ok} and {@link #failed} from any load thread; {@link #openWindow} and {@link #cut}
 * from one sampler thread ({@link #sampleSeconds}); {@link #close} once, after every load thread ended;
 * the results after that.
 */
final class LoadRecorder {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final int DIGITS = 3;

    private final long measureStart;
    private final Recorder warmup = new Recorder(DIGITS);
    private final Recorder raw = new Recorder(DIGITS);
    private final Recorder corrected = new Recorder(DIGITS);
    private final ConcurrentHashMap<Integer, LongAdder> errors = new ConcurrentHashMap<>();
    private final List<Histogram> rawSeconds = new ArrayList<>();
    private final List<Histogram> correctedSeconds = new ArrayList<>();
    private volatile long expectedInterval;
    private volatile boolean closed;

    /** @param measureStart {@link System#nanoTime()} at which the measured window opens */
    LoadRecorder(long measureStart) {
        this.measureStart = measureStart;
    }

    /** A successful answer, received at {@code now}, to a request sent at {@code sentAt}. */
    void ok(long sentAt, long now) {
        long latency = Math.max(1, now - sentAt);
        if (sentAt < measureStart) {
            warmup.recordValue(latency);
            return;
        }
        raw.recordValue(latency);
        corrected.recordValueWithExpectedInterval(latency, expectedInterval);
    }

    /** {@code n} requests failed (an error reply, a lost connection, no answer), noticed at {@code at}. */
    void failed(long at, int n) {
        if (at < measureStart || n <= 0) {
            return;
        }
        errors.computeIfAbsent((int) ((at - measureStart) / SECOND), s -> new LongAdder()).add(n);
    }

    /**
     * At the window's start: the warm-up's median becomes the expected interval (a reply recorded in the
     * moment before this runs is recorded uncorrected).
     */
    synchronized void openWindow() {
        Histogram w = warmup.getIntervalHistogram();
        expectedInterval = w.getTotalCount() == 0 ? 0 : w.getValueAtPercentile(50);
    }

    /** Ends the current second. */
    synchronized void cut() {
        if (closed) {
            return;
        }
        rawSeconds.add(raw.getIntervalHistogram());
        correctedSeconds.add(corrected.getIntervalHistogram());
    }

    /**
     * Ends the last second (with what the drain after the window recorded) and the recording; the window
     * has {@code seconds} seconds in all (fewer cuts, as after an early stop, leave empty seconds).
     */
    synchronized void close(int seconds) {
        if (closed) {
            return;
        }
        Histogram lastRaw = raw.getIntervalHistogram();
        Histogram lastCorrected = corrected.getIntervalHistogram();
        while (rawSeconds.size() < seconds - 1) {
            rawSeconds.add(new Histogram(DIGITS));
            correctedSeconds.add(new Histogram(DIGITS));
        }
        if (rawSeconds.size() >= Math.max(1, seconds)) {
            rawSeconds.getLast().add(lastRaw);
            correctedSeconds.getLast().add(lastCorrected);
        } else {
            rawSeconds.add(lastRaw);
            correctedSeconds.add(lastCorrected);
        }
        closed = true;
    }

    /**
     * Starts the thread that opens the window at its start and cuts a second at every whole second of it,
     * until the window ends; {@link #close} follows once the load has drained.
     */
    Thread sampleSeconds(long end) {
        return Thread.ofPlatform().name("load-seconds").daemon().start(() -> {
            try {
                sleepUntil(measureStart);
                openWindow();
                for (long t = measureStart + SECOND; t < end - SECOND / 100; t += SECOND) {
                    sleepUntil(t);
                    cut();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left = nanoTime - System.nanoTime();
        if (left > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    private void requireClosed() {
        if (!closed) {
            throw new IllegalStateException("the load is still being recorded");
        }
    }

    /** @return the expected interval the correction used, in ns; 0: none */
    long expectedIntervalNanos() {
        return expectedInterval;
    }

    int secondCount() {
        requireClosed();
        return rawSeconds.size();
    }

    /** @return every answered request's latency as measured, in ns */
    Histogram rawTotal() {
        return sum(rawSeconds, 0, rawSeconds.size());
    }

    /** @return the same, with the coordinated-omission correction */
    Histogram correctedTotal() {
        return sum(correctedSeconds, 0, correctedSeconds.size());
    }

    /** @return seconds [from, to) of the raw latencies */
    Histogram raw(int from, int to) {
        return sum(rawSeconds, from, to);
    }

    /** @return seconds [from, to) of the corrected latencies */
    Histogram corrected(int from, int to) {
        return sum(correctedSeconds, from, to);
    }

    private Histogram sum(List<Histogram> seconds, int from, int to) {
        requireClosed();
        Histogram h = new Histogram(DIGITS);
        for (int s = Math.max(0, from); s < Math.min(to, seconds.size()); s++) {
            h.add(seconds.get(s));
        }
        return h;
    }

    long errorCount() {
        return errors.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** @return the failures of second s; those noticed after the window count in its last second */
    long errorsAt(int s) {
        requireClosed();
        int last = rawSeconds.size() - 1;
        if (s < last) {
            LongAdder a = errors.get(s);
            return a == null ? 0 : a.sum();
        }
        if (s > last) {
            return 0;
        }
        return errors.entrySet().stream().filter(e -> e.getKey() >= last).mapToLong(e -> e.getValue().sum()).sum();
    }
}
