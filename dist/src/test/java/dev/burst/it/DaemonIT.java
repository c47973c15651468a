package dev.burst.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/burst as an operator runs it, from the unpacked tarball, with the daemon's log file: start says why
 * it failed instead of "started", status says which groups are degraded, reload reports the outcome the
 * admin API gives, and what the proxy logs while it stops reaches logs/burst.log.
 */
class DaemonIT {

    private static final String[] PORTS = {"-Dburst.http.port=0", "-Dburst.box.port=0", "-Dburst.admin.port=0"};
    private static final String[] GOOD_AND_BAD = {"-Dburst.groups=good,bad", "-Dburst.group.good.plugins=hello",
            "-Dburst.group.good.workers=1", "-Dburst.group.bad.plugins=broken-start", "-Dburst.group.bad.workers=1",
            "-Dburst.worker.boot-retries=2"};

    private Path home;

    private record Result(int code, String out) {
    }

    @AfterEach
    void killLeftovers() throws Exception {
        Path pidFile = home == null ? null : home.resolve("run/master.pid");
        if (pidFile != null && Files.exists(pidFile)) {
            ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim())).ifPresent(h -> {
                h.descendants().forEach(ProcessHandle::destroyForcibly);
                h.destroyForcibly();
            });
        }
    }

    /** Unpacks the tarball; its plugins/ gets broken-start too, for the groups of {@link #GOOD_AND_BAD}. */
    private Path unpack(Path dir, boolean withBroken) throws Exception {
        Path tarball = Path.of(System.getProperty("burst.it.tarball"));
        assertEquals(0, new ProcessBuilder("tar", "xzf", tarball.toString(), "-C", dir.toString())
                .inheritIO().start().waitFor());
        try (Stream<Path> s = Files.list(dir)) {
            home = s.filter(p -> p.getFileName().toString().startsWith("burst-")).findFirst().orElseThrow();
        }
        if (withBroken) {
            Files.copy(Burst.FIXTURES.resolve("broken-start.jar"), home.resolve("plugins/broken-start.jar"));
        }
        return home;
    }

    private Result burst(String command, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(home.resolve("bin/burst").toString(), command));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("JAVA_HOME");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS));
        return new Result(p.exitValue(), out);
    }

    private static String[] concat(String[]... parts) {
        return Stream.of(parts).flatMap(Stream::of).toArray(String[]::new);
    }

    private String log() throws Exception {
        return Files.readString(home.resolve("logs/burst.log"));
    }

    @Test
    void start_with_a_plugin_that_cannot_start_fails_naming_it_and_never_says_started(@TempDir Path dir) throws Exception {
        unpack(dir, true);

        Result start = burst("start", concat(PORTS, GOOD_AND_BAD));

        assertEquals(1, start.code(), start.out());
        assertFalse(start.out().contains("started"), start.out());
        assertTrue(start.out().contains("failed to start (exit 3)"), start.out());
        assertTrue(start.out().contains("burst cannot start: group bad cannot boot")
                && start.out().contains("broken-start refuses to start"), start.out());
        assertEquals(3, burst("status").code(), "nothing is left running");
    }

    @Test
    void status_says_which_group_is_degraded_and_reload_prints_the_outcome_from_the_admin_api(@TempDir Path dir)
            throws Exception {
        unpack(dir, true);
        Result start = burst("start", concat(PORTS, GOOD_AND_BAD, new String[] {"-Dburst.start.degraded=serve",
                "-Dburst.start.timeout=PT3S"}));
        assertEquals(0, start.code(), start.out());

        Result status = burst("status");
        for (int i = 0; i < 100 && !status.out().contains("degraded"); i++) {
            Thread.sleep(100);
            status = burst("status");
        }
        assertEquals(0, status.code(), status.out());
        assertTrue(status.out().contains("running (pid ") && status.out().contains(", degraded:\n  bad: worker bad#1 "
                + "failed to boot 2 times in a row: ") && status.out().contains("broken-start refuses to start"),
                status.out());

        Result reload = burst("reload");
        assertEquals(0, reload.code(), reload.out());
        assertTrue(reload.out().contains("generation 2 serving on 1 worker(s)"), reload.out());
        assertTrue(log().contains("] reload_workers #"), "the master recorded it:\n" + log());

        Result stop = burst("stop");
        assertEquals(0, stop.code(), stop.out());
        assertFalse(Files.exists(home.resolve("run/degraded")));
    }

    @Test
    void what_the_proxy_logs_while_it_stops_reaches_the_log_file(@TempDir Path dir) throws Exception {
        unpack(dir, false);
        Result start = burst("start", PORTS);
        assertEquals(0, start.code(), start.out());
        long proxy = ProcessHandle.of(Long.parseLong(Files.readString(home.resolve("run/master.pid")).trim()))
                .orElseThrow().descendants()
                .filter(h -> h.info().arguments().map(a -> String.join(" ", a).contains("-Dburst.role=proxy")).orElse(false))
                .findFirst().orElseThrow().pid();

        Result stop = burst("stop");

        assertEquals(0, stop.code(), stop.out());
        String log = log();
        assertTrue(log.contains("[proxy pid " + proxy + "] graceful stop ("), log);
        assertTrue(log.lines().anyMatch(l -> l.contains("[proxy pid " + proxy + "]") && l.endsWith("] stopped")),
                "the proxy's last line is in the file:\n" + log);
        assertTrue(log.contains("burst stopped (exit 0)"), log);
    }
}
