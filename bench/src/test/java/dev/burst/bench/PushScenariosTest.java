package dev.burst.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PushScenariosTest {

    @Test
    @SuppressWarnings("unchecked")
    void the_push_section_has_per_scenario_frames_latency_loss_cpu_and_the_echo_beside_against_without() {
        Map<String, Object> json = (Map<String, Object>) Json.readValue(Json.write(results(1_000, 5_000).json()));

        assertEquals(10, ((Number) json.get("interval_ms")).intValue());
        assertEquals("push-probe.jar", json.get("plugin"));
        assertEquals(2, ((Number) json.get("reader_threads")).intValue());
        assertEquals("box-c16", json.get("echo_scenario"));
        assertEquals(20_000.0, number(json, "echo_without_push", "throughput"));
        assertTrue(((String) json.get("latency")).contains("driver -> proxy -> worker (toAll) -> proxy -> client"));

        List<Map<String, Object>> scenarios = (List<Map<String, Object>>) json.get("scenarios");
        assertEquals(List.of("push-1000", "push-5000"), scenarios.stream().map(s -> s.get("name")).toList());
        Map<String, Object> s = scenarios.get(0);
        assertEquals(1_000, ((Number) s.get("target")).intValue());
        assertFalse(s.containsKey("capped_to"), "not capped: " + s);
        assertEquals(List.of("box"), s.get("protocols"));
        assertEquals(1_000, ((Number) s.get("users")).intValue());
        assertEquals(300.0, number(s, "pushes", "sent"));
        assertEquals(299.0, number(s, "pushes", "accepted"));
        assertEquals(1.0, number(s, "pushes", "rejected"));
        assertEquals(299_000.0, number(s, "frames", "expected"));
        assertEquals(298_990.0, number(s, "frames", "received"));
        assertEquals(10.0, number(s, "frames", "lost"));
        assertEquals(100_000.0, number(s, "alone", "delivered_frames_per_s"));
        assertEquals(1.5, number(s, "alone", "p50_ms"));
        assertEquals(7.25, number(s, "alone", "p99_ms"));
        assertEquals(4.0, number(s, "alone", "cpu_us_per_frame", "proxy"));
        assertEquals(2.5, number(s, "alone", "client_reader_cpu_us_per_frame"));
        assertEquals(25.0, number(s, "alone", "client_reader_cpu_pct_of_core"));
        assertEquals(1.01, number(s, "alone", "proxy_write_syscalls_per_frame"));
        assertEquals(15_000.0, number(s, "beside_echo", "echo", "throughput"));
        assertEquals(0.75, number(s, "beside_echo", "echo_throughput_over_without"));
        assertEquals(299.0, number(s, "proxy_users_stat", "pushes.requested"));
        assertEquals("1 toAll request(s) rejected (last ret -10002)", s.get("note"));
        assertEquals(List.of(Map.of("t", 0, "window", "alone", "frames", 100_000, "p50_ms", 1.5, "p99_ms", 7, "max_ms", 8)),
                s.get("timeline"));

        Map<String, Object> capped = scenarios.get(1);
        assertEquals(5_000, ((Number) capped.get("target")).intValue());
        assertEquals(4_000, ((Number) capped.get("capped_to")).intValue());
        assertEquals(4_000, ((Number) capped.get("users")).intValue());
        assertFalse(capped.containsKey("proxy_users_stat"), "no admin API: " + capped);
        assertEquals(null, number(capped, "alone", "proxy_write_syscalls_per_frame"));

        assertEquals(List.of(Map.of("name", "push-9000", "error", "user bench-push-9000-17 (connection 18 of 9000): Connection refused")),
                json.get("failed"));
    }

    @Test
    void the_targets_are_the_frames_per_second_with_1000_users_and_each_scenarios_p99_and_loss() {
        List<Map<String, Object>> t = new ArrayList<>();
        Report.pushTargets(results(1_000, 5_000), t);
        assertEquals(List.of("push fan-out, 1000 users: delivered frames/s", "push-1000: p99 delivery, ms",
                "push-1000: frames lost to connected readers", "push-5000: p99 delivery, ms", "push-5000: frames lost to connected readers"),
                t.stream().map(m -> m.get("name")).toList());
        assertEquals(List.of(false, true, false, true, false), t.stream().map(m -> m.get("met")).toList());
        assertEquals(">= 200000.0", t.get(0).get("target"));
        assertEquals("issue 12; one toAll every 10 ms offers 100,000 frames/s, so only a shorter --push-every can meet it",
                t.get(0).get("why"));
        assertEquals("== 0.0", t.get(2).get("target"));
    }

    @Test
    void the_table_has_the_pushes_alone_and_beside_the_echo_with_its_ratio() {
        StringBuilder sb = new StringBuilder();
        Report.pushTable(sb, results(1_000));
        String table = sb.toString();
        assertTrue(table.contains("toAll every 10 ms"), table);
        assertTrue(table.lines().anyMatch(l -> l.startsWith("push-1000    alone        100000    1.500    7.250")), table);
        assertTrue(table.contains("+box-c16"), table);
        assertTrue(table.contains("box-c16 15000 req/s beside the pushes, 20000 without (0.75x)"), table);
        assertTrue(table.contains("1000 users, logged in in 420 ms; driver late p99 0.20 ms; 1 toAll request(s) rejected"), table);
        assertTrue(table.contains("proxy 1.01 write syscalls/frame"), table);
        assertTrue(table.contains("push-9000    FAILED: user bench-push-9000-17"), table);
    }

    @Test
    void intervals_print_as_short_numbers_of_milliseconds() {
        assertEquals("10", PushScenarios.millis(Duration.ofMillis(10)));
        assertEquals("2.5", PushScenarios.millis(Duration.ofNanos(2_500_000)));
    }

    @Test
    void pending_disconnect_events_are_the_queued_ones_not_yet_run_failed_or_given_up() {
        assertEquals(5, PushScenarios.pendingDisconnectEvents(Map.of("disconnect_events.queued", 100L, "disconnect_events.run", 90L,
                "disconnect_events.failed", 2L, "disconnect_events.not_run", 3L)));
        assertEquals(0, PushScenarios.pendingDisconnectEvents(Map.of()));
    }

    @Test
    void the_admin_stats_users_section_is_flattened_and_subtracted() {
        Map<String, Long> before = AdminStat.flatten(Json.read("{\"users_online\": 2, \"pushes\": {\"delivered\": 10}, \"x\": \"text\"}"));
        assertEquals(Map.of("users_online", 2L, "pushes.delivered", 10L), before);
        Map<String, Long> after = Map.of("users_online", 0L, "pushes.delivered", 25L, "new", 1L);
        assertEquals(Map.of("users_online", -2L, "pushes.delivered", 15L), AdminStat.delta(before, after));
    }

    /** Made-up results: push-1000 as measured; push-5000 capped to 4,000, without /proc/PID/io or an admin API. */
    private static PushScenarios.Results results(int... users) {
        LoadStats echoWithout = new LoadStats("boxload", 200_000, 0, 10, 0.5, 0.7, 0.9, 3, List.of(), Optional.empty(), "");
        LoadStats echoBeside = new LoadStats("boxload", 150_000, 0, 10, 0.8, 1.0, 2.0, 9, List.of(), Optional.empty(), "");
        List<PushScenarios.Result> list = new ArrayList<>();
        for (int n : users) {
            int usable = n == 5_000 ? 4_000 : n;
            boolean full = n == 1_000;
            PushTally.WindowStats alone = new PushTally.WindowStats("alone", 3, 300_000, 1.5, 4, 7.25, 12);
            PushTally.WindowStats beside = new PushTally.WindowStats("beside-echo", 3, 290_000, 2, 5, 9, 30);
            PushTally.Count count = new PushTally.Count(299L * usable, 299L * usable - 10, 0, 0, 0, List.of(alone, beside),
                    List.of(new PushTally.Second(0, "alone", 100_000, 1.5, 7, 8)));
            PushLoad.Result load = new PushLoad.Result(List.of("box"), usable, 2, Duration.ofMillis(10), 420, 300, 299, 1, 0, count,
                    0.2, 1.1, 15, "1 toAll request(s) rejected (last ret -10002)");
            Map<String, Double> cpu = new LinkedHashMap<>(Map.of("proxy", 4.0));
            PushScenarios.Window a = new PushScenarios.Window(alone, cpu, 2.5, 25, full ? Optional.of(1.01) : Optional.empty(),
                    Optional.of(1.0), 90, 3);
            PushScenarios.Window b = new PushScenarios.Window(beside, cpu, 2.6, 24, full ? Optional.of(1.02) : Optional.empty(),
                    Optional.of(1.2), 100, 4);
            list.add(new PushScenarios.Result("push-" + n, new IdleScenarios.Limits(n, usable, 20_000, 20_000), load, a, b, echoBeside,
                    full ? Map.of("pushes.requested", 299L) : Map.of()));
        }
        Scenario.Side without = new Scenario.Side(echoWithout, Map.of("proxy", 19.0), 95, 2);
        return new PushScenarios.Results(Duration.ofMillis(10), 2, "push-probe.jar", "box-c16", without, list,
                Map.of("push-9000", "user bench-push-9000-17 (connection 18 of 9000): Connection refused"));
    }

    @SuppressWarnings("unchecked")
    private static Double number(Map<String, Object> m, String... path) {
        Object v = m;
        for (String p : path) {
            v = ((Map<String, Object>) v).get(p);
        }
        return v == null ? null : ((Number) v).doubleValue();
    }
}
