package dev.burst.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
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
        String api = "sdk/burst-plugin-api-" + home.getFileName().toString().substring("burst-".length());
        for (String part : new String[] {"bin/burst", "conf/burst.properties", "lib", "plugins/hello.jar",
                "plugins/slow.jar", "plugins/fail.jar", "plugins/chat.jar", "plugins/chat.html", "plugins/counter.jar",
                "run", "logs", "lib/training/hello.jar", api + ".jar", api + ".pom", "sdk/README.md",
                "sdk/template/pom.xml"}) {
            assertTrue(Files.exists(home.resolve(part)), part + " is in the tarball");
        }
        for (String part : new String[] {"lib/worker.aot", "lib/worker.aot.id"}) {
            assertEquals(AotIT.JDK_MAKES_CACHES, Files.exists(home.resolve(part)),
                    part + " is in the tarball exactly when the build's JDK makes AOT caches");
        }
        assertTrue(Files.isExecutable(home.resolve("bin/burst")));

        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/burst").toString(), "run",
                "-Dburst.http.port=0", "-Dburst.box.port=0", "-Dburst.admin.port=0")
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
            // Unpacked elsewhere, with lib/ listed in another order: the cache trained by the build still fits.
            List<ProcessHandle> workers = burst.descendants().filter(h -> h.info().arguments()
                    .map(a -> String.join(" ", a).contains("-Dburst.role=worker")).orElse(false)).toList();
            assertEquals(2, workers.size());
            for (ProcessHandle w : workers) {
                assertEquals(AotIT.JDK_MAKES_CACHES, AotIT.maps(w.pid(), home.resolve("lib/worker.aot")),
                        "worker " + w.pid() + " maps the cache exactly when the JDK makes one");
            }
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

    @Test
    void bin_burst_start_status_reload_stop_run_it_as_a_daemon_and_usr1_reopens_the_log(@TempDir Path dir)
            throws Exception {
        Path home = unpack(dir);
        String[] ports = {"-Dburst.http.port=0", "-Dburst.box.port=0", "-Dburst.admin.port=0"};
        try {
            Result start = burst(home, "start", ports);
            assertEquals(0, start.code(), start.out());
            assertTrue(start.out().contains("burst: started (pid "), start.out());
            assertTrue(Files.exists(home.resolve("run/ports")), "start returns once it serves");
            long pid = Long.parseLong(Files.readString(home.resolve("run/master.pid")).trim());
            assertTrue(ProcessHandle.of(pid).orElseThrow().isAlive());

            Result again = burst(home, "start", ports);
            assertEquals(1, again.code());
            assertTrue(again.out().contains("already running (pid " + pid + ")"), again.out());

            Result status = burst(home, "status");
            assertEquals(0, status.code());
            assertTrue(status.out().contains("running (pid " + pid + ")"), status.out());

            Result reload = burst(home, "reload");
            assertEquals(0, reload.code(), reload.out());
            assertTrue(reload.out().contains("generation 2 serving on 2 worker(s)"), reload.out());

            Path log = home.resolve("logs/burst.log");
            assertTrue(Files.readString(log).contains("[worker default#1 pid"), "workers log into the master's file");
            Files.move(log, home.resolve("logs/burst.log.1"));
            assertEquals(0, new ProcessBuilder("kill", "-USR1", Long.toString(pid)).start().waitFor());
            Instant deadline = Instant.now().plusSeconds(30);
            while (!Files.exists(log) || !Files.readString(log).contains("SIGUSR1: reopened")) {
                assertTrue(Instant.now().isBefore(deadline), "the log was reopened");
                Thread.sleep(50);
            }
            Files.writeString(home.resolve("plugins/zz-garbage.jar"), "garbage");
            Result refused = burst(home, "reload");
            assertEquals(1, refused.code());
            assertTrue(refused.out().contains("zz-garbage.jar"), refused.out());
            assertTrue(Files.readString(log).contains("generation 3 refused"), "new lines go to the new file");
            assertFalse(Files.readString(home.resolve("logs/burst.log.1")).contains("generation 3 refused"));

            Result stop = burst(home, "stop");
            assertEquals(0, stop.code(), stop.out());
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "stop waits for the exit");
            assertEquals(3, burst(home, "status").code());

            Result bad = burst(home, "start", "-Dburst.group.default.workers=-5");
            assertEquals(1, bad.code());
            assertTrue(bad.out().contains("burst.group.default.workers=-5"), "start says why it failed: " + bad.out());
        } finally {
            Path pidFile = home.resolve("run/master.pid");
            if (Files.exists(pidFile)) {
                ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim())).ifPresent(h -> {
                    h.descendants().forEach(ProcessHandle::destroyForcibly);
                    h.destroyForcibly();
                });
            }
        }
    }

    @Test
    void bin_burst_aot_builds_the_cache_while_burst_serves_and_restart_workers_takes_it_up(@TempDir Path dir)
            throws Exception {
        Path home = unpack(dir);
        Path cache = home.resolve("lib/worker.aot");
        if (!AotIT.JDK_MAKES_CACHES) {
            Result aot = burst(home, "aot");
            assertEquals(0, aot.code(), aot.out());
            assertTrue(aot.out().contains("not built: " + AotIT.NO_CACHE_ON_THIS_JDK), aot.out());
            assertFalse(Files.exists(cache));
            return;
        }
        Files.delete(cache);
        Files.delete(home.resolve("lib/worker.aot.id"));
        Path log = home.resolve("logs/burst.log");
        try {
            Result start = burst(home, "start", "-Dburst.http.port=0", "-Dburst.box.port=0", "-Dburst.admin.port=0",
                    "-Dburst.group.default.workers=1");
            assertEquals(0, start.code(), start.out());
            assertTrue(Files.readString(log).contains("no AOT cache for workers, so they start slower: " + cache
                    + " does not exist (bin/burst aot builds it)"), Files.readString(log));

            Result aot = burst(home, "aot");
            assertEquals(0, aot.code(), aot.out());
            assertTrue(aot.out().contains("built " + cache), aot.out());
            assertFalse(aot.out().contains("[warning]"), "the training's JVM chatter stays in its own log: " + aot.out());
            assertTrue(Files.isRegularFile(cache));

            long pid = Long.parseLong(Files.readString(home.resolve("run/master.pid")).trim());
            assertEquals(0, new ProcessBuilder("kill", "-USR2", Long.toString(pid)).start().waitFor());
            Instant deadline = Instant.now().plusSeconds(60);
            while (!Files.readString(log).contains("restart_workers #1 (1 worker(s), one at a time): done, 1 of 1")) {
                assertTrue(Instant.now().isBefore(deadline), "restart_workers finished:\n" + Files.readString(log));
                Thread.sleep(50);
            }
            assertTrue(Files.readString(log).contains("workers start with the AOT cache " + cache), Files.readString(log));
            List<ProcessHandle> workers = ProcessHandle.of(pid).orElseThrow().descendants()
                    .filter(h -> h.info().arguments().map(a -> String.join(" ", a).contains("-Dburst.role=worker"))
                            .orElse(false))
                    .toList();
            assertEquals(1, workers.size());
            assertTrue(AotIT.maps(workers.getFirst().pid(), cache), "the restarted worker maps the new cache");

            Result stop = burst(home, "stop");
            assertEquals(0, stop.code(), stop.out());
        } finally {
            Path pidFile = home.resolve("run/master.pid");
            if (Files.exists(pidFile)) {
                ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim())).ifPresent(h -> {
                    h.descendants().forEach(ProcessHandle::destroyForcibly);
                    h.destroyForcibly();
                });
            }
        }
    }

    private record Result(int code, String out) {
    }

    private static Result burst(Path home, String command, String... args) throws Exception {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(home.resolve("bin/burst").toString(), command));
        cmd.addAll(java.util.List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("JAVA_HOME");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS));
        return new Result(p.exitValue(), out);
    }

    private static Path unpack(Path dir) throws Exception {
        Path tarball = Path.of(System.getProperty("burst.it.tarball"));
        assertEquals(0, new ProcessBuilder("tar", "xzf", tarball.toString(), "-C", dir.toString())
                .inheritIO().start().waitFor());
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("burst-")).findFirst().orElseThrow();
        }
    }
}
