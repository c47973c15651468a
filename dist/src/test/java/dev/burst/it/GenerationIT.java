package dev.burst.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which plugin generation serves, through crashes, refused reloads and swaps that take too long: only
 * a reload that succeeded moves it, and what it serves is all that is routed.
 */
class GenerationIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private static void await(BooleanSupplier condition, String what, Burst burst) {
        burst.await(condition, what, WAIT);
    }

    private static void killProxyAndAwaitItsReplacement(Burst burst) throws IOException {
        long old = burst.proxy().pid();
        ProcessHandle.of(old).orElseThrow().destroyForcibly();
        await(() -> burst.processes("proxy").stream().anyMatch(p -> p.pid() != old)
                && Files.exists(burst.home.resolve("run/ports")) && burst.count("listening: http") >= 2,
                "a respawned proxy listening", burst);
        burst.rereadPorts();
    }

    @Test
    void a_respawned_proxy_serves_the_generation_that_was_serving_not_a_jar_a_reload_refused(@TempDir Path home)
            throws Exception {
        try (Burst burst = Burst.in(home).plugin("hello").start()) {
            burst.awaitWorkers(2, WAIT);
            Files.copy(Burst.FIXTURES.resolve("broken-start.jar"), home.resolve("plugins/broken-start.jar"));
            assertTrue(burst.reload().contains("refused"), "the reload is refused");

            killProxyAndAwaitItsReplacement(burst);

            burst.awaitLog("respawned: serving generation 1 again", WAIT);
            await(() -> {
                try {
                    return burst.post("1", "ok").statusCode() == 200;
                } catch (IOException | InterruptedException e) {
                    return false;
                }
            }, "the respawned proxy serves", burst);
            assertEquals("still hello", new String(burst.post("1", "still hello").body(), StandardCharsets.UTF_8));
            assertEquals(1, burst.stat().get("generation").asInt());
            assertFalse(burst.log().contains("group default is degraded"), "no worker failed to boot");
        }
    }

    @Test
    void a_truncated_jar_left_in_plugins_does_not_make_a_respawned_proxy_crash_loop(@TempDir Path home)
            throws Exception {
        try (Burst burst = Burst.in(home).plugin("hello").start()) {
            burst.awaitWorkers(2, WAIT);
            byte[] whole = Files.readAllBytes(Burst.FIXTURES.resolve("hello-v2.jar"));
            Files.write(home.resolve("plugins/hello.jar"), Arrays.copyOf(whole, whole.length / 2));

            killProxyAndAwaitItsReplacement(burst);

            assertEquals("served", new String(burst.post("1", "served").body(), StandardCharsets.UTF_8));
            assertEquals(0, burst.count("cannot load plugins"), "the respawned proxy did not read plugins/ at all");
            burst.awaitLog("respawned: serving generation 1 again", WAIT);
        }
    }

    @Test
    void a_canary_that_misses_the_start_timeout_never_serves_and_is_replaced(@TempDir Path home) throws Exception {
        try (Burst burst = Burst.in(home).plugin("hello")
                .set("burst.start.timeout", "PT3S")
                .set("burst.plugin.slow-start.start-millis", "6000")
                .start()) {
            burst.awaitWorkers(2, WAIT);
            List<Long> before = burst.workerPids();
            Files.copy(Burst.FIXTURES.resolve("slow-start.jar"), home.resolve("plugins/slow-start.jar"));

            String outcome = burst.reload();

            assertTrue(outcome.contains("generation 2 refused, generation 1 still serving"), outcome);
            assertTrue(outcome.contains("quarantined"), outcome);
            burst.awaitLog("reported READY on generation 2", WAIT);
            assertTrue(burst.log().lines().filter(l -> l.contains("reported READY on generation 2"))
                    .allMatch(l -> l.endsWith("ignored") || l.contains("; ignored")), "the late READY was ignored");
            await(() -> {
                List<Long> now = burst.workerPids();
                return now.size() == 2 && now.stream().filter(p -> !before.contains(p)).count() == 1
                        && now.stream().allMatch(p -> burst.log().contains("pid " + p + " ready on generation 1"));
            }, "the quarantined canary replaced by a worker on generation 1", burst);
            HttpResponse<byte[]> late = burst.post("600", "");
            assertEquals(404, late.statusCode(), "the refused generation's cmd is never served");
            for (JsonNode w : burst.stat().get("workers_detail")) {
                assertEquals(1, w.get("generation").asInt(), w.toString());
            }

            Files.delete(home.resolve("plugins/slow-start.jar"));
            assertTrue(burst.reload().contains("generation 3 serving"), "generation 2 is never used again");
        }
    }

    @Test
    void a_cmd_removed_by_a_reload_is_unknown_at_once(@TempDir Path home) throws Exception {
        try (Burst burst = Burst.in(home).plugin("hello").plugin("slow").start()) {
            burst.awaitWorkers(2, WAIT);
            assertEquals(200, burst.post("10", "1").statusCode());
            Files.delete(home.resolve("plugins/slow.jar"));

            assertTrue(burst.reload().contains("generation 2 serving on 2 worker(s)"));

            HttpResponse<byte[]> gone = burst.post("10", "1");
            assertEquals(404, gone.statusCode(), new String(gone.body(), StandardCharsets.UTF_8));
            assertEquals("-10000", gone.headers().firstValue("Burst-Ret").orElseThrow());
            assertEquals(404, burst.post("slow", "1").statusCode(), "its name is gone too");
            assertEquals(200, burst.post("1", "kept").statusCode());
        }
    }
}
