package dev.burst.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proxy's HTTP listeners as the internet sees them: malformed, old, oversized and aborted requests, too
 * many connections, taken ports; spoken over raw sockets where a well-behaved client cannot say it.
 */
class HttpEdgeIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LOG_LINE = Pattern.compile(
            "^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} (ERROR|WARN |INFO |DEBUG) \\[[^]]+] .*");

    @Test
    void http10_health_checkers_and_clients_are_answered_in_http10_and_the_connection_closes(@TempDir Path home)
            throws Exception {
        try (Burst burst = Burst.in(home).plugin("hello").start()) {
            for (String path : List.of("/health/live", "/health/ready")) {
                Raw live = Raw.exchange(burst.adminPort, "GET " + path + " HTTP/1.0\r\n\r\n");
                assertEquals("HTTP/1.0 200 OK", live.statusLine, path + ":\n" + live);
                assertTrue(live.closed, "the server closes an HTTP/1.0 connection after its response");
                assertEquals("UP", JSON.readTree(live.body).get("status").asText());
                assertFalse(live.headers.containsKey("transfer-encoding"), live.toString());
            }
            // HAProxy's httpchk sends a Host-less HTTP/1.0 OPTIONS or GET; curl -0 sends a Host and may ask to keep alive
            Raw kept = Raw.exchange(burst.adminPort, "GET /health/ready HTTP/1.0\r\nHost: lb\r\nConnection: keep-alive\r\n\r\n");
            assertEquals("HTTP/1.0 200 OK", kept.statusLine, kept.toString());
            assertEquals("close", kept.headers.get("connection"));
            assertTrue(kept.closed);

            Raw echo = Raw.exchange(burst.httpPort,
                    "POST /cmd/1 HTTP/1.0\r\nContent-Length: 12\r\n\r\nold but gold");
            assertEquals("HTTP/1.0 200 OK", echo.statusLine, echo.toString());
            assertEquals("0", echo.headers.get("burst-ret"));
            assertEquals("old but gold", echo.body);
            assertEquals("12", echo.headers.get("content-length"));
            assertTrue(echo.closed);

            Raw unknown = Raw.exchange(burst.httpPort, "POST /cmd/4242 HTTP/1.0\r\n\r\n");
            assertEquals("HTTP/1.0 404 Not Found", unknown.statusLine, unknown.toString());
            assertEquals(-10000, JSON.readTree(unknown.body).get("ret").asInt());

            Raw chunked = Raw.exchange(burst.httpPort,
                    "POST /cmd/1 HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
            assertEquals("HTTP/1.0 400 Bad Request", chunked.statusLine, "HTTP/1.0 has no chunked coding:\n" + chunked);
            assertTrue(JSON.readTree(chunked.body).has("error"));
        }
    }

    @Test
    void a_negative_content_length_or_a_bad_chunk_size_gets_400_with_a_short_json_error_and_no_stack_trace(
            @TempDir Path home) throws Exception {
        try (Burst burst = Burst.in(home).plugin("hello").start()) {
            String token = burst.token();
            List<String[]> cases = List.of(
                    new String[] {"negative Content-Length", "Content-Length: -5\r\n\r\nhello"},
                    new String[] {"signed Content-Length", "Content-Length: +5\r\n\r\nhello"},
                    new String[] {"bad chunk size", "Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"},
                    new String[] {"chunk size over 2^32", "Transfer-Encoding: chunked\r\n\r\nfffffffffff\r\nhello\r\n0\r\n\r\n"},
                    new String[] {"both framings", "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"});
            for (String[] c : cases) {
                Raw client = Raw.exchange(burst.httpPort, "POST /cmd/1 HTTP/1.1\r\nHost: x\r\n" + c[1]);
                assertBadRequest(c[0] + " on the client API", client);
                Raw admin = Raw.exchange(burst.adminPort, "POST /admin/clear HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                        + token + "\r\n" + c[1]);
                assertBadRequest(c[0] + " on the admin API", admin);
            }
            assertEquals(200, burst.post("1", "still serving").statusCode());
            assertNoStackTrace(burst.log());
        }
    }

    private static void assertBadRequest(String what, Raw r) throws IOException {
        assertEquals(400, r.status, what + ":\n" + r);
        JsonNode body = JSON.readTree(r.body);
        assertTrue(body.hasNonNull("error"), what + ": " + r.body);
        assertTrue(r.body.length() < 200, what + " gets a short error: " + r.body);
        for (String internal : List.of("arraycopy", "radix", "Exception", "is negative")) {
            assertFalse(r.body.contains(internal), what + " leaks an internal message: " + r.body);
        }
        assertEquals("close", r.headers.get("connection"), what);
        assertTrue(r.closed, what + ": a request whose framing is broken closes its connection");
    }

    @Test
    void connections_aborted_mid_request_leave_no_stack_trace_in_the_log(@TempDir Path home) throws Exception {
        try (Burst burst = Burst.in(home).plugin("hello").start()) {
            burst.awaitWorkers(2, Duration.ofSeconds(60));
            int aborts = 100;
            long before = burst.log().lines().count();
            for (int i = 0; i < aborts; i++) {
                String partial = i % 2 == 0
                        ? "POST /cmd/1 HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly ten b"
                        : "POST /cmd/1 HTTP/1.1\r\nHost: x\r\nContent-Le";
                try (Socket s = new Socket("127.0.0.1", burst.httpPort)) {
                    s.setSoTimeout(10_000);
                    s.getOutputStream().write(partial.getBytes(StandardCharsets.US_ASCII));
                    s.shutdownOutput();
                    drain(s.getInputStream()); // the server has handled the abort once it closes its side
                }
            }
            // A reload logs from the proxy: its line comes after anything the proxy logged about the aborts
            assertEquals(200, burst.admin("POST", "/admin/reload", null).statusCode());
            burst.awaitLog("reload: ", Duration.ofSeconds(60));
            String log = burst.log();
            long added = log.lines().count() - before;
            assertTrue(added < aborts, added + " log lines for " + aborts + " aborted requests:\n" + log);
            assertNoStackTrace(log);
            assertEquals(200, burst.post("1", "still serving").statusCode());
        }
    }

    @Test
    void bodies_over_the_listeners_max_body_get_413_with_a_json_error_naming_the_limit(@TempDir Path home)
            throws Exception {
        try (Burst burst = Burst.in(home).plugin("hello")
                .set("burst.http.max-body", "1024")
                .set("burst.admin.max-body", "512")
                .start()) {
            HttpClient http = HttpClient.newHttpClient();
            String big = "x".repeat(10_000);
            for (boolean chunked : List.of(false, true)) {
                HttpRequest.BodyPublisher body = chunked
                        ? HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big.getBytes()))
                        : HttpRequest.BodyPublishers.ofString(big);
                HttpResponse<String> client = http.send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + burst.httpPort + "/cmd/1")).POST(body).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(413, client.statusCode(), "chunked " + chunked);
                assertEquals("request body over burst.http.max-body 1024 bytes", error(client.body()));
                assertEquals(Optional.empty(), client.headers().firstValue("Burst-Ret"), "no task, no ret");

                HttpResponse<String> admin = http.send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + burst.adminPort + "/admin/groups/default"))
                        .header("Authorization", "Bearer " + burst.token())
                        .PUT(chunked
                                ? HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big.getBytes()))
                                : HttpRequest.BodyPublishers.ofString(big)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(413, admin.statusCode(), "chunked " + chunked);
                assertEquals("request body over burst.admin.max-body 512 bytes", error(admin.body()));
            }
            assertEquals(200, burst.post("1", "x".repeat(1024)).statusCode(), "a body at the limit is served");
            assertNoStackTrace(burst.log());
        }
    }

    @Test
    void a_cmd_asked_with_another_method_than_post_gets_405_allow_post(@TempDir Path home) throws Exception {
        try (Burst burst = Burst.in(home).plugin("hello").start()) {
            for (String method : List.of("GET", "PUT", "DELETE")) {
                Raw r = Raw.exchange(burst.httpPort, method + " /cmd/1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
                assertEquals(405, r.status, method + ":\n" + r);
                assertEquals("POST", r.headers.get("allow"));
                assertTrue(error(r.body).contains("POST"), r.body);
            }
            Raw nowhere = Raw.exchange(burst.httpPort, "POST /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertEquals(404, nowhere.status, nowhere.toString());
            assertTrue(JSON.readTree(nowhere.body).has("error"), nowhere.body);
        }
    }

    @Test
    void connections_over_the_listeners_max_connections_are_refused_at_once_and_logged_once_per_peer(
            @TempDir Path home) throws Exception {
        try (Burst burst = Burst.in(home).plugin("hello")
                .set("burst.http.max-connections", "5")
                .set("burst.admin.max-connections", "3")
                .start()) {
            List<Socket> open = new ArrayList<>();
            try {
                for (int i = 0; i < 5; i++) {
                    Socket s = new Socket("127.0.0.1", burst.httpPort);
                    open.add(s);
                    assertEquals(200, Raw.keepAliveEcho(s, "conn " + i).status, "connection " + i + " is served");
                }
                for (int i = 0; i < 3; i++) {
                    assertRefused(burst.httpPort, "HTTP connection " + (6 + i));
                }
                for (Socket s : open) {
                    assertEquals(200, Raw.keepAliveEcho(s, "still mine").status, "the open connections keep being served");
                }
                assertEquals(200, Raw.exchange(burst.adminPort, "GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").status,
                        "the admin listener has its own limit");
                burst.awaitLog("http listener refused a connection from 127.0.0.1", Duration.ofSeconds(10));

                for (int i = 0; i < 3; i++) {
                    Socket s = new Socket("127.0.0.1", burst.adminPort);
                    open.add(s);
                    assertEquals(200, Raw.keepAliveGet(s, "/health/live").status);
                }
                assertRefused(burst.adminPort, "admin connection 4");
                burst.awaitLog("admin listener refused a connection from 127.0.0.1", Duration.ofSeconds(10));
            } catch (IOException e) {
                throw new AssertionError("while the listeners were full", e);
            } finally {
                for (Socket s : open) {
                    s.close();
                }
            }
            // once the server has seen them close, new connections are accepted again
            Instant deadline = Instant.now().plusSeconds(30);
            boolean accepted = false;
            while (!accepted) {
                try (Socket s = new Socket("127.0.0.1", burst.httpPort)) {
                    accepted = Raw.keepAliveEcho(s, "again").status == 200;
                } catch (IOException refusedStill) {
                    accepted = false;
                }
                if (!accepted && Instant.now().isAfter(deadline)) {
                    fail("no connection accepted 30 s after the open ones closed:\n" + burst.log());
                }
                Burst.pause(accepted ? 0 : 100);
            }
            assertEquals(1, burst.count("http listener refused a connection from 127.0.0.1"),
                    "one line per peer per minute, however many were refused:\n" + burst.log());
            assertTrue(burst.log().contains("burst.http.max-connections 5"), burst.log());
        }
    }

    private static void assertRefused(int port, String what) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            try {
                assertEquals(-1, s.getInputStream().read(), what + " is closed by the server without a word");
            } catch (SocketTimeoutException e) {
                fail(what + " was left open, not refused");
            } catch (SocketException reset) {
                // closed by the server, seen as a reset: refused too
            }
        }
    }

    @Test
    void a_taken_http_or_admin_port_stops_burst_with_a_non_zero_exit_naming_the_listener_address_and_port(
            @TempDir Path home) throws Exception {
        for (String listener : List.of("http", "admin")) {
            try (ServerSocket taken = new ServerSocket()) {
                taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                Path dir = java.nio.file.Files.createDirectories(home.resolve(listener));
                try (Burst burst = Burst.in(dir).plugin("hello")
                        .set("burst." + listener + ".port", Integer.toString(taken.getLocalPort()))
                        .launch()) {
                    assertTrue(burst.master.waitFor(90, TimeUnit.SECONDS), "burst stops:\n" + burst.log());
                    assertNotEquals(0, burst.master.exitValue(), burst.log());
                    String log = burst.log();
                    assertTrue(log.contains(listener + " listener on 127.0.0.1:" + taken.getLocalPort()),
                            "the log names the listener, the address and the port:\n" + log);
                    assertFalse(log.contains("burst is serving"), log);
                }
            }
        }
    }

    @Test
    void every_line_a_burst_logs_says_when_and_who(@TempDir Path home) throws Exception {
        try (Burst burst = Burst.in(home).plugin("hello").start()) {
            assertEquals(200, burst.post("1", "hello").statusCode());
            assertEquals(0, burst.terminate(Duration.ofSeconds(60)));
            for (String line : burst.log().lines().toList()) {
                assertTrue(LOG_LINE.matcher(line).matches(), "a line without time and who:\n" + line + "\nin\n" + burst.log());
            }
        }
    }

    private static void assertNoStackTrace(String log) {
        for (String line : log.lines().toList()) {
            assertFalse(line.startsWith("\tat ") || line.startsWith("Caused by"), "a stack trace in the log:\n" + log);
            assertFalse(line.contains("Internal server error"), log);
        }
    }

    private static String error(String body) throws IOException {
        JsonNode n = JSON.readTree(body);
        assertTrue(n.hasNonNull("error"), body);
        return n.get("error").asText();
    }

    private static void drain(InputStream in) throws IOException {
        try {
            while (in.read() != -1) {
                // the server's answer, if any, until it closes
            }
        } catch (SocketException reset) {
            // closed with a reset: closed all the same
        }
    }

    /** One HTTP exchange over a raw socket, parsed as simply as a test needs. */
    static final class Raw {
        final String statusLine;
        final int status;
        final Map<String, String> headers;
        final String body;
        final boolean closed;

        private Raw(String statusLine, Map<String, String> headers, String body, boolean closed) {
            this.statusLine = statusLine;
            this.status = statusLine.isEmpty() ? 0 : Integer.parseInt(statusLine.split(" ")[1]);
            this.headers = headers;
            this.body = body;
            this.closed = closed;
        }

        /** Sends the request, then reads one response and whether the server closed the connection after it. */
        static Raw exchange(int port, String request) throws IOException {
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(10_000);
                s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
                Raw r = read(s.getInputStream(), true);
                return r;
            }
        }

        static Raw keepAliveEcho(Socket s, String body) throws IOException {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /cmd/1 HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.ISO_8859_1));
            return read(s.getInputStream(), false);
        }

        static Raw keepAliveGet(Socket s, String path) throws IOException {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            return read(s.getInputStream(), false);
        }

        private static Raw read(InputStream in, boolean waitForClose) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int b;
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n") && (b = in.read()) != -1) {
                head.write(b);
            }
            String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
                }
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            String length = headers.get("content-length");
            if (length != null) {
                body.write(in.readNBytes(Integer.parseInt(length)));
            }
            boolean closed = false;
            if (waitForClose) {
                try {
                    if (length == null) {
                        in.transferTo(body);
                        closed = true;
                    } else {
                        closed = in.read() == -1;
                    }
                } catch (SocketTimeoutException e) {
                    closed = false;
                } catch (SocketException reset) {
                    closed = true;
                }
            }
            return new Raw(lines.length == 0 ? "" : lines[0], headers, body.toString(StandardCharsets.UTF_8), closed);
        }

        @Override
        public String toString() {
            return statusLine + " " + headers + " " + body + (closed ? " (closed)" : " (open)");
        }
    }
}
