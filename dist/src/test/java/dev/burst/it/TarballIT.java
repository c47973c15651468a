package dev.burst.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The release tarball, unpacked anywhere, starts with bin/burst run and serves. */
class TarballIT {

    @Test
    void the_unpacked_tarball_starts_with_bin_burst_run_and_serves_cmd_1(@TempDir Path dir) throws Exception {
        Path tarball = Path.of(System.getProperty("burst.it.tarball"));
        assertEquals(0, new ProcessBuilder("tar", "xzf", tarball.toString(), "-C", dir.toString())
                .inheritIO().start().waitFor());
        Path home;
        try (Stream<Path> s = Files.list(dir)) {
            home = s.filter(p -> p.getFileName().toString().startsWith("burst-")).findFirst().orElseThrow();
        }
        for (String part : new String[] {"bin/burst", "conf/burst.properties", "lib", "plugins/hello.jar",
                "plugins/slow.jar", "plugins/fail.jar", "run", "logs"}) {
            assertTrue(Files.exists(home.resolve(part)), part + " is in the tarball");
        }
        assertTrue(Files.isExecutable(home.resolve("bin/burst")));

        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/burst").toString(), "run",
                "-Dburst.http.port=0", "-Dburst.box.port=0")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("out.log").toFile());
        Map<String, String> env = pb.environment();
        env.remove("JAVA_HOME"); // the script finds a JDK 21+ by itself
        Process burst = pb.start();
        try {
            Path ports = home.resolve("run/ports");
            Instant deadline = Instant.now().plusSeconds(90);
            while (!Files.exists(ports)) {
                if (!burst.isAlive() || Instant.now().isAfter(deadline)) {
                    fail("bin/burst run did not serve:\n" + Files.readString(dir.resolve("out.log")));
                }
                Thread.sleep(50);
            }
            Properties p = new Properties();
            try (var r = Files.newBufferedReader(ports)) {
                p.load(r);
            }
            HttpResponse<String> echo = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p.getProperty("http") + "/cmd/1"))
                            .POST(HttpRequest.BodyPublishers.ofString("from the tarball")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, echo.statusCode());
            assertEquals("from the tarball", echo.body());
            long pid = Long.parseLong(Files.readString(home.resolve("run/master.pid")).trim());
            assertEquals(burst.pid(), pid, "bin/burst execs the master: one pid to signal");
        } finally {
            var children = burst.descendants().toList();
            burst.destroy();
            if (!burst.waitFor(60, TimeUnit.SECONDS)) {
                burst.destroyForcibly();
            }
            children.forEach(ProcessHandle::destroyForcibly);
        }
        assertEquals(0, burst.exitValue(), Files.readString(dir.resolve("out.log")));
    }
}
