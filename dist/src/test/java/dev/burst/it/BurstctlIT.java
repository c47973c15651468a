package dev.burst.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.burst.ctl.ScriptPty;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bin/burstctl against a real burst: one-shot commands with their exit codes, and the console on a pty. */
class BurstctlIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path BURSTCTL = Burst.DIST.resolve("bin/burstctl");

    private record Run(int code, String out, String err) {
    }

    private static Run burstctl(Burst burst, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(BURSTCTL.toString(), "--run-dir", burst.home.resolve("run").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("JAVA_HOME");
        pb.environment().remove("BURST_ADMIN_TOKEN");
        Process p = pb.start();
        var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        String out = read(p.getInputStream());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "burstctl " + String.join(" ", args) + " exits");
        return new Run(p.exitValue(), out, err.get());
    }

    private static String read(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void one_shot_commands_work_against_a_live_server_with_exit_codes(@TempDir Path home) throws Exception {
        try (Burst burst = Burst.in(home).plugin("hello").start()) {
            for (int i = 0; i < 7; i++) {
                assertEquals(200, burst.post("1", "counted").statusCode());
            }
            Run stat = burstctl(burst, "stat");
            assertEquals(0, stat.code(), stat.err());
            assertTrue(stat.out().contains("default"), stat.out());
            JsonNode json = JSON.readTree(burstctl(burst, "--json", "stat").out());
            assertEquals(7, json.get("client_req").asLong());

            Run version = burstctl(burst, "version");
            assertEquals(0, version.code(), version.err());
            assertTrue(version.out().contains("0.1.0-SNAPSHOT"), version.out());
            assertTrue(version.out().contains("proxy pid " + burst.proxy().pid()), version.out());

            Run grow = burstctl(burst, "change_group", "default", "3", "--wait");
            assertEquals(0, grow.code(), grow.err());
            assertTrue(grow.out().contains("done"), grow.out());
            burst.awaitWorkers(3, Duration.ofSeconds(60));
            Run nosuch = burstctl(burst, "change_group", "nope", "1");
            assertEquals(1, nosuch.code());
            assertTrue(nosuch.err().contains("unknown group 'nope'"), nosuch.err());
            Run negative = burstctl(burst, "change_group", "default", "-1");
            assertEquals(2, negative.code(), negative.err());
            Burst.pause(300);
            assertEquals(3, burst.workerPids().size(), "refused changes changed nothing");

            burst.deploy("hello-v2", "hello");
            Run reload = burstctl(burst, "reload_workers");
            assertEquals(0, reload.code(), reload.err());
            assertTrue(reload.out().contains("generation 2"), reload.out());
            assertEquals("Hello again from burst!", new String(burst.post("2", "").body(), StandardCharsets.UTF_8));
            burst.deploy("broken-start", "broken-start");
            Run broken = burstctl(burst, "reload_workers");
            assertEquals(1, broken.code());
            assertTrue(broken.err().contains("broken-start"), broken.err());

            Run restart = burstctl(burst, "restart_workers", "--wait");
            assertEquals(0, restart.code(), restart.err() + restart.out());
            JsonNode ops = JSON.readTree(burstctl(burst, "--json", "operations").out()).get("operations");
            List<String> kinds = new java.util.ArrayList<>();
            ops.forEach(o -> kinds.add(o.get("kind").asText() + " " + o.get("state").asText()));
            assertTrue(kinds.containsAll(List.of("change_group done", "reload_workers done", "reload_workers failed",
                    "restart_workers done")), kinds.toString());
            Run table = burstctl(burst, "operations");
            assertEquals(0, table.code(), table.err());
            assertTrue(table.out().contains("restart_workers") && table.out().contains("admin API"), table.out());
            Run none = burstctl(burst, "operations", "99999");
            assertEquals(1, none.code());
            assertTrue(none.err().contains("no operation 99999"), none.err());

            Run wrong = burstctl(burst, "--token", "not-the-right-token-at-all", "version");
            assertEquals(1, wrong.code());

            Run stop = burstctl(burst, "stop");
            assertEquals(0, stop.code(), stop.err());
            assertTrue(burst.master.waitFor(60, TimeUnit.SECONDS));
            assertEquals(3, burstctl(burst, "version").code(), "nothing to reach any more");
        }
    }

    @Test
    void the_console_completes_a_command_name_and_runs_it(@TempDir Path home) throws Exception {
        assertTrue(ScriptPty.available(), "util-linux 'script' gives the console a pseudo-terminal (.ci/run installs it)");
        try (Burst burst = Burst.in(home).plugin("hello").start()) {
            Path userHome = Files.createDirectories(home.resolve("user"));
            String opts = "BURSTCTL_JAVA_OPTS=-Duser.home=" + userHome;
            try (ScriptPty console = ScriptPty.start(List.of("env", "-u", "JAVA_HOME", opts, BURSTCTL.toString(),
                    "--run-dir", burst.home.resolve("run").toString()))) {
                console.await("burst> ", Duration.ofSeconds(60));
                console.type("vers\t\n");
                console.await("0.1.0-SNAPSHOT", Duration.ofSeconds(30));
                console.await("burst> ", Duration.ofSeconds(30));
                console.type("exit\n");
                assertEquals(0, console.awaitExit(Duration.ofSeconds(30)), console.transcript());
            }
            assertTrue(Files.readString(userHome.resolve(".burstctl_history")).contains("version"),
                    "the completed command is in the history");
        }
    }
}
