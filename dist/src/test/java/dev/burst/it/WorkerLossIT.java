package dev.burst.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerLossIT {

    @Test
    void a_worker_killed_mid_task_answers_its_task_minus_10004_within_a_second_and_is_replaced(@TempDir Path home)
            throws Exception {
        try (Burst burst = Burst.in(home).plugin("hello").plugin("slow")
                .set("burst.group.default.workers", "1")
                .start()) {
            burst.awaitWorkers(1, Duration.ofSeconds(30));
            long victim = burst.workerPids().getFirst();
            try (BoxClient box = burst.box()) {
                box.send(10, 1, "20000");
                Burst.pause(500); // let the task reach the worker
                long killedAt = System.nanoTime();
                ProcessHandle.of(victim).orElseThrow().destroyForcibly();
                BoxClient.Reply lost = box.read();
                long millis = (System.nanoTime() - killedAt) / 1_000_000;
                assertEquals(-10004, lost.ret());
                assertEquals(1, lost.sn());
                assertTrue(millis < 1000, "answered " + millis + " ms after the kill");

                burst.awaitWorkers(1, Duration.ofSeconds(30));
                List<Long> now = burst.workerPids();
                assertNotEquals(victim, now.getFirst(), "a replacement worker joined");
                for (int sn = 2; sn < 12; sn++) {
                    assertEquals("after " + sn, box.call(1, sn, "after " + sn).text());
                }
            }
            assertEquals(200, burst.post("1", "http after").statusCode());
        }
    }

    @Test
    void an_http_client_gets_502_when_its_worker_dies(@TempDir Path home) throws Exception {
        try (Burst burst = Burst.in(home).plugin("hello").plugin("slow")
                .set("burst.group.default.workers", "1")
                .start()) {
            burst.awaitWorkers(1, Duration.ofSeconds(30));
            assertEquals(200, burst.post("1", "warm the client").statusCode());
            long victim = burst.workerPids().getFirst();
            var pending = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return burst.post("10", "20000");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Burst.pause(1000);
            ProcessHandle.of(victim).orElseThrow().destroyForcibly();
            var r = pending.get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(502, r.statusCode());
            assertEquals("-10004", r.headers().firstValue("Burst-Ret").orElseThrow());
        }
    }
}
