package dev.burst.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** reload_workers under load: new generations swap in without a failed request; broken ones never do. */
class ReloadIT {

    static final String V1 = "Hello from burst!";
    static final String V2 = "Hello again from burst!";

    @Test
    void twenty_reloads_under_load_fail_no_request_and_end_on_the_last_greeting(@TempDir Path home) throws Exception {
        try (Burst burst = Burst.in(home).plugin("hello").set("burst.group.default.workers", "2").start()) {
            burst.awaitWorkers(2, Duration.ofSeconds(30));
            Load load = new Load(burst, 6, 2, "", Set.of(V1, V2), 1_000_000);
            for (int k = 1; k <= 20; k++) {
                burst.deploy(k % 2 == 1 ? "hello-v2" : "hello", "hello");
                String outcome = burst.reload();
                assertTrue(outcome.contains("generation " + (k + 1) + " serving on 2 worker(s)"), outcome);
            }
            Burst.pause(300);
            load.close();
            assertEquals(java.util.List.of(), load.failures());
            assertTrue(load.ok() > 100, "the load ran: " + load.ok() + " answers");
            assertEquals(Set.of(V1, V2), load.bodies(), "both greetings were served along the way");

            // generation 21 is the 20th reload: hello (V1) again
            for (int i = 0; i < 20; i++) {
                assertEquals(V1, new String(burst.post("2", "").body(), StandardCharsets.UTF_8));
            }
            for (long pid : burst.workerPids()) {
                String last = burst.log().lines()
                        .filter(l -> l.contains("pid " + pid + "]") && (l.contains("swapped generation") || l.contains("ready: generation")))
                        .reduce((a, b) -> b).orElseThrow();
                assertTrue(last.contains("for 21") || last.contains("generation 21"), "worker " + pid + ": " + last);
            }
        }
    }

    @Test
    void a_garbage_jar_fails_the_reload_naming_the_file_and_the_old_generation_keeps_serving(@TempDir Path home)
            throws Exception {
        try (Burst burst = Burst.in(home).plugin("hello").set("burst.group.default.workers", "2").start()) {
            burst.awaitWorkers(2, Duration.ofSeconds(30));
            try (Load load = new Load(burst, 4, 2, "", Set.of(V1), 1_000_000)) {
                Files.writeString(home.resolve("plugins/zz-garbage.jar"), "this is not a zip file");
                burst.deploy("hello-v2", "hello");
                String outcome = burst.reload();
                assertTrue(outcome.contains("generation 2 refused, generation 1 still serving"), outcome);
                assertTrue(outcome.contains("zz-garbage.jar"), "the outcome names the file: " + outcome);
                Burst.pause(300);
                load.close();
                assertEquals(java.util.List.of(), load.failures());
                assertTrue(load.ok() > 20);
            }
            assertEquals(V1, new String(burst.post("2", "").body(), StandardCharsets.UTF_8));

            Files.delete(home.resolve("plugins/zz-garbage.jar"));
            assertTrue(burst.reload().contains("generation 3 serving on 2 worker(s)"), "a refused generation's number is not used again");
            assertEquals(V2, new String(burst.post("2", "").body(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void a_plugin_whose_start_throws_fails_the_reload_on_the_canary_and_nothing_else_swaps(@TempDir Path home)
            throws Exception {
        try (Burst burst = Burst.in(home).plugin("hello").set("burst.group.default.workers", "3").start()) {
            burst.awaitWorkers(3, Duration.ofSeconds(30));
            var pids = burst.workerPids();
            try (Load load = new Load(burst, 4, 2, "", Set.of(V1), 1_000_000)) {
                burst.deploy("broken-start", "broken-start");
                burst.deploy("hello-v2", "hello");
                String outcome = burst.reload();
                assertTrue(outcome.contains("generation 2 refused, generation 1 still serving"), outcome);
                assertTrue(outcome.contains("plugin broken-start: start() threw"), outcome);
                assertTrue(outcome.contains("broken-start refuses to start"), outcome);
                Burst.pause(300);
                load.close();
                assertEquals(java.util.List.of(), load.failures());
            }
            assertEquals(pids, burst.workerPids(), "no worker died or was replaced");
            for (int i = 0; i < 10; i++) {
                assertEquals(V1, new String(burst.post("2", "").body(), StandardCharsets.UTF_8));
            }
            assertEquals(1, burst.count("cannot start generation 2"), "only the canary tried generation 2");
        }
    }
}
