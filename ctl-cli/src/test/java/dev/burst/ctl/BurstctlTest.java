package dev.burst.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One-shot burstctl against {@link AdminStub}, a loopback HTTP server answering the admin API's contract. */
class BurstctlTest {

    @TempDir
    Path dir;

    private AdminStub burst;
    private Path runDir;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void start() throws Exception {
        burst = new AdminStub();
        runDir = burst.writeRunDir(dir.resolve("run"));
    }

    @AfterEach
    void stop() {
        burst.close();
    }

    /** Runs burstctl on the stub's run directory. */
    private Exit burstctl(String... args) {
        List<String> line = new ArrayList<>(List.of("--run-dir", runDir.toString()));
        line.addAll(List.of(args));
        return run(line);
    }

    private Exit run(List<String> line) {
        return Burstctl.run(line, new PrintWriter(out, true), new PrintWriter(err, true), Map.of());
    }

    private void assertErr(String part) {
        assertTrue(err.toString().contains(part), () -> "stderr should say '" + part + "':\n" + err);
    }

    @Test
    void stat_prints_the_tables_and_exits_0_having_sent_the_run_directory_token() {
        assertEquals(Exit.OK, burstctl("stat"));

        assertTrue(out.toString().startsWith("totals\n"), out::toString);
        assertTrue(out.toString().contains("groups (latency in ms)"), out::toString);
        assertEquals("", err.toString());
        assertEquals("Bearer " + AdminStub.TOKEN, burst.calls.getFirst().authorization());
    }

    @Test
    void json_prints_the_servers_json() throws Exception {
        assertEquals(Exit.OK, burstctl("--json", "version"));

        JsonNode printed = new ObjectMapper().readTree(out.toString());
        assertEquals("0.1.0-SNAPSHOT", printed.path("burst").asText());
        assertEquals(123, printed.path("pid").asInt());
    }

    @Test
    void a_wrong_token_exits_1_with_the_servers_message() {
        assertEquals(Exit.FAILED, burstctl("--token", "guess", "stat"));

        assertErr("missing or wrong admin token");
        assertEquals("", out.toString());
    }

    @Test
    void a_successful_reload_prints_its_summary() {
        assertEquals(Exit.OK, burstctl("reload_workers"));

        assertEquals("reload: generation 4 serving on 2 worker(s) in 150 ms\n", out.toString());
    }

    @Test
    void a_failed_reload_exits_1_with_its_summary_and_failures_on_stderr() {
        burst.answer("POST /admin/reload", call -> new AdminStub.Answer(409, """
                {"ok":false,"attempted":4,"serving":3,"swapped":0,
                 "failures":["plugins/broken.jar: no class implements dev.burst.plugin.Plugin"],
                 "summary":"generation 4 failed on 1 worker(s); generation 3 keeps serving"}"""));

        assertEquals(Exit.FAILED, burstctl("reload_workers"));

        assertErr("reload failed: generation 4 failed on 1 worker(s); generation 3 keeps serving");
        assertErr("  plugins/broken.jar: no class implements dev.burst.plugin.Plugin");
    }

    @Test
    void change_group_puts_the_worker_count_of_the_group() {
        assertEquals(Exit.OK, burstctl("change_group", "default", "3"));

        AdminStub.Call call = burst.calls.getFirst();
        assertEquals("PUT /admin/groups/default", call.method() + " " + call.path());
        assertEquals("{\"workers\":3}", call.body());
        assertEquals("group default: going to 3 worker(s)\n", out.toString());
    }

    @Test
    void a_group_name_is_percent_encoded_in_the_path() {
        burstctl("change_group", "a b/c", "1");

        assertEquals("/admin/groups/a%20b%2Fc", burst.calls.getFirst().path());
    }

    @Test
    void a_refused_change_exits_1_with_the_servers_message() {
        burst.answer("PUT /admin/groups/default",
                call -> new AdminStub.Answer(400, "{\"error\":\"workers must be between 0 and 64, not 100\"}"));

        assertEquals(Exit.FAILED, burstctl("change_group", "default", "100"));

        assertErr("burstctl: workers must be between 0 and 64, not 100");
    }

    @Test
    void clear_posts_the_group_and_says_how_many_tasks_it_dropped() {
        assertEquals(Exit.OK, burstctl("clear", "default"));

        assertEquals("{\"group\":\"default\"}", burst.calls.getFirst().body());
        assertEquals("group default: cleared 5 queued task(s)\n", out.toString());
    }

    @Test
    void the_other_commands_exit_0_and_say_what_happened() {
        assertEquals(Exit.OK, burstctl("restart_workers"));
        assertEquals(Exit.OK, burstctl("stop"));
        assertEquals(Exit.OK, burstctl("version"));
        assertEquals(Exit.OK, burstctl("workers"));
        assertEquals(Exit.OK, burstctl("plugins"));

        assertEquals(List.of("POST /admin/restart", "POST /admin/stop", "GET /admin/version", "GET /admin/workers",
                "GET /admin/plugins"), burst.calls.stream().map(c -> c.method() + " " + c.path()).toList());
        String text = out.toString();
        assertTrue(text.contains("restarting all workers\nburst is stopping\n"), text);
        assertTrue(text.contains("burst 0.1.0-SNAPSHOT on java 25.0.1, proxy pid 123, up 12.3 s, generation 3\n"), text);
        assertTrue(text.contains("  default#1  4121  READY    3  30.1 s    250         0     50.0\n"), text);
        assertTrue(text.contains("hello   /opt/burst/plugins/hello.jar  ab12cd34ef56ab12...\n"), text);
    }

