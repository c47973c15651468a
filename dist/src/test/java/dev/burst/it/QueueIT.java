package dev.burst.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One worker, two queue places, a one-second queue-timeout: the bounds of a group's queue. */
class QueueIT {

    @Test
    void a_full_queue_rejects_at_once_and_a_task_queued_past_queue_timeout_is_answered_minus_10002(
            @TempDir Path home) throws Exception {
        try (Burst burst = Burst.in(home).plugin("hello").plugin("slow")
                .set("burst.group.default.workers", "1")
                .set("burst.group.default.max-pending", "2")
                .set("burst.group.default.queue-timeout", "PT1S")
                .start()) {
            burst.awaitWorkers(1, Duration.ofSeconds(30));
            assertEquals(200, burst.post("1", "warm the client").statusCode());
            try (BoxClient busy = burst.box(); BoxClient box = burst.box()) {
                busy.send(10, 1, "6000");
                Burst.pause(500); // the worker is now busy for six seconds
                long queuedAt = System.nanoTime();
                box.send(1, 1, "queued one");
                box.send(1, 2, "queued two");
                Burst.pause(200);

                long t0 = System.nanoTime();
                HttpResponse<byte[]> full = burst.post("1", "one too many");
                long rejectMillis = (System.nanoTime() - t0) / 1_000_000;
                assertEquals(503, full.statusCode());
                assertEquals("-10002", full.headers().firstValue("Burst-Ret").orElseThrow());
                assertTrue(full.headers().firstValue("Retry-After").isPresent());
                assertTrue(rejectMillis < 3000, "a full queue answered after " + rejectMillis + " ms, not at once");

                BoxClient.Reply first = box.read();
                BoxClient.Reply second = box.read();
                long waitedMillis = (System.nanoTime() - queuedAt) / 1_000_000;
                assertEquals(-10002, first.ret());
                assertEquals(-10002, second.ret());
                assertTrue(waitedMillis < 5000,
                        "queued tasks were answered after " + waitedMillis + " ms: by the queue-timeout, not by the worker");
                assertEquals("done", busy.read().text(), "the running task finished normally");
            }
            assertEquals(200, burst.post("1", "served again").statusCode());
        }
    }
}
