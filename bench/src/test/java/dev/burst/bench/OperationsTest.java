package dev.burst.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OperationsTest {

    private static final String TOKEN = "0123456789abcdef-token";

    @TempDir
    Path dir;
    private HttpServer server;
    /** What GET /admin/operations answers: status and body. */
    private final AtomicReference<String> body = new AtomicReference<>("{\"operations\": []}");
    private volatile int status = 200;
    private Path tokenFile;
    private BurstLog log;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/admin/operations", exchange -> {
            boolean authorized = ("Bearer " + TOKEN).equals(exchange.getRequestHeaders().getFirst("Authorization"));
            byte[] b = (authorized ? body.get() : "{\"error\": \"missing or wrong bearer token\"}").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(authorized ? status : 401, b.length);
            exchange.getResponseBody().write(b);
            exchange.close();
        });
        server.start();
        tokenFile = Files.writeString(dir.resolve("admin.token"), TOKEN + "\n");
        log = new BurstLog(Files.writeString(dir.resolve("burst.log"), ""));
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private Optional<URI> endpoint() {
        return Optional.of(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/admin/operations"));
    }

    @Test
    void outcomes_are_read_from_the_admin_api_once_they_have_finished() throws Exception {
        body.set("""
                {"operations": [{"id": 1, "kind": "reload_workers", "trigger": "SIGHUP", "state": "done",
                  "started": "2026-11-30T10:00:00Z", "finished": "2026-11-30T10:00:00.040Z", "duration_ms": 40,
                  "outcome": "generation 2 serving on 2 worker(s)", "details": []}]}
                """);
        Operations ops = Operations.of(endpoint(), tokenFile, log);
        assertEquals("admin API", ops.source());
        Operations.Mark mark = ops.mark();
        assertEquals(1, mark.lastId());
        body.set("""
                {"operations": [
                 {"id": 1, "kind": "reload_workers", "trigger": "SIGHUP", "state": "done",
                  "started": "2026-11-30T10:00:00Z", "finished": "2026-11-30T10:00:00.040Z", "duration_ms": 40,
                  "outcome": "generation 2 serving on 2 worker(s)", "details": []},
                 {"id": 2, "kind": "restart_workers", "trigger": "SIGUSR2", "state": "failed",
                  "started": "2026-11-30T10:00:01Z", "finished": "2026-11-30T10:00:02.500Z", "duration_ms": 1500,
                  "outcome": "1 of 2 worker(s) replaced", "details": ["worker default#2: not ready within PT1S"]},
                 {"id": 3, "kind": "reload_workers", "trigger": "SIGHUP", "state": "refused",
                  "started": "2026-11-30T10:00:03Z", "finished": "2026-11-30T10:00:03Z", "duration_ms": 0,
                  "outcome": "a reload is running", "details": []},
                 {"id": 4, "kind": "reload_workers", "trigger": "api", "state": "running",
                  "started": "2026-11-30T10:00:04Z", "finished": null, "duration_ms": null, "outcome": "", "details": []}]}
                """);
        List<Operations.Outcome> since = ops.since(mark);
        assertEquals(List.of(
                new Operations.Outcome("restart", Instant.parse("2026-11-30T10:00:02.500Z").toEpochMilli(), false, 1500,
                        "restart_workers #2 (SIGUSR2): failed, 1 of 2 worker(s) replaced; worker default#2: not ready within PT1S"),
                new Operations.Outcome("reload", Instant.parse("2026-11-30T10:00:03Z").toEpochMilli(), false, 0,
                        "reload_workers #3 (SIGHUP): refused, a reload is running")), since);
        assertEquals(since.getFirst(), ops.await("restart", mark, java.time.Duration.ofSeconds(1)));
    }

    @Test
    void a_burst_whose_admin_api_has_no_operations_endpoint_is_read_from_its_log() throws Exception {
        status = 404;
        Path file = dir.resolve("burst.log");
        Files.writeString(file, "2026-11-30 10:00:00.000 INFO  [master pid 7] reload_workers #1 (snapshot of plugins): "
                + "done, generation 2 serving on 2 worker(s) in 31 ms; trigger SIGHUP\n");
        Operations ops = Operations.of(endpoint(), tokenFile, log);
        assertEquals("log", ops.source());
        Operations.Mark mark = ops.mark();
        assertEquals(1, mark.logLine());
        Files.writeString(file, "2026-11-30 10:00:01.000 INFO  [master pid 7] restart_workers #2 (2 worker(s)): done, 2 of 2 worker(s)\n"
                + "2026-11-30 10:00:02.000 INFO  [master pid 7] reload_workers #3 (snapshot of plugins): done, generation 3 "
                + "serving on 2 worker(s) in 45 ms; trigger SIGHUP\n",
                java.nio.file.StandardOpenOption.APPEND);
        List<Operations.Outcome> since = ops.since(mark);
        assertEquals(List.of("restart", "reload"), since.stream().map(Operations.Outcome::kind).toList());
        assertEquals(45, since.get(1).reportedMs());
        assertTrue(since.get(0).ok());
    }

    @Test
    void a_burst_without_an_admin_port_is_read_from_its_log() throws Exception {
        assertEquals("log", Operations.of(Optional.empty(), tokenFile, log).source());
    }

    @Test
    void a_refused_token_is_an_error_naming_the_token_file() throws IOException {
        Files.writeString(tokenFile, "another-token-0123456789");
        IOException e = assertThrows(IOException.class, () -> Operations.of(endpoint(), tokenFile, log));
        assertTrue(e.getMessage().contains("401") && e.getMessage().contains(tokenFile.toString()), e.getMessage());
    }

    @Test
    void waiting_for_an_operation_that_does_not_end_gives_up_saying_so() throws Exception {
        Operations ops = Operations.of(endpoint(), tokenFile, log);
        IOException e = assertThrows(IOException.class, () -> ops.awaitCount("reload", ops.mark(), 2, java.time.Duration.ofMillis(200)));
        assertTrue(e.getMessage().startsWith("0 of 2 reload outcome(s) in burst's admin API"), e.getMessage());
    }
}
