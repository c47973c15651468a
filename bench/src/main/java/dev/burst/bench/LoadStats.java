package dev.burst.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one load run measured, whatever drove it (wrk or {@link BoxLoad}).
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
 * @param note       anything the tool said that a reader should know (wrk's error breakdown ...), or ""
 */
record LoadStats(String tool, long requests, long errors, double seconds, double p50Ms, double p90Ms, double p99Ms,
                 double maxMs, List<Second> timeline, String note) {

    /** One second of the window. */
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

    double throughput() {
        return seconds <= 0 ? 0 : requests / seconds;
    }

    static LoadStats of(String tool, LatencyRecorder r, double seconds, String note) {
        LatencyHistogram h = r.total();
        List<Second> timeline = new ArrayList<>();
        int n = Math.max(r.secondCount(), (int) Math.ceil(seconds - 1e-9));
        for (int s = 0; s < n; s++) {
            LatencyHistogram sh = r.secondAt(s);
            timeline.add(new Second(s, sh.count(), r.errorsAt(s), ms(sh.percentile(50)), ms(sh.percentile(99)),
                    ms(sh.max())));
        }
        return new LoadStats(tool, h.count(), r.errorCount(), seconds, ms(h.percentile(50)), ms(h.percentile(90)),
                ms(h.percentile(99)), ms(h.max()), List.copyOf(timeline), note);
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
        if (!note.isEmpty()) {
            m.put("note", note);
        }
        m.put("timeline", timeline.stream().map(Second::json).toList());
        return m;
    }
}
