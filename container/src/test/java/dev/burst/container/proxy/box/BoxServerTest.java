package dev.burst.container.proxy.box;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.burst.container.config.ConnectionLimits;
import dev.burst.container.protocol.BoxHeader;
import dev.burst.container.proxy.dispatch.Intake;
import dev.burst.container.proxy.dispatch.Outcome;
import dev.burst.container.proxy.users.Users;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Box listener over real loopback sockets, with a stand-in for the dispatcher behind it. */
class BoxServerTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    /** What the listener handed on: the test answers it (or not). */
    private record Submitted(int cmd, int sn, byte[] body, Consumer<Outcome> onDone) {
        void echo() {
            onDone.accept(Outcome.reply(0, body));
        }
    }

    private final BlockingQueue<Submitted> submitted = new LinkedBlockingQueue<>();
    private final List<Socket> sockets = new ArrayList<>();
    private BoxServer server;
    private volatile boolean echoAtOnce = true;

    private final Intake intake = new Intake() {
        private final AtomicLong sources = new AtomicLong();

        @Override
        public long newSource() {
            return sources.incrementAndGet();
        }

        @Override
        public void submit(int cmd, int sn, String client, long source, byte[] body, Consumer<Outcome> onDone) {
            Submitted s = new Submitted(cmd, sn, body, onDone);
            if (echoAtOnce) {
                s.echo();
            } else {
                submitted.add(s);
            }
        }
    };

    private static ConnectionLimits limits(int maxConnections, long inboundBytes, Duration frameTimeout, int inFlight,
                                           long outbound) {
        return new ConnectionLimits(100, maxConnections, inboundBytes, frameTimeout, inFlight, outbound, 10, 65536);
    }

    private static ConnectionLimits defaults() {
        return limits(1000, 64 << 20, Duration.ofSeconds(30), 128, 8 << 20);
    }

    private void start(ConnectionLimits limits) throws IOException {
        server = BoxServer.start("127.0.0.1", 0, 1 << 20, limits, intake, new Users(Users.DuplicateLogin.KICK_OLD, left -> { }));
    }

    @AfterEach
    void stop() throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private Socket connect() throws IOException {
        Socket s = new Socket("127.0.0.1", server.port());
        s.setSoTimeout((int) WAIT.toMillis());
        sockets.add(s);
        return s;
    }

    private static byte[] frame(int sn, byte[] body) {
        return BoxHeader.encode((short) 1, (short) 0, 1, 0, sn, body);
    }

    private static BoxHeader readHeader(DataInputStream in, byte[] bodyOut) throws IOException {
        byte[] h = new byte[24];
        in.readFully(h);
        BoxHeader header = BoxHeader.decode(h);
        byte[] body = new byte[header.bodyLength()];
        in.readFully(body);
        System.arraycopy(body, 0, bodyOut, 0, Math.min(body.length, bodyOut.length));
        return header;
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("never happened: " + what);
            }
            Thread.sleep(10);
        }
    }

    private static void assertClosedByServer(Socket s) throws IOException {
        try {
            int b = s.getInputStream().read();
            assertEquals(-1, b, "the server closed the connection");
        } catch (SocketTimeoutException e) {
            fail("the server did not close the connection within " + WAIT);
        } catch (IOException e) {
            // reset by the server: closed too
        }
    }

    @Test
    void a_request_is_answered_with_its_sn_and_body() throws Exception {
        start(defaults());
        Socket s = connect();
        s.getOutputStream().write(frame(42, "hello".getBytes()));

        byte[] body = new byte[5];
        BoxHeader h = readHeader(new DataInputStream(s.getInputStream()), body);

        assertEquals(42, h.sn());
        assertArrayEquals("hello".getBytes(), body);
    }

    @Test
    void a_client_that_half_closes_after_sending_still_gets_every_reply() throws Exception {
        start(defaults());
        Socket s = connect();
        OutputStream out = s.getOutputStream();
        for (int sn = 1; sn <= 3; sn++) {
            out.write(frame(sn, new byte[] {(byte) sn}));
        }
        s.shutdownOutput();

        DataInputStream in = new DataInputStream(s.getInputStream());
        for (int sn = 1; sn <= 3; sn++) {
            assertEquals(sn, readHeader(in, new byte[1]).sn());
        }
        assertEquals(-1, in.read());
    }

    @Test
    void a_connection_beyond_max_connections_is_closed_at_once_and_counted() throws Exception {
        start(limits(3, 64 << 20, Duration.ofSeconds(30), 128, 8 << 20));
        for (int i = 0; i < 3; i++) {
            connect();
        }
        awaitTrue(() -> server.stats().open() == 3, "three open");

        Socket fourth = connect();

        assertClosedByServer(fourth);
        assertEquals(1, server.stats().refused());
        Socket first = sockets.getFirst();
        first.getOutputStream().write(frame(1, new byte[0]));
        assertEquals(1, readHeader(new DataInputStream(first.getInputStream()), new byte[0]).sn());
    }

    @Test
    void a_frame_not_finished_within_frame_timeout_closes_its_connection() throws Exception {
        start(limits(1000, 64 << 20, Duration.ofMillis(200), 128, 8 << 20));
        Socket slow = connect();
        slow.getOutputStream().write(frame(1, new byte[10]), 0, 12);

        assertClosedByServer(slow);
        assertEquals(1, server.stats().frameTimeouts());
        awaitTrue(() -> server.inboundBytes() == 0, "its bytes given back");
    }

    @Test
    void an_idle_connection_between_frames_is_not_a_slow_frame() throws Exception {
        start(limits(1000, 64 << 20, Duration.ofMillis(100), 128, 8 << 20));
        Socket idle = connect();
        idle.getOutputStream().write(frame(1, new byte[0]));
        DataInputStream in = new DataInputStream(idle.getInputStream());
        readHeader(in, new byte[0]);
        Thread.sleep(400); // several frame-timeouts with no frame begun

        idle.getOutputStream().write(frame(2, new byte[0]));
        assertEquals(2, readHeader(in, new byte[0]).sn());
        assertEquals(0, server.stats().frameTimeouts());
    }

    @Test
    void over_the_inbound_budget_the_oldest_unfinished_frame_loses_its_connection_and_others_are_served()
            throws Exception {
        start(limits(1000, 100_000, Duration.ofSeconds(30), 128, 8 << 20));
        Socket oldest = connect();
        byte[] big = frame(1, new byte[90_000]);
        oldest.getOutputStream().write(big, 0, 24 + 60_000);
        awaitTrue(() -> server.inboundBytes() >= 60_000, "the first partial frame held");
        Socket newer = connect();
        newer.getOutputStream().write(big, 0, 24 + 60_000);

        assertClosedByServer(oldest);
        assertEquals(1, server.stats().budgetEvictions());
        Socket probe = connect();
        probe.getOutputStream().write(frame(7, "ok".getBytes()));
        assertEquals(7, readHeader(new DataInputStream(probe.getInputStream()), new byte[2]).sn());
        newer.getOutputStream().write(big, 24 + 60_000, big.length - 24 - 60_000);
        assertEquals(1, readHeader(new DataInputStream(newer.getInputStream()), new byte[0]).sn(),
                "the newer frame, once complete, is served");
    }

    @Test
    void a_client_that_never_reads_is_closed_as_a_slow_consumer_and_another_is_still_served() throws Exception {
        start(limits(1000, 64 << 20, Duration.ofSeconds(30), 1000, 256 << 10));
        Socket hog = connect();
        hog.setReceiveBufferSize(4096);
        OutputStream out = hog.getOutputStream();
        byte[] f = frame(1, new byte[64 << 10]);
        try {
            for (int i = 0; i < 200 && server.stats().slowConsumers() == 0; i++) {
                out.write(f);
            }
        } catch (IOException e) {
            // the server closed it while we were still writing
        }

        awaitTrue(() -> server.stats().slowConsumers() == 1, "the hog closed as a slow consumer");
        Socket other = connect();
        other.getOutputStream().write(frame(3, "x".getBytes()));
        assertEquals(3, readHeader(new DataInputStream(other.getInputStream()), new byte[1]).sn());
        awaitTrue(() -> server.stats().outboundBytes() == 0, "its queued bytes given back");
    }

    @Test
    void a_connection_is_not_read_beyond_max_in_flight_until_replies_go_out() throws Exception {
        echoAtOnce = false;
        start(limits(1000, 64 << 20, Duration.ofSeconds(30), 4, 8 << 20));
        Socket s = connect();
        OutputStream out = s.getOutputStream();
        for (int sn = 1; sn <= 10; sn++) {
            out.write(frame(sn, new byte[0]));
        }

        List<Submitted> first = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            first.add(submitted.poll(WAIT.toSeconds(), TimeUnit.SECONDS));
        }
        Thread.sleep(200);
        assertTrue(submitted.isEmpty(), "no fifth request taken while four are unanswered");
        first.forEach(Submitted::echo);

        DataInputStream in = new DataInputStream(s.getInputStream());
        for (int sn = 1; sn <= 4; sn++) {
            assertEquals(sn, readHeader(in, new byte[0]).sn());
        }
        for (int sn = 5; sn <= 10; sn++) {
            Submitted next = submitted.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            if (next == null) {
                fail("request " + sn + " never came after replies went out");
            }
            assertEquals(sn, next.sn());
            next.echo();
            assertEquals(sn, readHeader(in, new byte[0]).sn());
        }
        assertTrue(server.stats().inFlightPauses() >= 1);
    }

    @Test
    void a_bad_frame_closes_only_its_own_connection() throws Exception {
        start(defaults());
        Socket bad = connect();
        Socket good = connect();
        byte[] f = frame(1, new byte[0]);
        f[0] = 0x11;
        bad.getOutputStream().write(f);

        assertClosedByServer(bad);
        good.getOutputStream().write(frame(5, new byte[0]));
        assertEquals(5, readHeader(new DataInputStream(good.getInputStream()), new byte[0]).sn());
        assertEquals(1, server.stats().badFrames());
    }

    @Test
    void replies_come_back_in_completion_order_matched_by_sn() throws Exception {
        echoAtOnce = false;
        start(defaults());
        Socket s = connect();
        for (int sn = 1; sn <= 3; sn++) {
            s.getOutputStream().write(frame(sn, new byte[0]));
        }
        List<Submitted> got = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            got.add(submitted.poll(WAIT.toSeconds(), TimeUnit.SECONDS));
        }

        got.get(2).echo();
        got.get(0).echo();
        got.get(1).echo();

        DataInputStream in = new DataInputStream(s.getInputStream());
        assertEquals(List.of(3, 1, 2), List.of(readHeader(in, new byte[0]).sn(), readHeader(in, new byte[0]).sn(),
                readHeader(in, new byte[0]).sn()));
    }

    @Test
    void a_stop_writes_every_reply_owed_then_closes() throws Exception {
        echoAtOnce = false;
        start(defaults());
        Socket s = connect();
        s.getOutputStream().write(frame(1, new byte[0]));
        Submitted pending = submitted.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        server.stopAccepting();

        Thread closer = Thread.ofVirtual().start(() -> {
            try {
                server.closeConnections(WAIT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        pending.echo();

        DataInputStream in = new DataInputStream(s.getInputStream());
        assertEquals(1, readHeader(in, new byte[0]).sn());
        try {
            assertEquals(-1, in.read());
        } catch (EOFException e) {
            // closed
        }
        closer.join();
        assertEquals(0, server.stats().open());
    }
}
