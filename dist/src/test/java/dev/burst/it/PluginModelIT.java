package dev.burst.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin model in real processes: the hooks fixture's hooks around the cmds of the other plugins'
 * modules, the slow example written with annotations only, and plugin keys a reload reads again from
 * conf/burst.properties. The shared burst has one worker, so the hooks fixture's counts are the only ones.
 */
class PluginModelIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    /** What the hooks fixture's plugin-scoped before-send hook appends to its own replies. */
    private static final String MARK = " [hooks]";

    @TempDir
    static Path home;
    static Burst burst;

    @BeforeAll
    static void start() throws IOException {
        burst = Burst.in(home).plugin("hello").plugin("slow").plugin("fail").plugin("hooks")
                .set("burst.group.default.workers", "1")
                .start();
        burst.awaitWorkers(1, WAIT);
    }

    @AfterAll
    static void stop() {
        burst.close();
    }

    @Test
    void a_worker_hook_of_the_hooks_plugin_answers_hellos_echo_over_http_before_the_echo_runs() throws Exception {
        HttpResponse<byte[]> denied = burst.post("echo", "deny");
        assertEquals(200, denied.statusCode(), "a reply with an application ret is still a reply");
        assertEquals("401", denied.headers().firstValue("Burst-Ret").orElseThrow());
        assertEquals("denied by hooks", text(denied), "hooks' answer, not hello's echo, and not marked");

        HttpResponse<byte[]> allowed = burst.post("echo", "deny me not");
        assertEquals("0", allowed.headers().firstValue("Burst-Ret").orElseThrow());
        assertEquals("deny me not", text(allowed));
    }

    @Test
    void a_worker_hook_of_the_hooks_plugin_answers_hellos_echo_over_box_before_the_echo_runs() throws Exception {
        try (BoxClient box = burst.box()) {
            BoxClient.Reply denied = box.call(1, 41, "deny");
            assertEquals(1, denied.cmd());
            assertEquals(41, denied.sn());
            assertEquals(401, denied.ret());
            assertEquals("denied by hooks", denied.text());

            BoxClient.Reply echoed = box.call(1, 42, "denied? no");
            assertEquals(0, echoed.ret());
            assertEquals("denied? no", echoed.text());
        }
    }

    @Test
    void an_attribute_a_worker_hook_put_on_the_request_reaches_the_handler() throws Exception {
        assertEquals("stamped by the hooks plugin for cmd 800" + MARK, text(burst.post("hooks-attribute", "")));
        try (BoxClient box = burst.box()) {
            assertEquals("stamped by the hooks plugin for cmd 800" + MARK, box.call(800, 1, "").text());
        }
    }

    @Test
    void the_worker_after_hook_sees_the_outcomes_of_other_plugins_cmds_and_the_class_of_fails_exception()
            throws Exception {
        Properties before = outcomes();

        assertEquals("counted", text(burst.post("echo", "counted")));
        assertEquals("Hello from burst!", text(burst.post("greeting", "")));
        HttpResponse<byte[]> failed = burst.post("fail", "");
        assertEquals("-10001", failed.headers().firstValue("Burst-Ret").orElseThrow());
        assertEquals(204, burst.post("hooks-silent", "").statusCode());

        Properties after = outcomes();
        assertEquals(1, delta(before, after, "1.REPLY"), "hello's echo: " + after);
        assertEquals(1, delta(before, after, "2.REPLY"), "hello's greeting: " + after);
        assertEquals(1, delta(before, after, "11.FAILED"), "fail's cmd 11: " + after);
        assertEquals(1, delta(before, after, "804.NO_REPLY"), "hooks' own silent cmd: " + after);
        assertEquals(1, delta(before, after, "801.REPLY"), "the first outcomes call, counted once answered: " + after);
        assertEquals("java.lang.IllegalStateException", after.getProperty("last-failure"),
                "the exception fail's handler threw, as the after hook of another plugin saw it");
    }

    @Test
    void the_plugin_scoped_before_send_hook_marks_the_replies_of_its_own_cmds_and_of_no_other_plugin()
            throws Exception {
        assertEquals("marked" + MARK, text(burst.post("hooks-marked", "")));
        assertEquals("plain", text(burst.post("echo", "plain")), "hello's echo");
        assertEquals("Hello from burst!", text(burst.post("greeting", "")), "hello's greeting");
        assertEquals("done", text(burst.post("slow", "1")), "slow's cmd 10");
        try (BoxClient box = burst.box()) {
            assertEquals("marked" + MARK, box.call(802, 1, "").text());
            assertEquals("partial", box.call(12, 2, "").text(), "fail's reply given before it threw");
        }
    }

    @Test
    void a_before_hook_that_throws_answers_minus_10001_and_the_worker_log_names_its_plugin() throws Exception {
        List<Long> workers = burst.workerPids();
        HttpResponse<byte[]> r = burst.post("hooks-throwing", "");
        assertEquals(500, r.statusCode());
        assertEquals("-10001", r.headers().firstValue("Burst-Ret").orElseThrow());
        assertTrue(text(r).contains(
                "before hook of plugin hooks on cmd 803 failed: java.lang.UnsupportedOperationException"), text(r));
        assertFalse(text(r).contains("ran"), "the handler did not run: " + text(r));
        try (BoxClient box = burst.box()) {
            assertEquals(-10001, box.call(803, 1, "").ret());
            assertEquals("after the hook threw", box.call(1, 2, "after the hook threw").text());
        }
        burst.awaitLog("cmd 803 (plugin hooks): its before hook of plugin hooks threw", WAIT);
        burst.awaitLog("UnsupportedOperationException: hooks fixture: the before hook of cmd 803 always throws", WAIT);
        assertEquals(workers, burst.workerPids(), "the worker survived the hook's exception");
    }

    @Test
    void the_annotated_slow_plugin_serves_cmds_10_and_13_by_id_and_by_name() throws Exception {
        assertEquals("done", text(burst.post("10", "5")));
        assertEquals("done", text(burst.post("slow", "5")));
        assertEquals("done", text(burst.post("13", "5")));
        assertEquals("done", text(burst.post("slow-idempotent", "5")));
        try (BoxClient box = burst.box()) {
            assertEquals("done", box.call(10, 1, "5").text());
            assertEquals("done", box.call(13, 2, "0").text());
        }
        var cmds = burst.stat().get("cmds");
        assertEquals("slow", cmds.get("10").get("name").asText(), cmds.toString());
        assertEquals("slow-idempotent", cmds.get("13").get("name").asText(), cmds.toString());
    }

    @Test
    void a_body_the_annotated_slow_plugins_before_hook_cannot_read_fails_with_minus_10001_saying_why()
            throws Exception {
        HttpResponse<byte[]> r = burst.post("slow", "soon");
        assertEquals(500, r.statusCode());
        assertEquals("-10001", r.headers().firstValue("Burst-Ret").orElseThrow());
        burst.awaitLog("slow plugin: body must be a number of milliseconds, got 'soon'", WAIT);
        try (BoxClient box = burst.box()) {
            assertEquals(-10001, box.call(13, 1, "-5").ret());
        }
        burst.awaitLog("slow plugin: milliseconds must not be negative, got -5", WAIT);
    }

    @Test
    void a_sleep_over_the_default_max_millis_is_refused_at_once_naming_the_key() throws Exception {
        HttpResponse<byte[]> r = burst.post("slow", "600001");
        assertEquals("-10001", r.headers().firstValue("Burst-Ret").orElseThrow());
        burst.awaitLog("slow plugin: 600001 ms is over burst.plugin.slow.max-millis (600000)", WAIT);
    }

    @Test
    void a_worker_killed_during_annotated_cmd_13_has_it_run_again_and_during_cmd_10_answers_minus_10004(
            @TempDir Path own) throws Exception {
        try (Burst b = Burst.in(own).plugin("hello").plugin("slow").set("burst.group.default.workers", "1").start()) {
            b.awaitWorkers(1, WAIT);
            try (BoxClient box = b.box()) {
                box.send(13, 1, "3000");
                killTheBusyWorker(b);
                BoxClient.Reply retried = box.read();
                assertEquals(1, retried.sn());
                assertEquals(0, retried.ret(), "the replacement worker ran idempotent cmd 13 again");
                assertEquals("done", retried.text());
                assertTrue(b.log().contains(
                        "died while running idempotent cmd 13; running it again on another worker"), b.log());

                b.awaitWorkers(1, WAIT);
                box.send(10, 2, "20000");
                killTheBusyWorker(b);
                BoxClient.Reply lost = box.read();
                assertEquals(2, lost.sn());
                assertEquals(-10004, lost.ret(), "cmd 10 is not idempotent");
            }
        }
    }

    @Test
    void a_reload_gives_the_plugins_the_keys_now_in_conf_burst_properties(@TempDir Path own) throws Exception {
        try (Burst b = Burst.in(own).plugin("hello").plugin("slow").set("burst.group.default.workers", "1").start()) {
            b.awaitWorkers(1, WAIT);
            assertEquals("Hello from burst!", text(b.post("greeting", "")), "no greeting key: greeting.txt");
            assertEquals("done", text(b.post("slow", "300")));

            Files.createDirectories(own.resolve("conf"));
            Files.writeString(own.resolve("conf/burst.properties"),
                    "burst.plugin.hello.greeting=Hello from conf/burst.properties\nburst.plugin.slow.max-millis=100\n");
            String outcome = b.reload();
            assertTrue(outcome.startsWith("done") && outcome.contains("generation 2 serving"), outcome);

            assertEquals("Hello from conf/burst.properties", text(b.post("greeting", "")));
            HttpResponse<byte[]> refused = b.post("slow", "300");
            assertEquals("-10001", refused.headers().firstValue("Burst-Ret").orElseThrow());
            b.awaitLog("slow plugin: 300 ms is over burst.plugin.slow.max-millis (100)", WAIT);
            assertEquals("done", text(b.post("slow", "50")), "within the new bound");
        }
    }

    /** Waits until the proxy has dispatched the task (its one worker busy), then kills that worker. */
    private static void killTheBusyWorker(Burst b) {
        b.await(() -> {
            try {
                return b.stat().get("busy_workers").asInt() == 1;
            } catch (IOException | InterruptedException e) {
                return false;
            }
        }, "the task on its worker", WAIT);
        long victim = b.workerPids().getFirst();
        ProcessHandle.of(victim).orElseThrow().destroyForcibly();
        b.await(() -> !b.workerPids().contains(victim), "worker " + victim + " gone", WAIT);
    }

    /** @return what the hooks fixture's after hook has counted so far, without the before-send mark */
    private static Properties outcomes() throws IOException, InterruptedException {
        String body = text(burst.post("hooks-outcomes", ""));
        assertTrue(body.endsWith(MARK), body);
        Properties p = new Properties();
        p.load(new StringReader(body.substring(0, body.length() - MARK.length())));
        return p;
    }

    private static int delta(Properties before, Properties after, String key) {
        return Integer.parseInt(after.getProperty(key, "0")) - Integer.parseInt(before.getProperty(key, "0"));
    }

    private static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }
}
