package dev.burst.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plugins compiled against an older plugin API keep loading and answering: the old-api fixture was
 * compiled against a frozen copy of API 0.1.0 and ships without it, so it links against the API of the
 * worker under test. Each of its cmds exercises one member of 0.1.0, over HTTP and Box, on the first
 * generation and after a reload.
 */
class CompatIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String GREETING = "configured for a 0.1.0 plugin";

    @Test
    void the_old_api_fixture_jar_holds_its_plugin_and_no_api_class_so_it_links_against_the_current_api()
            throws Exception {
        try (JarFile jar = new JarFile(Burst.FIXTURES.resolve("old-api.jar").toFile())) {
            List<String> names = jar.stream().map(JarEntry::getName).toList();
            assertEquals(List.of(), names.stream().filter(n -> n.startsWith("dev/burst/api/")).toList(),
                    "the frozen 0.1.0 stubs must stay out of the jar");
            assertTrue(names.contains("dev/burst/fixtures/oldapi/OldApiPlugin.class"), names.toString());
            assertTrue(names.contains("META-INF/services/dev.burst.api.Plugin"), names.toString());
        }
    }

    @Test
    void a_plugin_compiled_against_api_0_1_0_loads_and_answers_every_cmd(@TempDir Path home) throws Exception {
        try (Burst burst = start(home)) {
            long pid = burst.workerPids().get(0);

            answersEveryCmdOverHttp(burst, pid, 1);
            answersOverBox(burst, pid, 1);
            assertEquals("Hello from burst!", text(burst.post("greeting", "")), "hello serves beside it");
            burst.awaitLog("old-api plugin started on generation 1", WAIT);
        }
    }

    @Test
    void a_plugin_compiled_against_api_0_1_0_is_stopped_on_reload_and_answers_every_cmd_on_generation_2(
            @TempDir Path home) throws Exception {
        try (Burst burst = start(home)) {
            long pid = burst.workerPids().get(0);
            answersEveryCmdOverHttp(burst, pid, 1);

            String outcome = burst.reload();

            assertTrue(outcome.contains("generation 2 serving on 1 worker(s)"), outcome);
            burst.awaitLog("old-api plugin stopped on generation 1", WAIT);
            burst.awaitLog("old-api plugin started on generation 2", WAIT);
            assertEquals(0, burst.count("old-api plugin stopped on generation 2"), "generation 2 still runs");
            assertEquals(0, burst.count("stop() threw"), burst.log());
            answersEveryCmdOverHttp(burst, pid, 2);
            answersOverBox(burst, pid, 2);
        }
    }

    private static Burst start(Path home) throws Exception {
        Burst burst = Burst.in(home).plugin("hello").plugin("old-api")
                .set("burst.group.default.workers", "1")
                .set("burst.plugin.old-api.greeting", GREETING)
                .start();
        burst.awaitWorkers(1, WAIT);
        return burst;
    }

    private static void answersEveryCmdOverHttp(Burst burst, long pid, int generation) throws Exception {
        HttpResponse<byte[]> echo = burst.post("700", "bytes back, unchanged");
        assertEquals(200, echo.statusCode(), text(echo));
        assertEquals("bytes back, unchanged", text(echo), "handle(int, Handler), body(), reply(byte[])");
        assertEquals("0", echo.headers().firstValue("Burst-Ret").orElseThrow());

        assertEquals("701 old-named true", ok(burst.post("old-named", "")),
                "Command.of(..).named(..).asIdempotent() and its accessors");
        assertEquals("702 old-canonical false", ok(burst.post("old-canonical", "")),
                "the record's canonical constructor and its accessors");
        assertEquals("group=default slot=1 pid=" + pid + " generation=" + generation + " id=default#1",
                ok(burst.post("old-worker", "")), "worker() and every WorkerInfo accessor");
        assertEquals(GREETING, ok(burst.post("old-config", "")), "config().getOptionalValue(..)");

        String request = ok(burst.post("old-request", "text of the request"));
        assertTrue(request.matches("cmd=705 sn=0 client=127\\.0\\.0\\.1:\\d+ text=text of the request"), request);

        HttpResponse<byte[]> ret = burst.post("old-ret", "42");
        assertEquals(200, ret.statusCode(), text(ret));
        assertEquals("42", ret.headers().firstValue("Burst-Ret").orElseThrow(), "reply(int, byte[])'s ret");
        assertEquals("ret 42", text(ret));

        assertEquals("old-api", ok(burst.post("old-plugin-name", "")), "pluginName()");
        assertEquals("commands equal=true workers equal=true command pattern=708 old-values false"
                + " worker pattern=default", ok(burst.post("old-values", "")),
                "equals, hashCode and record patterns of Command and WorkerInfo");
    }

    private static void answersOverBox(Burst burst, long pid, int generation) throws Exception {
        try (BoxClient box = burst.box()) {
            BoxClient.Reply echo = box.call(700, 11, "over box");
            assertEquals(0, echo.ret());
            assertEquals(11, echo.sn());
            assertEquals("over box", echo.text());

            BoxClient.Reply request = box.call(705, 12, "boxed");
            assertEquals(0, request.ret());
            assertEquals("cmd=705 sn=12 client=127.0.0.1:" + box.localPort() + " text=boxed", request.text());

            BoxClient.Reply ret = box.call(706, 13, "-7");
            assertEquals(-7, ret.ret(), "reply(int, byte[])'s ret in the Box header");
            assertEquals("ret -7", ret.text());

            BoxClient.Reply worker = box.call(703, 14, "");
            assertEquals("group=default slot=1 pid=" + pid + " generation=" + generation + " id=default#1",
                    worker.text());
        }
    }

    private static String ok(HttpResponse<byte[]> response) {
        assertEquals(200, response.statusCode(), text(response));
        assertEquals("0", response.headers().firstValue("Burst-Ret").orElseThrow(), text(response));
        return text(response);
    }

    private static String text(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }
}
