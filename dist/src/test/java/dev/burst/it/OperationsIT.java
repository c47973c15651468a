package dev.burst.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** restart_workers (SIGUSR2) and change_group (SIGTTIN/SIGTTOU) while clients keep sending. */
class OperationsIT {

    @Test
    void restart_workers_under_load_replaces_every_pid_and_fails_no_request(@TempDir Path home) throws Exception {
        try (Burst burst = Burst.in(home).plugin("hello").plugin("slow").set("burst.group.default.workers", "2").start()) {
            burst.awaitWorkers(2, Duration.ofSeconds(30));
            List<Long> before = burst.workerPids();
            try (Load load = new Load(burst, 6, 1, "under restart", Set.of(), 1_000_000)) {
                burst.signal("USR2");
                var restart = burst.awaitOperation("restart_workers", 1, Duration.ofSeconds(90));
                assertEquals("done", restart.get("state").asText(), restart.toString());
                assertTrue(restart.get("outcome").asText().contains("2 of 2"), restart.toString());
                assertEquals("SIGUSR2", restart.get("trigger").asText());
                Burst.pause(300);
                load.close();
                assertEquals(List.of(), load.failures());
                assertTrue(load.ok() > 50, "the load ran: " + load.ok());
            }
            burst.awaitWorkers(2, Duration.ofSeconds(30));
            List<Long> after = burst.workerPids();
            assertTrue(Collections.disjoint(before, after), "every pid changed: " + before + " -> " + after);
        }
    }

    @Test
    void change_group_up_and_down_under_load_changes_the_count_and_fails_no_request(@TempDir Path home)
            throws Exception {
        try (Burst burst = Burst.in(home).plugin("hello").set("burst.group.default.workers", "2").start()) {
            burst.awaitWorkers(2, Duration.ofSeconds(30));
            try (Load load = new Load(burst, 6, 1, "under resize", Set.of(), 1_000_000)) {
                burst.signal("TTIN");
                burst.awaitWorkers(3, Duration.ofSeconds(60));
                burst.signal("TTIN");
                burst.awaitWorkers(4, Duration.ofSeconds(60));
                burst.signal("TTOU");
                burst.awaitWorkers(3, Duration.ofSeconds(60));
                burst.signal("TTOU");
                burst.awaitWorkers(2, Duration.ofSeconds(60));
                Burst.pause(300);
                load.close();
                assertEquals(List.of(), load.failures());
                assertTrue(load.ok() > 50);
            }
            assertEquals(2, burst.count("retired, exited 0"), "the two surplus workers drained and exited cleanly");
        }
    }
}
