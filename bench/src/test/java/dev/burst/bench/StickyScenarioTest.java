package dev.burst.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StickyScenarioTest {

    /** What GET /admin/stat answers for a route=key group of two workers (only the fields read here, and some others). */
    private static final String STAT = """
            {"generation": 1, "groups": {"default": {"workers": 2, "pending_tasks": 0,
              "keys": {"slots": [{"slot": 1, "queued": 3, "ran": 1200}, {"slot": 2, "queued": 0, "ran": 800}], "busiest": [1, 2]}}},
             "workers_detail": [
              {"id": "default#1", "group": "default", "slot": 1, "pid": 101, "state": "READY", "tasks": 1200,
               "timers": [{"plugin": "timer-bench", "generation": 1, "runs": 40058, "failures": 0, "skipped": 2,
                           "late_p99_ms": 2.0, "late_max_ms": 11.893}]},
              {"id": "default#2", "group": "default", "slot": 2, "pid": 102, "state": "READY", "tasks": 800}]}
            """;

    @Test
    void tasks_per_worker_and_per_slot_are_read_from_stat_and_a_route_any_group_has_no_slots() {
        assertEquals(Map.of("default#1", 1200L, "default#2", 800L), AdminStat.workerTasks(Json.read(STAT)));
        assertEquals(Map.of(1, 1200L, 2, 800L), AdminStat.slotsRan(Json.read(STAT), "default"));
        assertEquals(Map.of(), AdminStat.slotsRan(Json.read(STAT), "game"));
        assertEquals(Map.of(), AdminStat.slotsRan(Json.read("{\"groups\": {\"default\": {\"workers\": 2}}}"), "default"));
    }

    @Test
    void the_window_counts_are_after_minus_before_for_the_workers_present_in_both() {
        Map<String, Long> before = Map.of("default#1", 1_000L, "default#2", 500L);
        Map<String, Long> after = new LinkedHashMap<>(Map.of("default#1", 3_000L, "default#2", 2_600L));
        after.put("default#3", 40L);
        assertEquals(Map.of("default#1", 2_000L, "default#2", 2_100L), AdminStat.delta(before, after));
    }

    @Test
    void imbalance_is_the_busiest_over_the_mean_and_unknown_without_tasks() {
        assertEquals(1.2, StickyScenario.imbalance(List.of(1_200L, 800L)).orElseThrow(), 1e-9);
        assertEquals(1.0, StickyScenario.imbalance(List.of(5L, 5L, 5L)).orElseThrow(), 1e-9);
        assertEquals(3.0, StickyScenario.imbalance(List.of(0L, 0L, 9L)).orElseThrow(), 1e-9);
        assertEquals(Optional.empty(), StickyScenario.imbalance(List.of()));
        assertEquals(Optional.empty(), StickyScenario.imbalance(List.of(0L, 0L)));
    }

    @Test
    @SuppressWarnings("unchecked")
    void the_sticky_section_has_both_routes_with_their_spread_the_ratio_and_the_plain_run() {
        Map<String, Object> json = (Map<String, Object>) Json.readValue(Json.write(result().json()));

        assertEquals("sticky-c16", json.get("name"));
        assertEquals("http", json.get("protocol"));
        assertEquals(10_000, ((Number) json.get("keys")).intValue());
        assertEquals(16, ((Number) json.get("connections")).intValue());
        assertEquals(0.9, ((Number) json.get("key_over_any")).doubleValue(), 1e-9);
        Map<String, Object> any = (Map<String, Object>) json.get("route_any");
        assertEquals("any", any.get("route"));
        assertEquals(20_000.0, ((Number) any.get("throughput")).doubleValue());
        assertEquals(Map.of("default#1", 110_000, "default#2", 90_000), any.get("tasks_per_worker"));
        assertEquals(1.1, ((Number) any.get("worker_imbalance")).doubleValue(), 1e-9);
        assertFalse(any.containsKey("tasks_per_slot"), "route=any has no slots: " + any);
        Map<String, Object> key = (Map<String, Object>) json.get("route_key");
        assertEquals(Map.of("1", 91_000, "2", 89_000), key.get("tasks_per_slot"));
        assertEquals(1.011, ((Number) key.get("slot_imbalance")).doubleValue(), 1e-3);
        assertEquals(44.0, ((Number) ((Map<String, Object>) key.get("cpu_us_per_request")).get("proxy")).doubleValue());
        assertEquals(Map.of("scenario", "http-c16", "throughput", 21_000, "p50_ms", 0.6, "p99_ms", 1.5), json.get("plain"));
        assertEquals(Map.of("any", "x.route-any.burst.log", "key", "x.route-key.burst.log"), json.get("burst_logs"));
    }

    @Test
    void the_target_is_route_key_at_ninety_percent_of_route_any() {
        List<Map<String, Object>> t = new ArrayList<>();
        Report.statefulTargets(new Report.Stateful(Optional.of(result()), Optional.empty(), Map.of()), t);
        assertEquals(1, t.size());
        assertEquals("sticky keys: route=key / route=any req/s (10000 keys, HTTP)", t.get(0).get("name"));
        assertEquals(">= 0.9", t.get(0).get("target"));
        assertEquals(true, t.get(0).get("met"));
    }

    @Test
    void the_table_has_both_routes_with_their_spread_then_the_ratio_and_the_plain_run() {
        StringBuilder sb = new StringBuilder();
        Report.statefulTable(sb, new Report.Stateful(Optional.of(result()), Optional.empty(), Map.of("timers", "no worker answered")));
        String table = sb.toString();
        assertTrue(table.contains("every request with a Burst-Key drawn from 10000 keys, 16 connections"), table);
        assertTrue(table.lines().anyMatch(l -> l.startsWith("sticky-c16   any           20000    0.500    1.500")
                && l.contains("workers 1.10; proxy 40 ")), table);
        assertTrue(table.lines().anyMatch(l -> l.startsWith("             key           18000    0.550    1.800")
                && l.contains("slots 1.01, workers 1.01; proxy 44 ")), table);
        assertTrue(table.lines().anyMatch(l -> l.startsWith("             key/any       0.90x   +0.050   +0.300")), table);
        assertTrue(table.contains("plain         21000    0.600    1.500   (http-c16 above: no Burst-Key)"), table);
        assertTrue(table.contains("timers FAILED: no worker answered"), table);
    }

    /** Made-up: route=any 20,000 req/s spread 110k/90k over the workers, route=key 18,000 spread 91k/89k over the slots. */
    static StickyScenario.Result result() {
        StickyScenario.Side any = new StickyScenario.Side("any", side(20_000, 0.5, 1.5, 40),
                new LinkedHashMap<>(Map.of("default#1", 110_000L, "default#2", 90_000L)), Map.of());
        StickyScenario.Side key = new StickyScenario.Side("key", side(18_000, 0.55, 1.8, 44),
                new LinkedHashMap<>(Map.of("default#1", 91_000L, "default#2", 89_000L)), new LinkedHashMap<>(Map.of(1, 91_000L, 2, 89_000L)));
        Scenario.Side plainBurst = side(21_000, 0.6, 1.5, 38);
        Scenario.Result plain = new Scenario.Result(new Scenario("http-c16", "http", 16, 1), plainBurst, side(50_000, 0.2, 0.9, 18));
        return new StickyScenario.Result("sticky-c16", 10_000, 16, any, key, Optional.of(plain),
                Map.of("key", "x.route-key.burst.log", "any", "x.route-any.burst.log"));
    }

    private static Scenario.Side side(double perSecond, double p50, double p99, double proxyUs) {
        LoadStats stats = new LoadStats("wrk", Math.round(perSecond * 10), 0, 10, p50, p50 * 2, p99, p99 * 3, List.of(), Optional.empty(), "");
        return new Scenario.Side(stats, new LinkedHashMap<>(Map.of("proxy", proxyUs)), 99, 3);
    }
}
