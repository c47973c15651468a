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
 */
record Startup(long serveMs, List<BurstLog.WorkerStart> initial, List<BurstLog.WorkerStart> replacements,
               long restartWallMs, List<Reload> reloads, Map<String, Long> freshWorkerRssKb) {

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

    Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("serve_ms", serveMs);
        m.put("initial_workers", initial.stream().map(Startup::json).toList());
        m.put("replacement_workers", replacements.stream().map(Startup::json).toList());
        m.put("restart_wall_ms", restartWallMs);
        m.put("reloads", reloads.stream().map(Reload::json).toList());
        m.put("fresh_worker_rss_kb", freshWorkerRssKb);
        return m;
    }
}
