package dev.burst.container.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.burst.container.process.SpawnSecrets;
import dev.burst.container.protocol.WireCodec;
import dev.burst.container.protocol.WireMessage;
import dev.burst.container.protocol.WireMessage.ProxyHello;
import dev.burst.container.protocol.WireMessage.ProxyUp;
import dev.burst.container.protocol.WireMessage.Retire;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The control socket over a real Unix domain socket: only the proxy with the spawn secret becomes the link. */
class ControlServerTest {

    private static final String SECRET = SpawnSecrets.hex(SpawnSecrets.randomKey());

    @TempDir
    Path dir;

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private Path socket;
    private ControlServer server;

    @BeforeEach
    void open() throws IOException {
        socket = dir.resolve("control.sock");
        server = ControlServer.open(socket, events::add, Duration.ofMillis(300));
        server.expect(SECRET);
    }

    @AfterEach
    void close() throws IOException {
        server.close();
    }

    private SocketChannel connect() throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(socket));
        return ch;
    }

    private static void send(SocketChannel ch, WireMessage m) throws IOException {
        WireCodec.write(Channels.newOutputStream(ch), m);
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(5);
        while (!condition.getAsBoolean()) {
            assertTrue(Instant.now().isBefore(deadline), what);
            Thread.sleep(10);
        }
    }

    /** @return whether the server closed this connection (a read sees the end of the stream) */
    private static boolean closedByServer(SocketChannel ch) throws IOException {
        DataInputStream in = new DataInputStream(Channels.newInputStream(ch));
        try {
            in.readByte();
            return false;
        } catch (EOFException e) {
            return true;
        }
    }

    @Test
    void the_socket_is_private_to_its_user() throws IOException {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
    }

    @Test
    void the_proxy_with_the_spawn_secret_becomes_the_link_and_its_frames_become_events() throws Exception {
        try (SocketChannel proxy = connect()) {
            send(proxy, new ProxyHello(4242, SECRET));
            send(proxy, new ProxyUp());

            assertEquals(new Event.ProxyConnected(4242), events.poll(5, TimeUnit.SECONDS));
            assertEquals(new Event.ProxyUp(4242), events.poll(5, TimeUnit.SECONDS));
            assertTrue(server.connected());
            assertTrue(server.send(new Retire(7)));
            assertEquals(new Retire(7), WireCodec.read(WireCodec.input(Channels.newInputStream(proxy))));
        }
    }

    @Test
    void a_connection_with_a_wrong_secret_is_refused_logged_and_closed_and_the_link_stays() throws Exception {
        try (LogCapture log = new LogCapture(); SocketChannel proxy = connect()) {
            send(proxy, new ProxyHello(4242, SECRET));
            assertEquals(new Event.ProxyConnected(4242), events.poll(5, TimeUnit.SECONDS));

            try (SocketChannel intruder = connect()) {
                send(intruder, new ProxyHello(666, "not-the-secret"));

                assertTrue(closedByServer(intruder));
            }
            await(() -> !log.lines("refused a connection").isEmpty(), "the refusal is logged");
            String line = log.lines("refused a connection").getFirst();
            assertTrue(line.contains(socket.toString()) && line.contains("wrong secret") && line.contains("claims pid 666")
                    && line.contains("peer user " + System.getProperty("user.name")), line);
            assertNull(events.poll(200, TimeUnit.MILLISECONDS), "nothing of the intruder reached the master");
            assertTrue(server.send(new Retire(8)), "the proxy is still the link");
            assertEquals(new Retire(8), WireCodec.read(WireCodec.input(Channels.newInputStream(proxy))));
        }
    }

    @Test
    void a_connection_without_a_secret_is_refused() throws Exception {
        try (LogCapture log = new LogCapture(); SocketChannel intruder = connect()) {
            send(intruder, new ProxyHello(1, ""));

            assertTrue(closedByServer(intruder));
            await(() -> !log.lines("no secret").isEmpty(), "the refusal is logged");
            assertFalse(server.connected());
        }
    }

    @Test
    void a_connection_whose_first_frame_is_not_a_hello_is_refused_and_its_frame_ignored() throws Exception {
        try (LogCapture log = new LogCapture(); SocketChannel intruder = connect()) {
            send(intruder, new ProxyUp());

            assertTrue(closedByServer(intruder));
            await(() -> !log.lines("its first frame is ProxyUp, not PROXY_HELLO").isEmpty(), "the refusal is logged");
            assertNull(events.poll(100, TimeUnit.MILLISECONDS));
        }
    }

    @Test
    void a_connection_that_says_nothing_is_refused_after_the_hello_timeout() throws Exception {
        try (LogCapture log = new LogCapture(); SocketChannel silent = connect()) {
            assertTrue(closedByServer(silent));
            await(() -> !log.lines("no PROXY_HELLO within 300 ms").isEmpty(), "the refusal is logged");
        }
    }

    @Test
    void a_huge_first_frame_is_refused_before_it_is_read() throws Exception {
        try (SocketChannel intruder = connect()) {
            intruder.write(java.nio.ByteBuffer.allocate(4).putInt(0, 50 << 20));

            assertTrue(closedByServer(intruder));
        }
    }

    @Test
    void a_removed_socket_is_bound_again_and_the_established_link_is_kept() throws Exception {
        try (LogCapture log = new LogCapture(); SocketChannel proxy = connect()) {
            send(proxy, new ProxyHello(4242, SECRET));
            assertEquals(new Event.ProxyConnected(4242), events.poll(5, TimeUnit.SECONDS));
            Files.delete(socket);

            server.check();

            assertTrue(Files.exists(socket));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
            assertTrue(log.lines().stream().anyMatch(l -> l.contains(socket + " was removed")), log.lines().toString());
            assertTrue(server.send(new Retire(9)));
            assertEquals(new Retire(9), WireCodec.read(WireCodec.input(Channels.newInputStream(proxy))));

            String next = SpawnSecrets.hex(SpawnSecrets.randomKey());
            server.expect(next);
            try (SocketChannel respawned = connect()) {
                send(respawned, new ProxyHello(4343, next));
                assertEquals(new Event.ProxyConnected(4343), events.poll(5, TimeUnit.SECONDS));
            }
        }
    }

    @Test
    void a_socket_that_is_still_there_is_left_alone() throws Exception {
        Object before = Files.readAttributes(socket, java.nio.file.attribute.BasicFileAttributes.class).fileKey();

        server.check();

        assertEquals(before, Files.readAttributes(socket, java.nio.file.attribute.BasicFileAttributes.class).fileKey());
    }

    @Test
    void binding_where_no_socket_can_be_made_names_the_path() {
        Path nowhere = dir.resolve("missing/control.sock");

        IOException e = assertThrows(IOException.class, () -> ControlServer.open(nowhere, events::add));

        assertTrue(e.getMessage().contains(nowhere.toString()), e.getMessage());
        assertInstanceOf(IOException.class, e);
    }
}
