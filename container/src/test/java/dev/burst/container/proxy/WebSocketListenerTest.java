package dev.burst.container.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.burst.api.DisconnectReason;
import dev.burst.container.config.ConnectionLimits;
import dev.burst.container.process.Logs;
import dev.burst.container.protocol.BoxHeader;
import dev.burst.container.protocol.RetCode;
import dev.burst.container.proxy.dispatch.Intake;
import dev.burst.container.proxy.dispatch.Outcome;
import dev.burst.container.proxy.users.Users;
import dev.burst.container.proxy.ws.WsEndpoint;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The WebSocket endpoint on a real HTTP listener on loopback, spoken to by the JDK's WebSocket client.
 * Requests go to a scripted intake (cmd 1 echoes at once, cmd 2 is held until the test answers it, any
 * other is unknown); the users registry is the real one.
 */
class WebSocketListenerTest {

    private static final int MAX_PACKET = 4096;
    private static final int MAX_IN_FLIGHT = 4;
    private static final long MAX_OUTBOUND = 64 * 1024;
    private static final long WAIT_SECONDS = 20;
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    /** The scripted intake: what it was given, and the held requests' callbacks. */
    private final AtomicLong sources = new AtomicLong(1000);
    private final ConcurrentLinkedQueue<Long> submittedBy = new ConcurrentLinkedQueue<>();
    private final BlockingQueue<Consumer<Outcome>> held = new LinkedBlockingQueue<>();
    private final Intake intake = new Intake() {
        @Override
        public long newSource() {
            return sources.incrementAndGet();
        }

        @Override
        public void submit(int cmd, int sn, String client, long source, byte[] body, Consumer<Outcome> onDone) {
            submittedBy.add(source);
            switch (cmd) {
                case 1 -> onDone.accept(Outcome.reply(0, body));
                case 2 -> held.add(onDone);
                default -> onDone.accept(Outcome.unknownCmd("unknown cmd " + cmd));
            }
        }
    };
    private final ConcurrentLinkedQueue<Users.Left> lefts = new ConcurrentLinkedQueue<>();
    private final Users users = new Users(Users.DuplicateLogin.KICK_OLD, lefts::add);
    private WsEndpoint endpoint;
    private HttpListeners listeners;

    @BeforeAll
    static void logging() {
        Logs.setUp("test pid " + ProcessHandle.current().pid());
    }

    @BeforeEach
    void start() {
        ConnectionLimits limits = new ConnectionLimits(100, 100, 1 << 20, Duration.ofSeconds(30), MAX_IN_FLIGHT,
                MAX_OUTBOUND, 100, 1024);
        endpoint = WsEndpoint.create(MAX_PACKET, limits, intake, users);
        listeners = HttpListeners.start(spec("http"), Optional.of(endpoint), spec("admin"));
    }

    @AfterEach
    void stop() {
        listeners.stop();
    }

    private static HttpListeners.Spec spec(String name) {
        return new HttpListeners.Spec(name, "127.0.0.1", 0, 1024, "burst." + name + ".max-body", 100,
                "burst." + name + ".max-connections", r -> { });
    }

    private static byte[] frame(int magic, int packetLen, int cmd, int sn, byte[] body) {
        return ByteBuffer.allocate(24 + body.length).putInt(magic).putShort((short) 5).putShort((short) 6)
                .putInt(packetLen).putInt(cmd).putInt(0).putInt(sn).put(body).array();
    }

    private static byte[] request(int cmd, int sn, String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        return frame(BoxHeader.MAGIC, 24 + b.length, cmd, sn, b);
    }

