package dev.burst.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StopIT {

    @Test
    void sigterm_answers_every_queued_and_running_task_then_every_process_exits_and_the_master_exits_0(
            @TempDir Path home) throws Exception {
        Burst burst = Burst.in(home).plugin("hello").plugin("slow")
                .set("burst.group.default.workers", "2")
                .start();
        try (burst) {
            burst.awaitWorkers(2, Duration.ofSeconds(30));
            List<ProcessHandle> children = burst.master.descendants().toList();
            assertEquals(200, burst.post("1", "warm the client").statusCode());
            List<CompletableFuture<HttpResponse<byte[]>>> http = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                http.add(CompletableFuture.supplyAsync(() -> post(burst, "10", "1500")));
            }
            try (BoxClient box = burst.box()) {
                for (int sn = 1; sn <= 5; sn++) {
                    box.send(10, sn, "1500");
                }
                // Eight tasks of 1.5 s on two workers take 6 s: after 1 s two run and six wait behind them.
                Burst.pause(1000);
                int exit = burst.terminate(Duration.ofSeconds(60));

                for (int i = 0; i < 5; i++) {
                    BoxClient.Reply r = box.read();
                    assertEquals(0, r.ret(), "box sn " + r.sn() + " was answered with its reply");
                    assertEquals("done", r.text());
                }
                for (var f : http) {
                    HttpResponse<byte[]> r = f.get(30, TimeUnit.SECONDS);
                    assertEquals(200, r.statusCode());
                    assertEquals("done", new String(r.body(), StandardCharsets.UTF_8));
                }
                assertEquals(0, exit, burst.log());
            }
            for (ProcessHandle child : children) {
                child.onExit().get(30, TimeUnit.SECONDS);
                assertFalse(child.isAlive(), "pid " + child.pid() + " exited");
            }
            assertFalse(Files.exists(home.resolve("run/master.pid")), "the pid file is removed");
            assertTrue(burst.log().contains("burst stopped (exit 0)"));
        }
    }

    @Test
    void sigint_stops_at_once_and_answers_running_tasks_with_an_error(@TempDir Path home) throws Exception {
        Burst burst = Burst.in(home).plugin("slow")
                .set("burst.group.default.workers", "1")
                .start();
        try (burst) {
            burst.awaitWorkers(1, Duration.ofSeconds(30));
            List<ProcessHandle> children = burst.master.descendants().toList();
            try (BoxClient box = burst.box()) {
                box.send(10, 1, "30000");
                box.send(10, 2, "30000");
                Burst.pause(300);
                CompletableFuture<HttpResponse<byte[]>> http = CompletableFuture.supplyAsync(() -> post(burst, "10", "30000"));
                Burst.pause(1000);
                burst.signal("INT");
                BoxClient.Reply a = box.read();
                BoxClient.Reply b = box.read();
                assertTrue(a.ret() == -10004 || a.ret() == -10002, "running or queued task errored: " + a);
                assertTrue(b.ret() == -10004 || b.ret() == -10002, "running or queued task errored: " + b);
                HttpResponse<byte[]> r = http.get(20, TimeUnit.SECONDS);
                assertEquals(503, r.statusCode(), "the queued HTTP request is answered, not dropped");
                assertTrue(new String(r.body(), StandardCharsets.UTF_8).contains("\"ret\":-10002"));
            }
            assertTrue(burst.master.waitFor(20, TimeUnit.SECONDS), "the master stopped well before the 30 s tasks");
            for (ProcessHandle child : children) {
                child.onExit().get(20, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void a_proxy_whose_graceful_stop_fails_makes_the_master_exit_non_zero(@TempDir Path home) throws Exception {
        Burst burst = Burst.in(home).plugin("slow")
                .set("burst.group.default.workers", "1")
                .set("burst.stop.timeout", "PT2S")
                .start();
        try (burst) {
            burst.awaitWorkers(1, Duration.ofSeconds(30));
            try (BoxClient box = burst.box()) {
                // Runs past burst.stop.timeout, so the proxy answers it as lost and exits 1; it ends well
                // before the master's own deadline, so nothing is left for the master to kill.
                box.send(10, 1, "3000");
                Burst.pause(500);
                int exit = burst.terminate(Duration.ofSeconds(60));

                assertEquals(1, exit, burst.log());
                assertTrue(burst.log().contains("its stop failed"), burst.log());
                assertFalse(burst.log().contains("killing"), "the master killed nothing itself:\n" + burst.log());
            }
        }
    }

    private static HttpResponse<byte[]> post(Burst burst, String cmd, String body) {
        try {
            return burst.post(cmd, body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
