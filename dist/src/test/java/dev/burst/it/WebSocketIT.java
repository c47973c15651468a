package dev.burst.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * WebSocket clients at {@code /ws} of a real burst, with the JDK's {@code java.net.http.WebSocket}: one
 * binary message carries one Box frame each way, checked as Box/TCP checks it; a WebSocket connection can
 * be logged in and pushed to. Most tests share one burst (hello and the ws-probe fixture, max-packet
 * 4096); those that close or stop it for good have their own.
 */
class WebSocketIT {

    private static final int MAX_PACKET = 4096;
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path home;
    static Burst burst;

    @BeforeAll
    static void start() throws IOException {
        burst = serving(home);
    }

    @AfterAll
    static void stop() {
        burst.close();
    }

    private static Burst serving(Path home) throws IOException {
        return Burst.in(home).plugin("hello").plugin("ws-probe")
                .set("burst.group.default.workers", "2")
                .set("burst.box.max-packet", Integer.toString(MAX_PACKET))
                .start();
    }

    private static JsonNode ws(Burst burst) {
        try {
            return burst.stat().get("connections").get("ws");
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** The proxy's log names the peer (127.0.0.1 and the client's port, which the JDK client does not tell). */
    private static void awaitLogLine(String what) {
        burst.await(() -> burst.log().lines()
                .anyMatch(l -> l.contains("ws: closing connection from 127.0.0.1:") && l.contains(what)),
                "a log line naming the peer and saying '" + what + "'", WAIT);
    }

    @Test
    void a_box_frame_in_a_binary_message_is_echoed_by_cmd_1_with_its_cmd_and_sn_copied() throws Exception {
        try (WsClient c = WsClient.open(burst)) {
            BoxClient.Reply echo = c.call(1, 77, "hello over websocket");
            assertEquals(1, echo.cmd());
            assertEquals(0, echo.ret());
            assertEquals(77, echo.sn());
            assertEquals("hello over websocket", echo.text());

            BoxClient.Reply unknown = c.call(4242, 78, "nobody serves it");
            assertEquals(-10000, unknown.ret());
            assertEquals(78, unknown.sn());
            assertEquals(0, unknown.body().length, "an error reply has an empty body, as on Box");
        }
    }

    @Test
    void five_hundred_requests_in_flight_on_one_websocket_are_each_answered_once_by_sn() throws Exception {
        try (WsClient c = WsClient.open(burst)) {
            for (int sn = 1; sn <= 500; sn++) {
                c.send(1, sn, "request " + sn);
            }
            Map<Integer, String> answers = new HashMap<>();
            for (int i = 0; i < 500; i++) {
                BoxClient.Reply r = c.read();
                assertEquals(null, answers.put(r.sn(), r.text()), "sn " + r.sn() + " answered twice");
            }
            for (int sn = 1; sn <= 500; sn++) {
                assertEquals("request " + sn, answers.get(sn));
            }
        }
    }

    @Test
    void a_bad_frame_closes_only_its_websocket_with_1002_while_others_keep_working() throws Exception {
        try (WsClient bad = WsClient.open(burst); WsClient other = WsClient.open(burst); BoxClient box = burst.box()) {
            assertEquals("before", bad.call(1, 1, "before").text());

            bad.sendRaw(BoxClient.frame(0x01020304, 24, 1, 2, new byte[0]));
            assertEquals(1002, bad.closeCode());
            assertEquals("bad magic 0x01020304", bad.closeReason());
            awaitLogLine(": bad magic 0x01020304");
            burst.await(() -> ws(burst).get("closed_bad_frame").asLong() == 1, "counted as a bad frame", WAIT);

            assertEquals("still served", other.call(1, 3, "still served").text());
            assertEquals("box too", box.call(1, 4, "box too").text());
        }
    }

    @Test
    void a_text_message_is_refused_with_1003() throws Exception {
        try (WsClient c = WsClient.open(burst)) {
            c.ws.sendText("{\"cmd\":1}", true).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertEquals(1003, c.closeCode());
            burst.await(() -> ws(burst).get("closed_text_message").asLong() == 1, "counted as a text message", WAIT);
        }
    }

    @Test
    void a_frame_over_max_packet_is_refused_with_1009() throws Exception {
        try (WsClient over = WsClient.open(burst); WsClient farOver = WsClient.open(burst)) {
            over.sendRaw(BoxClient.frame(BoxClient.MAGIC, MAX_PACKET + 1, 1, 1, new byte[MAX_PACKET + 1 - 24]));
            assertEquals(1009, over.closeCode());
            assertEquals("a message of 4097 bytes is over burst.box.max-packet 4096", over.closeReason());

            // far over: Helidon's own frame limit refuses it before it is read whole
            farOver.ws.sendBinary(ByteBuffer.wrap(new byte[16 * MAX_PACKET]), true);
            farOver.awaitClosedSomehow();
            burst.await(() -> ws(burst).get("closed_too_big").asLong() == 2, "both counted as too big", WAIT);
            awaitLogLine(": a WebSocket frame over 8192 bytes (burst.box.max-packet 4096 and 4096 more)");
        }
    }

    @Test
    void a_websocket_client_that_logs_in_is_pushed_to_from_a_box_clients_request() throws Exception {
        try (WsClient ann = WsClient.open(burst); BoxClient box = burst.box()) {
            assertEquals("none", ann.call(922, 1, "").text());
            assertEquals("ok", ann.call(920, 2, "ann").text());
            assertEquals("ann", ann.call(922, 3, "").text(), "later requests of the connection carry the user");

            assertEquals("pushed", box.call(921, 9, "ann").text());
            BoxClient.Reply push = ann.read();
            assertEquals(960, push.cmd());
            assertEquals(0, push.ret());
            assertEquals(0, push.sn(), "a push has sn 0");
            assertEquals("hi ann", push.text());
            assertTrue(burst.stat().get("users").get("users_online").asInt() >= 1);
        }
    }

    @Test
    void closing_a_websocket_that_has_a_user_counts_a_disconnect_with_that_user(@TempDir Path own) throws Exception {
        try (Burst b = serving(own)) {
            WsClient c = WsClient.open(b);
            assertEquals("ok", c.call(920, 1, "bea").text());
            c.close();

            b.await(() -> ws(b).get("closed_client").asLong() == 1 && ws(b).get("open").asInt() == 0,
                    "the websocket closed by its client", WAIT);
            JsonNode users = b.stat().get("users");
            assertEquals(1, users.get("disconnect_events").get("closed_with_user").asLong(), users.toString());
            assertEquals(0, users.get("users_online").asInt(), users.toString());
        }
    }

    @Test
    void stopping_burst_closes_its_websockets_with_1001(@TempDir Path own) throws Exception {
        try (Burst b = serving(own); WsClient c = WsClient.open(b)) {
            assertEquals("ok", c.call(920, 1, "cy").text());
            assertEquals(0, b.terminate(WAIT));
            assertEquals(1001, c.closeCode());
        }
    }

    /** A JDK WebSocket client speaking Box frames, one per binary message; written from the wire format. */
    static final class WsClient implements WebSocket.Listener, AutoCloseable {
        private final BlockingQueue<byte[]> messages = new LinkedBlockingQueue<>();
        private final CompletableFuture<Integer> closed = new CompletableFuture<>();
        private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
        private volatile String closeReason;
        WebSocket ws;

        static WsClient open(Burst burst) throws Exception {
            WsClient c = new WsClient();
            HTTP.newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + burst.httpPort + "/ws"), c)
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);
            return c;
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            ws = webSocket;
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            partial.writeBytes(b);
            if (last) {
                messages.add(partial.toByteArray());
                partial.reset();
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closeReason = reason;
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.completeExceptionally(error);
        }

