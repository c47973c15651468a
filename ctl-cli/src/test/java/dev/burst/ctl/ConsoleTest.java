package dev.burst.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jline.reader.LineReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console in a real JVM on a pseudo-terminal ({@link ScriptPty}), against {@link AdminStub}. */
class ConsoleTest {

    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration STEP = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    /** The classes of burstctl and its dependencies, wherever the build put them. */
    private static String classPath() {
        return Stream.of(Burstctl.class, LineReader.class, ObjectMapper.class, JsonParser.class, JsonAutoDetect.class)
                .map(c -> {
                    try {
                        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
                    } catch (java.net.URISyntaxException e) {
                        throw new IllegalStateException(e);
                    }
                })
                .distinct()
                .collect(Collectors.joining(java.io.File.pathSeparator));
    }

    @Test
    void completion_offers_commands_first_then_each_commands_options_and_group_names() {
        List<String> groups = List.of("default", "game");

        assertTrue(Console.choices(List.of(""), 0, groups)
                .containsAll(List.of("operations", "restart_workers", "exit")));
        assertEquals(List.of("--limit"), Console.choices(List.of("operations", ""), 1, groups));
        assertEquals(List.of("--wait"), Console.choices(List.of("restart_workers", ""), 1, groups));
        assertEquals(groups, Console.choices(List.of("change_group", ""), 1, groups));
        assertEquals(List.of(), Console.choices(List.of("change_group", "game", ""), 2, groups));
        assertEquals(List.of("--wait"), Console.choices(List.of("change_group", "game", "3", ""), 3, groups));
        assertTrue(Console.choices(List.of(""), 0, groups).containsAll(List.of("push", "users", "kick")));
        assertEquals(List.of("--cmd", "--body", "--base64", "--all"), Console.choices(List.of("push", ""), 1, groups));
        assertEquals(List.of("--cmd", "--body", "--base64"), Console.choices(List.of("kick", "u1", ""), 2, groups));
        assertEquals(List.of("--limit"), Console.choices(List.of("users", ""), 1, groups));
        assertEquals(List.of(), Console.choices(List.of("stop", ""), 1, groups));
        assertEquals(List.of(), Console.choices(List.of("bogus", ""), 1, groups));
    }

    @Test
    void the_console_completes_commands_options_and_groups_follows_an_operation_stops_a_loop_and_keeps_a_history()
            throws Exception {
        assertTrue(ScriptPty.available(), ScriptPty.MISSING);
        Path home = Files.createDirectories(dir.resolve("home"));
        try (AdminStub burst = new AdminStub();
                ScriptPty console = ScriptPty.start(List.of(ProcessHandle.current().info().command().orElseThrow(),
                        "-Duser.home=" + home, "--enable-native-access=ALL-UNNAMED", "-cp", classPath(),
                        Burstctl.class.getName(), "--run-dir", burst.writeRunDir(dir.resolve("run")).toString()))) {
            console.await(Console.PROMPT, START);

            console.type("sta\t\n");
            console.await("stat ", STEP);
            console.await("groups (latency in ms)", STEP);
            console.await("last reload: ok", STEP);
            console.await(Console.PROMPT, STEP);

            console.type("change_group g\t 3\n");
            console.await("change_group game 3 accepted as operation #13", STEP);
            console.await(Console.PROMPT, STEP);

            console.type("stat --loop 0.05\n");
            console.await("--- ", STEP);
            console.await("--- ", STEP);
            console.type("\u0003");
            console.await(Console.PROMPT, STEP);

            console.type("opera\t\n");
            console.await("operations ", STEP);
            console.await("max-requests  running", STEP);
            console.await(Console.PROMPT, STEP);

            console.type("restart_workers --wa\t\n");
            console.await("restart_workers #12 done in 1.3 s", STEP);
            console.await(Console.PROMPT, STEP);

            console.type("version\n");
            console.await("burst 0.1.0-SNAPSHOT on java 25.0.1", STEP);
            console.await(Console.PROMPT, STEP);
            console.type("exit\n");
            assertEquals(0, console.awaitExit(STEP), console.transcript());

            assertTrue(burst.calls.stream().anyMatch(c -> c.path().equals("/admin/groups/game")), console::transcript);
            List<String> history = Files.readAllLines(home.resolve(Burstctl.HISTORY));
            assertTrue(history.stream().anyMatch(l -> l.endsWith(":stat")), history::toString);
            assertTrue(history.stream().anyMatch(l -> l.endsWith(":change_group game  3")), history::toString);
        }
    }
}
