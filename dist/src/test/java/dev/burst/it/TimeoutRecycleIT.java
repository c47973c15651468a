package dev.burst.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TimeoutRecycleIT {

    @Test
    void a_task_past_task_timeout_gets_minus_10003_the_log_holds_the_thread_dump_and_a_new_worker_serves(
            @TempDir Path home) throws Exception {
        try (Burst burst = Burst.in(home).plugin("hello").plugin("slow")
                .set("burst.group.default.workers", "1")
                .set("burst.group.default.task-timeout", "PT1S")
                .start()) {
            burst.awaitWorkers(1, Duration.ofSeconds(30));
            long stuck = burst.workerPids().getFirst();
            try (BoxClient box = burst.box()) {
                BoxClient.Reply r = box.call(10, 7, "60000");
                assertEquals(-10003, r.ret());
                assertEquals(7, r.sn());
            }
            burst.awaitLog("thread dump of worker default#1 (pid " + stuck + ")", Duration.ofSeconds(60));
            burst.awaitLog("dev.burst.examples.slow.SlowPlugin.slow", Duration.ofSeconds(30));
            burst.awaitWorkers(1, Duration.ofSeconds(60));
            assertNotEquals(stuck, burst.workerPids().getFirst(), "the stuck worker was replaced");
            HttpResponse<byte[]> next = burst.post("1", "served by the new worker");
            assertEquals(200, next.statusCode());
            HttpResponse<byte[]> again = burst.post("10", "60000");
            assertEquals(504, again.statusCode());
            assertEquals("-10003", again.headers().firstValue("Burst-Ret").orElseThrow());
        }
    }

    @Test
    void max_requests_with_jitter_recycles_workers_one_at_a_time_without_a_failed_request(@TempDir Path home)
            throws Exception {
        try (Burst burst = Burst.in(home).plugin("hello")
                .set("burst.group.default.workers", "4")
                .set("burst.group.default.max-requests", "50")
                .set("burst.group.default.max-requests-jitter", "20")
                .start()) {
            burst.awaitWorkers(4, Duration.ofSeconds(30));
            try (Load load = new Load(burst, 6, 1, "recycled", Set.of(), 200)) {
                burst.awaitCount(" replaced: pid ", 4, Duration.ofSeconds(120));
                load.close();
                assertEquals(List.of(), load.failures());
            }
            // One replacement at a time: every "replacing" is followed by its "replaced" before the next.
            List<String> steps = new ArrayList<>();
            burst.log().lines().filter(l -> l.contains("[master")).forEach(l -> {
                if (l.contains("] replacing worker")) {
                    steps.add("start");
                } else if (l.contains(" replaced: pid ") || l.contains("] replacing worker") && l.contains("failed")) {
                    steps.add("end");
                }
            });
            for (int i = 0; i < steps.size(); i++) {
                assertEquals(i % 2 == 0 ? "start" : "end", steps.get(i), "replacements overlapped: " + steps);
            }
            assertTrue(burst.count("requests (max-requests 50)") >= 4, "recycling was asked for by max-requests");
        }
    }

    @Test
    void a_worker_killed_during_an_idempotent_cmd_has_it_answered_by_another_worker(@TempDir Path home)
            throws Exception {
        try (Burst burst = Burst.in(home).plugin("hello").plugin("slow").set("burst.group.default.workers", "1").start()) {
            burst.awaitWorkers(1, Duration.ofSeconds(30));
            long victim = burst.workerPids().getFirst();
            try (BoxClient box = burst.box()) {
                box.send(13, 99, "1500");
                Burst.pause(500);
                ProcessHandle.of(victim).orElseThrow().destroyForcibly();
                BoxClient.Reply r = box.read();
                assertEquals(0, r.ret(), "the retry on the replacement worker answered");
                assertEquals("done", r.text());
                assertEquals(99, r.sn());
            }
            assertTrue(burst.log().contains("died while running idempotent cmd 13; running it again on another worker"));
            assertNotEquals(victim, burst.workerPids().getFirst());
        }
    }
}
