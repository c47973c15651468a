package dev.burst.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The printed table and the targets, checked against a run's results. Targets are reported,
 * never enforced: the benchmark is a tool, not a test.
 */
final class Report {

    private final List<Scenario.Result> results;
    private final List<OperationPhase> phases;
    private final Startup startup;
    private final Map<String, Object> memory;
    private final double loadBefore;
    private final double loadAfter;

    Report(List<Scenario.Result> results, List<OperationPhase> phases, Startup startup, Map<String, Object> memory,
           double loadBefore, double loadAfter) {
        this.results = results;
        this.phases = phases;
        this.startup = startup;
        this.memory = memory;
        this.loadBefore = loadBefore;
        this.loadAfter = loadAfter;
    }

    private Optional<Scenario.Result> scenario(String protocol, int connections, int inFlight) {
        return results.stream().filter(r -> r.scenario().protocol().equals(protocol)
                && r.scenario().connections() == connections && r.scenario().inFlight() == inFlight).findFirst();
    }

    private int most() {
        return results.stream().mapToInt(r -> r.scenario().connections()).max().orElse(16);
    }

    /** @return each target with its value and whether it is met, as JSON-ready data */
    List<Map<String, Object>> targets() {
        List<Map<String, Object>> t = new ArrayList<>();
        int c = most();
        scenario("http", c, 1).ifPresent(r -> {
            t.add(target("HTTP echo at " + c + " connections, req/s", r.burst().stats().throughput(), ">=", 24_000,
                    "3x gunicorn+nginx's 8k"));
            t.add(target("HTTP echo at " + c + " connections, burst/baseline", r.throughputRatio(), ">=", 0.40,
                    "40% of plain Helidon"));
        });
        scenario("box", c, 1).ifPresent(box -> scenario("http", c, 1).ifPresent(http -> t.add(target(
                "Box/HTTP req/s at " + c + " connections", box.burst().stats().throughput()
                        / Math.max(1, http.burst().stats().throughput()), ">=", 1.0, "Box at least as fast as HTTP"))));
        scenario("http", 1, 1).ifPresent(r -> t.add(target("proxy-added p50 at 1 connection, HTTP, ms", r.addedP50Ms(),
                "<", 0.2, "burst p50 - baseline p50")));
        scenario("box", 1, 1).ifPresent(r -> t.add(target("proxy-added p50 at 1 connection, Box, ms", r.addedP50Ms(),
                "<", 0.2, "burst p50 - baseline p50")));
        startup.maxSpawnToReadyMs().ifPresent(ms -> t.add(target("worker spawn-to-ready, ms (largest"
                + (startup.replacements().isEmpty() ? ", first start)" : " replacement)"), ms, "<", 300, "")));
        idleWorkerRssKb().ifPresent(kb -> t.add(target("idle worker RSS, MB (largest)", kb / 1024.0, "<", 80, "")));
        return t;
    }

    private Optional<Long> idleWorkerRssKb() {
        if (!startup.freshWorkerRssKb().isEmpty()) {
            return startup.freshWorkerRssKb().values().stream().max(Long::compare);
        }
        return Optional.empty();
    }

    private static Map<String, Object> target(String name, double value, String op, double goal, String why) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("value", value);
        m.put("target", op + " " + goal);
        m.put("met", op.equals(">=") ? value >= goal : value < goal);
        if (!why.isEmpty()) {
            m.put("why", why);
        }
        return m;
    }

    /** @return the table printed at the end of a run */
    @SuppressWarnings("unchecked")
    String table() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("load average %.2f before, %.2f after (2 cores: above ~0.5 before means someone else is busy)%n%n",
                loadBefore, loadAfter));
        sb.append(String.format("%-12s %-9s %9s %8s %8s %8s %7s   %-30s%n", "scenario", "server", "req/s", "p50 ms",
                "p99 ms", "max ms", "errors", "CPU us/request"));
        for (Scenario.Result r : results) {
            row(sb, r.scenario().name(), "burst", r.burst());
            row(sb, "", "baseline", r.baseline());
            sb.append(String.format("%-12s %-9s %9s %8s %8s%n", "", "ratio", String.format("%.2fx", r.throughputRatio()),
                    String.format("%+.3f", r.addedP50Ms()), String.format("%+.3f", r.addedP99Ms())));
        }
        for (OperationPhase p : phases) {
            sb.append(String.format("%n%s under load: SIG%s every %.1f s; %d failed request(s); %d of %d operation(s) ok%n",
                    p.name(), p.signal(), p.everyS(), p.failed(), p.outcomes().stream().filter(OperationPhase.Outcome::ok).count(),
                    p.outcomes().size()));
            for (OperationPhase.Part part : p.parts()) {
                sb.append(String.format("  %-7s %8.0f req/s  p50 %7.3f  p99 %8.3f  max %8.3f ms  errors %d%n", part.name(),
                        part.seconds() == 0 ? 0 : part.requests() / part.seconds(), part.p50Ms(), part.p99Ms(), part.maxMs(),
                        part.errors()));
            }
        }
        sb.append(String.format("%nstartup: proxy serving %d ms after launch; first workers spawn->ready %s ms%n",
                startup.serveMs(), startup.initial().stream().map(BurstLog.WorkerStart::millis).toList()));
        if (!startup.replacements().isEmpty()) {
            sb.append(String.format("         idle restart_workers: replacements spawn->ready %s ms, whole restart %d ms%n",
                    startup.replacements().stream().map(BurstLog.WorkerStart::millis).toList(), startup.restartWallMs()));
        }
        for (Startup.Reload r : startup.reloads()) {
            sb.append(String.format("         idle reload: %d ms reported by burst, %d ms from SIGHUP to its log line%s%n",
                    r.reportedMs(), r.wallMs(), r.ok() ? "" : " (FAILED: " + r.line() + ")"));
        }
        Map<String, Object> rss = (Map<String, Object>) memory.get("after_load_rss_kb");
        sb.append("\nmemory (RSS MB) after load: ");
        rss.forEach((k, v) -> sb.append(k).append(' ').append(String.format("%.0f", ((Number) v).longValue() / 1024.0)).append("  "));
        sb.append('\n');
        if (!startup.freshWorkerRssKb().isEmpty()) {
            sb.append("                 fresh idle workers: ");
            startup.freshWorkerRssKb().forEach((k, v) -> sb.append(k).append(' ').append(String.format("%.0f", v / 1024.0)).append("  "));
            sb.append('\n');
        }
        sb.append("\ntargets (issue 5):\n");
        for (Map<String, Object> t : targets()) {
            sb.append(String.format("  [%s] %-55s %10.3f  (target %s)%n", (Boolean) t.get("met") ? "met" : "MISSED",
                    t.get("name"), (Double) t.get("value"), t.get("target")));
        }
        return sb.toString();
    }

    private static void row(StringBuilder sb, String scenario, String server, Scenario.Side s) {
        StringBuilder cpu = new StringBuilder();
        s.cpuUsPerRequest().forEach((k, v) -> cpu.append(k).append(' ').append(String.format("%.0f", v)).append(' '));
        sb.append(String.format("%-12s %-9s %9.0f %8.3f %8.3f %8.2f %7d   %s(machine %.0f%% busy, %.0f%% other)%n", scenario,
                server, s.stats().throughput(), s.stats().p50Ms(), s.stats().p99Ms(), s.stats().maxMs(), s.stats().errors(),
                cpu, s.machineBusyPct(), s.unaccountedPct()));
    }
}
