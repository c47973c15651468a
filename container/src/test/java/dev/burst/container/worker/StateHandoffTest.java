package dev.burst.container.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.burst.api.Plugin;
import dev.burst.container.config.BurstConfig;
import dev.burst.container.config.ConfigLoader;
import dev.burst.container.config.MapConfigSource;
import dev.burst.container.process.ExitCode;
import dev.burst.container.protocol.WireMessage.Hello;
import dev.burst.container.protocol.WireMessage.Load;
import dev.burst.container.protocol.WireMessage.LoadFailed;
import dev.burst.container.protocol.WireMessage.PluginFiles;
import dev.burst.container.protocol.WireMessage.Ready;
import dev.burst.container.protocol.WireMessage.Result;
import dev.burst.container.protocol.WireMessage.Task;
import dev.burst.container.worker.testplugins.KeeperPlugin;
import dev.burst.container.worker.testplugins.ProbePlugin;
import dev.burst.container.worker.testplugins.RefusingKeeperPlugin;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * State hand-off across a reload ({@link dev.burst.api.StateHandoff}) in a real worker over a real Unix
 * socket, each plugin in its own module: what the old generation hands off at the swap reaches the new one
 * before anything of it runs; a refusal, or a hand-off that throws, leaves the old generation serving with
 * its state; plugins on one side only take no part.
 */
class StateHandoffTest {

    /** Plugin classes by jar: plugin "keeper" has two versions, the second refusing the state. */
    private static final Map<String, Class<? extends Plugin>> JARS = Map.of(
            "keeper", KeeperPlugin.class, "keeper-refusing", RefusingKeeperPlugin.class, "probe", ProbePlugin.class);

    @TempDir
    Path tmp;
    private ProxyEnd proxy;
    private CompletableFuture<ExitCode> exit;
    private long taskIds;

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) {
            proxy.stop(exit);
        }
    }

    @Test
    void the_new_generation_takes_over_the_state_as_the_last_task_left_it_before_its_first_tick_and_task()
            throws Exception {
        boot("keeper", "probe");
        call(120, "a=1");
        call(120, "b=2");

        // The last task and the LOAD back to back: the hand-off comes after that task, never before it.
        proxy.send(task(120, "c=3"));
        proxy.send(load(2, "keeper", "probe"));
        assertEquals("ok", text(proxy.next(Result.class)));
        proxy.next(Ready.class);

        assertEquals("gen=2 start=[] tick=[a=1,b=2,c=3] task=[a=1,b=2,c=3]", text(call(122, "")),
                "start() runs before the state comes; the first tick and the first task see all of it");
        assertEquals("3", text(call(121, "c")));
        assertEquals("probe answers", text(call(1, "probe answers")), "a plugin without a hand-off starts as ever");
        assertEquals(List.of("start gen 1", "handOff gen 1 on task gen 1 own loader", "start gen 2",
                "takeOver gen 2 on task gen 2 own loader entries=3 unmodifiable=true", "stop gen 1"), keeperLog());
    }

    @Test
    void a_new_generation_that_refuses_the_state_is_unloaded_and_the_old_one_serves_on_with_its_state()
            throws Exception {
        boot("keeper");
        call(120, "a=1");

        proxy.send(new Load(2, List.of(files("keeper", "keeper-refusing"))));
        String why = proxy.next(LoadFailed.class).reason();

        assertTrue(why.contains("plugin keeper: takeOver() refused the state generation 1 handed off (1 entries, 3 bytes)"),
                why);
        assertTrue(why.contains("IllegalStateException: keeper v2 cannot read the state of v1"), why);
        assertEquals("1", text(call(121, "a")), "the refuser scribbled over its copy, not over generation 1's arrays");
        assertTrue(text(call(122, "")).startsWith("gen=1 "), "generation 1 serves on");
        assertEquals(List.of("start gen 1", "handOff gen 1 on task gen 1 own loader", "start refuser gen 2",
                "refuse gen 2", "stop refuser gen 2"), keeperLog(), "the refusing generation was stopped");

        proxy.send(load(3, "keeper"));
        proxy.next(Ready.class);
        assertEquals("1", text(call(121, "a")), "the state goes on to the next generation that takes it");
        assertFalse(Files.exists(tmp.resolve("refuser-ticked")), "the refusing generation's timer never ticked");
    }

    @Test
    void a_hand_off_that_throws_fails_the_swap_naming_the_plugin_and_the_old_generation_serves_on() throws Exception {
        boot("keeper");
        call(120, "a=1");
        call(123, "");

        proxy.send(load(2, "keeper"));
        String why = proxy.next(LoadFailed.class).reason();

        assertTrue(why.contains("plugin keeper: handOff() of generation 1 threw: java.lang.IllegalStateException: "
                + "keeper was told to fail its hand-off"), why);
        assertEquals("1", text(call(121, "a")));
        assertTrue(text(call(122, "")).startsWith("gen=1 "));
        assertEquals(List.of("start gen 1", "handOff gen 1 on task gen 1 own loader"), keeperLog(),
                "generation 2 was not even started");
    }

    @Test
    void a_plugin_new_in_a_generation_gets_nothing_and_one_the_next_generation_drops_is_not_asked() throws Exception {
        boot("probe");

        proxy.send(load(2, "probe", "keeper"));
        proxy.next(Ready.class);
        assertEquals("gen=2 start=[] tick=[] task=[]", text(call(122, "")));
        call(120, "a=1");
        proxy.send(load(3, "probe"));
        proxy.next(Ready.class);

        assertEquals(List.of("start gen 2", "stop gen 2"), keeperLog(), "no takeOver, no handOff");
    }

    // ---- helpers ----

    private void boot(String... plugins) throws Exception {
        proxy = ProxyEnd.open(tmp);
        Map<String, String> keys = Map.of("burst.groups", "default", "burst.run.dir", tmp.resolve("run").toString(),
                "burst.plugin.test.dir", tmp.toString());
        BurstConfig config = ConfigLoader.from(MapConfigSource.config(keys), tmp);
        Worker worker = Worker.create(config, () -> MapConfigSource.config(keys), "default", 1);
        exit = proxy.serve(worker);
        proxy.next(Hello.class);
        proxy.send(load(1, plugins));
        proxy.next(Ready.class);
    }

    private Load load(int generation, String... plugins) {
        return new Load(generation, Arrays.stream(plugins).map(p -> files(p, p)).toList());
    }

    /** A plugin of this name, from the jar of that test plugin (each jar in a folder of its own). */
    private PluginFiles files(String name, String jar) {
        Path dir = tmp.resolve("jars").resolve(jar);
        return new PluginFiles(name, List.of(PluginJar.build(dir, name, JARS.get(jar)).toString()));
    }

    private Task task(int cmd, String body) {
        long id = ++taskIds;
        return new Task(id, cmd, (int) id, "127.0.0.1:40000", body.getBytes(StandardCharsets.UTF_8));
    }

    private Result call(int cmd, String body) throws IOException, InterruptedException {
        proxy.send(task(cmd, body));
        return proxy.next(Result.class);
    }

    private List<String> keeperLog() throws IOException {
        return Files.readAllLines(tmp.resolve("keeper.log"));
    }

    private static String text(Result r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }
}
