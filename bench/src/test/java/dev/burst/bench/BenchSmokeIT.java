package dev.burst.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The benchmark itself, smoke-tested: a very short Box-only run (no wrk needed) against a real burst from
 * the unpacked distribution and the baseline. Checks the result's shape and that requests went through;
 * no timing thresholds, the benchmark is a tool, not a test.
 */
class BenchSmokeIT {

    @Test
    @SuppressWarnings("unchecked")
    void a_short_box_run_writes_every_section_of_the_result_with_requests_served() throws Exception {
        Path results = Path.of(System.getProperty("bench.results", "target/bench-smoke"));
        Path json = Bench.run(Options.parse(
                "--dist", System.getProperty("bench.dist"),
                "--classpath", System.getProperty("bench.classpath"),
                "--results", results.toString(),
                "--protocols", "box", "--connections", "1,4", "--pipeline", "0",
                "--duration", "1", "--warmup", "0.3", "--prewarm", "0.5",
                "--reload-every", "1s", "--restart-every", "0", "--under-load", "1.5", "--calm", "0.5",
                "--startup-restarts", "1", "--startup-reloads", "1", "--label", "smoke"));

        Map<String, Object> r = (Map<String, Object>) MiniJson.parse(Files.readString(json));
        assertEquals(Files.readString(json), Files.readString(results.resolve("latest.json")));
        assertTrue(Files.readString(results.resolve(json.getFileName().toString().replace(".json", ".svg"))).startsWith("<svg"));

        List<Map<String, Object>> scenarios = (List<Map<String, Object>>) r.get("scenarios");
        assertEquals(List.of("box-c1", "box-c4"), scenarios.stream().map(s -> s.get("name")).toList());
        for (Map<String, Object> s : scenarios) {
            for (String side : List.of("burst", "baseline")) {
                Map<String, Object> stats = (Map<String, Object>) s.get(side);
                assertTrue(((Number) stats.get("throughput")).doubleValue() > 0, s.get("name") + " " + side + ": " + stats);
                for (String field : List.of("requests", "errors", "p50_ms", "p99_ms", "max_ms", "timeline", "cpu_us_per_request")) {
                    assertTrue(stats.containsKey(field), s.get("name") + " " + side + " lacks " + field);
                }
                assertEquals(0L, ((Number) stats.get("errors")).longValue(), s.get("name") + " " + side + ": " + stats);
            }
            assertTrue(((Map<String, Object>) s.get("burst_over_baseline")).containsKey("throughput"));
            assertTrue(s.containsKey("added_p50_ms"));
        }

        Map<String, Object> startup = (Map<String, Object>) r.get("startup");
        assertFalse(((List<?>) startup.get("initial_workers")).isEmpty(), startup.toString());
        assertEquals(2, ((List<?>) startup.get("replacement_workers")).size(), startup.toString());
        assertEquals(1, ((List<?>) startup.get("reloads")).size(), startup.toString());

        Map<String, Object> rss = (Map<String, Object>) ((Map<String, Object>) r.get("memory")).get("after_load_rss_kb");
        for (String role : List.of("master", "proxy", "worker:default#1", "worker:default#2", "baseline")) {
            assertTrue(((Number) rss.get(role)).longValue() > 0, role + ": " + rss);
        }

        List<Map<String, Object>> operations = (List<Map<String, Object>>) r.get("operations");
        assertEquals(1, operations.size());
        Map<String, Object> reload = operations.get(0);
        assertEquals("reload", reload.get("name"));
        assertEquals(3, ((List<?>) reload.get("parts")).size());
        assertFalse(((List<?>) reload.get("signals_at_s")).isEmpty());

        assertFalse(((List<?>) r.get("targets")).isEmpty());
        assertTrue(Files.exists(results.resolve((String) r.get("burst_log"))));
    }
}
