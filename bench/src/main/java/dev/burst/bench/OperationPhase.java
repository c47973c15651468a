package dev.burst.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * A Box load during which the master gets a signal at fixed intervals (reload or restart under load):
 * a calm part before, the signalled part, a calm part after.
 *
 * @param name       "reload" or "restart"
 * @param signal     "HUP" or "USR2"
 * @param everyS     the interval between signals
 * @param bounds     seconds into the window where "during" starts and ends
 * @param stats      the whole load (timeline included)
 * @param parts      before, during and after
 * @param signals    seconds into the window at which each signal was sent
 * @param outcomes   the operations' outcome lines, at their log time
 * @param starts     workers spawned during the phase (restart): spawn-to-ready under load
 */
record OperationPhase(String name, String signal, double everyS, double[] bounds, LoadStats stats, List<Part> parts,
                      List<Double> signals, List<Outcome> outcomes, List<BurstLog.WorkerStart> starts) {

    /** Before, during or after: requests, failures and latency (corrected percentiles, raw maximum) in that part of the window. */
    record Part(String name, double seconds, long requests, long errors, double p50Ms, double p99Ms, double maxMs) {
        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("part", name);
            m.put("seconds", seconds);
            m.put("requests", requests);
            m.put("errors", errors);
            m.put("throughput", seconds == 0 ? 0 : requests / seconds);
            m.put("p50_ms", p50Ms);
            m.put("p99_ms", p99Ms);
            m.put("max_ms", maxMs);
            return m;
        }
    }

    /** An operation's end, seconds into the window. */
    record Outcome(double t, boolean ok, long reportedMs, String text) {
        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("t", t);
            m.put("ok", ok);
            if (reportedMs >= 0) {
                m.put("reported_ms", reportedMs);
            }
            m.put("line", text);
            return m;
        }
    }

    /** Splits a closed recorder's seconds into before/during/after. */
    static List<Part> split(LoadRecorder r, double[] bounds, double total) {
        return List.of(part("before", r, 0, bounds[0]), part("during", r, bounds[0], bounds[1]),
                part("after", r, bounds[1], total));
    }

    private static Part part(String name, LoadRecorder r, double from, double to) {
        int first = (int) Math.floor(from);
        int last = (int) Math.ceil(to);
        Histogram raw = r.raw(first, last);
        Histogram corrected = r.corrected(first, last);
        long errors = 0;
        for (int s = first; s < last; s++) {
            errors += r.errorsAt(s);
        }
        return new Part(name, to - from, raw.getTotalCount(), errors, LoadStats.ms(corrected, 50), LoadStats.ms(corrected, 99),
                LoadStats.ms(raw.getMaxValue()));
    }

    long failed() {
        return stats.errors();
    }

    Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("signal", "SIG" + signal);
        m.put("every_s", everyS);
        m.put("during_from_s", bounds[0]);
        m.put("during_to_s", bounds[1]);
        m.put("failed_requests", stats.errors());
        m.put("parts", parts.stream().map(Part::json).toList());
        m.put("signals_at_s", signals);
        m.put("outcomes", outcomes.stream().map(Outcome::json).toList());
        m.put("worker_starts", starts.stream().map(Startup::json).toList());
        m.put("load", stats.json());
        return m;
    }
}
