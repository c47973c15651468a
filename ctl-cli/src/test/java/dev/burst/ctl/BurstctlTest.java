package dev.burst.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
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

        assertEquals("reload: generation 4 serving on 2 worker(s) in 150 ms (operation #15)\n", out.toString());
    }

    @Test
    void a_failed_reload_exits_1_with_its_summary_and_failures_on_stderr() {
        burst.answer("POST /admin/reload", call -> new AdminStub.Answer(409, """
                {"operation":%s,"ok":false,"generation":3,"tried_generation":4,"swapped":0,
                 "failures":["plugins/broken.jar: no class implements dev.burst.plugin.Plugin"],
                 "summary":"generation 4 failed on 1 worker(s); generation 3 keeps serving"}""".formatted(
                AdminStub.record(16, "reload_workers", "admin API", "failed", "generation 4 failed"))));

        assertEquals(Exit.FAILED, burstctl("reload_workers"));

        assertErr("burstctl: reload failed: generation 4 failed on 1 worker(s); generation 3 keeps serving"
                + " (operation #16)\n");
        assertErr("  plugins/broken.jar: no class implements dev.burst.plugin.Plugin");
        assertEquals("", out.toString());
    }

    @Test
    void a_reload_refused_before_its_snapshot_exits_1_with_the_operations_reason() {
        burst.answer("POST /admin/reload", call -> new AdminStub.Answer(409, """
                {"operation":%s,"ok":false,"generation":3,"tried_generation":null,"swapped":0,"failures":[],
                 "summary":null}""".formatted(AdminStub.record(17, "reload_workers", "admin API", "refused",
                "a reload is running (operation #16)"))));

        assertEquals(Exit.FAILED, burstctl("reload_workers"));

        assertEquals("burstctl: reload refused: a reload is running (operation #16) (operation #17)\n", err.toString());
    }

    @Test
    void change_group_puts_the_worker_count_of_the_group() {
        assertEquals(Exit.OK, burstctl("change_group", "default", "3"));

        AdminStub.Call call = burst.calls.getFirst();
        assertEquals("PUT /admin/groups/default", call.method() + " " + call.path());
        assertEquals("{\"workers\":3}", call.body());
        assertEquals("change_group default 3 accepted as operation #13; follow it with: burstctl operations 13\n",
                out.toString());
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
        assertTrue(text.startsWith("restart_workers accepted as operation #12; follow it with: burstctl operations 12\n"
                + "stop accepted as operation #14: burst is stopping\n"), text);
        assertTrue(text.contains("burst 0.1.0-SNAPSHOT on java 25.0.1, proxy pid 123, up 12.3 s, generation 3\n"),
                text);
        assertTrue(text.contains("  default#1  4121  READY    3  30.1 s    250         0     50.0\n"), text);
        assertTrue(text.contains("hello   /opt/burst/plugins/hello.jar  ab12cd34ef56ab12...\n"), text);
    }

    @Test
    void ui_prints_the_dashboards_link_with_the_token_in_its_fragment_once_burst_took_the_token() {
        assertEquals(Exit.OK, burstctl("ui"));

        assertEquals("http://127.0.0.1:" + burst.port() + "/admin/ui#token=" + AdminStub.TOKEN + "\n", out.toString());
        assertEquals(List.of("GET /admin/version"), burst.calls.stream().map(c -> c.method() + " " + c.path()).toList());
        assertEquals("Bearer " + AdminStub.TOKEN, burst.calls.getFirst().authorization(), "the token goes in a header");
    }

    @Test
    void ui_form_encodes_a_token_and_a_wrong_one_gets_no_link() throws Exception {
        assertEquals(Exit.FAILED, burstctl("--token", "a b&c=d#e", "ui"));
        assertEquals("", out.toString(), "no link that would open on a refusal");
        assertErr("missing or wrong admin token");

        assertEquals(Exit.OK, burstctl("--json", "ui"));
        assertEquals("http://127.0.0.1:" + burst.port() + "/admin/ui#token=" + AdminStub.TOKEN,
                new ObjectMapper().readTree(out.toString()).get("url").asText());
        assertEquals("a+b%26c%3Dd%23e", Session.fragmentValue("a b&c=d#e"));
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
    void operations_lists_the_kept_operations_newest_last_with_their_local_start_times() {
        assertEquals(Exit.OK, burstctl("operations"));

        List<String> lines = out.toString().lines().toList();
        assertEquals("id  kind             trigger       state    started              duration  outcome",
                lines.get(0));
        assertEquals(List.of("3", "4", "5", "6"), lines.subList(1, lines.size()).stream()
                .map(l -> l.strip().split(" ")[0]).toList());
        String started = LocalDateTime.ofInstant(Instant.parse("2026-11-30T15:00:00.123Z"), ZoneId.systemDefault())
                .format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss"));
        assertEquals(" 3  reload_workers   SIGHUP        done     " + started
                + "     1.3 s  generation 2 serving on 2 worker(s)", lines.get(1));
        assertTrue(lines.get(4).matches(" 6  recycle +max-requests +running .* +-  -"), lines.get(4));
        assertEquals("GET /admin/operations", burst.calls.getFirst().method() + " " + burst.calls.getFirst().path());
    }

    @Test
    void operations_limit_asks_for_the_newest_n() {
        assertEquals(Exit.OK, burstctl("operations", "--limit", "2"));

        assertEquals("limit=2", burst.calls.getFirst().query());
        assertEquals(List.of("id", "5", "6"), out.toString().lines().map(l -> l.strip().split(" ")[0]).toList());
    }

    @Test
    void operations_with_an_id_prints_that_record_and_its_details() {
        assertEquals(Exit.OK, burstctl("operations", "4"));

        assertEquals("/admin/operations/4", burst.calls.getFirst().path());
        String text = out.toString();
        assertTrue(text.startsWith("operation #4 restart_workers: failed\n  trigger  SIGUSR2\n"), text);
        assertTrue(text.contains("  duration 1m 05s\n  outcome  1 of 2 worker(s) replaced\n  details\n"
                + "    worker default#1 pid 4121  replaced by pid 4131\n"
                + "    worker default#2 pid 4122  replacement failed at boot\n"), text);
    }

    @Test
    void an_operation_the_server_does_not_keep_exits_1_with_its_message() {
        assertEquals(Exit.FAILED, burstctl("operations", "7"));

        assertEquals("burstctl: no operation 7\n", err.toString());
    }

    @Test
    void json_operations_prints_the_servers_json() throws Exception {
        assertEquals(Exit.OK, burstctl("--json", "operations"));

        JsonNode printed = new ObjectMapper().readTree(out.toString());
        assertEquals(AdminStub.OPERATIONS, List.copyOf(printed.path("operations").valueStream().toList()));
    }

    @Test
    void restart_workers_wait_follows_the_operation_until_it_is_done() {
        assertEquals(Exit.OK, burstctl("restart_workers", "--wait"));

        assertEquals("""
                restart_workers accepted as operation #12; waiting for it to end
                restart_workers #12 done in 1.3 s: 2 of 2 worker(s) replaced
                  worker default#1 pid 4121  2 of 2 worker(s) replaced
                """, out.toString());
        assertEquals(List.of("POST /admin/restart", "GET /admin/operations/12", "GET /admin/operations/12"),
                burst.calls.stream().map(c -> c.method() + " " + c.path()).toList());
    }

    @Test
    void change_group_wait_exits_1_with_the_outcome_on_stderr_when_the_operation_failed() {
        burst.operation(13, AdminStub.record(13, "change_group", "admin API", "running", null),
                AdminStub.record(13, "change_group", "admin API", "failed", "1 of 2 new worker(s) failed at boot"));

        assertEquals(Exit.FAILED, burstctl("change_group", "default", "4", "--wait"));

        assertEquals("change_group default 4 accepted as operation #13; waiting for it to end\n", out.toString());
        assertEquals("burstctl: change_group #13 failed after 1.3 s: 1 of 2 new worker(s) failed at boot\n"
                + "  worker default#1 pid 4121  1 of 2 new worker(s) failed at boot\n", err.toString());
        assertEquals("{\"workers\":4}", burst.calls.getFirst().body());
    }

    @Test
    void an_operation_refused_at_once_exits_1_with_the_reason() {
        burst.operation(12, AdminStub.record(12, "restart_workers", "admin API", "refused", "a reload is running"));

        assertEquals(Exit.FAILED, burstctl("restart_workers", "--wait"));

        assertErr("burstctl: restart_workers #12 refused: a reload is running\n");
    }

    @Test
    void json_wait_prints_the_final_record() throws Exception {
        assertEquals(Exit.OK, burstctl("--json", "restart_workers", "--wait"));

        JsonNode printed = new ObjectMapper().readTree(out.toString());
        assertEquals(12, printed.path("id").asInt());
        assertEquals("done", printed.path("state").asText());
    }

    @Test
    void wait_gives_up_after_its_bound_saying_how_to_follow_the_operation() throws Exception {
        burst.operation(12, AdminStub.record(12, "restart_workers", "admin API", "running", null));
        AdminClient client = new AdminClient(() -> new Endpoint(URI.create(burst.url()), Optional.of(AdminStub.TOKEN)));
        Session session = new Session(client, false, new PrintWriter(out, true), new PrintWriter(err, true),
                Duration.ofMillis(500));

        assertEquals(Exit.FAILED, session.run(List.of("restart_workers", "--wait")));

        assertEquals("burstctl: operation #12 is still running after 0.5 s; follow it with: burstctl operations 12\n",
                err.toString());
        assertEquals("GET /admin/operations/12", burst.calls.getLast().method() + " " + burst.calls.getLast().path());
    }

    @Test
    void an_interrupt_stops_the_wait_but_not_the_operation_and_says_how_to_follow_it() throws Exception {
        burst.operation(12, AdminStub.record(12, "restart_workers", "admin API", "running", null));
        AdminClient client = new AdminClient(() -> new Endpoint(URI.create(burst.url()), Optional.of(AdminStub.TOKEN)));
        Session session = new Session(client, false, new PrintWriter(out, true), new PrintWriter(err, true));
        AtomicReference<Exit> exit = new AtomicReference<>();
        Thread console = Thread.ofPlatform().name("console").start(
                () -> exit.set(session.run(List.of("restart_workers", "--wait"))));
        for (int i = 0; i < 500 && burst.calls.stream().noneMatch(c -> c.path().equals("/admin/operations/12")); i++) {
            Thread.sleep(20);
        }

        console.interrupt(); // as the console's Ctrl-C does
        console.join(Duration.ofSeconds(30));

        assertEquals(Exit.FAILED, exit.get());
        assertEquals("burstctl: stopped waiting; operation #12 goes on (follow it with: burstctl operations 12)\n",
                err.toString());
    }

    @Test
    void a_server_that_names_no_operation_is_still_obeyed_but_cannot_be_waited_for() {
        burst.answer("POST /admin/restart", call -> new AdminStub.Answer(202, "{\"accepted\":\"restart_workers\"}"));

        assertEquals(Exit.OK, burstctl("restart_workers"));
        assertEquals(Exit.FAILED, burstctl("restart_workers", "--wait"));

        assertEquals("restart_workers accepted\n", out.toString());
        assertErr("restart_workers accepted, but burst did not say as which operation, so there is nothing to"
                + " wait for");
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
    void push_to_named_users_posts_them_with_the_cmd_and_text_body_and_says_who_was_offline() throws Exception {
        assertEquals(Exit.OK, burstctl("push", "--cmd", "4000", "--body", "héllo", "u1", "u3", "nobody"));

        AdminStub.Call call = burst.calls.getFirst();
        assertEquals("POST /admin/push", call.method() + " " + call.path());
        assertEquals(new ObjectMapper().readTree("{\"users\":[\"u1\",\"u3\",\"nobody\"],\"cmd\":4000,\"body\":\"héllo\"}"),
                new ObjectMapper().readTree(call.body()));
        assertEquals("push of cmd 4000: delivered to 2 connection(s), 1 user(s) offline (nobody), 0 dropped as slow"
                + " consumers\n", out.toString());
    }

    @Test
    void push_all_with_a_base64_body_says_so_to_the_server() throws Exception {
        assertEquals(Exit.OK, burstctl("push", "--all", "--cmd", "-3", "--base64", "--body", "AAEC/w=="));

        assertEquals(new ObjectMapper().readTree("{\"all\":true,\"cmd\":-3,\"body\":\"AAEC/w==\",\"encoding\":\"base64\"}"),
                new ObjectMapper().readTree(burst.calls.getFirst().body()));
        assertEquals("push of cmd -3: delivered to 3 connection(s), no user offline, 0 dropped as slow consumers\n",
                out.toString());
    }

    @Test
    void a_push_the_server_refuses_exits_1_with_its_message() {
        burst.answer("POST /admin/push", call -> new AdminStub.Answer(400, "{\"error\":\"body is not valid base64\"}"));

        assertEquals(Exit.FAILED, burstctl("push", "--cmd", "1", "--base64", "--body", "@@", "u1"));

        assertEquals("burstctl: body is not valid base64\n", err.toString());
    }

    @Test
    void users_lists_who_is_online_and_says_when_the_page_holds_fewer() {
        assertEquals(Exit.OK, burstctl("users"));
        assertEquals(Exit.OK, burstctl("users", "--limit", "2"));

        assertEquals("""
                3 user(s) online
                u1
                u2
                u3
                3 user(s) online, the first 2 listed (--limit N for more)
                u1
                u2
                """, out.toString());
        assertEquals(List.of("", "limit=2"), burst.calls.stream().map(AdminStub.Call::query).toList());
    }

    @Test
    void users_with_an_id_shows_its_connections_or_that_it_is_offline() {
        assertEquals(Exit.OK, burstctl("users", "u2"));
        assertEquals(Exit.OK, burstctl("users", "nobody"));

        String since = LocalDateTime.ofInstant(Instant.parse("2026-11-30T15:00:00.123Z"), ZoneId.systemDefault())
                .format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss"));
        assertEquals("u2: online, 1 connection(s)\n"
                + "  id  protocol  client           since\n"
                + "   7  box       127.0.0.1:50412  " + since + "\n"
                + "nobody: offline\n", out.toString());
    }

    @Test
    void a_user_id_is_percent_encoded_in_the_path() {
        burstctl("users", "a b/c");

        assertEquals("/admin/users/a%20b%2Fc", burst.calls.getFirst().path());
    }

    @Test
    void kick_closes_the_users_connections_and_a_last_frame_goes_with_cmd() throws Exception {
        assertEquals(Exit.OK, burstctl("kick", "u2", "gone"));
        assertEquals(Exit.OK, burstctl("kick", "u2", "--cmd", "9", "--body", "bye"));

        assertEquals(List.of("{\"users\":[\"u2\",\"gone\"]}", "{\"users\":[\"u2\"],\"cmd\":9,\"body\":\"bye\"}"),
                burst.calls.stream().map(AdminStub.Call::body).toList());
        assertEquals("POST /admin/users/close", burst.calls.getFirst().method() + " " + burst.calls.getFirst().path());
        assertTrue(out.toString().startsWith("closed 1 connection(s), 1 user(s) offline (gone)\n"), out::toString);
    }

    @Test
    void json_users_prints_the_servers_json() throws Exception {
        assertEquals(Exit.OK, burstctl("--json", "users", "u2"));

        JsonNode printed = new ObjectMapper().readTree(out.toString());
        assertEquals("127.0.0.1:50412", printed.path("connections").path(0).path("client").asText());
    }

    @Test
    void usage_errors_of_push_users_and_kick_exit_2_and_send_nothing() {
        for (List<String> line : List.of(List.of("push", "u1"), List.of("push", "--cmd", "x", "u1"),
                List.of("push", "--cmd", "1"), List.of("push", "--cmd", "1", "--all", "u1"),
                List.of("push", "--cmd", "1", "--base64", "u1"), List.of("push", "--cmd", "1", "--body"),
                List.of("push", "--cmd", "1", "--loud", "u1"), List.of("users", "--limit", "0"),
                List.of("users", "u1", "u2"), List.of("users", "--limit", "2", "u1"), List.of("kick"),
                List.of("kick", "--all"), List.of("kick", "u1", "--body", "bye"), List.of("push"))) {
            assertEquals(Exit.USAGE, burstctl(line.toArray(String[]::new)), line::toString);
        }

        assertEquals(List.of(), burst.calls);
        assertErr("burstctl: push needs --cmd N, the pushed frame's cmd\n"
                + "usage: push --cmd N [--body TEXT [--base64]] (--all | USER...)");
        assertErr("burstctl: push takes --all or users, not both");
        assertErr("burstctl: kick takes named users, not --all");
        assertErr("burstctl: a last frame needs --cmd N as well as --body");
    }

    @Test
    void usage_errors_exit_2_and_send_nothing() {
        for (List<String> line : List.of(List.of("--verbose", "stat"), List.of("bogus"), List.of("stat", "--loop", "0"),
                List.of("change_group", "default"), List.of("change_group", "default", "x"),
                List.of("change_group", "default", "-1"), List.of("clear"), List.of("version", "extra"),
                List.of("restart_workers", "--now"), List.of("operations", "--limit"),
                List.of("operations", "--limit", "0"), List.of("operations", "x"), List.of("operations", "3", "4"),
                List.of("operations", "--limit", "2", "3"), List.of("operations", "--all"))) {
            assertEquals(Exit.USAGE, burstctl(line.toArray(String[]::new)), line::toString);
        }

        assertEquals(List.of(), burst.calls);
        assertErr("burstctl: unknown command 'bogus'");
        assertErr("usage: change_group GROUP N");
        assertErr("burstctl: operations takes --limit N or an operation id, not both\n"
                + "usage: operations [--limit N | ID]");
        assertErr("burstctl: an operation id is a whole number like 12, not 'x'");
    }

    @Test
    void help_exits_0_without_a_burst() {
        assertEquals(Exit.OK, run(List.of("--run-dir", dir.resolve("none").toString(), "help")));
        assertEquals(Exit.OK, run(List.of("--help")));

        assertTrue(out.toString().contains("change_group GROUP N [--wait]"), out::toString);
        assertTrue(out.toString().contains("restart_workers [--wait]"), out::toString);
        assertTrue(out.toString().contains("operations [--limit N | ID]"), out::toString);
        assertTrue(out.toString().contains("push --cmd N [--body TEXT [--base64]] (--all | USER...)"), out::toString);
        assertTrue(out.toString().contains("users [--limit N | ID]"), out::toString);
        assertTrue(out.toString().contains("kick USER... [--cmd N [--body TEXT [--base64]]]"), out::toString);
    }

    @Test
    void help_says_that_a_reload_swaps_the_new_generation_into_the_running_workers() {
        assertEquals(Exit.OK, run(List.of("help")));

        String help = out.toString();
        assertTrue(help.contains("which the workers swap in place\n"
                + "      (a canary per group first, then one at a time)"), help);
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
