package dev.burst.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * {@link TimerProbe} against a real HTTP server on 127.0.0.1 playing burst's {@code POST /cmd/{cmd}} with
 * timer-bench behind it: the n-th request is answered by the worker the test says, so which workers a
 * round reaches is known.
 */
class TimerProbeTest {

    @Test
    void rounds_of_one_request_per_worker_repeat_until_every_worker_answered() throws Exception {
        long[] answeredBy = {1, 1, 1, 2, 3, 1};
        try (Burst burst = new Burst(n -> "pid=" + (n < answeredBy.length ? answeredBy[n] : 1) + " slot=1 armed=1000")) {
            Map<Long, Map<String, Long>> answers = new TimerProbe(burst.port(), Duration.ofMillis(50))
                    .arm(1000, Duration.ofMillis(100), Set.of(1L, 2L, 3L));

            assertEquals(Set.of(1L, 2L, 3L), answers.keySet());
            assertEquals(1000L, answers.get(2L).get("armed"));
            assertEquals(6, burst.bodies().size(), "two rounds of three: " + burst.bodies());
            assertEquals("count=1000 period_us=100000 hold_ms=50", burst.bodies().get(0));
            assertEquals(List.of("/cmd/940"), burst.paths().stream().distinct().toList());
        }
    }

    @Test
    void a_worker_never_reached_is_named_after_the_last_round() throws Exception {
        try (Burst burst = new Burst(n -> "pid=" + (1 + n % 2) + " slot=1 ticks=0")) {
            IOException e = assertThrows(IOException.class, () -> new TimerProbe(burst.port(), Duration.ofMillis(1))
                    .report(1_000, 2_000, Set.of(1L, 2L, 3L)));

            assertTrue(e.getMessage().contains("did not reach worker pid(s) [3] in 10 rounds of 3 requests at once"), e.getMessage());
            assertTrue(e.getMessage().contains("answered: pids [1, 2]"), e.getMessage());
            assertEquals(30, burst.bodies().size());
            assertEquals("from_ms=1000 to_ms=2000 hold_ms=1", burst.bodies().get(0));
            assertEquals(List.of("/cmd/941"), burst.paths().stream().distinct().toList());
        }
    }

    @Test
    void an_error_reply_fails_with_what_the_plugin_said() throws Exception {
        try (Burst burst = new Burst(n -> "!timers-arm: the body 'x' has no count=")) {
            IOException e = assertThrows(IOException.class, () -> new TimerProbe(burst.port(), Duration.ZERO)
                    .arm(5, Duration.ofMillis(10), Set.of(1L)));
            assertTrue(e.getMessage().contains("cmd 940 answered HTTP 200, ret 1: timers-arm: the body 'x' has no count="), e.getMessage());
        }
    }

    @Test
    void an_answer_is_read_as_named_numbers_and_anything_else_is_refused_naming_it() {
        assertEquals(List.of("pid", "slot", "ticks"), new ArrayList<>(TimerProbe.parse(" pid=12 slot=2\nticks=300 ").keySet()));
        assertEquals(300L, TimerProbe.parse("pid=12 slot=2 ticks=300").get("ticks"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TimerProbe.parse("pid=12 ticks=many"));
        assertTrue(e.getMessage().contains("'ticks=many', not name=number"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TimerProbe.parse("pid=12 done"));
    }

    /**
     * burst's HTTP API as far as timer-bench's cmds go: the n-th request (from 0) is answered with
     * {@code answer(n)}, ret 0; an answer starting with '!' is an error reply, ret 1.
     */
    private static final class Burst implements AutoCloseable {
        private final HttpServer server;
        private final ExecutorService threads = Executors.newFixedThreadPool(8);
        private final IntFunction<String> answer;
        private final List<String> bodies = new ArrayList<>();
        private final List<String> paths = new ArrayList<>();

        Burst(IntFunction<String> answer) throws IOException {
            this.answer = answer;
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/cmd/", this::handle);
            server.setExecutor(threads);
            server.start();
        }

        private void handle(HttpExchange x) throws IOException {
            String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String reply;
            synchronized (this) {
                reply = answer.apply(bodies.size());
                bodies.add(body);
                paths.add(x.getRequestURI().getPath());
            }
            boolean error = reply.startsWith("!");
            byte[] out = (error ? reply.substring(1) : reply).getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().add("Burst-Ret", error ? "1" : "0");
            x.sendResponseHeaders(200, out.length);
            try (OutputStream o = x.getResponseBody()) {
                o.write(out);
            }
        }

        int port() {
            return server.getAddress().getPort();
        }

        synchronized List<String> bodies() {
            return List.copyOf(bodies);
        }

        synchronized List<String> paths() {
            return List.copyOf(paths);
        }

        @Override
        public void close() {
            server.stop(0);
            threads.shutdownNow();
        }
    }
}
