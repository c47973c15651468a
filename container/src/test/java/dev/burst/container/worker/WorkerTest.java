package dev.burst.container.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.burst.api.Plugin;
import dev.burst.container.config.BurstConfig;
import dev.burst.container.config.ConfigLoader;
import dev.burst.container.config.MapConfigSource;
import dev.burst.container.process.ExitCode;
import dev.burst.container.process.SpawnSecrets;
import dev.burst.container.protocol.RetCode;
import dev.burst.container.protocol.WireMessage.CmdInfo;
import dev.burst.container.protocol.WireMessage.Hello;
import dev.burst.container.protocol.WireMessage.Leaked;
import dev.burst.container.protocol.WireMessage.Load;
import dev.burst.container.protocol.WireMessage.LoadFailed;
import dev.burst.container.protocol.WireMessage.PluginFiles;
import dev.burst.container.protocol.WireMessage.Ready;
import dev.burst.container.protocol.WireMessage.Result;
import dev.burst.container.protocol.WireMessage.Status;
import dev.burst.container.protocol.WireMessage.Stop;
import dev.burst.container.protocol.WireMessage.Task;
import dev.burst.container.worker.testplugins.BrokenStartPlugin;
import dev.burst.container.worker.testplugins.LeakyPlugin;
import dev.burst.container.worker.testplugins.ProbePlugin;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker's serve loop over a real Unix socket pair, with real plugin generations: the test plugins
 * ({@code testplugins/}) are packed into jars here and loaded into their own modules, as in a worker.
 */
class WorkerTest {

    private static final Map<String, Class<? extends Plugin>> PLUGINS = Map.of(
            "probe", ProbePlugin.class, "broken", BrokenStartPlugin.class, "leaky", LeakyPlugin.class);
    private static final String OWN_LOADER = " with its own context loader";

    @TempDir
    Path tmp;
    private ProxyEnd proxy;
    private Worker worker;
    private CompletableFuture<ExitCode> exit;

    @BeforeEach
    void connect() throws IOException {
        proxy = ProxyEnd.open(tmp);
        BurstConfig config = ConfigLoader.from(MapConfigSource.config(Map.of(
                "burst.groups", "default",
                "burst.run.dir", tmp.resolve("run").toString(),
                "burst.plugin.test.dir", tmp.toString())), tmp);
        worker = Worker.create(config, config::source, "default", 1);
    }

    @AfterEach
    void stopEverything() throws Exception {
        Path release = tmp.resolve("release");
        if (!Files.exists(release)) {
            Files.createFile(release); // ends the leaky plugin's thread and a held task
        }
        if (exit != null && !exit.isDone()) {
            worker.requestStop();
            proxy.closeProxySide();
            exit.get(30, TimeUnit.SECONDS);
        }
        proxy.close();
    }

    // ---- start-up ----

    @Test
    void a_worker_says_hello_with_its_identity_and_spawn_secret_then_loads_and_says_ready_with_its_cmds()
            throws Exception {
        serve();

        Hello hello = proxy.next(Hello.class);
        assertEquals(new Hello("default", 1, ProcessHandle.current().pid(), SpawnSecrets.own()), hello);
        proxy.send(load(1, "probe"));
        Ready ready = proxy.next(Ready.class);

        assertEquals(1, ready.generation());
        assertEquals(Set.of(new CmdInfo(1, "echo", false), new CmdInfo(2, "", false), new CmdInfo(3, "", false),
                new CmdInfo(4, "where", false), new CmdInfo(5, "hold", false), new CmdInfo(6, "config", false)),
                Set.copyOf(ready.cmds()));
    }

    @Test
    void a_first_generation_that_cannot_start_answers_load_failed_and_ends_the_worker_with_the_boot_error_code()
            throws Exception {
        serve();
        proxy.next(Hello.class);

        proxy.send(load(1, "broken"));
        LoadFailed failed = proxy.next(LoadFailed.class);

        assertEquals(1, failed.generation());
        assertTrue(failed.reason().contains("plugin broken") && failed.reason().contains("refuses to start"), failed.reason());
        assertEquals(ExitCode.BOOT_ERROR, exitCode());
        proxy.awaitClosed();
    }

    // ---- tasks ----

    @Test
    void a_task_gets_its_handler_s_reply() throws Exception {
        boot();

        Result r = call(7, 1, "hello");

        assertEquals(7, r.taskId());
        assertEquals(Status.REPLY, r.status());
        assertEquals(RetCode.OK, r.ret());
        assertEquals("hello", text(r));
    }

