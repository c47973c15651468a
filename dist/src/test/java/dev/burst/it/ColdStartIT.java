package dev.burst.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cold start with a plugin whose start() throws: it fails within seconds, naming the plugin, unless
 * burst.start.degraded=serve, which serves the other group and says which group is degraded and why.
 */
class ColdStartIT {

    private static Burst.Builder goodAndBad(Path home) {
        return Burst.in(home).plugin("hello").plugin("broken-start")
                .set("burst.groups", "good,bad")
                .set("burst.group.good.plugins", "hello")
                .set("burst.group.good.workers", "1")
                .set("burst.group.bad.plugins", "broken-start")
                .set("burst.group.bad.workers", "1")
                .set("burst.worker.boot-retries", "2");
    }

    @Test
    void a_cold_start_with_a_plugin_that_cannot_start_exits_with_the_boot_error_code_within_seconds_naming_it(
            @TempDir Path home) throws Exception {
        try (Burst burst = goodAndBad(home).launch()) {
            List<ProcessHandle> children = burst.master.descendants().toList();
            if (!burst.master.waitFor(30, TimeUnit.SECONDS)) {
                fail("burst did not give up within 30 s:\n" + burst.log());
            }
            assertEquals(3, burst.master.exitValue(), burst.log());
            String why = burst.log().lines().filter(l -> l.contains("burst cannot start")).findFirst()
                    .orElseThrow(() -> new AssertionError("no reason logged:\n" + burst.log()));
            assertTrue(why.contains("group bad cannot boot") && why.contains("plugin broken-start")
                    && why.contains("broken-start refuses to start"), why);
            assertTrue(!Files.exists(home.resolve("run/ports")), "it never served");
            for (ProcessHandle child : children) {
                child.onExit().get(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void with_start_degraded_serve_it_serves_the_other_group_and_says_which_group_is_degraded(@TempDir Path home)
            throws Exception {
        try (Burst burst = goodAndBad(home).set("burst.start.degraded", "serve").set("burst.start.timeout", "PT80S")
                .start()) {
            var r = burst.post("1", "the good group serves");
            assertEquals(200, r.statusCode());
            assertEquals("the good group serves", new String(r.body(), StandardCharsets.UTF_8));

            burst.awaitLog("group bad is degraded: worker bad#1 failed to boot 2 times in a row", Duration.ofSeconds(60));
            Path degraded = home.resolve("run/degraded");
            assertTrue(Files.exists(degraded), "run/degraded says so:\n" + burst.log());
            String text = Files.readString(degraded);
            assertTrue(text.startsWith("bad: worker bad#1 failed to boot 2 times in a row: ")
                    && text.contains("broken-start refuses to start"), text);
            assertTrue(burst.master.isAlive());
            assertTrue(burst.log().lines().noneMatch(l -> l.contains("not every group has a ready worker after")),
                    "the proxy opened its ports once the bad group was given up, not after burst.start.timeout");
            var ready = burst.admin("GET", "/health/ready", null, java.util.Optional.empty());
            assertEquals(200, ready.statusCode(), ready.body());
            assertTrue(ready.body().contains("\"bad\":\"worker bad#1 failed to boot 2 times in a row"), ready.body());
            assertTrue(burst.stat().get("degraded").asBoolean());
            assertTrue(burst.stat().get("groups").get("bad").get("degraded_reason").asText()
                    .contains("broken-start refuses to start"));
        }
        assertTrue(!Files.exists(home.resolve("run/degraded")), "removed when burst stops");
    }
}