    @Test
    void workers_are_listed_by_group_as_the_server_orders_groups_then_by_slot_number() {
        burst.answer("GET /admin/workers", call -> new AdminStub.Answer(200, """
                {"workers":[
                 {"id":"default#2","group":"default","slot":2,"pid":12,"state":"READY","generation":1},
                 {"id":"game#1","group":"game","slot":1,"pid":21,"state":"READY","generation":1},
                 {"id":"default#10","group":"default","slot":10,"pid":110,"state":"READY","generation":1},
                 {"id":"default#1","group":"default","slot":1,"pid":11,"state":"READY","generation":1}]}"""));

        assertEquals(Exit.OK, burstctl("workers"));

        assertEquals(List.of("worker", "default#1", "default#2", "default#10", "game#1"),
                out.toString().lines().map(l -> l.strip().split(" +")[0]).toList());
    }

    @Test
    void stat_loop_samples_count_times_and_diff_shows_the_changes_after_the_first() {
        assertEquals(Exit.OK, burstctl("stat", "--loop", "0.05", "--count", "3", "--diff"));

        assertEquals(3, burst.statCalls.get());
        String text = out.toString();
        assertEquals(3, text.lines().filter(l -> l.startsWith("--- ")).count(), text);
        assertEquals(2, text.lines().filter(l -> l.startsWith("--- ") && l.contains("counters show their change"))
                .count(), text);
        assertEquals(1, text.lines().filter(l -> l.matches("  client_req +1000 .*")).count(), text);
        assertEquals(2, text.lines().filter(l -> l.matches("  client_req +\\+10 .*")).count(), text);
    }

    @Test
    void json_stat_with_diff_adds_the_changes_to_the_servers_json() throws Exception {
        assertEquals(Exit.OK, burstctl("--json", "stat", "--loop", "0.05", "--count", "2", "--diff"));

        var samples = new ObjectMapper().readerFor(JsonNode.class).<JsonNode>readValues(out.toString()).readAll();
        assertEquals(2, samples.size());
        assertTrue(samples.get(0).path("diff").isMissingNode());
        assertEquals(10, samples.get(1).path("diff").path("client_req").asInt());
        assertEquals(1010, samples.get(1).path("client_req").asInt());
    }

    @Test
    void usage_errors_exit_2_and_send_nothing() {
        for (List<String> line : List.of(List.of("--verbose", "stat"), List.of("bogus"), List.of("stat", "--loop", "0"),
                List.of("change_group", "default"), List.of("change_group", "default", "x"),
                List.of("change_group", "default", "-1"), List.of("clear"), List.of("version", "extra"))) {
            assertEquals(Exit.USAGE, burstctl(line.toArray(String[]::new)), line::toString);
        }

        assertEquals(List.of(), burst.calls);
        assertErr("burstctl: unknown command 'bogus'");
        assertErr("usage: change_group GROUP N");
    }

    @Test
    void help_exits_0_without_a_burst() {
        assertEquals(Exit.OK, run(List.of("--run-dir", dir.resolve("none").toString(), "help")));
        assertEquals(Exit.OK, run(List.of("--help")));

        assertTrue(out.toString().contains("change_group GROUP N"), out::toString);
    }

    @Test
    void help_says_that_a_reload_swaps_the_new_generation_into_the_running_workers() {
        assertEquals(Exit.OK, run(List.of("help")));

        String help = out.toString();
        assertTrue(help.contains("which the workers swap in place\n      (a canary per group first, then one at a time)"),
                help);
        assertFalse(help.contains("new workers"), help);
    }

    @Test
    void nothing_listening_at_the_url_exits_3_naming_the_url() throws Exception {
        int free;
        try (ServerSocket s = new ServerSocket(0)) {
            free = s.getLocalPort();
        }

        assertEquals(Exit.UNREACHABLE, run(List.of("--url", "http://127.0.0.1:" + free, "--token", "t", "stat")));

        assertErr("cannot reach burst at http://127.0.0.1:" + free);
    }

    @Test
    void no_run_directory_exits_3_saying_where_it_looked() {
        assertEquals(Exit.UNREACHABLE, run(List.of("--run-dir", dir.resolve("none").toString(), "stat")));

        assertErr(dir.resolve("none").resolve("ports") + " does not exist");
    }

    @Test
    void an_answer_that_is_not_the_admin_apis_json_exits_1() {
        burst.answer("GET /admin/version", call -> new AdminStub.Answer(200, "<html>hello</html>"));

        assertEquals(Exit.FAILED, burstctl("version"));

        assertErr("not an answer of the burst admin API (HTTP 200: <html>hello</html>)");
    }

    @Test
    void no_command_without_a_terminal_is_a_usage_error() {
        assertEquals(Exit.USAGE, burstctl());

        assertErr("not on a terminal");
    }
}