    @Test
    void a_handler_that_returns_without_replying_answers_no_reply() throws Exception {
        boot();

        Result r = call(8, 2, "");

        assertEquals(Status.NO_REPLY, r.status());
        assertEquals(0, r.body().length);
    }

    @Test
    void a_handler_that_throws_answers_handler_error_naming_the_exception_and_the_worker_serves_on() throws Exception {
        boot();

        Result r = call(9, 3, "");

        assertEquals(Status.HANDLER_ERROR, r.status());
        assertEquals(RetCode.HANDLER_ERROR, r.ret());
        assertTrue(text(r).contains("java.lang.IllegalStateException"), text(r));
        assertEquals("still here", text(call(10, 1, "still here")));
    }

    @Test
    void a_cmd_no_plugin_registered_answers_unknown_cmd() throws Exception {
        boot();

        Result r = call(11, 99, "");

        assertEquals(Status.UNKNOWN_CMD, r.status());
        assertEquals(RetCode.UNKNOWN_CMD, r.ret());
        assertEquals("unknown cmd 99", text(r));
    }

    @Test
    void start_handlers_and_stop_run_on_the_generation_s_task_thread_with_the_plugin_s_context_loader()
            throws Exception {
        boot();

        assertEquals("task gen 1" + OWN_LOADER, text(call(1, 4, "")));
        proxy.send(new Stop());
        assertEquals(ExitCode.OK, exitCode());

        assertEquals(List.of("start 1 on task gen 1" + OWN_LOADER, "stop 1 on task gen 1" + OWN_LOADER), probeLog());
    }

    // ---- swaps ----

    @Test
    void a_swap_runs_the_new_generation_on_a_new_thread_and_the_old_thread_stops_its_generation_and_ends()
            throws Exception {
        boot();
        Thread first = thread("task gen 1");

        proxy.send(load(2, "probe"));
        assertEquals(2, proxy.next(Ready.class).generation());

        assertEquals("task gen 2" + OWN_LOADER, text(call(1, 4, "")));
        first.join(30_000);
        assertFalse(first.isAlive(), "the first generation's thread ended");
        assertEquals(List.of(
                "start 1 on task gen 1" + OWN_LOADER,
                "start 2 on task gen 2" + OWN_LOADER,
                "stop 1 on task gen 1" + OWN_LOADER), probeLog(), "the new generation started before the old stopped");
    }

    @Test
    void a_swap_to_a_generation_whose_start_throws_answers_load_failed_and_the_old_generation_serves_on()
            throws Exception {
        boot();

        proxy.send(load(2, "probe", "broken"));
        LoadFailed failed = proxy.next(LoadFailed.class);

        assertEquals(2, failed.generation());
        assertTrue(failed.reason().contains("plugin broken"), failed.reason());
        assertEquals("task gen 1" + OWN_LOADER, text(call(1, 4, "")));
        awaitNoThread("task gen 2");
        assertEquals(List.of(
                "start 1 on task gen 1" + OWN_LOADER,
                "start 2 on task gen 2" + OWN_LOADER,
                "stop 2 on task gen 2" + OWN_LOADER), probeLog(), "what of generation 2 started was stopped on its thread");
    }

    @Test
    void a_retired_generation_that_a_plugin_thread_keeps_alive_is_reported_leaked_naming_the_thread() throws Exception {
        serve();
        proxy.next(Hello.class);
        proxy.send(load(1, "probe", "leaky"));
        proxy.next(Ready.class);

        proxy.send(load(2, "probe"));
        proxy.next(Ready.class);
        Leaked leaked = proxy.next(Leaked.class);

        assertEquals(1, leaked.generation());
        assertTrue(leaked.detail().contains("'leaky-test-thread'"), leaked.detail());
        assertEquals("task gen 2" + OWN_LOADER, text(call(1, 4, "")), "the worker serves on");
    }

    // ---- stopping ----

    @Test
    void stop_from_the_proxy_stops_the_generation_and_ends_the_worker_with_0() throws Exception {
        boot();

        proxy.send(new Stop());

        assertEquals(ExitCode.OK, exitCode());
        proxy.awaitClosed();
        assertEquals("stop 1 on task gen 1" + OWN_LOADER, probeLog().getLast());
    }

    @Test
    void sigterm_while_idle_stops_the_generation_and_ends_the_worker_with_0() throws Exception {
        boot();

        worker.requestStop();

        assertEquals(ExitCode.OK, exitCode());
        proxy.awaitClosed();
        assertEquals("stop 1 on task gen 1" + OWN_LOADER, probeLog().getLast());
    }

