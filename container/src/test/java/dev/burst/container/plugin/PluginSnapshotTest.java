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

import dev.burst.container.config.GroupConfig;
import dev.burst.container.plugin.Generation.CachedFile;
import java.io.IOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarOutputStream;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class PluginSnapshotTest {

    private static final boolean REFUSE_LINKS = false;
    private static final boolean FOLLOW_LINKS = true;

    @TempDir
    Path tmp;
    Path plugins;
    Path cache;

    @BeforeEach
    void folders() throws IOException {
        plugins = Files.createDirectory(tmp.resolve("plugins"));
        cache = tmp.resolve("run/plugins");
    }

    private Generation snapshot() throws PluginException {
        return PluginSnapshot.take(plugins, cache, 1, ALL_PLUGINS, REFUSE_LINKS);
    }

    private Generation following() throws PluginException {
        return PluginSnapshot.take(plugins, cache, 1, ALL_PLUGINS, FOLLOW_LINKS);
    }

    private PluginException refused() {
        return assertThrows(PluginException.class, this::snapshot);
    }

    private List<String> cacheFileNames() throws IOException {
        return TestJars.fileNames(cache);
    }

    @Test
    void a_jar_plugin_is_cached_under_the_sha256_of_its_bytes() throws Exception {
        Path source = pluginJar(plugins.resolve("hello.jar"), "com.example.Hello");
        String sha = sha256(source);

        Generation g = snapshot();

        Path cached = cache.resolve(sha + ".jar");
        assertEquals(1, g.number());
        assertEquals(List.of(new PluginJars("hello", List.of(cached.toString()))), g.plugins());
        assertEquals(List.of(new CachedFile("hello", source.toString(), sha, cached.toString())), g.files());
        assertArrayEquals(Files.readAllBytes(source), Files.readAllBytes(cached));
    }

    @Test
    void the_cache_holds_only_finished_copies() throws Exception {
        String sha = sha256(pluginJar(plugins.resolve("hello.jar"), "com.example.Hello"));

        snapshot();

        assertEquals(List.of(sha + ".jar"), cacheFileNames());
    }

    @Test
    void a_folder_with_a_plugin_jar_and_a_library_jar_is_one_plugin_of_two_files() throws Exception {
        Path app = pluginJar(plugins.resolve("game/game.jar"), "com.example.Game");
        Path lib = libJar(plugins.resolve("game/gson.jar"), "gson");

        Generation g = snapshot();

        assertEquals(1, g.plugins().size());
        PluginJars game = g.plugins().getFirst();
        assertEquals("game", game.name());
        assertEquals(List.of(cache.resolve(sha256(app) + ".jar").toString(), cache.resolve(sha256(lib) + ".jar").toString()),
                game.files());
        assertEquals(List.of("game", "game"), g.files().stream().map(CachedFile::plugin).toList());
    }

    @Test
    void plugins_are_listed_by_name() throws Exception {
        pluginJar(plugins.resolve("zeta.jar"), "z.Z");
        pluginJar(plugins.resolve("alpha/alpha.jar"), "a.A");
        pluginJar(plugins.resolve("mid.jar"), "m.M");

        assertEquals(List.of("alpha", "mid", "zeta"), snapshot().plugins().stream().map(PluginJars::name).toList());
    }

    @Test
    void a_jar_without_the_service_entry_is_refused_naming_the_plugin() throws Exception {
        libJar(plugins.resolve("lonely.jar"), "no entry class here");

        PluginException e = refused();

        assertMentions(e, "lonely");
        assertMentions(e, PluginSnapshot.SERVICE_ENTRY);
    }

    @Test
    void a_folder_whose_jars_all_lack_the_service_entry_is_refused_naming_the_plugin() throws Exception {
        libJar(plugins.resolve("libsonly/a.jar"), "a");
        libJar(plugins.resolve("libsonly/b.jar"), "b");

        assertMentions(refused(), "libsonly");
    }

    @Test
    void a_folder_with_two_plugin_jars_is_refused_naming_the_plugin() throws Exception {
        pluginJar(plugins.resolve("twice/one.jar"), "a.One");
        pluginJar(plugins.resolve("twice/two.jar"), "a.Two");

        PluginException e = refused();

        assertMentions(e, "twice");
        assertMentions(e, "2 jars");
    }

    @Test
    void a_garbage_file_named_like_a_jar_is_refused_naming_the_file() throws Exception {
        Files.writeString(plugins.resolve("x.jar"), "this is not a zip file");

        assertMentions(refused(), "x.jar");
    }

    @Test
    void a_truncated_copy_of_a_valid_jar_is_refused_naming_the_file() throws Exception {
        byte[] whole = Files.readAllBytes(pluginJar(tmp.resolve("whole.jar"), "com.example.Hello"));
        Files.write(plugins.resolve("half.jar"), Arrays.copyOf(whole, whole.length / 2));

        PluginException e = refused();

        assertMentions(e, "half.jar");
    }

    @Test
    void a_jar_missing_only_its_last_byte_is_refused() throws Exception {
        byte[] whole = Files.readAllBytes(pluginJar(tmp.resolve("whole.jar"), "com.example.Hello"));
        Files.write(plugins.resolve("almost.jar"), Arrays.copyOf(whole, whole.length - 1));

        assertMentions(refused(), "almost.jar");
    }

    @Test
    void hidden_entries_other_files_and_folders_without_jars_are_ignored() throws Exception {
        pluginJar(plugins.resolve("hello.jar"), "com.example.Hello");
        Files.writeString(plugins.resolve(".half-uploaded.jar"), "garbage");
        Files.writeString(plugins.resolve("README.txt"), "read me");
        Files.writeString(plugins.resolve("hello.jar.bak"), "garbage");
        Files.createDirectories(plugins.resolve("docs"));
        Files.writeString(plugins.resolve("docs/notes.md"), "notes");
        Files.createDirectories(plugins.resolve(".git"));
        Files.writeString(plugins.resolve(".git/broken.jar"), "garbage");

        Generation g = snapshot();

        assertEquals(List.of("hello"), g.plugins().stream().map(PluginJars::name).toList());
        assertEquals(1, g.files().size());
    }

    @Test
    void an_empty_plugins_folder_gives_an_empty_generation() throws Exception {
        Generation g = snapshot();

        assertEquals(List.of(), g.plugins());
        assertEquals(List.of(), g.files());
    }

    @Test
    void a_missing_plugins_folder_is_refused_naming_it() {
        Path nowhere = tmp.resolve("nowhere");

        PluginException e = assertThrows(PluginException.class,
                () -> PluginSnapshot.take(nowhere, cache, 1, ALL_PLUGINS, REFUSE_LINKS));

        assertMentions(e, nowhere.toString());
    }

    @Test
    void identical_files_share_one_cache_file() throws Exception {
        pluginJar(plugins.resolve("a/a.jar"), "a.A");
        Path libA = libJar(plugins.resolve("a/common.jar"), "same bytes");
        pluginJar(plugins.resolve("b/b.jar"), "b.B");
        Files.copy(libA, plugins.resolve("b/common.jar"));

        Generation g = snapshot();

        String sharedLib = cache.resolve(sha256(libA) + ".jar").toString();
        assertEquals(sharedLib, g.plugins().get(0).files().get(1));
        assertEquals(sharedLib, g.plugins().get(1).files().get(1));
        assertEquals(4, g.files().size());
        assertEquals(3, cacheFileNames().size());
    }

    @Test
    void a_second_snapshot_of_unchanged_plugins_reuses_the_cached_files() throws Exception {
        pluginJar(plugins.resolve("hello.jar"), "com.example.Hello");
        Generation first = snapshot();

        Generation second = PluginSnapshot.take(plugins, cache, 2, ALL_PLUGINS, REFUSE_LINKS);

        assertEquals(2, second.number());
        assertEquals(first.plugins(), second.plugins());
        assertEquals(1, cacheFileNames().size());
    }

    @Test
    void overwriting_a_plugin_after_the_snapshot_leaves_the_cached_copy_alone() throws Exception {
        Path source = pluginJar(plugins.resolve("hello.jar"), "com.example.Hello");
        byte[] before = Files.readAllBytes(source);
        Generation g = snapshot();

        try (OutputStream out = Files.newOutputStream(source)) {
            out.write("overwritten by the operator".getBytes(StandardCharsets.UTF_8));
        }

        assertArrayEquals(before, Files.readAllBytes(Path.of(g.plugins().getFirst().files().getFirst())));
    }

    @Test
    void a_group_selecting_a_plugin_that_is_not_there_is_refused_naming_the_key() throws Exception {
        pluginJar(plugins.resolve("hello.jar"), "com.example.Hello");
        List<GroupConfig> groups = groups(Map.of("burst.groups", "game", "burst.group.game.plugins", "nope"));

        PluginException e = assertThrows(PluginException.class,
                () -> PluginSnapshot.take(plugins, cache, 1, groups, REFUSE_LINKS));

        assertMentions(e, "burst.group.game.plugins");
        assertMentions(e, "nope");
    }

    @Test
    void a_group_selecting_plugins_that_are_there_gets_only_those() throws Exception {
        pluginJar(plugins.resolve("hello.jar"), "com.example.Hello");
        pluginJar(plugins.resolve("echo.jar"), "com.example.Echo");
        List<GroupConfig> groups = groups(Map.of("burst.groups", "game", "burst.group.game.plugins", "echo"));
        GroupConfig game = groups.getFirst();

        Generation g = PluginSnapshot.take(plugins, cache, 1, groups, REFUSE_LINKS);

        assertEquals(List.of("echo"), g.pluginsOf(game).stream().map(PluginJars::name).toList());
    }

    @Test
    void a_jar_whose_entry_bytes_were_corrupted_is_refused_naming_the_file() throws Exception {
        byte[] content = "stored, not compressed: only its CRC tells a flipped byte".getBytes(StandardCharsets.UTF_8);
        Path jar = plugins.resolve("hello.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new ZipEntry(PluginSnapshot.SERVICE_ENTRY));
            out.write("x.Hello\n".getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
            ZipEntry stored = new ZipEntry("x/data.txt");
            stored.setMethod(ZipEntry.STORED);
            stored.setSize(content.length);
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            crc.update(content);
            stored.setCrc(crc.getValue());
            out.putNextEntry(stored);
            out.write(content);
            out.closeEntry();
        }
        byte[] bytes = Files.readAllBytes(jar);
        int at = new String(bytes, StandardCharsets.ISO_8859_1).indexOf("flipped");
        bytes[at] ^= 0x20;
        Files.write(jar, bytes);

        PluginException e = refused();
        assertMentions(e, "hello.jar");
        assertMentions(e, "x/data.txt");
    }

    @Test
    void a_jar_and_a_folder_of_the_same_name_are_refused_naming_both() throws Exception {
        pluginJar(plugins.resolve("hello.jar"), "x.Hello");
        pluginJar(plugins.resolve("hello/hello.jar"), "x.Hello");

        PluginException e = refused();
        assertMentions(e, "two plugins are named hello");
        assertMentions(e, "hello.jar and the folder hello/");
    }

    @Test
    void a_link_to_a_jar_outside_the_folder_is_refused_naming_the_link_and_the_setting() throws Exception {
        Path outside = pluginJar(tmp.resolve("elsewhere/hello.jar"), "com.example.Hello");
        Path link = Files.createSymbolicLink(plugins.resolve("hello.jar"), outside);

        PluginException e = refused();

        assertMentions(e, link.toString());
        assertMentions(e, "burst.plugins.follow-symlinks=true");
        assertFalse(Files.exists(cache) && cacheFileNames().contains(sha256(outside) + ".jar"), "nothing was copied");
    }

    @Test
    void a_link_to_a_folder_is_refused_naming_the_link() throws Exception {
        pluginJar(tmp.resolve("elsewhere/game/game.jar"), "com.example.Game");
        Path link = Files.createSymbolicLink(plugins.resolve("game"), tmp.resolve("elsewhere/game"));

        PluginException e = refused();

        assertMentions(e, link.toString());
        assertMentions(e, "symbolic link");
    }

    @Test
    void a_link_to_a_library_inside_a_plugin_folder_is_refused_naming_the_link() throws Exception {
        pluginJar(plugins.resolve("game/game.jar"), "com.example.Game");
        Path lib = libJar(tmp.resolve("elsewhere/gson.jar"), "gson");
        Path link = Files.createSymbolicLink(plugins.resolve("game/gson.jar"), lib);

        PluginException e = refused();

        assertMentions(e, link.toString());
        assertMentions(e, "burst.plugins.follow-symlinks");
    }

    @Test
    void a_link_the_snapshot_would_ignore_anyway_is_ignored() throws Exception {
        pluginJar(plugins.resolve("hello.jar"), "com.example.Hello");
        Path readme = Files.writeString(tmp.resolve("README.txt"), "read me");
        Files.createSymbolicLink(plugins.resolve("README.txt"), readme);
        Files.createSymbolicLink(plugins.resolve("notes"), tmp.resolve("nowhere"));

        assertEquals(List.of("hello"), snapshot().plugins().stream().map(PluginJars::name).toList());
    }

    @Test
    void a_plugins_folder_that_is_itself_a_link_is_read() throws Exception {
        Path real = Files.createDirectory(tmp.resolve("real-plugins"));
        pluginJar(real.resolve("hello.jar"), "com.example.Hello");
        Path linked = Files.createSymbolicLink(tmp.resolve("linked-plugins"), real);

        Generation g = PluginSnapshot.take(linked, cache, 1, ALL_PLUGINS, REFUSE_LINKS);

        assertEquals(List.of("hello"), g.plugins().stream().map(PluginJars::name).toList());
    }

    @Test
    void with_links_followed_a_linked_jar_is_cached_with_its_targets_bytes() throws Exception {
        Path outside = pluginJar(tmp.resolve("elsewhere/hello.jar"), "com.example.Hello");
        Path link = Files.createSymbolicLink(plugins.resolve("hello.jar"), outside);

        Generation g = following();

        String sha = sha256(outside);
        assertEquals(List.of(new CachedFile("hello", link.toString(), sha, cache.resolve(sha + ".jar").toString())),
                g.files());
        assertTrue(Files.isRegularFile(cache.resolve(sha + ".jar"), java.nio.file.LinkOption.NOFOLLOW_LINKS),
                "the cache holds a copy, not a link");
    }

    @Test
    void with_links_followed_a_linked_folder_is_a_plugin_named_after_the_link() throws Exception {
        pluginJar(tmp.resolve("elsewhere/game-1.2/game.jar"), "com.example.Game");
        Path lib = libJar(tmp.resolve("shared/gson.jar"), "gson");
        Files.createSymbolicLink(tmp.resolve("elsewhere/game-1.2/gson.jar"), lib);
        Files.createSymbolicLink(plugins.resolve("game"), tmp.resolve("elsewhere/game-1.2"));

        Generation g = following();

        assertEquals(List.of("game"), g.plugins().stream().map(PluginJars::name).toList());
        assertEquals(2, g.plugins().getFirst().files().size());
        assertEquals(sha256(lib), g.files().get(1).sha256());
    }

    @Test
    void a_dangling_link_named_like_a_jar_is_refused_even_when_links_are_followed() throws Exception {
        Path link = Files.createSymbolicLink(plugins.resolve("gone.jar"), tmp.resolve("deleted.jar"));

        PluginException e = assertThrows(PluginException.class, this::following);

        assertMentions(e, link.toString());
        assertMentions(e, "does not exist");
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void a_named_pipe_named_like_a_jar_is_refused_instead_of_blocking_the_snapshot() throws Exception {
        Path fifo = plugins.resolve("pipe.jar");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertTrue(mkfifo.waitFor(30, TimeUnit.SECONDS) && mkfifo.exitValue() == 0, "mkfifo made " + fifo);

        for (boolean follow : new boolean[] {REFUSE_LINKS, FOLLOW_LINKS}) {
            PluginException e = assertThrows(PluginException.class,
                    () -> PluginSnapshot.take(plugins, cache, 1, ALL_PLUGINS, follow));
            assertMentions(e, fifo.toString());
            assertMentions(e, "not a regular file");
        }
    }

    @Test
    void a_socket_named_like_a_jar_inside_a_plugin_folder_is_refused() throws Exception {
        pluginJar(plugins.resolve("game/game.jar"), "com.example.Game");
        Path socket = plugins.resolve("game/socket.jar");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));

            PluginException e = refused();

            assertMentions(e, socket.toString());
            assertMentions(e, "not a regular file");
        }
    }

    @Test
    void a_jar_rewritten_after_it_was_listed_is_refused_as_changed() throws Exception {
        Path source = pluginJar(plugins.resolve("hello.jar"), "com.example.Hello");
        PluginSnapshot.CopyHook operatorRewrites = file -> pluginJar(file, "com.example.SomethingLonger");

        PluginException e = assertThrows(PluginException.class,
                () -> PluginSnapshot.take(plugins, cache, 1, ALL_PLUGINS, REFUSE_LINKS, operatorRewrites));

        assertMentions(e, source.toString());
        assertMentions(e, "changed while it was being copied");
        assertEquals(List.of(), cacheFileNames(), "no copy, finished or partial, is left in the cache");
    }

    @Test
    void a_jar_replaced_by_another_file_of_the_same_size_and_time_is_refused_as_changed() throws Exception {
        Path source = pluginJar(plugins.resolve("hello.jar"), "com.example.Hello");
        Path other = pluginJar(tmp.resolve("other.jar"), "com.example.Hellp");
        assertEquals(Files.size(source), Files.size(other));
        Files.setLastModifiedTime(other, Files.getLastModifiedTime(source));
        PluginSnapshot.CopyHook operatorMovesAnotherFileIn =
                file -> Files.move(other, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        PluginException e = assertThrows(PluginException.class,
                () -> PluginSnapshot.take(plugins, cache, 1, ALL_PLUGINS, REFUSE_LINKS, operatorMovesAnotherFileIn));

        assertMentions(e, "changed while it was being copied");
    }

    @Test
    void a_jar_deleted_after_it_was_listed_is_refused_as_vanished() throws Exception {
        Path source = pluginJar(plugins.resolve("hello.jar"), "com.example.Hello");

        PluginException e = assertThrows(PluginException.class,
                () -> PluginSnapshot.take(plugins, cache, 1, ALL_PLUGINS, REFUSE_LINKS, Files::delete));

        assertMentions(e, source.toString());
        assertMentions(e, "vanished");
        assertEquals(List.of(), cacheFileNames());
    }

    @Test
    void half_written_and_hidden_jars_are_ignored_at_both_levels() throws Exception {
        Path game = pluginJar(plugins.resolve("game/game.jar"), "com.example.Game");
        Files.writeString(plugins.resolve("game/gson.jar.tmp"), "half a jar");
        Files.writeString(plugins.resolve("game/gson.jar.part"), "half a jar");
        Files.writeString(plugins.resolve("game/.gson.jar"), "half a jar");
        Files.writeString(plugins.resolve("hello.jar.tmp"), "half a jar");
        Files.writeString(plugins.resolve(".hello.jar"), "half a jar");

        Generation g = snapshot();

        assertEquals(List.of(new PluginJars("game", List.of(cache.resolve(sha256(game) + ".jar").toString()))),
                g.plugins());
    }

    @Test
    void a_damaged_cache_file_is_replaced_by_the_next_snapshot_of_the_same_bytes() throws Exception {
        Path source = pluginJar(plugins.resolve("hello.jar"), "com.example.Hello");
        Path cached = Path.of(snapshot().files().getFirst().cached());
        Files.writeString(cached, "damaged on disk");

        snapshot();

        assertArrayEquals(Files.readAllBytes(source), Files.readAllBytes(cached));
    }
}
