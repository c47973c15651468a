package dev.burst.container.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.burst.api.Plugin;
import dev.burst.container.config.BurstConfig;
import dev.burst.container.config.ConfigLoader;
import dev.burst.container.config.MapConfigSource;
import dev.burst.container.process.ExitCode;
import dev.burst.container.protocol.RetCode;
import dev.burst.container.protocol.WireMessage;
import dev.burst.container.protocol.WireMessage.Bind;
import dev.burst.container.protocol.WireMessage.CmdInfo;
import dev.burst.container.protocol.WireMessage.Hello;
import dev.burst.container.protocol.WireMessage.Load;
import dev.burst.container.protocol.WireMessage.LoadFailed;
import dev.burst.container.protocol.WireMessage.LongTick;
import dev.burst.container.protocol.WireMessage.LongTickDone;
import dev.burst.container.protocol.WireMessage.PluginFiles;
import dev.burst.container.protocol.WireMessage.Push;
import dev.burst.container.protocol.WireMessage.PushKind;
import dev.burst.container.protocol.WireMessage.Pushed;
import dev.burst.container.protocol.WireMessage.Ready;
import dev.burst.container.protocol.WireMessage.Result;
import dev.burst.container.protocol.WireMessage.Status;
import dev.burst.container.protocol.WireMessage.Task;
import dev.burst.container.worker.testplugins.AlphaHooksPlugin;
import dev.burst.container.worker.testplugins.AnnotatedPlugin;
import dev.burst.container.worker.testplugins.BadCmdPlugin;
import dev.burst.container.worker.testplugins.BadHookPlugin;
import dev.burst.container.worker.testplugins.BetaHooksPlugin;
import dev.burst.container.worker.testplugins.MissingConfigPlugin;
import dev.burst.container.worker.testplugins.ProbePlugin;
import dev.burst.container.worker.testplugins.PushingPlugin;
import dev.burst.container.worker.testplugins.TickingPlugin;
import dev.burst.container.worker.testplugins.TwiceCmdPlugin;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.eclipse.microprofile.config.Config;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin programming model in a real worker over a real Unix socket, with plugins in their own
 * modules: hooks and their order across two plugins, annotated handlers and hooks, injected
 * configuration, a reload reading the configuration again, users and push, and timers on the task thread.
 */
class PluginModelTest {

    private static final Map<String, Class<? extends Plugin>> PLUGINS = Map.of(
            "alpha", AlphaHooksPlugin.class, "beta", BetaHooksPlugin.class, "annotated", AnnotatedPlugin.class,
            "bad-cmd", BadCmdPlugin.class, "twice", TwiceCmdPlugin.class, "bad-hook", BadHookPlugin.class,
            "needs-config", MissingConfigPlugin.class, "probe", ProbePlugin.class, "pushing", PushingPlugin.class,
            "ticking", TickingPlugin.class);

