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
 * the unpacked distribution and the baseline, with a few idle connections, a small push fan-out (20
 * users) and 50 timers per worker (the sticky scenario needs wrk: it is left out). Checks the result's
 * shape, that requests went through, that the idle connections were held, that every accepted push
 * reached every user and that every worker's timers ticked; no timing thresholds, the benchmark is a
 * tool, not a test.
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
                "--startup-restarts", "1", "--startup-reloads", "1", "--label", "smoke",
                "--idle", "50", "--idle-beside-load", "50", "--idle-max", "200", "--push-users", "20",
                "--timers", "50", "--timer-period", "20ms"));

        Map<String, Object> r = (Map<String, Object>) Json.readValue(Files.readString(json));
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

        Map<String, Object> idle = (Map<String, Object>) r.get("idle");
        Map<String, Object> heap = (Map<String, Object>) idle.get("heap_per_connection");
        assertEquals(50, ((Number) heap.get("held_by_proxy")).intValue(), heap.toString());
        assertTrue(((Number) heap.get("proxy_heap_before_bytes")).longValue() > 0, heap.toString());
        assertTrue(heap.containsKey("proxy_heap_bytes_per_connection"), heap.toString());
        Map<String, Object> beside = (Map<String, Object>) idle.get("beside_load");
        assertEquals("box-c4", beside.get("scenario"));
        assertEquals(50, ((Number) beside.get("idle_held_by_proxy")).intValue(), beside.toString());
        for (String side : List.of("without_idle", "with_idle")) {
            Map<String, Object> stats = (Map<String, Object>) beside.get(side);
            assertTrue(((Number) stats.get("requests")).longValue() > 0, side + ": " + stats);
            assertEquals(0L, ((Number) stats.get("errors")).longValue(), side + ": " + stats);
        }
        Map<String, Object> max = (Map<String, Object>) idle.get("max_held");
        assertEquals("target", max.get("stopped_by"), max.toString());
        assertEquals(200, ((Number) max.get("held_by_proxy")).intValue(), max.toString());
        assertEquals(true, max.get("serves_while_held"), max.toString());

        Map<String, Object> push = (Map<String, Object>) r.get("push");
        assertEquals("box-c4", push.get("echo_scenario"));
        assertTrue(((Number) ((Map<String, Object>) push.get("echo_without_push")).get("requests")).longValue() > 0, push.toString());
        List<Map<String, Object>> pushes = (List<Map<String, Object>>) push.get("scenarios");
        assertEquals(List.of("push-20"), pushes.stream().map(p -> p.get("name")).toList());
        Map<String, Object> p20 = pushes.get(0);
        assertEquals(20, ((Number) p20.get("users")).intValue(), p20.toString());
        Map<String, Object> sent = (Map<String, Object>) p20.get("pushes");
        assertTrue(((Number) sent.get("accepted")).longValue() > 0, sent.toString());
        assertEquals(0L, ((Number) sent.get("rejected")).longValue(), sent.toString());
        Map<String, Object> frames = (Map<String, Object>) p20.get("frames");
        assertEquals(((Number) sent.get("accepted")).longValue() * 20, ((Number) frames.get("expected")).longValue(), frames.toString());
        assertEquals(0L, ((Number) frames.get("lost")).longValue(), frames.toString());
        assertEquals(0L, ((Number) frames.get("connections_closed")).longValue(), frames.toString());
        Map<String, Object> alone = (Map<String, Object>) p20.get("alone");
        assertTrue(((Number) alone.get("delivered_frames")).longValue() > 0, alone.toString());
        for (String field : List.of("p50_ms", "p99_ms", "cpu_us_per_frame", "client_reader_cpu_us_per_frame", "proxy_write_syscalls_per_frame")) {
            assertTrue(alone.containsKey(field), "alone lacks " + field + ": " + alone);
        }
        Map<String, Object> echo = (Map<String, Object>) ((Map<String, Object>) p20.get("beside_echo")).get("echo");
        assertTrue(((Number) echo.get("requests")).longValue() > 0, echo.toString());
        assertEquals(0L, ((Number) echo.get("errors")).longValue(), echo.toString());
        Map<String, Object> users = (Map<String, Object>) p20.get("proxy_users_stat");
        assertEquals(20L, ((Number) users.get("logins")).longValue(), users.toString());
        assertEquals(0L, ((Number) users.get("disconnect_events.not_run")).longValue(), users.toString());

        Map<String, Object> timers = (Map<String, Object>) r.get("timers");
        assertEquals("box-c4", timers.get("load_scenario"));
        for (String load : List.of("without", "with", "after")) {
            Map<String, Object> stats = (Map<String, Object>) timers.get(load);
            assertTrue(((Number) stats.get("requests")).longValue() > 0, load + ": " + stats);
            assertEquals(0L, ((Number) stats.get("errors")).longValue(), load + ": " + stats);
        }
        List<Map<String, Object>> lateness = (List<Map<String, Object>>) timers.get("lateness");
        assertEquals(List.of("default#1", "default#2"), lateness.stream().map(l -> l.get("worker")).toList(), timers.toString());
        for (Map<String, Object> l : lateness) {
            assertEquals(50, ((Number) l.get("armed")).intValue(), l.toString());
            assertTrue(((Number) l.get("ticks")).longValue() > 0, l.toString());
            assertEquals(0L, ((Number) l.get("dropped")).longValue(), l.toString());
        }
        for (Map<String, Object> w : (List<Map<String, Object>>) timers.get("stat_timers")) {
            assertEquals(0L, ((Number) w.get("failures")).longValue(), w.toString());
        }
        assertFalse(r.containsKey("sticky"), "the sticky scenario needs HTTP (wrk), and this run is Box only");

        assertFalse(((List<?>) r.get("targets")).isEmpty());
        assertTrue(Files.exists(results.resolve((String) r.get("burst_log"))));
    }
}
