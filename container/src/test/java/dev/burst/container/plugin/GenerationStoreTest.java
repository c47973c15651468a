package dev.burst.container.plugin;

import static dev.burst.container.plugin.TestJars.ALL_PLUGINS;
import static dev.burst.container.plugin.TestJars.assertMentions;
import static dev.burst.container.plugin.TestJars.groups;
import static dev.burst.container.plugin.TestJars.libJar;
import static dev.burst.container.plugin.TestJars.pluginJar;
import static dev.burst.container.plugin.TestJars.sha256;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.burst.container.plugin.Generation.CachedFile;
import dev.burst.container.plugin.GenerationStore.Pruned;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerationStoreTest {

    @TempDir
    Path tmp;
    Path plugins;
    Path run;
    GenerationStore store;

    @BeforeEach
    void folders() throws Exception {
        plugins = Files.createDirectory(tmp.resolve("plugins"));
        run = tmp.resolve("run");
        store = GenerationStore.open(run);
    }

    /** What a proxy does at a reload: number it, snapshot it. */
    private Generation taken() throws PluginException {
        return store.take(store.nextNumber(), plugins, ALL_PLUGINS, false);
    }

    private Generation committed() throws PluginException {
        Generation g = taken();
        store.commit(g);
        return g;
    }

    /** The store a respawned proxy opens on the same run directory. */
    private GenerationStore afterRespawn() throws PluginException {
        return GenerationStore.open(run);
    }

    private Path record() {
        return run.resolve(GenerationStore.RECORD);
    }

    private PluginException unusable(GenerationStore s) {
        return assertThrows(PluginException.class, () -> s.serving(ALL_PLUGINS));
    }

    private TreeSet<String> cached(Generation... generations) {
        TreeSet<String> names = new TreeSet<>();
        for (Generation g : generations) {
            g.files().forEach(f -> names.add(f.sha256() + ".jar"));
        }
        return names;
    }

    @Test
    void nothing_is_serving_in_a_fresh_run_directory() throws Exception {
        assertEquals(Optional.empty(), store.serving(ALL_PLUGINS));
        assertEquals(1, store.nextNumber());
    }

    @Test
    void a_committed_generation_is_what_the_next_proxy_serves() throws Exception {
        pluginJar(plugins.resolve("hello.jar"), "com.example.Hello");
        pluginJar(plugins.resolve("game/game.jar"), "com.example.Game");
        libJar(plugins.resolve("game/gson.jar"), "gson");
        Generation g = committed();

        assertEquals(Optional.of(g), afterRespawn().serving(ALL_PLUGINS));
    }

    @Test
    void a_respawned_proxy_serves_the_recorded_generation_not_the_broken_jar_now_in_plugins() throws Exception {
        Path hello = pluginJar(plugins.resolve("hello.jar"), "com.example.Hello");
        byte[] served = Files.readAllBytes(hello);
        Generation g = committed();
        Files.write(hello, Arrays.copyOf(served, served.length / 2));

        Generation again = afterRespawn().serving(ALL_PLUGINS).orElseThrow();

        assertEquals(g, again);
        assertArrayEquals(served, Files.readAllBytes(Path.of(again.plugins().getFirst().files().getFirst())));
    }

    @Test
    void the_record_is_text_an_operator_can_read() throws Exception {
        Path hello = pluginJar(plugins.resolve("hello.jar"), "com.example.Hello");
        committed();

        assertEquals(List.of("burst-serving-generation 1", "number 1", "plugin hello",
                        "file " + sha256(hello) + " " + hello, "end 1"),
                Files.readAllLines(record()));
    }

    @Test
    void names_and_paths_with_backslashes_tabs_and_line_breaks_survive_the_record() throws Exception {
        pluginJar(plugins.resolve("odd \\ name\twith\nbreak\r/odd.jar"), "com.example.Odd");
        pluginJar(plugins.resolve("plain.jar"), "com.example.Plain");
        Generation g = committed();

        assertEquals("odd \\ name\twith\nbreak\r", g.plugins().getFirst().name());
        assertEquals(Optional.of(g), afterRespawn().serving(ALL_PLUGINS));
    }

    @Test
    void a_record_cut_short_anywhere_is_refused_naming_it() throws Exception {
        pluginJar(plugins.resolve("game/game.jar"), "com.example.Game");
        libJar(plugins.resolve("game/gson.jar"), "gson");
        pluginJar(plugins.resolve("hello.jar"), "com.example.Hello");
        Generation g = committed();
        byte[] whole = Files.readAllBytes(record());

        for (int length = 0; length < whole.length - 1; length++) {
            Files.write(record(), Arrays.copyOf(whole, length));
            PluginException e = unusable(afterRespawn());
            assertMentions(e, record().toString());
            assertMentions(e, "damaged");
        }
        Files.write(record(), Arrays.copyOf(whole, whole.length - 1));
        assertEquals(Optional.of(g), afterRespawn().serving(ALL_PLUGINS), "only the last line break is missing");
    }

    @Test
    void a_record_of_garbage_is_refused_naming_it() throws Exception {
        Files.createDirectories(run);
        Files.writeString(record(), "number=3\nplugins=hello\n");

        PluginException e = unusable(store);

        assertMentions(e, record().toString());
        assertMentions(e, "line 1");
    }

    @Test
    void a_record_whose_cached_file_is_missing_is_refused_naming_the_file() throws Exception {
        Path hello = pluginJar(plugins.resolve("hello.jar"), "com.example.Hello");
        Generation g = committed();
        Files.delete(Path.of(g.files().getFirst().cached()));

        PluginException e = unusable(afterRespawn());

        assertMentions(e, g.files().getFirst().cached());
        assertMentions(e, hello.toString());
        assertMentions(e, "missing");
    }

    @Test
    void a_record_whose_cached_file_changed_is_refused_naming_the_file() throws Exception {
        pluginJar(plugins.resolve("hello.jar"), "com.example.Hello");
        Generation g = committed();
        Path cachedCopy = Path.of(g.files().getFirst().cached());
        Files.writeString(cachedCopy, "edited in the cache");

        PluginException e = unusable(afterRespawn());

        assertMentions(e, cachedCopy.toString());
        assertMentions(e, "has changed");
    }

    @Test
    void a_record_lacking_a_plugin_a_group_now_names_is_refused_naming_the_key() throws Exception {
        pluginJar(plugins.resolve("hello.jar"), "com.example.Hello");
        committed();

        PluginException e = assertThrows(PluginException.class, () -> afterRespawn()
                .serving(groups(Map.of("burst.groups", "game", "burst.group.game.plugins", "hello,chess"))));

        assertMentions(e, "burst.group.game.plugins");
        assertMentions(e, "chess");
    }

    @Test
    void a_crash_before_the_rename_leaves_the_old_record_and_the_next_open_removes_the_half_written_one()
            throws Exception {
        pluginJar(plugins.resolve("hello.jar"), "com.example.Hello");
        Generation g = committed();
        Path halfWritten = run.resolve("." + GenerationStore.RECORD + ".8231904.tmp");
        Path halfNumber = run.resolve("." + GenerationStore.LAST_NUMBER + ".5520117.tmp");
        Files.writeString(halfWritten, "burst-serving-generation 1\nnumber 2\nplu");
        Files.writeString(halfNumber, "");

        GenerationStore respawned = afterRespawn();

        assertEquals(Optional.of(g), respawned.serving(ALL_PLUGINS));
        assertFalse(Files.exists(halfWritten));
        assertFalse(Files.exists(halfNumber));
        assertEquals(2, respawned.nextNumber());
    }

    @Test
    void a_crash_between_numbering_and_committing_keeps_the_old_generation_and_its_number_is_not_reused()
            throws Exception {
        pluginJar(plugins.resolve("hello.jar"), "com.example.Hello");
        Generation first = committed();
        pluginJar(plugins.resolve("echo.jar"), "com.example.Echo");
        Generation second = taken();

        GenerationStore respawned = afterRespawn();

        assertEquals(2, second.number());
        assertEquals(Optional.of(first), respawned.serving(ALL_PLUGINS));
        assertEquals(3, respawned.nextNumber());
    }

    @Test
    void a_refused_generation_number_is_never_handed_out_again_across_proxy_restarts() throws Exception {
        pluginJar(plugins.resolve("hello.jar"), "com.example.Hello");
        assertEquals(1, committed().number());
        Files.writeString(plugins.resolve("zz-garbage.jar"), "not a zip file");
        assertThrows(PluginException.class, this::taken);
        assertThrows(PluginException.class, this::taken);
        Files.delete(plugins.resolve("zz-garbage.jar"));

        assertEquals(4, afterRespawn().nextNumber());
        assertEquals(5, afterRespawn().nextNumber());
    }

    @Test
    void a_cold_start_serves_nothing_and_numbers_from_1_again() throws Exception {
        pluginJar(plugins.resolve("hello.jar"), "com.example.Hello");
        committed();
        committed();

        GenerationStore fresh = afterRespawn();
        fresh.forget();

        assertEquals(Optional.empty(), fresh.serving(ALL_PLUGINS));
        assertEquals(1, fresh.nextNumber());
    }

    @Test
    void numbers_go_on_above_the_recorded_generation_when_the_number_file_is_lost() throws Exception {
        pluginJar(plugins.resolve("hello.jar"), "com.example.Hello");
        store.nextNumber();
        store.nextNumber();
        committed();
        Files.delete(run.resolve(GenerationStore.LAST_NUMBER));

        assertEquals(4, afterRespawn().nextNumber());
    }

    @Test
    void a_damaged_number_file_is_refused_naming_it() throws Exception {
        Files.writeString(run.resolve(GenerationStore.LAST_NUMBER), "seven\n");

        PluginException e = assertThrows(PluginException.class, store::nextNumber);

        assertMentions(e, run.resolve(GenerationStore.LAST_NUMBER).toString());
        assertMentions(e, "seven");
    }

    @Test
    void commit_refuses_a_generation_cached_somewhere_else() throws Exception {
        pluginJar(plugins.resolve("hello.jar"), "com.example.Hello");
        Generation elsewhere = PluginSnapshot.take(plugins, tmp.resolve("other-cache"), 1, ALL_PLUGINS, false);

        assertThrows(IllegalArgumentException.class, () -> store.commit(elsewhere));
        assertFalse(Files.exists(record()));
    }

    @Test
    void prune_keeps_exactly_the_files_of_the_serving_and_the_previous_generation() throws Exception {
        Path hello = plugins.resolve("hello/hello.jar");
        libJar(plugins.resolve("hello/common.jar"), "shared by every generation");
        pluginJar(hello, "com.example.HelloOne");
        Generation first = committed();
        pluginJar(hello, "com.example.HelloTwo");
        Generation second = committed();
        pluginJar(hello, "com.example.HelloThree");
        Generation third = committed();
        Files.writeString(plugins.resolve("zz-garbage.jar"), "refused by a reload, but copied into the cache");
        assertThrows(PluginException.class, this::taken);
        Path cache = store.cacheDir();
        Files.writeString(cache.resolve("incoming-1234.tmp"), "a copy a crash interrupted");
        Files.writeString(cache.resolve("README"), "not the cache's to delete");
        String helloOne = first.files().stream().filter(f -> f.source().equals(hello.toString())).findFirst()
                .orElseThrow().cached();
        long prunable = Files.size(Path.of(helloOne)) + Files.size(plugins.resolve("zz-garbage.jar"))
                + Files.size(cache.resolve("incoming-1234.tmp"));

        Pruned pruned = store.prune(third, Optional.of(second));

        TreeSet<String> expected = cached(third, second);
        expected.add("README");
        assertEquals(List.copyOf(expected), TestJars.fileNames(cache));
        assertEquals(4, expected.size(), "hello two, hello three, the common library and the README");
        assertEquals(new Pruned(3, prunable), pruned);
    }

    @Test
    void prune_without_a_previous_generation_keeps_only_the_serving_one() throws Exception {
        Path hello = pluginJar(plugins.resolve("hello.jar"), "com.example.HelloOne");
        committed();
        pluginJar(hello, "com.example.HelloTwo");
        Generation second = committed();

        store.prune(second, Optional.empty());

        assertEquals(List.copyOf(cached(second)), TestJars.fileNames(store.cacheDir()));
    }

    @Test
    void prune_keeps_a_taken_generation_until_it_is_committed_or_discarded() throws Exception {
        Path hello = pluginJar(plugins.resolve("hello.jar"), "com.example.HelloOne");
        Generation serving = committed();
        pluginJar(hello, "com.example.HelloTwo");
        Generation candidate = taken();

        store.prune(serving, Optional.empty());
        assertEquals(List.copyOf(cached(serving, candidate)), TestJars.fileNames(store.cacheDir()),
                "the candidate is still being tried on its canaries");

        store.discard(candidate);
        store.prune(serving, Optional.empty());
        assertEquals(List.copyOf(cached(serving)), TestJars.fileNames(store.cacheDir()));
    }

    @Test
    void a_prune_called_while_a_snapshot_runs_waits_for_it_and_keeps_its_files() throws Exception {
        pluginJar(plugins.resolve("hello.jar"), "com.example.Hello");
        Generation serving = committed();
        Files.delete(plugins.resolve("hello.jar"));
        pluginJar(plugins.resolve("game/game.jar"), "com.example.Game");
        libJar(plugins.resolve("game/lib.jar"), "lib");
        CountDownLatch copying = new CountDownLatch(1);
        CountDownLatch resume = new CountDownLatch(1);
        PluginSnapshot.CopyHook pauseBeforeTheLibrary = source -> {
            if (source.getFileName().toString().equals("lib.jar")) {
                copying.countDown();
                try {
                    resume.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted");
                }
            }
        };
        int n = store.nextNumber();
        CompletableFuture<Generation> snapshot = new CompletableFuture<>();
        Thread reload = Thread.ofPlatform().name("reload").start(() -> {
            try {
                snapshot.complete(store.take(n, plugins, ALL_PLUGINS, false, pauseBeforeTheLibrary));
            } catch (PluginException | RuntimeException e) {
                snapshot.completeExceptionally(e);
            }
        });
        assertTrue(copying.await(30, TimeUnit.SECONDS), "the snapshot copied game.jar and reached lib.jar");
        CompletableFuture<Pruned> prune = new CompletableFuture<>();
        Thread pruner = Thread.ofPlatform().name("pruner").start(() -> {
            try {
                prune.complete(store.prune(serving, Optional.empty()));
            } catch (PluginException | RuntimeException e) {
                prune.completeExceptionally(e);
            }
        });
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (pruner.getState() != Thread.State.WAITING && pruner.getState() != Thread.State.TERMINATED
                && Instant.now().isBefore(deadline)) {
            Thread.sleep(5);
        }

        resume.countDown();
        reload.join();
        pruner.join();

        Generation candidate = snapshot.get();
        List<String> missing = new ArrayList<>();
        for (CachedFile f : candidate.files()) {
            if (!Files.exists(Path.of(f.cached()))) {
                missing.add(f.source());
            }
        }
        assertEquals(List.of(), missing, "the prune deleted none of the running snapshot's files");
        assertEquals(new TreeSet<>(cached(serving, candidate)), new TreeSet<>(TestJars.fileNames(store.cacheDir())));
        assertEquals(0, prune.get().files());
    }

    @Test
    void the_record_survives_as_utf8_text() throws Exception {
        pluginJar(plugins.resolve("héllo-日本.jar"), "com.example.Hello");
        Generation g = committed();

        assertTrue(Files.readString(record(), StandardCharsets.UTF_8).contains("plugin héllo-日本\n"));
        assertEquals(Optional.of(g), afterRespawn().serving(ALL_PLUGINS));
    }

    @Test
    void the_record_is_replaced_whole_by_each_commit() throws Exception {
        Path hello = pluginJar(plugins.resolve("hello.jar"), "com.example.HelloOne");
        pluginJar(plugins.resolve("echo.jar"), "com.example.Echo");
        committed();
        Files.delete(plugins.resolve("echo.jar"));
        pluginJar(hello, "com.example.HelloTwo");
        Generation second = committed();

        assertEquals(Optional.of(second), afterRespawn().serving(ALL_PLUGINS));
        assertEquals(List.of("burst-serving-generation 1", "number 2", "plugin hello",
                "file " + sha256(hello) + " " + hello, "end 2"), Files.readAllLines(record()));
    }
}