    @TempDir
    Path tmp;
    private ProxyEnd proxy;
    private CompletableFuture<ExitCode> exit;
    private long taskIds;
    /** What the worker reads when a reload reads its configuration again. */
    private final Map<String, String> reread = new HashMap<>();

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) {
            proxy.stop(exit);
        }
    }

    // ---- hooks ----

    @Test
    void before_hooks_run_worker_scoped_first_in_plugin_order_then_the_cmd_s_own_and_before_send_hooks_unwind_them()
            throws Exception {
        boot("alpha", "beta");

        assertEquals("alpha.worker-before,beta.worker-before,beta.plugin-before,beta.handler"
                + "|beta.plugin-send|beta.worker-send|alpha.worker-send", text(call(30, "x")));
    }

    @Test
    void worker_scoped_hooks_see_another_plugin_s_cmds_and_plugin_scoped_ones_do_not() throws Exception {
        boot("alpha", "beta");

        assertEquals("alpha.worker-before,beta.worker-before,alpha.plugin-before,alpha.handler"
                + "|beta.worker-send|alpha.worker-send", text(call(20, "x")));
    }

    @Test
    void a_before_hook_that_answers_skips_the_handler_and_the_after_hook_sees_its_reply() throws Exception {
        boot("alpha", "beta");

        Result r = call(30, "deny");

        assertEquals(Status.REPLY, r.status());
        assertEquals(401, r.ret());
        assertEquals("denied by beta|beta.plugin-send|beta.worker-send|alpha.worker-send", text(r));
        assertEquals("cmd=30 kind=REPLY ret=401 failure=none trace=[alpha.worker-before, beta.worker-before, "
                + "beta.plugin-before] elapsed=ok", awaitAfterLine(1));
    }

    @Test
    void the_after_hook_sees_the_exception_of_a_failing_handler() throws Exception {
        boot("alpha", "beta");

        Result r = call(31, "x");

        assertEquals(Status.HANDLER_ERROR, r.status());
        assertEquals(RetCode.HANDLER_ERROR, r.ret());
        assertEquals("handler of cmd 31 failed: java.lang.IllegalStateException", text(r));
        assertEquals("cmd=31 kind=FAILED ret=-10001 failure=java.lang.IllegalStateException: beta 31 fails "
                + "trace=[alpha.worker-before, beta.worker-before, beta.plugin-before, beta.handler] elapsed=ok",
                awaitAfterLine(1));
    }

    @Test
    void a_before_hook_that_throws_fails_the_request_naming_its_plugin_and_the_handler_never_runs() throws Exception {
        boot("alpha", "beta");

        Result r = call(30, "alpha-boom");

        assertEquals(Status.HANDLER_ERROR, r.status());
        assertEquals(RetCode.HANDLER_ERROR, r.ret());
        assertEquals("before hook of plugin alpha on cmd 30 failed: java.lang.IllegalStateException", text(r));
        assertEquals("cmd=30 kind=FAILED ret=-10001 failure=java.lang.IllegalStateException: alpha's before hook "
                + "fails trace=[alpha.worker-before] elapsed=ok", awaitAfterLine(1));
    }

    @Test
    void a_before_send_hook_that_throws_fails_the_request_naming_its_plugin() throws Exception {
        boot("alpha", "beta");

        Result r = call(30, "send-boom");

        assertEquals(Status.HANDLER_ERROR, r.status());
        assertEquals("before-send hook of plugin beta on cmd 30 failed: java.lang.IllegalArgumentException", text(r));
    }

    @Test
    void an_after_hook_that_throws_changes_nothing_and_the_worker_serves_on() throws Exception {
        boot("alpha", "beta");

        Result r = call(20, "after-boom");
        Result next = call(20, "x");

        assertEquals(Status.REPLY, r.status());
        assertEquals(Status.REPLY, next.status());
        awaitAfterLine(2);
    }

    @Test
    void a_handler_that_changes_the_array_body_gave_it_changes_nothing_for_the_request() throws Exception {
        boot("alpha", "beta");

        assertTrue(text(call(32, "abc")).startsWith("abc|"));
    }

    // ---- annotated ----

    @Test
    void a_plugin_of_annotated_methods_only_serves_them_with_their_names_and_options() throws Exception {
        Ready ready = boot("annotated");

        assertEquals(Set.of(new CmdInfo(50, "upper", false), new CmdInfo(51, "", false), new CmdInfo(52, "", true),
                new CmdInfo(53, "", false), new CmdInfo(54, "settings", false)), Set.copyOf(ready.cmds()));
        assertEquals("HELLO", text(call(50, "hello")));
        assertEquals("cba", text(call(51, "abc")));
        Result quiet = call(52, "x");
        assertEquals(Status.NO_REPLY, quiet.status());
        assertEquals("first,second", text(call(53, "x")));
        Result stopped = call(53, "stop");
        assertEquals(7, stopped.ret());
        assertEquals("stopped by first", text(stopped));
    }

    @Test
    void an_annotated_cmd_with_a_wrong_signature_fails_the_start_naming_the_method() throws Exception {
        String why = refused("bad-cmd");

        assertTrue(why.contains("plugin bad-cmd: method " + BadCmdPlugin.class.getName() + ".echo(String): "
                + "@Cmd(id = 60) needs one parameter of type Request"), why);
    }

    @Test
    void two_methods_claiming_one_cmd_fail_the_start_naming_both() throws Exception {
        String why = refused("twice");

        assertTrue(why.contains("cmd 61 is registered by both plugin twice (method " + TwiceCmdPlugin.class.getName()
                + ".one(Request)) and plugin twice (method " + TwiceCmdPlugin.class.getName() + ".other(Request))"), why);
    }

    @Test
    void an_annotated_hook_with_a_wrong_signature_fails_the_start_naming_the_method() throws Exception {
        String why = refused("bad-hook");

        assertTrue(why.contains("method " + BadHookPlugin.class.getName() + ".audit(Request): @After needs the "
                + "parameters (Request, Outcome)"), why);
    }

    // ---- configuration ----

    @Test
    void config_properties_are_injected_with_their_defaults_and_optionals() throws Exception {
        boot(Map.of("burst.plugin.annotated.limit", "12"), "annotated");

        assertEquals("hi 12", text(call(54, "")));
    }

    @Test
    void a_missing_required_config_property_fails_the_start_naming_the_key() throws Exception {
        String why = refused("needs-config");

        assertTrue(why.contains("plugin needs-config: field " + MissingConfigPlugin.class.getName()
                + ".secret: required config key burst.plugin.needs-config.secret has no value"), why);
    }

    @Test
    void a_reload_gives_the_new_generation_the_configuration_as_it_reads_now() throws Exception {
        boot(Map.of("burst.plugin.probe.value", "one", "burst.plugin.annotated.greeting", "hello"), "probe", "annotated");
        assertEquals("one", text(call(6, "")));
        assertEquals("hello unlimited", text(call(54, "")));

        reread.put("burst.plugin.probe.value", "two");
        reread.put("burst.plugin.annotated.limit", "3");
        reread.remove("burst.plugin.annotated.greeting");
        proxy.send(load(2, "probe", "annotated"));
        proxy.next(Ready.class);

        assertEquals("two", text(call(6, "")));
        assertEquals("hi 3", text(call(54, "")));
    }

    // ---- users and push ----

    @Test
    void a_login_goes_to_the_proxy_before_the_reply_and_later_tasks_carry_the_user_the_proxy_stamps() throws Exception {
        boot("pushing");

        proxy.send(new Task(1, 70, 1, "127.0.0.1:40000", 5L, "", bytes("ann")));

        assertEquals(new Bind(5L, "ann"), proxy.next(Bind.class));
        assertEquals("ok", text(proxy.next(Result.class)));
        proxy.send(new Task(2, 73, 2, "127.0.0.1:40000", 5L, "ann", new byte[0]));
        assertEquals("ann", text(proxy.next(Result.class)));
    }

    @Test
    void a_login_over_http_or_of_a_bad_user_id_fails_the_request_and_binds_nothing() throws Exception {
        boot("pushing");

        Result http = call(70, "ann");
        proxy.send(new Task(2, 70, 2, "127.0.0.1:40000", 5L, "", bytes("x".repeat(129))));
        Result tooLong = proxy.next(Result.class);

        assertEquals("handler of cmd 70 failed: java.lang.IllegalStateException", text(http));
        assertEquals("handler of cmd 70 failed: java.lang.IllegalArgumentException", text(tooLong));
    }

    @Test
    void a_push_goes_out_before_the_reply_and_its_stage_completes_between_tasks_with_the_plugin_s_loader()
            throws Exception {
        boot("pushing");

        proxy.send(new Task(1, 71, 1, "127.0.0.1:40000", new byte[0]));
        Push push = proxy.next(Push.class);
        assertEquals(PushKind.USERS, push.kind());
        assertEquals(List.of("ann", "bob", "zed"), push.users());
        assertEquals(80, push.cmd());
        assertEquals(Status.NO_REPLY, proxy.next(Result.class).status());
        assertEquals("none", text(call(72, "")), "not completed before the proxy answered");

        proxy.send(new Pushed(push.pushId(), 2, 1, 0, List.of("zed")));

        assertEquals("delivered=2 offline=1 dropped=0 [zed] own loader=true", text(call(72, "")));
    }

    @Test
    void a_disconnect_event_runs_the_handler_with_the_user_and_reason_and_answers_no_reply() throws Exception {
        Ready ready = boot("pushing");
        assertTrue(ready.cmds().contains(new CmdInfo(WireMessage.DISCONNECT_CMD, "", false)),
                "READY says the generation has disconnect handlers");

        proxy.send(new Task(1, WireMessage.DISCONNECT_CMD, 0, "10.0.0.9:5000", 0L, "ann", new byte[] {1}));

        assertEquals(Status.NO_REPLY, proxy.next(Result.class).status());
        assertEquals("ann KICKED from 10.0.0.9:5000", text(call(74, "")));
    }

    // ---- timers ----

    @Test
    void an_after_timer_runs_once_and_so_does_one_planned_in_start() throws Exception {
        boot("ticking");

        call(90, "");

        String status = awaitStatus(s -> s.contains("after=1"));
        assertTrue(status.contains("fromStart=true"), status);
        Thread.sleep(200);
        assertTrue(text(call(92, "")).contains("after=1 "), "an after timer runs once");
    }

    @Test
    void an_every_timer_ticks_on_the_task_thread_with_the_plugin_s_loader_about_at_its_rate() throws Exception {
        boot("ticking");

        call(91, "");
        Thread.sleep(2000);

        String status = text(call(92, ""));
        assertTrue(ticks(status) >= 5, "every(100 ms) ticked at least 5 times in 2 s: " + status);
        assertTrue(status.endsWith("own loader=true"), status);
    }

    @Test
    void ticks_never_run_while_a_handler_runs_and_go_on_after_it() throws Exception {
        boot("ticking");
        call(91, "");
        awaitStatus(s -> ticks(s) >= 1);

        String[] seen = text(call(93, "")).split(" ");

        assertEquals(seen[0], seen[1], "the tick count did not move during the 400 ms handler");
        String status = awaitStatus(s -> ticks(s) > Integer.parseInt(seen[1]));
        assertTrue(status.contains("overlaps=0"), status);
    }

    @Test
    void a_tick_that_throws_is_logged_and_its_every_timer_keeps_ticking() throws Exception {
        boot("ticking");

        call(94, "");

        awaitStatus(s -> Integer.parseInt(s.replaceAll(".* failing=(\\d+) .*", "$1")) >= 5);
        assertEquals(Status.REPLY, call(92, "").status(), "the worker serves on");
    }

    @Test
    void the_worker_reports_its_timers_counts_to_the_proxy_between_tasks() throws Exception {
        boot("ticking");

        call(94, ""); // an every(50 ms) whose ticks throw
        WireMessage.TimerReport report = proxy.next(WireMessage.TimerReport.class);
        while (report.plugins().getFirst().failures() < 3) {
            report = proxy.next(WireMessage.TimerReport.class);
        }

        assertEquals(1, report.generation());
        WireMessage.TimerCount counts = report.plugins().getFirst();
        assertEquals("ticking", counts.plugin());
        assertTrue(counts.runs() >= counts.failures(), "a failing tick counts as a run: " + counts);
        assertTrue(counts.lateMaxMicros() >= counts.lateP99Micros(), counts.toString());
    }

    @Test
    void a_cancelled_every_timer_ticks_no_more() throws Exception {
        boot("ticking");
        call(91, "");
        awaitStatus(s -> ticks(s) >= 2);

        assertEquals("true false", text(call(95, "")));
        int ticks = ticks(text(call(92, "")));
        Thread.sleep(400);

        assertEquals(ticks, ticks(text(call(92, ""))));
        assertEquals("false false", text(call(95, "")), "cancelling twice does nothing");
    }

    @Test
    void a_swap_stops_the_old_generation_s_ticks_and_the_new_one_starts_with_no_timer() throws Exception {
        boot("ticking");
        call(91, "");
        Path oldTicks = tmp.resolve("ticks-1");
        awaitFileCount(oldTicks, 2);

        proxy.send(load(2, "ticking"));
        proxy.next(Ready.class);
        int last = Integer.parseInt(Files.readString(oldTicks));
        Thread.sleep(500);

        assertEquals(last, Integer.parseInt(Files.readString(oldTicks)), "generation 1 ticked after it retired");
        assertEquals(0, ticks(text(call(92, ""))), "generation 2 has no every timer until it starts one");
        assertTrue(!Files.exists(tmp.resolve("ticks-2")));
        call(91, "");
        awaitFileCount(tmp.resolve("ticks-2"), 1);
    }

    @Test
    void timers_refuse_a_thread_other_than_the_task_thread() throws Exception {
        boot("ticking");
        call(91, "");

        String[] refusals = text(call(96, "")).split(" \\| ");

        assertEquals(3, refusals.length);
        assertTrue(refusals[0].startsWith("plugin ticking: timers() is for the task thread only"), refusals[0]);
        assertTrue(refusals[1].startsWith("cannot start a timer from thread"), refusals[1]);
        assertTrue(refusals[2].startsWith("cannot cancel a timer from thread"), refusals[2]);
        assertTrue(refusals[2].endsWith("timers belong to the task thread (task gen 1)"), refusals[2]);
    }

    @Test
    void a_long_tick_is_told_to_the_proxy_with_its_plugin_and_its_end_before_the_next_answer_and_a_short_one_is_not()
            throws Exception {
        boot(Map.of("burst.group.default.task-timeout", "PT0.4S"), "ticking"); // long: from 100 ms

        call(97, "20");
        assertEquals(Status.REPLY, call(92, "").status(), "no frame about a 20 ms tick came before this answer");
        call(97, "600");
        LongTick tick = proxy.next(LongTick.class);
        LongTickDone done = proxy.next(LongTickDone.class);

        assertEquals(1, tick.generation());
        assertEquals("ticking", tick.plugin());
        assertEquals("after", tick.timer());
        assertTrue(tick.runningMillis() >= 100 && tick.runningMillis() < 600, tick.toString());
        assertTrue(done.runningMillis() >= 600, done.toString());
        assertEquals(Status.REPLY, call(92, "").status(), "the worker serves on, and told of the tick once");
    }

    @Test
    void each_long_tick_notice_is_followed_by_its_end_even_for_ticks_that_end_as_they_are_noticed() throws Exception {
        boot(Map.of("burst.group.default.task-timeout", "PT0.04S"), "ticking"); // long: from 10 ms
        call(98, "150"); // ticks of 8 to 12 ms: some end just before or as the watch looks

        List<WireMessage> frames = new java.util.ArrayList<>();
        String ran = "0";
        while (!ran.equals("150")) {
            Thread.sleep(100);
            proxy.send(new Task(++taskIds, 98, 0, "127.0.0.1:40000", new byte[0]));
            WireMessage m = proxy.next();
            while (!(m instanceof Result)) {
                frames.add(m);
                m = proxy.next();
            }
            ran = text((Result) m);
        }

        boolean open = false;
        int notices = 0;
        for (WireMessage m : frames) {
            if (m instanceof LongTick) {
                assertTrue(!open, "a second notice before the end of the first: " + frames);
                open = true;
                notices++;
            } else if (m instanceof LongTickDone) {
                assertTrue(open, "an end without its notice: " + frames);
                open = false;
            }
        }
        assertTrue(!open, "a notice without its end: " + frames);
        assertTrue(notices > 0, "some 11 and 12 ms ticks were noticed: " + frames);
    }

    /** @return the tick count in the ticking plugin's status line */
    private static int ticks(String status) {
        return Integer.parseInt(status.substring("ticks=".length(), status.indexOf(' ')));
    }

    /** Asks the ticking plugin for its status (cmd 92) until it matches; at most 30 s. */
    private String awaitStatus(Predicate<String> wanted) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plusSeconds(30);
        while (true) {
            String status = text(call(92, ""));
            if (wanted.test(status)) {
                return status;
            }
            if (Instant.now().isAfter(deadline)) {
                fail("the ticking plugin's status did not come as expected within 30 s: " + status);
            }
            Thread.sleep(20);
        }
    }

    /** Waits (at most 30 s) until a ticks file says at least n. */
    private static void awaitFileCount(Path file, int n) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plusSeconds(30);
        while (!Files.exists(file) || Files.readString(file).isEmpty() || Integer.parseInt(Files.readString(file)) < n) {
            if (Instant.now().isAfter(deadline)) {
                fail(file.getFileName() + " did not reach " + n + " within 30 s");
            }
            Thread.sleep(20);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ---- helpers ----

    private Ready boot(String... plugins) throws Exception {
        return boot(Map.of(), plugins);
    }

    /** A worker serving generation 1 of the plugins, with these keys beside the test's own. */
    private Ready boot(Map<String, String> keys, String... plugins) throws Exception {
        start(keys);
        proxy.send(load(1, plugins));
        return proxy.next(Ready.class);
    }

    /** @return why generation 1 of the plugin was refused */
    private String refused(String plugin) throws Exception {
        start(Map.of());
        proxy.send(load(1, plugin));
        String why = proxy.next(LoadFailed.class).reason();
        assertEquals(ExitCode.BOOT_ERROR, exit.get(30, TimeUnit.SECONDS));
        return why;
    }

    private void start(Map<String, String> keys) throws IOException, InterruptedException {
        proxy = ProxyEnd.open(tmp);
        Map<String, String> all = new HashMap<>(keys);
        all.put("burst.groups", "default");
        all.put("burst.run.dir", tmp.resolve("run").toString());
        all.put("burst.plugin.test.dir", tmp.toString());
        reread.putAll(all);
        BurstConfig config = ConfigLoader.from(MapConfigSource.config(all), tmp);
        Worker worker = Worker.create(config, this::rereadConfig, "default", 1);
        exit = proxy.serve(worker);
        proxy.next(Hello.class);
    }

    private Config rereadConfig() {
        return MapConfigSource.config(Map.copyOf(reread));
    }

    private Result call(int cmd, String body) throws IOException, InterruptedException {
        long id = ++taskIds;
        proxy.send(new Task(id, cmd, (int) id, "127.0.0.1:40000", body.getBytes(StandardCharsets.UTF_8)));
        return proxy.next(Result.class);
    }

    private Load load(int generation, String... plugins) {
        return new Load(generation, Arrays.stream(plugins)
                .map(p -> new PluginFiles(p, List.of(PluginJar.build(tmp.resolve("jars"), p, PLUGINS.get(p)).toString())))
                .toList());
    }

    private static String text(Result r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    /** @return line n (from 1) of alpha's after log, once its after hook wrote it (it runs after the result) */
    private String awaitAfterLine(int n) throws IOException, InterruptedException {
        Path log = tmp.resolve("after.log");
        Instant deadline = Instant.now().plusSeconds(30);
        while (!Files.exists(log) || Files.readAllLines(log).size() < n) {
            if (Instant.now().isAfter(deadline)) {
                fail("alpha's after hook wrote no line " + n + " within 30 s");
            }
            Thread.sleep(10);
        }
        return Files.readAllLines(log).get(n - 1);
    }
}
