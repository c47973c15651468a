package dev.burst.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TimerScenarioTest {

    private static final String ANSWER = "pid=4121 slot=2 armed=1000 period_us=100000 ticks=99870 late_p50_us=91 late_p99_us=2067 "
            + "late_p999_us=2389 late_max_us=6446 dropped=0";

    @Test
    void a_workers_report_becomes_its_lateness_in_milliseconds_with_the_ticks_the_plan_asked_for() {
        TimerScenario.Lateness l = TimerScenario.Lateness.of("default", TimerProbe.parse(ANSWER), 10.0);
        assertEquals("default#2", l.worker());
        assertEquals(4121, l.pid());
        assertEquals(1000, l.armed());
        assertEquals(99_870, l.ticks());
        assertEquals(100_000.0, l.expectedTicks(), 1e-9);
        assertEquals(0.091, l.p50Ms(), 1e-9);
        assertEquals(2.067, l.p99Ms(), 1e-9);
        assertEquals(2.389, l.p999Ms(), 1e-9);
        assertEquals(6.446, l.maxMs(), 1e-9);
        assertEquals(0, l.dropped());
    }

    @Test
    void a_report_without_a_field_is_refused_naming_it() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TimerScenario.Lateness.of("default", TimerProbe.parse(ANSWER.replace("late_p99_us=2067 ", "")), 10.0));
        assertTrue(e.getMessage().contains("has no late_p99_us"), e.getMessage());
    }

    @Test
    void burst_s_own_timer_counts_are_read_per_worker_for_the_plugin_only() {
        String stat = """
                {"workers_detail": [
                  {"id": "default#1", "pid": 101, "tasks": 5, "timers": [
                    {"plugin": "counter", "runs": 7, "failures": 1, "skipped": 0, "late_p99_ms": 0.1, "late_max_ms": 0.2},
                    {"plugin": "timer-bench", "runs": 40058, "failures": 0, "skipped": 3, "late_p99_ms": 2.0, "late_max_ms": 11.893}]},
                  {"id": "default#2", "pid": 102, "tasks": 6}]}
                """;
        assertEquals(List.of(new AdminStat.WorkerTimers("default#1", 101, 40_058, 0, 3, 2.0, 11.893)),
                AdminStat.timers(Json.read(stat), TimerScenario.PLUGIN));
    }

    @Test
    void with_timers_is_compared_with_the_mean_of_the_runs_before_and_after() {
        TimerScenario.Result r = result();
        assertEquals(29_000.0, r.withoutThroughput(), 1e-9);
        assertEquals(26_100.0 / 29_000.0, r.withOverWithout(), 1e-9);
        assertEquals(0.55 - 0.5, r.addedP50Ms(), 1e-9);
        assertEquals(2.067, r.worstP99Ms(), 1e-9);
        assertEquals(6.446, r.maxMs(), 1e-9);
    }

    @Test
    @SuppressWarnings("unchecked")
    void the_timers_section_has_the_three_loads_the_ratio_and_each_workers_lateness_and_stat() {
        Map<String, Object> json = (Map<String, Object>) Json.readValue(Json.write(result().json()));
        assertEquals("box-c16", json.get("load_scenario"));
        assertEquals(1000, ((Number) json.get("timers_per_worker")).intValue());
        assertEquals(100.0, ((Number) json.get("period_ms")).doubleValue());
        assertEquals("timer-bench.jar", json.get("plugin"));
        for (String load : List.of("without", "with", "after")) {
            assertTrue(((Map<String, Object>) json.get(load)).containsKey("throughput"), load + ": " + json);
        }
        assertEquals(0.9, ((Number) json.get("with_over_without")).doubleValue(), 1e-9);
        assertEquals(2.067, ((Number) json.get("late_p99_ms_worst_worker")).doubleValue(), 1e-9);
        List<Map<String, Object>> lateness = (List<Map<String, Object>>) json.get("lateness");
        assertEquals(List.of("default#1", "default#2"), lateness.stream().map(l -> l.get("worker")).toList());
        assertEquals(2.067, ((Number) lateness.get(1).get("late_p99_ms")).doubleValue(), 1e-9);
        assertEquals(100_000.0, ((Number) lateness.get(1).get("expected_ticks")).doubleValue(), 1e-9);
        List<Map<String, Object>> stat = (List<Map<String, Object>>) json.get("stat_timers");
        assertEquals(40_058, ((Number) stat.get(0).get("runs")).intValue());
    }

    @Test
    void the_target_is_a_lateness_p99_under_5_ms_on_the_worst_worker() {
        List<Map<String, Object>> t = new ArrayList<>();
        Report.statefulTargets(new Report.Stateful(Optional.empty(), Optional.of(result()), Map.of()), t);
        assertEquals(1, t.size());
        assertEquals("timers: tick lateness p99, ms (worst worker; 1000 x 100 ms per worker beside box-c16)", t.get(0).get("name"));
        assertEquals(2.067, ((Number) t.get(0).get("value")).doubleValue(), 1e-9);
        assertEquals("< 5.0", t.get(0).get("target"));
        assertEquals(true, t.get(0).get("met"));
    }

    @Test
    void the_table_has_the_loads_the_ratio_each_workers_lateness_and_burst_s_own_counts() {
        StringBuilder sb = new StringBuilder();
        Report.statefulTable(sb, new Report.Stateful(Optional.empty(), Optional.of(result()), Map.of()));
        String table = sb.toString();
        assertTrue(table.contains("timers (1000 per worker every 100 ms, first ticks spread over a period; plugin timer-bench.jar)"), table);
        assertTrue(table.lines().anyMatch(l -> l.startsWith("box-c16      without       30000    0.480")), table);
        assertTrue(table.lines().anyMatch(l -> l.startsWith("             with          26100    0.550")), table);
        assertTrue(table.lines().anyMatch(l -> l.startsWith("             after         28000    0.520")), table);
        assertTrue(table.lines().anyMatch(l -> l.startsWith("             with/w.o.     0.90x   +0.050")), table);
        assertTrue(table.contains("default#2   99,870 ticks of 100,000 planned; p50 0.091  p99 2.067  p99.9 2.389  max 6.446"), table);
        assertTrue(table.contains("default#1   runs 40,058, skipped 3, failures 0; late p99 <= 2.000, max 11.893"), table);
    }

    /** Made-up: 30,000 and 28,000 req/s without timers, 26,100 with; two workers' lateness and one's stat. */
    private static TimerScenario.Result result() {
        List<TimerScenario.Lateness> lateness = List.of(
                TimerScenario.Lateness.of("default", TimerProbe.parse(ANSWER), 10.0),
                TimerScenario.Lateness.of("default", TimerProbe.parse(ANSWER.replace("pid=4121 slot=2", "pid=4120 slot=1")
                        .replace("late_p99_us=2067", "late_p99_us=988")), 10.0));
        return new TimerScenario.Result("box-c16", 1000, Duration.ofMillis(100), "timer-bench.jar", side(30_000, 0.48),
                side(26_100, 0.55), side(28_000, 0.52), lateness,
                List.of(new AdminStat.WorkerTimers("default#1", 4120, 40_058, 0, 3, 2.0, 11.893)));
    }

    private static Scenario.Side side(double perSecond, double p50) {
        LoadStats stats = new LoadStats("boxload", Math.round(perSecond * 10), 0, 10, p50, p50 * 2, p50 * 4, p50 * 20, List.of(),
                Optional.empty(), "");
        return new Scenario.Side(stats, new LinkedHashMap<>(Map.of("proxy", 20.0)), 99, 3);
    }
}
