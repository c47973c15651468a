package dev.burst.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;
import java.util.function.LongPredicate;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The push load's client side against a small real Box server that plays push-probe's part: cmd 900 logs
 * the connection in (reply {@code ok}), cmd 903 writes the body as cmd 952, sn 0, to every logged-in
 * connection, then answers the request (ret 0, no body). Some servers drop or reject on purpose.
 */
class PushLoadTest {

    private ServerSocket server;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private final AtomicInteger pauses = new AtomicInteger();

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.close();
        }
        for (Socket s : accepted) {
            s.close();
        }
    }

    @Test
    void every_user_logs_in_and_receives_every_push_once_with_its_latency_timed() throws Exception {
        InetSocketAddress at = serve(user -> false, seq -> false);
        PushLoad.Result r = run(at, 40, 3);

        assertEquals(List.of("box"), r.protocols());
        assertEquals(40, r.connections());
        assertEquals(3, r.readerThreads());
        assertTrue(r.sent() >= 30, "sent " + r.sent());
        assertEquals(r.sent(), r.accepted());
        assertEquals(0, r.rejected());
        assertEquals(0, r.unanswered());
        PushTally.Count f = r.frames();
        assertEquals(r.accepted() * 40, f.expected());
        assertEquals(f.expected(), f.received());
        assertEquals(0, f.lost());
        assertEquals(0, f.duplicates());
        assertEquals(0, f.unexpected());
        assertEquals(0, f.closed());
        PushTally.WindowStats alone = f.window("alone");
        assertTrue(alone.frames() > 0, alone.toString());
        assertTrue(alone.p50Ms() > 0 && alone.p50Ms() <= alone.p99Ms() && alone.p99Ms() <= alone.maxMs(), alone.toString());
        assertEquals("", r.note());
        assertEquals(13, pauses.get(), "40 users closed 3 at a time: a pause after each batch but the last");
    }

    @Test
    void pushes_a_connection_never_gets_are_lost_and_rejected_pushes_are_not_expected() throws Exception {
        InetSocketAddress at = serve(user -> user == 7, seq -> seq % 5 == 0);
        PushLoad.Result r = run(at, 10, 2);

        assertEquals(r.sent(), r.accepted() + r.rejected());
        assertTrue(r.rejected() > 0 && r.accepted() > 0, r.toString());
        PushTally.Count f = r.frames();
        assertEquals(r.accepted() * 10, f.expected());
        assertEquals(r.accepted(), f.lost(), "user 7 got none of the accepted pushes");
        assertTrue(r.note().contains("rejected (last ret -10002)"), r.note());
    }

    @Test
    void a_refused_login_fails_the_load_naming_the_user() throws Exception {
        InetSocketAddress at = serve(user -> false, seq -> false);
        List<String> users = List.of("fine", "refuse-me");
        IOException e = assertThrows(IOException.class, () -> PushLoad.start(new PushLoad.Config(at, users, 1, Duration.ofMillis(5),
                List.of(new PushWindows.Layout("alone", Duration.ofMillis(100), true)), PushLoad.Closing.AT_ONCE)));
        assertTrue(e.getMessage().contains("user refuse-me") && e.getMessage().contains("ret -10001"), e.getMessage());
    }

    @Test
    void frames_are_cut_where_they_end_and_an_unfinished_one_is_left_in_the_buffer() throws Exception {
        byte[] a = BoxLoad.frame(952, new byte[16]);
        byte[] b = BoxLoad.frame(900, "ok".getBytes(StandardCharsets.UTF_8));
        BoxLoad.putInt(b, 20, 1);
        ByteBuffer buf = ByteBuffer.allocate(100);
        buf.put(a).put(b).put(a, 0, 30).flip();
        List<String> seen = new ArrayList<>();
        BoxUsers.cut(buf, (cmd, ret, sn, data, bodyAt, bodyLength) -> seen.add(cmd + "/" + ret + "/" + sn + "/" + bodyLength));
        assertEquals(List.of("952/0/0/16", "900/0/1/2"), seen);
        assertEquals(a.length + b.length, buf.position());
        assertEquals(30, buf.remaining());

        ByteBuffer bad = ByteBuffer.wrap(new byte[24]);
        IOException e = assertThrows(IOException.class, () -> BoxUsers.cut(bad, (cmd, ret, sn, data, bodyAt, bodyLength) -> { }));
        assertTrue(e.getMessage().startsWith("bad frame: magic 0"), e.getMessage());
    }

    @Test
    void a_push_body_holds_the_sequence_and_the_send_time_big_endian() {
        byte[] f = new byte[BoxLoad.HEADER + PushLoad.PUSH_BODY];
        PushLoad.pushBody(f, BoxLoad.HEADER, 0x0102030405060708L, -2);
        ByteBuffer b = ByteBuffer.wrap(f, BoxLoad.HEADER, PushLoad.PUSH_BODY);
        assertEquals(0x0102030405060708L, b.getLong());
        assertEquals(-2, b.getLong());
    }

    private PushLoad.Result run(InetSocketAddress at, int users, int readers) throws Exception {
        List<String> ids = IntStream.range(0, users).mapToObj(i -> "u" + i).toList();
        PushLoad.Running running = PushLoad.start(new PushLoad.Config(at, ids, readers, Duration.ofMillis(5), List.of(
                new PushWindows.Layout("warmup", Duration.ofMillis(50), false),
                new PushWindows.Layout("alone", Duration.ofMillis(200), true)), new PushLoad.Closing(3, pauses::incrementAndGet)));
        assertTrue(running.readerCpuNanos() >= 0);
        return running.await();
    }

    /**
     * A push-probe stand-in on a free loopback port, one thread per connection.
     *
     * @param skip   users (by the number in "u7") that never get a push
     * @param reject pushes (by sequence) answered -10002 and not made
     */
    private InetSocketAddress serve(IntPredicate skip, LongPredicate reject) throws IOException {
        server = new ServerSocket();
        server.bind(new InetSocketAddress("127.0.0.1", 0), 1024);
        List<Peer> loggedIn = new CopyOnWriteArrayList<>();
        Thread.ofPlatform().daemon().start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    accepted.add(s);
                    Peer p = new Peer(s);
                    Thread.ofPlatform().daemon().start(() -> p.serve(loggedIn, skip, reject));
                } catch (IOException e) {
                    return;
                }
            }
        });
        return new InetSocketAddress("127.0.0.1", server.getLocalPort());
    }

    private static final class Peer {
        private final Socket socket;
        private String user = "";

        Peer(Socket socket) {
            this.socket = socket;
        }

        synchronized void write(int cmd, int ret, int sn, byte[] body) throws IOException {
            byte[] f = BoxLoad.frame(cmd, body);
            BoxLoad.putInt(f, 16, ret);
            BoxLoad.putInt(f, 20, sn);
            OutputStream out = socket.getOutputStream();
            out.write(f);
            out.flush();
        }

        void serve(List<Peer> loggedIn, IntPredicate skip, LongPredicate reject) {
            try {
                DataInputStream in = new DataInputStream(socket.getInputStream());
                byte[] header = new byte[BoxLoad.HEADER];
                while (true) {
                    in.readFully(header);
                    byte[] body = new byte[BoxLoad.getInt(header, 8) - BoxLoad.HEADER];
                    in.readFully(body);
                    int cmd = BoxLoad.getInt(header, 12);
                    int sn = BoxLoad.getInt(header, 20);
                    if (cmd == PushLoad.LOGIN_CMD) {
                        user = new String(body, StandardCharsets.UTF_8);
                        if (user.startsWith("refuse")) {
                            write(cmd, -10001, sn, new byte[0]);
                            continue;
                        }
                        loggedIn.add(this);
                        write(cmd, 0, sn, "ok".getBytes(StandardCharsets.UTF_8));
                    } else if (cmd == PushLoad.PUSH_REQUEST_CMD) {
                        long seq = ByteBuffer.wrap(body).getLong();
                        if (reject.test(seq)) {
                            write(cmd, -10002, sn, new byte[0]);
                            continue;
                        }
                        for (Peer p : loggedIn) {
                            if (!skip.test(Integer.parseInt(p.user.substring(1)))) {
                                p.write(PushLoad.PUSH_FRAME_CMD, 0, 0, body);
                            }
                        }
                        write(cmd, 0, sn, new byte[0]);
                    }
                }
            } catch (IOException e) {
                // The client closed: the test is over.
            }
        }
    }
}
