package dev.burst.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.burst.container.protocol.WireCodec;
import dev.burst.container.protocol.WireMessage;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile client, scaled down to run in seconds: the same mechanisms (idle connections, unfinished
 * frames, a client that never reads, a pipelining flood, a stranger on the worker socket) against real
 * master, proxy and worker processes over loopback.
 */
class HostileClientIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private static void await(BooleanSupplier condition, String what, Burst burst) {
        burst.await(condition, what, WAIT);
    }

    private static JsonNode box(Burst burst) {
        try {
            return burst.stat().get("connections").get("box");
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static Socket raw(Burst burst) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", burst.boxPort), 5000);
        s.setSoTimeout((int) WAIT.toMillis());
        return s;
    }

    @Test
    void two_thousand_idle_connections_cost_the_proxy_under_8_kb_of_heap_each(@TempDir Path home) throws Exception {
        List<Socket> idle = new ArrayList<>();
        try (Burst burst = Burst.in(home).plugin("hello").start(); BoxClient probe = burst.box()) {
            assertEquals("warm", probe.call(1, 1, "warm").text());
            long before = burst.proxyHeapAfterGc();

            for (int i = 0; i < 2000; i++) {
                idle.add(raw(burst));
            }
            await(() -> box(burst).get("open").asInt() == 2001, "2,001 open Box connections", burst);
            long after = burst.proxyHeapAfterGc();

            long perConnection = (after - before) / 2000;
            assertTrue(perConnection < 8 * 1024, "an idle connection costs " + perConnection + " bytes of heap");
            assertEquals("still", probe.call(1, 2, "still").text());
        } finally {
            for (Socket s : idle) {
                s.close();
            }
        }
    }

    @Test
    void a_connection_beyond_burst_box_max_connections_is_refused_counted_and_logged(@TempDir Path home)
            throws Exception {
        List<BoxClient> open = new ArrayList<>();
        try (Burst burst = Burst.in(home).plugin("hello").set("burst.box.max-connections", "20").start()) {
            for (int i = 0; i < 20; i++) {
                open.add(burst.box());
            }
            await(() -> box(burst).get("open").asInt() == 20, "20 open", burst);

            try (BoxClient extra = burst.box()) {
                assertTrue(extra.closedByServer(), "the 21st connection is closed at once");
            }
            burst.awaitLog("burst.box.max-connections 20 are open", WAIT);
            assertEquals(1, box(burst).get("refused").asLong());

            open.removeFirst().close();
            await(() -> box(burst).get("open").asInt() == 19, "one closed", burst);
            try (BoxClient again = burst.box()) {
                assertEquals("room again", again.call(1, 1, "room again").text());
            }
        } finally {
            for (BoxClient c : open) {
                c.close();
            }
        }
    }

    @Test
    void unfinished_big_frames_cannot_wedge_the_proxy_and_it_recovers_when_the_attacker_leaves(@TempDir Path home)
            throws Exception {
        List<Socket> attackers = new ArrayList<>();
        try (Burst burst = Burst.in(home).plugin("hello")
                .set("burst.box.max-inbound-bytes", Integer.toString(4 << 20))
                .set("burst.box.frame-timeout", "PT2S")
                .start(); BoxClient probe = burst.box()) {
            byte[] body = new byte[256 * 1024];
            byte[] header = BoxClient.frame(BoxClient.MAGIC, 24 + (1 << 20) - 64, 1, 1, new byte[0]);
            for (int i = 0; i < 50; i++) {
                Socket s = raw(burst);
                OutputStream out = s.getOutputStream();
                out.write(header);
                out.write(body);
                out.flush();
                attackers.add(s);
            }

            for (int i = 0; i < 50; i++) {
                assertEquals("probe " + i, probe.call(1, i, "probe " + i).text(), "served while the attack holds");
            }
            for (Socket s : attackers) {
                assertEquals(-1, readOrEof(s), "every attacker is closed: budget or frame-timeout");
            }
            JsonNode stats = box(burst);
            assertEquals(50, stats.get("closed_inbound_budget").asLong() + stats.get("closed_frame_timeout").asLong(),
                    stats.toString());
            assertTrue(stats.get("closed_inbound_budget").asLong() > 0, "the budget was overrun: " + stats);
            await(() -> box(burst).get("inbound_bytes").asLong() == 0, "every held byte given back", burst);
            assertEquals("after", probe.call(1, 99, "after").text());
            assertEquals("fresh", new String(burst.post("1", "fresh").body()));
        } finally {
            for (Socket s : attackers) {
                s.close();
            }
        }
    }

    private static int readOrEof(Socket s) {
        try {
            return s.getInputStream().read();
        } catch (IOException e) {
            return -1; // reset by the server: closed
        }
    }

    @Test
    void partial_headers_held_past_frame_timeout_are_closed(@TempDir Path home) throws Exception {
        List<Socket> slow = new ArrayList<>();
        try (Burst burst = Burst.in(home).plugin("hello").set("burst.box.frame-timeout", "PT1S").start()) {
            for (int i = 0; i < 100; i++) {
                Socket s = raw(burst);
                s.getOutputStream().write(BoxClient.frame(BoxClient.MAGIC, 30, 1, 1, new byte[6]), 0, 10);
                slow.add(s);
            }

            for (Socket s : slow) {
                assertEquals(-1, readOrEof(s));
            }
            assertEquals(100, box(burst).get("closed_frame_timeout").asLong());
            burst.awaitLog("burst.box.frame-timeout PT1S passed inside a frame header (10 of 24 bytes)", WAIT);
        } finally {
            for (Socket s : slow) {
                s.close();
            }
        }
    }

    @Test
    void a_client_that_never_reads_its_replies_is_cut_off_and_nothing_else_waits(@TempDir Path home) throws Exception {
        try (Burst burst = Burst.in(home).plugin("hello").set("burst.box.max-packet", Integer.toString(2 << 20))
                .start(); BoxClient probe = burst.box()) {
            burst.awaitWorkers(2, WAIT);
            List<Long> workers = burst.workerPids();
            Socket hog = raw(burst);
            hog.setReceiveBufferSize(4096);
            byte[] echo = BoxClient.frame(BoxClient.MAGIC, 1 << 20, 1, 1, new byte[(1 << 20) - 24]);
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    OutputStream out = hog.getOutputStream();
                    for (int i = 0; i < 100; i++) {
                        out.write(echo);
                    }
                } catch (IOException e) {
                    // closed by the server: what the test waits for
                }
            });

            await(() -> box(burst).get("closed_slow_consumer").asLong() == 1, "the hog closed as a slow consumer", burst);
            for (int i = 0; i < 20; i++) {
                assertEquals("ok " + i, probe.call(1, i, "ok " + i).text());
            }
            writer.join(WAIT.toMillis());
            hog.close();
            burst.awaitLog("as a slow consumer", WAIT);
            assertEquals(workers, burst.workerPids(), "no worker was lost or blocked");
            await(() -> box(burst).get("outbound_bytes").asLong() == 0, "its queued replies given back", burst);
        }
    }

    @Test
    void one_pipelining_connection_with_thousands_of_slow_requests_does_not_starve_another_client(@TempDir Path home)
            throws Exception {
        try (Burst burst = Burst.in(home).plugin("slow").set("burst.group.default.workers", "2").start();
             BoxClient flood = burst.box(); BoxClient other = burst.box()) {
            burst.awaitWorkers(2, WAIT);
            int total = 3000;
            AtomicInteger answered = new AtomicInteger();
            AtomicInteger failed = new AtomicInteger();
            Thread reader = Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < total; i++) {
                        if (flood.read().ret() != 0) {
                            failed.incrementAndGet();
                        }
                        answered.incrementAndGet();
                    }
                } catch (IOException e) {
                    failed.incrementAndGet();
                }
            });
            ByteBuffer frames = ByteBuffer.allocate(total * 25);
            for (int sn = 1; sn <= total; sn++) {
                frames.put(BoxClient.frame(BoxClient.MAGIC, 25, 10, sn, new byte[] {'5'}));
            }
            flood.write(frames.array());
            await(() -> answered.get() > 0, "the flood is being served", burst);

            for (int i = 0; i < 10; i++) {
                BoxClient.Reply r = other.call(10, i, "5");
                assertEquals(0, r.ret(), "the other client is never refused");
            }
            int floodDone = answered.get();
            assertTrue(floodDone < total / 2, "the other client's ten requests did not wait for the flood's backlog: "
                    + floodDone + " of " + total + " flood requests were answered first");

            reader.join(WAIT.toMillis() * 2);
            assertEquals(total, answered.get());
            assertEquals(0, failed.get(), "the flood itself lost nothing: it waited in its own socket");
            assertTrue(box(burst).get("in_flight_pauses").asLong() > 0);
        }
    }

    @Test
    void a_stranger_on_the_worker_socket_is_refused_and_logged_and_burst_goes_on(@TempDir Path home) throws Exception {
        try (Burst burst = Burst.in(home).plugin("hello").start()) {
            burst.awaitWorkers(2, WAIT);
            try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                ch.connect(UnixDomainSocketAddress.of(home.resolve("run/proxy.sock")));
                WireCodec.write(Channels.newOutputStream(ch), new WireMessage.Hello("default", 1, 4242L, "00.forged"));
                assertEquals(-1, ch.read(ByteBuffer.allocate(64)), "the proxy closes it without a LOAD");
            }
            burst.awaitLog("refused a connection on the worker socket claiming to be worker default#1 pid 4242: "
                    + "a wrong spawn secret", WAIT);
            assertEquals(1, burst.stat().get("connections").get("workers_refused").asLong());

            assertEquals("served", new String(burst.post("1", "served").body()));
            assertEquals(2, burst.workerPids().size());
            assertTrue(burst.reload().contains("serving on 2 worker(s)"), "a reload still reaches every worker");
        }
    }

    @Test
    void the_worker_socket_is_private_to_burst_s_user_even_under_umask_0000(@TempDir Path home) throws Exception {
        try (Burst burst = Burst.in(home).plugin("hello").umask("0000").start()) {
            assertEquals(PosixFilePermissions.fromString("rw-------"),
                    Files.getPosixFilePermissions(home.resolve("run/proxy.sock")));
        }
    }

    @Test
    void a_deleted_worker_socket_is_bound_again_and_replacement_workers_connect(@TempDir Path home) throws Exception {
        try (Burst burst = Burst.in(home).plugin("hello").start()) {
            burst.awaitWorkers(2, WAIT);
            Path socket = home.resolve("run/proxy.sock");
            Files.delete(socket);

            burst.awaitLog("the worker socket " + socket + " was removed; binding it again", WAIT);
            long victim = burst.workerPids().getFirst();
            ProcessHandle.of(victim).orElseThrow().destroyForcibly();
            await(() -> !burst.workerPids().contains(victim) && burst.workerPids().size() == 2
                    && burst.workerPids().stream().allMatch(p -> burst.log().contains("pid " + p + " ready on generation")),
                    "a replacement worker connected through the new socket", burst);
            assertEquals("back", new String(burst.post("1", "back").body()));
        }
    }
}
