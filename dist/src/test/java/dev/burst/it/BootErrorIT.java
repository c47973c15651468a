package dev.burst.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A group whose plugins cannot start, once burst served (or, on a cold start, with burst.start.degraded=serve). */
class BootErrorIT {

    @Test
    void a_group_whose_plugin_cannot_start_is_degraded_not_looped_and_the_other_group_serves(@TempDir Path home)
            throws Exception {
        try (Burst burst = Burst.in(home).plugin("hello").plugin("broken-start")
                .set("burst.groups", "good,bad")
                .set("burst.group.good.plugins", "hello")
                .set("burst.group.good.workers", "1")
                .set("burst.group.bad.plugins", "broken-start")
                .set("burst.group.bad.workers", "1")
                .set("burst.worker.boot-retries", "2")
                .set("burst.start.timeout", "PT3S")
                .set("burst.start.degraded", "serve")
                .start()) {
            var r = burst.post("1", "the good group serves");
            assertEquals(200, r.statusCode());
            assertEquals("the good group serves", new String(r.body(), StandardCharsets.UTF_8));

            burst.awaitLog("group bad is degraded: worker bad#1 failed to boot 2 times in a row", Duration.ofSeconds(60));
            String log = burst.log();
            assertTrue(log.contains("broken-start refuses to start"), "the cause is logged:\n" + log);
            long spawns = log.lines().filter(l -> l.contains("spawned worker bad#1")).count();
            Burst.pause(2000);
            assertEquals(spawns, burst.log().lines().filter(l -> l.contains("spawned worker bad#1")).count(),
                    "no respawn after the slot was given up");
            assertEquals(2, spawns);
            assertEquals(200, burst.post("1", "still serving").statusCode());
        }
    }
}
