package dev.burst.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class IdleConnectionsTest {

    private static final List<InetAddress> TWO_SOURCES = List.of(address("127.0.0.2"), address("127.0.0.3"));

    private ServerSocket server;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.close();
        }
        for (Socket s : accepted) {
            s.close();
        }
    }

    /** A server on a free loopback port; {@code keep} decides, per accepted socket, whether it stays open. */
    private InetSocketAddress serve(Predicate<Socket> keep) throws IOException {
        server = new ServerSocket();
        server.bind(new InetSocketAddress("127.0.0.1", 0), 4096);
        Thread.ofPlatform().daemon().start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    if (keep.test(s)) {
                        accepted.add(s);
                    } else {
                        s.close();
                    }
                } catch (IOException e) {
                    return;
                }
            }
        });
        return new InetSocketAddress("127.0.0.1", server.getLocalPort());
    }

    @Test
    void connections_are_held_from_each_source_address_in_turn_until_closed() throws Exception {
        InetSocketAddress at = serve(s -> true);
        try (IdleConnections idle = IdleConnections.open(at, TWO_SOURCES, 300)) {
            IdleConnections.Opened opened = idle.opened().get(30, TimeUnit.SECONDS);
            assertEquals(IdleConnections.Stop.TARGET, opened.stop());
            assertEquals(300, opened.open());
            await(() -> accepted.size() == 300, "the server accepted " + accepted.size());
            Map<InetAddress, Integer> from = new ConcurrentHashMap<>();
            accepted.forEach(s -> from.merge(s.getInetAddress(), 1, Integer::sum));
            assertEquals(Map.of(TWO_SOURCES.get(0), 150, TWO_SOURCES.get(1), 150), from);
            Thread.sleep(200);
            assertEquals(300, idle.open(), "idle connections stay open");
        }
        for (Socket s : accepted) {
            s.setSoTimeout(5_000);
            assertEquals(-1, s.getInputStream().read(), "closed by the client");
        }
    }

    @Test
    void a_server_closing_new_connections_is_a_refusal_and_what_it_keeps_stays_held() throws Exception {
        AtomicInteger n = new AtomicInteger();
        InetSocketAddress at = serve(s -> n.incrementAndGet() <= 50);
        try (IdleConnections idle = IdleConnections.open(at, TWO_SOURCES, 1_000)) {
            IdleConnections.Opened opened = idle.opened().get(30, TimeUnit.SECONDS);
            assertEquals(IdleConnections.Stop.CLOSED_BY_SERVER, opened.stop());
            assertTrue(opened.open() >= 50, opened.toString());
            await(() -> idle.open() == 50, idle.open() + " open, " + idle.closedByServer() + " closed by the server");
            assertTrue(idle.closedByServer() >= 1);
        }
    }

    @Test
    void a_port_nobody_listens_on_fails_to_connect() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        try (IdleConnections idle = IdleConnections.open(new InetSocketAddress("127.0.0.1", port), TWO_SOURCES, 10)) {
            IdleConnections.Opened opened = idle.opened().get(30, TimeUnit.SECONDS);
            assertEquals(IdleConnections.Stop.CONNECT_FAILED, opened.stop());
            assertEquals(0, opened.open());
            assertTrue(opened.detail().orElseThrow().startsWith("connect:"), opened.toString());
        }
    }

    @Test
    void a_probe_is_a_box_echo_over_a_held_connection() throws Exception {
        InetSocketAddress at = serve(s -> {
            Thread.ofPlatform().daemon().start(() -> echo(s));
            return true;
        });
        byte[] body = "probe".getBytes(StandardCharsets.UTF_8);
        try (IdleConnections idle = IdleConnections.open(at, TWO_SOURCES, 5)) {
            assertEquals(5, idle.opened().get(30, TimeUnit.SECONDS).open());
            Duration rtt = idle.probe(1, body).orElseThrow();
            assertTrue(rtt.toMillis() < 5_000, rtt.toString());
            assertEquals(5, idle.open());
        }
    }

    @Test
    void a_probe_without_an_answer_fails_after_five_seconds() throws Exception {
        InetSocketAddress at = serve(s -> true);
        try (IdleConnections idle = IdleConnections.open(at, TWO_SOURCES, 1)) {
            assertEquals(1, idle.opened().get(30, TimeUnit.SECONDS).open());
            IOException e = assertThrows(IOException.class, () -> idle.probe(1, new byte[] {1}));
            assertTrue(e.getMessage().startsWith("no reply within"), e.getMessage());
        }
    }

    @Test
    void more_connections_than_one_address_has_ports_for_come_from_more_addresses() {
        assertEquals(List.of(address("127.0.0.2")), IdleConnections.loopbackSources(1));
        List<InetAddress> many = IdleConnections.loopbackSources(100_000);
        assertTrue(many.size() >= 2, many.toString());
        assertEquals(address("127.0.0.3"), many.get(1));
    }

    /** Answers every Box frame with itself, ret 0. */
    private static void echo(Socket s) {
        try (s) {
            InputStream in = s.getInputStream();
            while (true) {
                byte[] header = in.readNBytes(BoxLoad.HEADER);
                if (header.length < BoxLoad.HEADER) {
                    return;
                }
                byte[] body = in.readNBytes(BoxLoad.getInt(header, 8) - BoxLoad.HEADER);
                s.getOutputStream().write(header);
                s.getOutputStream().write(body);
            }
        } catch (IOException e) {
            // The client closed: the test is over.
        }
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 10 s: " + what);
            }
            Thread.sleep(20);
        }
    }

    private static InetAddress address(String a) {
        try {
            return InetAddress.getByName(a);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