    @Test
    void sigterm_during_a_task_lets_the_task_answer_then_ends_the_worker_with_0() throws Exception {
        boot();
        proxy.send(new Task(12, 5, 12, "127.0.0.1:40000", new byte[0]));
        awaitFile(tmp.resolve("started"));

        worker.requestStop();
        Files.createFile(tmp.resolve("release"));

        assertEquals("released", text(proxy.next(Result.class)));
        assertEquals(ExitCode.OK, exitCode());
        proxy.awaitClosed();
    }

    @Test
    void the_proxy_going_away_stops_the_generation_and_ends_the_worker_with_the_failure_code() throws Exception {
        boot();

        proxy.closeProxySide();

        assertEquals(ExitCode.FAILURE, exitCode());
        assertEquals("stop 1 on task gen 1" + OWN_LOADER, probeLog().getLast());
    }

    // ---- connecting ----

    @Test
    void sigterm_while_connecting_ends_the_worker_with_0_without_waiting_out_the_patience() throws Exception {
        CompletableFuture<ExitCode> connecting = CompletableFuture.supplyAsync(
                () -> worker.connectAndServe(Duration.ofSeconds(120)), r -> Thread.ofPlatform().name("test connect").start(r));
        Thread.sleep(200); // lets it fail its first attempts and wait between them; it must end either way

        worker.requestStop();

        assertEquals(ExitCode.OK, connecting.get(30, TimeUnit.SECONDS));
    }

    @Test
    void a_worker_that_finds_no_socket_names_the_socket_path_and_the_reason() throws IOException {
        Files.createDirectories(tmp.resolve("run"));

        Worker.ProxyUnreachable e = assertThrows(Worker.ProxyUnreachable.class, () -> worker.connect(Duration.ofMillis(100)));

        assertTrue(e.getMessage().startsWith("cannot reach the proxy at " + tmp.resolve("run/proxy.sock")), e.getMessage());
        assertTrue(e.getMessage().contains("no socket there"), e.getMessage());
    }

    @Test
    void a_worker_that_finds_a_socket_nobody_listens_on_says_the_connection_was_refused() throws IOException {
        Path socket = Files.createDirectories(tmp.resolve("run")).resolve("proxy.sock");
        try (ServerSocketChannel gone = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            gone.bind(UnixDomainSocketAddress.of(socket)); // closing leaves the file behind, as a dead proxy does
        }

        Worker.ProxyUnreachable e = assertThrows(Worker.ProxyUnreachable.class, () -> worker.connect(Duration.ofMillis(100)));

        assertTrue(e.getMessage().contains(socket.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("connection refused"), e.getMessage());
    }

    // ---- helpers ----

    /** Runs the worker's serve loop on the test proxy's connection, on a thread standing for its main thread. */
    private void serve() {
        exit = proxy.serve(worker);
    }

    /** A worker serving generation 1 of the probe plugin. */
    private void boot() throws Exception {
        serve();
        proxy.next(Hello.class);
        proxy.send(load(1, "probe"));
        proxy.next(Ready.class);
    }

    private ExitCode exitCode() throws Exception {
        return exit.get(30, TimeUnit.SECONDS);
    }

    private Result call(long id, int cmd, String body) throws IOException, InterruptedException {
        proxy.send(new Task(id, cmd, (int) id, "127.0.0.1:40000", body.getBytes(StandardCharsets.UTF_8)));
        return proxy.next(Result.class);
    }

    private static String text(Result r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    private Load load(int generation, String... plugins) throws IOException {
        List<PluginFiles> files = Arrays.stream(plugins)
                .map(p -> new PluginFiles(p, List.of(pluginJar(p).toString())))
                .toList();
        return new Load(generation, files);
    }

    /** The plugin's class and its service entry in a jar of its own, as a plugin ships. */
    private Path pluginJar(String name) {
        return PluginJar.build(tmp.resolve("jars"), name, PLUGINS.get(name));
    }

    private List<String> probeLog() throws IOException {
        return Files.readAllLines(tmp.resolve("probe.log"));
    }

    private static Thread thread(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no thread named " + name));
    }

    private static void awaitNoThread(String name) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(30);
        while (Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(name))) {
            if (Instant.now().isAfter(deadline)) {
                fail("thread " + name + " still runs after 30 s");
            }
            Thread.sleep(10);
        }
    }

    private static void awaitFile(Path file) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(30);
        while (!Files.exists(file)) {
            if (Instant.now().isAfter(deadline)) {
                fail(file + " never appeared");
            }
            Thread.sleep(10);
        }
    }
}
