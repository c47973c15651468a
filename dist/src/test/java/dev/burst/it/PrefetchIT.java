package dev.burst.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * burst.group.&lt;g&gt;.prefetch with real processes: a busy worker is sent tasks to hold, each is timed
 * from when it starts, and the held tasks of a killed worker run elsewhere rather than being lost.
 */
class PrefetchIT {

    @Test
    void a_held_task_is_timed_from_when_it_starts_not_from_when_it_was_sent(@TempDir Path home) throws Exception {
        try (Burst burst = Burst.in(home).plugin("hello").plugin("slow")
                .set("burst.group.default.workers", "1")
                .set("burst.group.default.prefetch", "1")
                .set("burst.group.default.task-timeout", "PT1S")
                .start()) {
            burst.awaitWorkers(1, Duration.ofSeconds(30));
            try (BoxClient box = burst.box()) {
                box.send(10, 1, "700");
                box.send(10, 2, "700"); // sent to the busy worker to hold; it starts at 0.7 s, ends at 1.4 s
                for (int i = 0; i < 2; i++) {
                    BoxClient.Reply r = box.read();
                    assertEquals(0, r.ret(), "sn " + r.sn() + " answered " + r.ret() + " " + r.text());
                    assertEquals("done", r.text());
                }
            }
            JsonNode g = burst.stat().path("groups").path("default");
            assertEquals(1, g.path("prefetched").asLong(), g.toString());
            assertEquals(0, g.path("timeouts").asLong(), g.toString());
            assertEquals(1, burst.workerPids().size(), "no worker was declared stuck and replaced");
        }
    }

    @Test
    void the_tasks_a_killed_worker_held_run_on_another_worker_and_only_the_one_it_ran_is_lost(@TempDir Path home)
            throws Exception {
        try (Burst burst = Burst.in(home).plugin("hello").plugin("slow")
                .set("burst.group.default.workers", "2")
                .set("burst.group.default.prefetch", "2")
                .start()) {
            burst.awaitWorkers(2, Duration.ofSeconds(30));
            try (BoxClient box = burst.box()) {
                // two run at once, and each worker holds two more: cmd 10 is not idempotent
                for (int sn = 1; sn <= 6; sn++) {
                    box.send(10, sn, "1500");
                }
                Burst.pause(500);
                JsonNode before = burst.stat();
                assertEquals(4, before.path("groups").path("default").path("prefetched").asLong(), before.toString());
                long victim = burst.workerPids().getFirst();
                ProcessHandle.of(victim).orElseThrow().destroyForcibly();

                Map<Integer, Integer> rets = new HashMap<>();
                for (int i = 0; i < 6; i++) {
                    BoxClient.Reply r = box.read();
                    rets.put(r.sn(), r.ret());
                }
                assertEquals(6, rets.size(), "every request answered once: " + rets);
                assertEquals(1, rets.values().stream().filter(ret -> ret == -10004).count(),
                        "only the task the killed worker ran is answered worker-lost: " + rets);
                assertEquals(5, rets.values().stream().filter(ret -> ret == 0).count(), rets.toString());
            }
            JsonNode g = burst.stat().path("groups").path("default");
            assertEquals(2, g.path("requeued").asLong(), "its two held tasks went back to the queue: " + g);
            assertEquals(1, g.path("workers_lost").asLong(), g.toString());
        }
    }
}