    private Ws open(boolean reading) throws Exception {
        Ws c = new Ws(reading);
        CLIENT.newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + listeners.httpPort() + WsEndpoint.PATH), c)
                .get(WAIT_SECONDS, TimeUnit.SECONDS);
        return c;
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "never happened: " + what);
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    // ---- unfinished input: the Box limits on it ----

    /** Starts the listener again with another frame-timeout and inbound budget. */
    private void restart(Duration frameTimeout, long inboundBudget) {
        listeners.stop();
        ConnectionLimits limits = new ConnectionLimits(100, 100, inboundBudget, frameTimeout, MAX_IN_FLIGHT,
                MAX_OUTBOUND, 100, 1024);
        endpoint = WsEndpoint.create(MAX_PACKET, limits, intake, users);
        listeners = HttpListeners.start(spec("http"), Optional.of(endpoint), spec("admin"));
    }

    @Test
    void a_message_not_whole_within_the_frame_timeout_closes_only_its_connection() throws Exception {
        restart(Duration.ofMillis(300), 1 << 20);
        Ws good = open(true);
        try (RawWs stalled = RawWs.open(listeners.httpPort())) {
            byte[] message = request(1, 9, "x".repeat(1000));
            stalled.write(RawWs.head(message.length), Arrays.copyOf(message, 100));

            assertTrue(stalled.closedWithin(WAIT_SECONDS), "the stalled sender is cut off");
        }
        await(() -> endpoint.stats().closedFrameTimeout() == 1, "counted as a frame timeout");
        await(() -> endpoint.inboundBytes() == 0, "its bytes given back");
        good.send(request(1, 10, "still served"));
        assertEquals("still served", body(good.next()));
    }

    @Test
    void unfinished_messages_past_the_inbound_budget_cut_off_the_connection_that_would_take_it_past() throws Exception {
        restart(Duration.ofSeconds(30), 5000);
        try (RawWs first = RawWs.open(listeners.httpPort()); RawWs second = RawWs.open(listeners.httpPort())) {
            byte[] message = request(1, 11, "y".repeat(4000 - 24));
            first.write(RawWs.head(message.length), Arrays.copyOf(message, 3000));
            await(() -> endpoint.inboundBytes() >= 3000, "the first unfinished message is charged");

            second.write(RawWs.head(message.length), Arrays.copyOf(message, 3000));

            assertTrue(second.closedWithin(WAIT_SECONDS), "the second sender is cut off");
            await(() -> endpoint.stats().closedInboundBudget() == 1, "counted against the budget");
            first.write(Arrays.copyOfRange(message, 3000, message.length));
            assertEquals(11, ByteBuffer.wrap(first.readFrame()).getInt(20), "the first is answered, sn 11");
            await(() -> endpoint.inboundBytes() == 0, "nothing held once the message is whole");
        }
    }

    /** A WebSocket client written on a plain socket, to send frames cut short, which the JDK's never does. */
    private static final class RawWs implements AutoCloseable {
        private final Socket socket;
        private final DataInputStream in;

        private RawWs(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new DataInputStream(socket.getInputStream());
        }

        static RawWs open(int port) throws IOException {
            Socket s = new Socket("127.0.0.1", port);
            s.setSoTimeout((int) TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            s.getOutputStream().write(("GET " + WsEndpoint.PATH + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                    + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            RawWs ws = new RawWs(s);
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                head.append((char) ws.in.readUnsignedByte());
            }
            assertTrue(head.toString().startsWith("HTTP/1.1 101"), "upgraded: " + head);
            return ws;
        }

        /** The head of a masked binary frame (mask 0, so the payload goes as it is) of a payload of n bytes. */
        static byte[] head(int n) {
            return ByteBuffer.allocate(8).put((byte) 0x82).put((byte) (0x80 | 126)).putShort((short) n)
                    .putInt(0).array();
        }

        void write(byte[]... parts) throws IOException {
            for (byte[] p : parts) {
                socket.getOutputStream().write(p);
            }
            socket.getOutputStream().flush();
        }

        /** @return the payload of the next server frame (unmasked, length under 64 KiB) */
        byte[] readFrame() throws IOException {
            in.readUnsignedByte();
            int len = in.readUnsignedByte() & 0x7F;
            if (len == 126) {
                len = in.readUnsignedShort();
            }
            byte[] payload = new byte[len];
            in.readFully(payload);
            return payload;
        }

        /** @return whether the server closed the connection (end of stream, or reset) within the time */
        boolean closedWithin(long seconds) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            try {
                while (System.nanoTime() < deadline) {
                    if (in.read() == -1) {
                        return true;
                    }
                }
                return false;
            } catch (IOException e) {
                return !(e instanceof SocketTimeoutException);
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void a_binary_message_is_answered_by_a_box_frame_with_its_version_flag_cmd_and_sn() throws Exception {
        Ws c = open(true);
        c.send(request(1, 77, "hello"));
        ByteBuffer reply = c.next();
        assertEquals(BoxHeader.MAGIC, reply.getInt(0));
        assertEquals(5, reply.getShort(4), "version copied");
        assertEquals(6, reply.getShort(6), "flag copied");
        assertEquals(29, reply.getInt(8), "packet_len");
        assertEquals(1, reply.getInt(12), "cmd copied");
        assertEquals(0, reply.getInt(16), "ret");
        assertEquals(77, reply.getInt(20), "sn copied");
        assertEquals("hello", body(reply));
        assertEquals(1, endpoint.stats().open());
        assertEquals(1, users.connections(), "the users registry knows the connection");
    }

    @Test
    void an_error_outcome_is_answered_with_its_ret_and_an_empty_body() throws Exception {
        Ws c = open(true);
        c.send(request(4242, 3, "x"));
        ByteBuffer reply = c.next();
        assertEquals(RetCode.UNKNOWN_CMD, reply.getInt(16));
        assertEquals(24, reply.remaining());
    }

    @Test
    void a_message_sent_in_fragments_is_one_frame() throws Exception {
        Ws c = open(true);
        byte[] whole = request(1, 8, "in three parts");
        c.ws.sendBinary(ByteBuffer.wrap(whole, 0, 10), false).get(WAIT_SECONDS, TimeUnit.SECONDS);
        c.ws.sendBinary(ByteBuffer.wrap(whole, 10, 20), false).get(WAIT_SECONDS, TimeUnit.SECONDS);
        c.ws.sendBinary(ByteBuffer.wrap(whole, 30, whole.length - 30), true).get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertEquals("in three parts", body(c.next()));
    }

    @Test
    void a_bad_magic_closes_only_that_connection_with_1002_and_its_user_is_told() throws Exception {
        Ws bad = open(true);
        Ws good = open(true);
        bad.send(request(1, 1, "login first"));
        bad.next();
        users.login(submittedBy.peek(), "ann");

        bad.send(frame(0x01020304, 24, 1, 2, new byte[0]));
        assertEquals(1002, bad.closeCode());
        assertEquals("bad magic 0x01020304", bad.closeReason);
        await(() -> endpoint.stats().closedBadFrame() == 1, "counted as a bad frame");
        await(() -> lefts.size() == 1, "the user's connection closed");
        assertEquals(DisconnectReason.PROTOCOL_ERROR, lefts.peek().reason());
        assertEquals("ann", lefts.peek().user());

        good.send(request(1, 3, "still here"));
        assertEquals("still here", body(good.next()));
        assertEquals(1, endpoint.stats().open());
    }

    @Test
    void a_text_message_is_refused_with_1003() throws Exception {
        Ws c = open(true);
        c.ws.sendText("hello", true).get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertEquals(1003, c.closeCode());
        await(() -> endpoint.stats().closedTextMessage() == 1, "counted as a text message");
    }

    @Test
    void a_packet_len_that_is_not_the_message_length_is_refused_with_1002() throws Exception {
        Ws c = open(true);
        c.send(frame(BoxHeader.MAGIC, 30, 1, 1, new byte[10]));
        assertEquals(1002, c.closeCode());
        assertEquals("packet_len 30 is not the message's 34 bytes (one message carries one Box frame)", c.closeReason);
    }

    @Test
    void a_frame_over_max_packet_is_refused_with_1009_by_burst_and_one_far_over_it_by_helidon() throws Exception {
        Ws over = open(true);
        over.send(frame(BoxHeader.MAGIC, MAX_PACKET + 1, 1, 1, new byte[MAX_PACKET + 1 - 24]));
        assertEquals(1009, over.closeCode());
        assertEquals("a message of 4097 bytes is over burst.box.max-packet 4096", over.closeReason);

        Ws farOver = open(true);
        farOver.ws.sendBinary(ByteBuffer.wrap(new byte[MAX_PACKET * 4]), true);
        farOver.awaitClosedSomehow();
        await(() -> endpoint.stats().closedTooBig() == 2, "both counted as too big");
        await(() -> endpoint.stats().open() == 0, "both gone");
    }

    @Test
    void at_max_in_flight_the_connection_is_not_read_until_a_reply_goes_out() throws Exception {
        Ws c = open(true);
        for (int sn = 1; sn <= MAX_IN_FLIGHT + 2; sn++) {
            c.send(request(2, sn, "held " + sn));
        }
        await(() -> held.size() == MAX_IN_FLIGHT, "the first " + MAX_IN_FLIGHT + " taken");
        Thread.sleep(200); // a negative check: nothing more is taken while none is answered
        assertEquals(MAX_IN_FLIGHT, held.size());
        assertEquals(1, endpoint.stats().inFlightPauses());

        held.take().accept(Outcome.reply(0, "one".getBytes(StandardCharsets.UTF_8)));
        assertEquals("one", body(c.next()));
        await(() -> held.size() == MAX_IN_FLIGHT, "the next one taken once a reply went out");
        Set<Integer> sns = new HashSet<>();
        for (int i = 0; i < MAX_IN_FLIGHT + 1; i++) {
            Consumer<Outcome> next = held.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertTrue(next != null, "request " + (i + 2) + " taken");
            next.accept(Outcome.reply(0, new byte[0]));
            sns.add(c.next().getInt(20));
        }
        assertEquals(Set.of(2, 3, 4, 5, 6), sns, "every request answered once, by sn");
    }

    @Test
    void a_push_reaches_a_logged_in_connection_and_a_second_login_kicks_it_after_the_kick_frame() throws Exception {
        Ws first = open(true);
        first.send(request(1, 1, "who"));
        first.next();
        long firstId = submittedBy.poll();
        users.login(firstId, "bob");

        Users.PushResult pushed = users.toUsers(List.of("bob"), 960, "hi bob".getBytes(StandardCharsets.UTF_8));
        assertEquals(1, pushed.delivered());
        ByteBuffer push = first.next();
        assertEquals(960, push.getInt(12));
        assertEquals(0, push.getInt(20), "a push has sn 0");
        assertEquals("hi bob", body(push));

        Ws second = open(true);
        second.send(request(1, 1, "who"));
        second.next();
        users.login(submittedBy.poll(), "bob");
        ByteBuffer kick = first.next();
        assertEquals(Users.KICK_CMD, kick.getInt(12));
        assertEquals(RetCode.KICKED, kick.getInt(16));
        assertEquals(1000, first.closeCode());
        await(() -> endpoint.stats().closedKicked() == 1, "counted as kicked");
        await(() -> lefts.size() == 1, "the kicked connection's user told");
        assertEquals(DisconnectReason.KICKED, lefts.peek().reason());
    }

    @Test
    void a_client_that_does_not_read_is_closed_as_a_slow_consumer_and_the_push_says_so() throws Exception {
        Ws reader = open(true);
        Ws hog = open(false);
        hog.send(request(1, 1, "who"));
        await(() -> submittedBy.size() == 1, "the hog's request");
        users.login(submittedBy.poll(), "hog");

        byte[] chunk = new byte[16 * 1024];
        Users.PushResult last = null;
        for (int i = 0; i < 100_000 && (last == null || last.dropped() == 0); i++) {
            last = users.toUsers(List.of("hog"), 7, chunk);
        }
        assertEquals(1, last.dropped(), "the push that found the queue full says the connection was dropped");
        await(() -> endpoint.stats().closedSlowConsumer() == 1, "counted as a slow consumer");
        await(() -> lefts.size() == 1, "its user told");
        assertEquals(DisconnectReason.SLOW_CONSUMER, lefts.peek().reason());
        assertEquals(0, endpoint.stats().outboundBytes(), "what was queued for it is given back");

        reader.send(request(1, 2, "unaffected"));
        assertEquals("unaffected", body(reader.next()));
    }

    @Test
    void closing_the_connections_at_a_stop_writes_what_is_queued_then_closes_with_1001() throws Exception {
        Ws c = open(true);
        c.send(request(2, 9, "answered as the stop begins"));
        Consumer<Outcome> pending = held.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        users.login(submittedBy.poll(), "cat");
        pending.accept(Outcome.reply(0, "last reply".getBytes(StandardCharsets.UTF_8)));

        assertTrue(endpoint.closeConnections(Duration.ofSeconds(WAIT_SECONDS)));
        assertEquals("last reply", body(c.next()));
        assertEquals(1001, c.closeCode());
        assertEquals(1, endpoint.stats().closedStopping());
        assertEquals(DisconnectReason.SERVER_STOPPING, lefts.peek().reason());
    }

    @Test
    void a_client_that_closes_is_a_disconnect_of_its_user() throws Exception {
        Ws c = open(true);
        c.send(request(1, 1, "who"));
        c.next();
        users.login(submittedBy.poll(), "dan");
        c.ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertEquals(1000, c.closeCode());
        await(() -> lefts.size() == 1, "its user told");
        assertEquals(new Users.Left("dan", DisconnectReason.CLIENT_CLOSED, lefts.peek().clientAddress()), lefts.peek());
        assertEquals(1, endpoint.stats().closedByClient());
        assertEquals(0, users.connections());
    }

    @Test
    void a_ping_is_answered_with_a_pong() throws Exception {
        Ws c = open(true);
        c.ws.sendPing(ByteBuffer.wrap(new byte[] {1, 2, 3})).get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertArrayEquals(new byte[] {1, 2, 3}, c.pongs.poll(WAIT_SECONDS, TimeUnit.SECONDS));
    }

    private static String body(ByteBuffer frame) {
        return new String(frame.array(), frame.arrayOffset() + 24, frame.remaining() - 24, StandardCharsets.UTF_8);
    }

    /** One JDK WebSocket client: whole binary messages queued as they come; the close code kept. */
    private static final class Ws implements WebSocket.Listener {
        private final boolean reading;
        final BlockingQueue<ByteBuffer> messages = new LinkedBlockingQueue<>();
        final BlockingQueue<byte[]> pongs = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        volatile String closeReason;
        private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
        WebSocket ws;

        Ws(boolean reading) {
            this.reading = reading;
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            ws = webSocket;
            if (reading) {
                webSocket.request(1);
            }
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            partial.writeBytes(b);
            if (last) {
                messages.add(ByteBuffer.wrap(partial.toByteArray()));
                partial.reset();
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
            byte[] b = new byte[message.remaining()];
            message.get(b);
            pongs.add(b);
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

        void send(byte[] message) throws Exception {
            ws.sendBinary(ByteBuffer.wrap(message), true).get(WAIT_SECONDS, TimeUnit.SECONDS);
        }

        ByteBuffer next() throws InterruptedException {
            ByteBuffer m = messages.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            if (m == null) {
                throw new AssertionError("no message within " + WAIT_SECONDS + " s (closed: " + closed + ")");
            }
            return m;
        }

        int closeCode() throws Exception {
            return closed.get(WAIT_SECONDS, TimeUnit.SECONDS);
        }

        /** Waits for the close, whether it came as a close frame or as a broken connection. */
        void awaitClosedSomehow() throws InterruptedException {
            try {
                closed.get(WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                // the connection broke under the client: closed too
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError("not closed within " + WAIT_SECONDS + " s", e);
            }
        }
    }
}