        void sendRaw(byte[] message) throws Exception {
            ws.sendBinary(ByteBuffer.wrap(message), true).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }

        void send(int cmd, int sn, String body) throws Exception {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            sendRaw(BoxClient.frame(BoxClient.MAGIC, 24 + b.length, cmd, sn, b));
        }

        BoxClient.Reply read() throws Exception {
            byte[] m = messages.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            if (m == null) {
                throw new AssertionError("no message within " + WAIT + " (closed: " + closed + ")");
            }
            ByteBuffer f = ByteBuffer.wrap(m);
            assertEquals(BoxClient.MAGIC, f.getInt(0), "magic");
            assertEquals(m.length, f.getInt(8), "packet_len is the message's length");
            byte[] body = new byte[m.length - 24];
            f.get(24, body);
            return new BoxClient.Reply(f.getInt(12), f.getInt(16), f.getInt(20), body);
        }

        BoxClient.Reply call(int cmd, int sn, String body) throws Exception {
            send(cmd, sn, body);
            return read();
        }

        int closeCode() throws Exception {
            return closed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }

        String closeReason() {
            return closeReason;
        }

        /** Waits for the close, whether it came as a close frame or as a broken connection. */
        void awaitClosedSomehow() throws InterruptedException {
            try {
                closed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                // the connection broke under the client: closed too
            } catch (TimeoutException e) {
                throw new AssertionError("not closed within " + WAIT, e);
            }
        }

        /** Closes as a client does: a close frame, then the server's answer (bounded). */
        @Override
        public void close() throws Exception {
            if (!ws.isOutputClosed()) {
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
            }
            awaitClosedSomehow();
            ws.abort();
        }
    }
}
