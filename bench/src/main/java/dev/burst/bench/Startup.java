package dev.burst.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How fast burst starts: the first start (the proxy and both workers booting at once), replacement
 * workers spawned by an idle restart_workers, and idle reloads.
 *
 * @param serveMs        bin/burst launched -> run/ports written (proxy serving)
 * @param initial        the first workers: spawn -> ready
 * @param replacements   the workers restart_workers spawned: spawn -> ready
 * @param restartWallMs  SIGUSR2 -> "restart_workers ... done" (every worker replaced one at a time), the
 *                       longest of the idle restarts, or -1
 * @param reloads        per idle SIGHUP: burst's own "in X ms" and SIGHUP -> that log line
 * @param freshWorkerRssKb RSS of the replacement workers 2 s after the restart, idle
 * @param restarts       idle restart_workers done (each replaces every worker)
 * @param spacingMs      the pause between one restart's end and the next SIGUSR2
 */
record Startup(long serveMs, List<BurstLog.WorkerStart> initial, List<BurstLog.WorkerStart> replacements,
               long restartWallMs, List<Reload> reloads, Map<String, Long> freshWorkerRssKb, int restarts, long spacingMs) {

    /** @return the startup of a run that did not time the idle restarts and reloads */
    static Startup firstOnly(long serveMs, List<BurstLog.WorkerStart> initial) {
        return new Startup(serveMs, initial, List.of(), -1, List.of(), Map.of(), 0, 0);
    }

    /** One idle reload. */
    record Reload(boolean ok, long reportedMs, long wallMs, String line) {
        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("ok", ok);
            m.put("reported_ms", reportedMs);
            m.put("wall_ms", wallMs);
            m.put("line", line);
            return m;
        }
    }

    static Map<String, Object> json(BurstLog.WorkerStart s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("worker", s.worker());
        m.put("pid", s.pid());
        m.put("spawn_to_ready_ms", s.millis());
        return m;
    }

    /** @return the largest spawn-to-ready of the replacements, else of the initial workers */
    Optional<Long> maxSpawnToReadyMs() {
        List<BurstLog.WorkerStart> l = replacements.isEmpty() ? initial : replacements;
        return l.stream().map(BurstLog.WorkerStart::millis).max(Long::compare);
    }

    /**
     * @return the median spawn-to-ready of the replacements (the mean of the two middle ones for an even
     *         count), if there were any
     */
    Optional<Double> medianReplacementMs() {
        List<Long> sorted = replacements.stream().map(BurstLog.WorkerStart::millis).sorted().toList();
        if (sorted.isEmpty()) {
            return Optional.empty();
        }
        int n = sorted.size();
        return Optional.of(n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2.0);
    }

    Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("serve_ms", serveMs);
        m.put("initial_workers", initial.stream().map(Startup::json).toList());
        m.put("replacement_workers", replacements.stream().map(Startup::json).toList());
        m.put("restart_wall_ms", restartWallMs);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("restarts", restarts);
        r.put("spacing_ms", spacingMs);
        r.put("workers", replacements.size());
        r.put("median", medianReplacementMs().orElse(null));
        r.put("worst", replacements.isEmpty() ? null : maxSpawnToReadyMs().orElse(null));
        m.put("replacement_spawn_to_ready_ms", r);
        m.put("reloads", reloads.stream().map(Reload::json).toList());
        m.put("fresh_worker_rss_kb", freshWorkerRssKb);
        return m;
    }
}
