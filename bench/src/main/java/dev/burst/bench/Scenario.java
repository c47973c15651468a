package dev.burst.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One throughput scenario, run against burst and the baseline in turn.
 *
 * @param name        "http-c16", "box-c1", "box-c16-p8" ...
 * @param protocol    "http" (wrk) or "box" (BoxLoad)
 * @param connections client connections
 * @param inFlight    requests in flight per connection (wrk: always 1)
 */
record Scenario(String name, String protocol, int connections, int inFlight) {

    /** The scenarios of a run, interleaved by connection count: http-c1, box-c1, http-c16, box-c16, box-c16-p8. */
    static List<Scenario> of(Options o) {
        List<Scenario> list = new ArrayList<>();
        for (int c : o.connections()) {
            if (o.http()) {
                list.add(new Scenario("http-c" + c, "http", c, 1));
            }
            if (o.box()) {
                list.add(new Scenario("box-c" + c, "box", c, 1));
            }
        }
        if (o.box() && o.pipeline() > 1 && !o.connections().isEmpty()) {
            int c = o.connections().stream().mapToInt(Integer::intValue).max().orElseThrow();
            list.add(new Scenario("box-c" + c + "-p" + o.pipeline(), "box", c, o.pipeline()));
        }
        return list;
    }

    /**
     * What one server did in a scenario.
     *
     * @param stats            the load's measurements
     * @param cpuUsPerRequest  CPU microseconds per answered request, per process role (proxy, workers,
     *                         master, baseline, client = the load generator)
     * @param syscallsPerRequest read-type and write-type system calls per answered request, per process role
     *                         whose /proc/PID/io was readable at both ends of the window (wrk's is not: it is
     *                         gone by then)
     * @param machineBusyPct   how busy all cores were during the window, percent of the machine
     * @param unaccountedPct   machine CPU used by none of the above (other processes, kernel), percent of
     *                         the machine: a noisy neighbour shows here
     */
    record Side(LoadStats stats, Map<String, Double> cpuUsPerRequest, Map<String, ProcStats.Calls> syscallsPerRequest,
                double machineBusyPct, double unaccountedPct) {

        /** A side without system-call counts. */
        Side(LoadStats stats, Map<String, Double> cpuUsPerRequest, double machineBusyPct, double unaccountedPct) {
            this(stats, cpuUsPerRequest, Map.of(), machineBusyPct, unaccountedPct);
        }

        Map<String, Object> json() {
            Map<String, Object> m = stats.json();
            Map<String, Object> cpu = new LinkedHashMap<>();
            cpuUsPerRequest.forEach(cpu::put);
            m.put("cpu_us_per_request", cpu);
            Map<String, Object> calls = new LinkedHashMap<>();
            syscallsPerRequest.forEach((k, v) -> calls.put(k, v.json()));
            m.put("syscalls_per_request", calls);
            m.put("machine_busy_pct", machineBusyPct);
            m.put("unaccounted_cpu_pct", unaccountedPct);
            return m;
        }
    }

    /** Both servers' results and how they compare. */
    record Result(Scenario scenario, Side burst, Side baseline) {

        double throughputRatio() {
            double b = baseline.stats().throughput();
            return b == 0 ? 0 : burst.stats().throughput() / b;
        }

        /** @return burst's p50 minus the baseline's: what the proxy hop adds */
        double addedP50Ms() {
            return burst.stats().p50Ms() - baseline.stats().p50Ms();
        }

        double addedP99Ms() {
            return burst.stats().p99Ms() - baseline.stats().p99Ms();
        }

        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", scenario.name);
            m.put("protocol", scenario.protocol);
            m.put("connections", scenario.connections);
            m.put("in_flight", scenario.inFlight);
            m.put("burst", burst.json());
            m.put("baseline", baseline.json());
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("throughput", throughputRatio());
            r.put("p50", baseline.stats().p50Ms() == 0 ? null : burst.stats().p50Ms() / baseline.stats().p50Ms());
            r.put("p99", baseline.stats().p99Ms() == 0 ? null : burst.stats().p99Ms() / baseline.stats().p99Ms());
            m.put("burst_over_baseline", r);
            m.put("added_p50_ms", addedP50Ms());
            m.put("added_p99_ms", addedP99Ms());
            return m;
        }
    }
}
