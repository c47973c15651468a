package dev.burst.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.burst.container.protocol.WireCodec;
import dev.burst.container.protocol.WireMessage;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * run/control.sock belongs to the proxy this master spawned: no other local process takes it over, it is
 * private whatever the umask, and a proxy respawned after the file was removed still reaches the master.
 */
class ControlSocketIT {

    @Test
    void a_foreign_connection_to_control_sock_is_refused_and_logged_and_a_sighup_reload_still_works(@TempDir Path home)
            throws Exception {
        try (Burst burst = Burst.in(home).plugin("hello").set("burst.group.default.workers", "1").start()) {
            burst.awaitWorkers(1, Duration.ofSeconds(30));
            try (SocketChannel intruder = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                intruder.connect(UnixDomainSocketAddress.of(home.resolve("run/control.sock")));
                WireCodec.write(Channels.newOutputStream(intruder), new WireMessage.ProxyHello(4242, "guessed"));

                assertClosedByPeer(Channels.newInputStream(intruder));
                burst.awaitLog("refused a connection to the control socket", Duration.ofSeconds(10));
                String refusal = burst.log().lines().filter(l -> l.contains("refused a connection")).findFirst().orElseThrow();
                assertTrue(refusal.contains("wrong secret") && refusal.contains("claims pid 4242"), refusal);

                String outcome = burst.reload();
                assertTrue(outcome.contains("generation 2 serving on 1 worker(s)"), "the proxy is still the link: " + outcome);
            }
            assertEquals(200, burst.post("1", "still serving").statusCode());
        }
    }

    @Test
    void the_run_directory_is_0700_and_control_sock_0600_even_under_umask_0000(@TempDir Path home) throws Exception {
        Files.createDirectories(home.resolve("run"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxrwxrwx")));
        Files.setPosixFilePermissions(home.resolve("run"), PosixFilePermissions.fromString("rwxrwxrwx"));
        try (Burst burst = Burst.in(home).plugin("hello").set("burst.group.default.workers", "1").umask("0000").start()) {
            assertEquals("rwx------", mode(home.resolve("run")));
            assertEquals("rw-------", mode(home.resolve("run/control.sock")));
            assertEquals("rw-------", mode(home.resolve("run/admin.token")));
            assertEquals(200, burst.post("1", "private").statusCode());
        }
    }

    @Test
    void after_control_sock_was_removed_a_proxy_killed_afterwards_is_respawned_and_connects(@TempDir Path home)
            throws Exception {
        try (Burst burst = Burst.in(home).plugin("hello").set("burst.group.default.workers", "1").start()) {
            burst.awaitWorkers(1, Duration.ofSeconds(30));
            Path socket = home.resolve("run/control.sock");
            ProcessHandle first = burst.proxy();
            Files.delete(home.resolve("run/ports"));

            Files.delete(socket);
            first.destroyForcibly();

            Instant deadline = Instant.now().plusSeconds(60);
            while (!Files.exists(home.resolve("run/ports"))) {
                if (Instant.now().isAfter(deadline)) {
                    fail("no respawned proxy served:\n" + burst.log());
                }
                Burst.pause(50);
            }
            assertTrue(burst.log().contains("the control socket " + socket + " was removed; binding it again"),
                    burst.log());
            ProcessHandle second = burst.proxy();
            assertNotEquals(first.pid(), second.pid());
            burst.awaitLog("the proxy (pid " + second.pid() + ") connected", Duration.ofSeconds(10));
            Properties ports = new Properties();
            try (var r = Files.newBufferedReader(home.resolve("run/ports"))) {
                ports.load(r);
            }
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + ports.getProperty("http") + "/cmd/1"))
                    .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString("after the respawn")).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            assertEquals(200, r.statusCode(), burst.log());
            assertEquals("after the respawn", r.body());
        }
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    /** The master closes the connection within 10 s (it waits at most 5 s for a PROXY_HELLO). */
    private static void assertClosedByPeer(InputStream in) throws Exception {
        CompletableFuture<Integer> read = CompletableFuture.supplyAsync(() -> {
            try {
                return in.read();
            } catch (EOFException e) {
                return -1;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        try {
            assertEquals(-1, read.get(10, TimeUnit.SECONDS), "the master closed the connection");
        } catch (TimeoutException e) {
            fail("the master kept a connection open that did not prove the proxy's secret");
        }
    }
}
