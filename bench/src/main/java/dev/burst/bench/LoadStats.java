package dev.burst.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.HdrHistogram.Histogram;

/**
 * What one load run measured, whatever drove it (wrk or {@link BoxLoad}).
 *
 * <p>BoxLoad's percentiles are corrected for coordinated omission ({@link LoadRecorder}); the uncorrected
 * ones are in {@code correction}. wrk's are as wrk measured them (wrk corrects nothing), so HTTP and Box
 * percentiles differ in kind where the server stalls.
 *
 * @param tool       "wrk" or "boxload"
 * @param requests   requests answered successfully in the measured window
 * @param errors     requests that failed: error replies, non-2xx, socket errors, lost or unanswered
 * @param seconds    length of the measured window
 * @param p50Ms      latency percentiles and maximum of the successful requests, in milliseconds
 * @param p90Ms      .
 * @param p99Ms      .
 * @param maxMs      .
 * @param timeline   per second of the window (empty for wrk, which reports whole-run figures only)
 * @param correction how the percentiles were corrected, if they were
 * @param note       anything the tool said that a reader should know (wrk's error breakdown ...), or ""
 */
record LoadStats(String tool, long requests, long errors, double seconds, double p50Ms, double p90Ms, double p99Ms,
                 double maxMs, List<Second> timeline, Optional<Correction> correction, String note) {

    /** One second of the window: requests answered in it, failures noticed in it, corrected percentiles. */
    record Second(int t, long requests, long errors, double p50Ms, double p99Ms, double maxMs) {
        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("t", t);
            m.put("requests", requests);
            m.put("errors", errors);
            m.put("p50_ms", p50Ms);
            m.put("p99_ms", p99Ms);
            m.put("max_ms", maxMs);
            return m;
        }
    }

    /**
     * The coordinated-omission correction: the expected interval between two sends of a connection and
     * the percentiles as measured, before the correction.
     */
    record Correction(double expectedIntervalMs, double rawP50Ms, double rawP90Ms, double rawP99Ms) {
        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("expected_interval_ms", expectedIntervalMs);
            m.put("uncorrected_p50_ms", rawP50Ms);
            m.put("uncorrected_p90_ms", rawP90Ms);
            m.put("uncorrected_p99_ms", rawP99Ms);
            return m;
        }
    }

    double throughput() {
        return seconds <= 0 ? 0 : requests / seconds;
    }

    /** @param r a closed recorder */
    static LoadStats of(String tool, LoadRecorder r, double seconds, String note) {
        Histogram raw = r.rawTotal();
        Histogram corrected = r.correctedTotal();
        List<Second> timeline = new ArrayList<>();
        for (int s = 0; s < r.secondCount(); s++) {
            Histogram sr = r.raw(s, s + 1);
            Histogram sc = r.corrected(s, s + 1);
            timeline.add(new Second(s, sr.getTotalCount(), r.errorsAt(s), ms(sc, 50), ms(sc, 99), ms(sr.getMaxValue())));
        }
        Optional<Correction> correction = r.expectedIntervalNanos() == 0 ? Optional.empty()
                : Optional.of(new Correction(ms(r.expectedIntervalNanos()), ms(raw, 50), ms(raw, 90), ms(raw, 99)));
        return new LoadStats(tool, raw.getTotalCount(), r.errorCount(), seconds, ms(corrected, 50), ms(corrected, 90),
                ms(corrected, 99), ms(raw.getMaxValue()), List.copyOf(timeline), correction, note);
    }

    /** @return the percentile in ms (HdrHistogram's highest value equivalent to it); 0 when empty */
    static double ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? 0 : ms(h.getValueAtPercentile(percentile));
    }

    static double ms(long nanos) {
        return nanos / 1e6;
    }

    Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tool", tool);
        m.put("requests", requests);
        m.put("errors", errors);
        m.put("seconds", seconds);
        m.put("throughput", throughput());
        m.put("p50_ms", p50Ms);
        m.put("p90_ms", p90Ms);
        m.put("p99_ms", p99Ms);
        m.put("max_ms", maxMs);
        correction.ifPresent(c -> m.put("co_correction", c.json()));
        if (!note.isEmpty()) {
            m.put("note", note);
        }
        m.put("timeline", timeline.stream().map(Second::json).toList());
        return m;
    }
}
