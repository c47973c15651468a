package dev.burst.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin REST API, its metrics and health checks, against a real burst. */
class AdminIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String[]> SECURED = List.of(
            new String[] {"GET", "/admin/stat"}, new String[] {"GET", "/admin/version"},
            new String[] {"GET", "/admin/workers"}, new String[] {"GET", "/admin/plugins"},
            new String[] {"POST", "/admin/reload"}, new String[] {"POST", "/admin/restart"},
            new String[] {"PUT", "/admin/groups/default"}, new String[] {"POST", "/admin/stop"},
            new String[] {"POST", "/admin/clear"}, new String[] {"GET", "/metrics"});

    @Test
    void every_admin_call_needs_the_token_and_refusals_are_counted_but_health_needs_none(@TempDir Path home)
            throws Exception {
        try (Burst burst = Burst.in(home).plugin("hello").start()) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve("run/admin.token"))));
            for (String[] call : SECURED) {
                HttpResponse<String> none = burst.admin(call[0], call[1], "{}", Optional.empty());
                assertEquals(401, none.statusCode(), call[1] + " without a token");
                HttpResponse<String> wrong = burst.admin(call[0], call[1], "{}", Optional.of("not-the-token-at-all"));
                assertEquals(401, wrong.statusCode(), call[1] + " with a wrong token");
                assertTrue(JSON.readTree(wrong.body()).has("error"));
            }
            JsonNode stat = json(burst.admin("GET", "/admin/stat", null));
            assertEquals(2L * SECURED.size(), stat.get("admin_auth_failures").asLong());
            assertEquals(2, stat.get("workers").asInt(), "nothing was restarted, stopped or resized by the refused calls");
            assertEquals(1, stat.get("generation").asInt(), "nor reloaded");

            assertEquals(200, burst.admin("GET", "/health/live", null, Optional.empty()).statusCode());
            HttpResponse<String> ready = burst.admin("GET", "/health/ready", null, Optional.empty());
            assertEquals(200, ready.statusCode());
            assertEquals("UP", JSON.readTree(ready.body()).get("status").asText());
        }
    }

    @Test
    void stat_adds_up_after_a_known_load_and_metrics_agree(@TempDir Path home) throws Exception {
        try (Burst burst = Burst.in(home).plugin("hello").plugin("fail").start()) {
            for (int i = 0; i < 50; i++) {
                assertEquals(200, burst.post("1", "x" + i).statusCode());
            }
            try (BoxClient box = burst.box()) {
                for (int i = 0; i < 30; i++) {
                    assertEquals(0, box.call(2, i, "").ret());
                }
                for (int i = 0; i < 5; i++) {
                    assertEquals(-10001, box.call(11, 100 + i, "").ret());
                }
                for (int i = 0; i < 3; i++) {
                    assertEquals(-10000, box.call(777, 200 + i, "").ret());
                }
            }
            JsonNode s = json(burst.admin("GET", "/admin/stat", null));
            assertEquals(88, s.get("client_req").asLong());
            assertEquals(88, s.get("client_rsp").asLong());
            assertEquals(3, s.get("unknown_cmds").asLong());
            assertEquals(85, s.get("worker_req").asLong());
            assertEquals(85, s.get("worker_rsp").asLong());
            JsonNode g = s.get("groups").get("default");
            assertEquals(85, g.get("client_req").asLong());
            assertEquals(5, g.get("errors").asLong());
            assertEquals(50, s.get("cmds").get("1").get("requests").asLong());
            assertEquals("echo", s.get("cmds").get("1").get("name").asText());
            assertEquals(30, s.get("cmds").get("2").get("requests").asLong());
            assertEquals(5, s.get("cmds").get("11").get("errors").asLong());
            long bucketed = 0;
            for (JsonNode n : s.get("tasks_time")) {
                bucketed += n.asLong();
            }
            assertEquals(85, bucketed, "every answered task is in one tasks_time bucket");
            for (JsonNode lat : List.of(g.get("latency_ms"), s.get("cmds").get("1").get("latency_ms"))) {
                double p50 = lat.get("p50").asDouble();
                double p90 = lat.get("p90").asDouble();
                double p99 = lat.get("p99").asDouble();
                double max = lat.get("max").asDouble();
                assertTrue(0 < p50 && p50 <= p90 && p90 <= p99 && p99 <= max, "ordered percentiles: " + lat);
            }
            assertEquals(2, s.get("workers_detail").size());
            for (JsonNode w : s.get("workers_detail")) {
                assertEquals("READY", w.get("state").asText());
                assertTrue(w.get("rss_bytes").asLong() > 1 << 20, "RSS is read: " + w);
                assertTrue(burst.workerPids().contains(w.get("pid").asLong()));
            }
            long tasks = 0;
            for (JsonNode w : s.get("workers_detail")) {
                tasks += w.get("tasks").asLong();
            }
            assertEquals(85, tasks, "the workers' task counts add up to worker_rsp");

            HttpResponse<String> metrics = burst.admin("GET", "/metrics", null);
            assertEquals(200, metrics.statusCode());
            assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
            Map<String, Double> m = parsePrometheus(metrics.body());
            assertEquals(88.0, m.get("burst_client_requests_total"));
            assertEquals(50.0, m.get("burst_requests_total{group=\"default\",cmd=\"1\"}"));
            assertEquals(5.0, m.get("burst_request_errors_total{group=\"default\",cmd=\"11\"}"));
            assertEquals(50.0, m.get("burst_request_duration_seconds_count{group=\"default\",cmd=\"1\"}"));
            assertEquals(50.0, m.get("burst_request_duration_seconds_bucket{group=\"default\",cmd=\"1\",le=\"+Inf\"}"));
            assertEquals(2.0, m.get("burst_workers{group=\"default\",state=\"idle\"}"));
            assertEquals(0.0, m.get("burst_queue_depth{group=\"default\"}"));
            double previous = 0;
            for (var e : m.entrySet().stream().filter(e -> e.getKey().startsWith(
                    "burst_request_duration_seconds_bucket{group=\"default\",cmd=\"1\",le=\"0")).sorted(
                    (a, b) -> Double.compare(le(a.getKey()), le(b.getKey()))).toList()) {
                assertTrue(e.getValue() >= previous, "cumulative buckets: " + e);
                previous = e.getValue();
            }
        }
    }

    @Test
    void operations_through_the_api_do_what_they_say_and_bad_input_changes_nothing(@TempDir Path home)
            throws Exception {
        try (Burst burst = Burst.in(home).plugin("hello").plugin("slow").start()) {
            JsonNode version = json(burst.admin("GET", "/admin/version", null));
            assertEquals("0.1.0-SNAPSHOT", version.get("burst").asText());
            assertEquals(burst.proxy().pid(), version.get("pid").asLong());

            JsonNode plugins = json(burst.admin("GET", "/admin/plugins", null));
            JsonNode hello = null;
            for (JsonNode p : plugins.get("plugins")) {
                if (p.get("name").asText().equals("hello")) {
                    hello = p;
                }
            }
            assertEquals(sha256(home.resolve("plugins/hello.jar")), hello.get("files").get(0).get("sha256").asText());

            HttpResponse<String> reload = burst.admin("POST", "/admin/reload", null);
            assertEquals(200, reload.statusCode());
            assertEquals(2, JSON.readTree(reload.body()).get("generation").asInt());

            Files.writeString(home.resolve("plugins/zz-garbage.jar"), "garbage");
            HttpResponse<String> bad = burst.admin("POST", "/admin/reload", null);
            assertEquals(409, bad.statusCode());
            assertTrue(bad.body().contains("zz-garbage.jar"), bad.body());
            Files.delete(home.resolve("plugins/zz-garbage.jar"));
            assertEquals(2, json(burst.admin("GET", "/admin/stat", null)).get("generation").asInt());

            for (String body : new String[] {"{\"workers\":-1}", "{\"workers\":65}", "{\"workers\":\"three\"}", "not json", "{}"}) {
                HttpResponse<String> r = burst.admin("PUT", "/admin/groups/default", body);
                assertEquals(400, r.statusCode(), body);
                assertTrue(JSON.readTree(r.body()).get("error").asText().length() > 5);
            }
            assertEquals(400, burst.admin("PUT", "/admin/groups/nosuch", "{\"workers\":1}").statusCode());
            assertEquals(400, burst.admin("POST", "/admin/clear", "{\"group\":\"nosuch\"}").statusCode());
            assertEquals(400, burst.admin("POST", "/admin/clear", "[1,2]").statusCode());
            Burst.pause(500);
            assertEquals(2, burst.workerPids().size(), "refused changes changed nothing");

            assertEquals(202, burst.admin("PUT", "/admin/groups/default", "{\"workers\":3}").statusCode());
            burst.awaitWorkers(3, Duration.ofSeconds(60));

            List<Long> before = burst.workerPids();
            HttpResponse<String> accepted = burst.admin("POST", "/admin/restart", null);
            assertEquals(202, accepted.statusCode());
            long id = JSON.readTree(accepted.body()).get("operation").asLong();
            JsonNode restart = burst.awaitOperation("restart_workers", 1, Duration.ofSeconds(120));
            assertEquals(id, restart.get("id").asLong(), "the 202 named the operation that ran");
            assertEquals("done", restart.get("state").asText(), restart.toString());
            assertTrue(restart.get("outcome").asText().contains("3 of 3"), restart.toString());
            assertEquals(json(burst.admin("GET", "/admin/operations/" + id, null)), restart);
            burst.awaitWorkers(3, Duration.ofSeconds(30));
            assertTrue(java.util.Collections.disjoint(before, burst.workerPids()), "every worker was replaced");

            try (BoxClient busy = burst.box(); BoxClient queued = burst.box()) {
                for (int i = 0; i < 3; i++) {
                    busy.send(10, i, "3000");
                }
                Burst.pause(500);
                for (int i = 0; i < 4; i++) {
                    queued.send(1, i, "queued");
                }
                Burst.pause(300);
                JsonNode cleared = json(burst.admin("POST", "/admin/clear", "{\"group\":\"default\"}"));
                assertEquals(4, cleared.get("cleared").asInt());
                for (int i = 0; i < 4; i++) {
                    assertEquals(-10002, queued.read().ret());
                }
                for (int i = 0; i < 3; i++) {
                    assertEquals("done", busy.read().text(), "running tasks are not cleared");
                }
            }
            assertEquals(4, json(burst.admin("GET", "/admin/stat", null)).get("discard_tasks").asInt());

            assertEquals(202, burst.admin("POST", "/admin/stop", null).statusCode());
            assertTrue(burst.master.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, burst.master.exitValue());
        }
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    private static double le(String key) {
        Matcher m = Pattern.compile("le=\"([^\"]+)\"").matcher(key);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.MAX_VALUE;
    }

    /** Parses the text exposition format strictly: every sample line and every family's HELP and TYPE. */
    private static Map<String, Double> parsePrometheus(String text) {
        Pattern sample = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[a-zA-Z_][a-zA-Z0-9_]*=\"[^\"]*\"(,[a-zA-Z_][a-zA-Z0-9_]*=\"[^\"]*\")*\\})? (\\S+)");
        Map<String, Double> values = new HashMap<>();
        java.util.Set<String> typed = new java.util.HashSet<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("# TYPE ")) {
                String[] parts = line.split(" ");
                assertTrue(List.of("counter", "gauge", "histogram").contains(parts[3]), line);
                typed.add(parts[2]);
            } else if (line.startsWith("# HELP ")) {
                assertTrue(line.split(" ", 4).length == 4, line);
            } else {
                Matcher m = sample.matcher(line);
                assertTrue(m.matches(), "a sample line: '" + line + "'");
                String family = m.group(1).replaceAll("_(bucket|sum|count)$", "");
                assertTrue(typed.contains(family) || typed.contains(m.group(1)), "TYPE before " + line);
                values.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.parseDouble(m.group(4)));
            }
        }
        return values;
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
