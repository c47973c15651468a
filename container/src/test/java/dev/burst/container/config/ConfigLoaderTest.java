package dev.burst.container.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {

    private static final Path HOME = Path.of("/opt/burst");

    private static BurstConfig load(Map<String, String> values) {
        return ConfigLoader.from(MapConfigSource.config(values), HOME);
    }

    private static ConfigException refused(Map<String, String> values) {
        return assertThrows(ConfigException.class, () -> load(values));
    }

    private static void assertMentions(ConfigException e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), () -> "'" + e.getMessage() + "' should mention '" + part + "'");
        }
    }

    @Test
    void an_empty_config_gives_the_documented_defaults() {
        BurstConfig c = load(Map.of());

        assertEquals(8080, c.httpPort());
        assertEquals(9900, c.boxPort());
        assertEquals(1048576, c.boxMaxPacket());
        assertEquals("127.0.0.1", c.httpHost());
        assertEquals("127.0.0.1", c.boxHost());
        assertEquals(Duration.ofSeconds(30), c.stopTimeout());
        assertEquals(3, c.bootRetries());
        assertEquals(HOME.resolve("run"), c.runDir());
        assertEquals(HOME.resolve("plugins"), c.pluginsDir());
        assertEquals(1, c.groups().size());
        GroupConfig g = c.groups().getFirst();
        assertEquals("default", g.name());
        assertEquals(2, g.workers());
        assertEquals(1000, g.maxPending());
        assertEquals(Duration.ofSeconds(5), g.queueTimeout());
    }

    @Test
    void a_group_by_default_times_tasks_out_after_thirty_seconds_and_never_recycles_its_workers() {
        GroupConfig g = load(Map.of()).groups().getFirst();

        assertEquals(Duration.ofSeconds(30), g.taskTimeout());
        assertEquals(0, g.maxRequests());
        assertEquals(0, g.maxRequestsJitter());
    }

    @Test
    void recycling_is_set_per_group() {
        GroupConfig g = load(Map.of("burst.group.default.max-requests", "1000",
                "burst.group.default.max-requests-jitter", "50",
                "burst.group.default.task-timeout", "PT2S")).groups().getFirst();

        assertEquals(1000, g.maxRequests());
        assertEquals(50, g.maxRequestsJitter());
        assertEquals(Duration.ofSeconds(2), g.taskTimeout());
    }

    @Test
    void a_negative_max_requests_is_refused_naming_the_key() {
        assertMentions(refused(Map.of("burst.group.default.max-requests", "-5")), "burst.group.default.max-requests", "-5");
    }

    @Test
    void a_task_timeout_of_zero_is_refused_naming_the_key() {
        assertMentions(refused(Map.of("burst.group.default.task-timeout", "PT0S")), "burst.group.default.task-timeout");
    }

    @Test
    void the_default_group_loads_every_plugin() {
        GroupConfig g = load(Map.of()).groups().getFirst();

        assertEquals(Set.of(), g.plugins());
        assertTrue(g.loads("anything"));
    }

    @Test
    void sockets_and_the_plugin_cache_live_in_the_run_directory() {
        BurstConfig c = load(Map.of("burst.run.dir", "/var/run/burst"));

        assertEquals(Path.of("/var/run/burst"), c.runDir());
        assertEquals(Path.of("/var/run/burst/proxy.sock"), c.proxySocket());
        assertEquals(Path.of("/var/run/burst/control.sock"), c.controlSocket());
        assertEquals(Path.of("/var/run/burst/plugins"), c.pluginCache());
    }

    @Test
    void a_relative_run_directory_resolves_against_home() {
        assertEquals(HOME.resolve("state/run"), load(Map.of("burst.run.dir", "state/./run")).runDir());
    }

    @Test
    void a_negative_worker_count_is_refused_naming_the_key_and_the_value() {
        ConfigException e = refused(Map.of("burst.group.default.workers", "-1"));

        assertMentions(e, "burst.group.default.workers", "-1");
    }

    @Test
    void a_worker_count_above_the_maximum_is_refused() {
        ConfigException e = refused(Map.of("burst.group.default.workers", String.valueOf(ConfigLoader.MAX_WORKERS + 1)));

        assertMentions(e, "burst.group.default.workers", "257");
    }

    @Test
    void a_non_numeric_worker_count_is_refused_naming_the_key() {
        assertMentions(refused(Map.of("burst.group.default.workers", "two")), "burst.group.default.workers", "two");
    }

    @Test
    void a_key_for_a_group_that_is_not_configured_is_refused_naming_the_key() {
        ConfigException e = refused(Map.of("burst.group.nosuch.workers", "1"));

        assertMentions(e, "burst.group.nosuch.workers", "nosuch");
    }

    @Test
    void an_unknown_key_of_a_configured_group_is_refused_naming_the_key() {
        assertMentions(refused(Map.of("burst.group.default.wrokers", "1")), "burst.group.default.wrokers");
    }

    @Test
    void a_port_out_of_range_is_refused_naming_the_key() {
        ConfigException e = refused(Map.of("burst.http.port", "70000"));

        assertMentions(e, "burst.http.port", "70000", "65535");
    }

    @Test
    void port_zero_asks_for_any_free_port() {
        assertEquals(0, load(Map.of("burst.box.port", "0")).boxPort());
    }

    @Test
    void a_max_packet_smaller_than_the_box_header_is_refused() {
        assertMentions(refused(Map.of("burst.box.max-packet", "23")), "burst.box.max-packet", "23");
    }

    @Test
    void a_malformed_duration_is_refused_naming_the_key() {
        ConfigException e = refused(Map.of("burst.group.default.queue-timeout", "5s"));

        assertMentions(e, "burst.group.default.queue-timeout", "5s", "ISO-8601");
    }

    @Test
    void a_duration_below_the_minimum_is_refused_naming_the_key() {
        assertMentions(refused(Map.of("burst.stop.timeout", "-PT1S")), "burst.stop.timeout", "-PT1S");
    }

    @Test
    void durations_are_read_as_iso_8601() {
        BurstConfig c = load(Map.of("burst.stop.timeout", "PT0.5S", "burst.group.default.queue-timeout", "PT2M"));

        assertEquals(Duration.ofMillis(500), c.stopTimeout());
        assertEquals(Duration.ofMinutes(2), c.groups().getFirst().queueTimeout());
    }

    @Test
    void a_typo_under_burst_is_refused_naming_the_key() {
        ConfigException e = refused(Map.of("burst.htp.port", "8081"));

        assertMentions(e, "burst.htp.port", "unknown key");
    }

    @Test
    void plugin_keys_are_left_to_the_plugins() {
        BurstConfig c = load(Map.of("burst.plugin.hello.greeting", "hi", "burst.plugin.x.y", "z"));

        assertEquals("hi", c.source().getValue("burst.plugin.hello.greeting", String.class));
    }

    @Test
    void keys_outside_burst_are_not_checked() {
        assertEquals(8080, load(Map.of("helidon.anything", "x", "burstx.port", "1")).httpPort());
    }

    @Test
    void groups_are_kept_in_the_order_they_are_listed_with_their_own_settings() {
        BurstConfig c = load(Map.of(
                "burst.groups", "game, chat",
                "burst.group.game.workers", "4",
                "burst.group.chat.max-pending", "10"));

        assertEquals(List.of("game", "chat"), c.groups().stream().map(GroupConfig::name).toList());
        assertEquals(4, c.group("game").orElseThrow().workers());
        assertEquals(2, c.group("chat").orElseThrow().workers());
        assertEquals(10, c.group("chat").orElseThrow().maxPending());
        assertTrue(c.group("default").isEmpty());
    }

    @Test
    void a_group_listed_twice_is_refused() {
        assertMentions(refused(Map.of("burst.groups", "game,chat,game")), "burst.groups", "game,chat,game", "twice");
    }

    @Test
    void a_group_name_with_characters_a_key_cannot_carry_is_refused() {
        assertMentions(refused(Map.of("burst.groups", "game,Chat.Room")), "burst.groups", "Chat.Room");
    }

    @Test
    void an_empty_name_in_the_group_list_is_refused() {
        assertMentions(refused(Map.of("burst.groups", "game,,chat")), "burst.groups");
    }

    @Test
    void an_explicit_plugin_selection_parses_into_a_set() {
        GroupConfig g = load(Map.of("burst.group.default.plugins", " hello , echo,hello ")).groups().getFirst();

        assertEquals(Set.of("hello", "echo"), g.plugins());
        assertTrue(g.loads("echo"));
        assertFalse(g.loads("slow"));
    }

    @Test
    void a_plugin_selection_mixing_star_and_names_is_refused() {
        assertMentions(refused(Map.of("burst.group.default.plugins", "hello,*")), "burst.group.default.plugins");
    }

    @Test
    void jvm_options_are_split_on_whitespace() {
        BurstConfig c = load(Map.of("burst.worker.jvm-options", "  -Xmx64m\t-Dfoo=bar \n -XX:+UseZGC "));

        assertEquals(List.of("-Xmx64m", "-Dfoo=bar", "-XX:+UseZGC"), c.workerJvmOptions());
    }

    @Test
    void jvm_options_have_defaults_for_workers_and_the_proxy() {
        BurstConfig c = load(Map.of());

        assertEquals(List.of("-XX:+UseSerialGC", "-Xmx256m", "-XX:TieredStopAtLevel=1"), c.workerJvmOptions());
        assertEquals(List.of("-XX:+UseSerialGC", "-Xmx512m", "-XX:+ExitOnOutOfMemoryError"), c.proxyJvmOptions());
    }

    @Test
    void a_host_with_whitespace_is_refused_naming_the_key() {
        assertMentions(refused(Map.of("burst.http.host", "0.0.0.0 1.2.3.4")), "burst.http.host");
    }

    @Test
    void a_host_name_with_an_underscore_is_refused_naming_the_key_the_value_and_what_is_allowed() {
        assertMentions(refused(Map.of("burst.http.host", "not_a_host")),
                "burst.http.host=not_a_host", "an IP address", "a host name of letters, digits, hyphens and dots");
    }

    @Test
    void a_host_name_that_does_not_resolve_is_refused_saying_so() {
        // .invalid is reserved (RFC 6761): no resolver answers for it
        assertMentions(refused(Map.of("burst.box.host", "no-such-host.invalid")),
                "burst.box.host=no-such-host.invalid", "does not resolve", "an IP address");
    }

    @Test
    void what_looks_like_an_address_but_is_not_one_is_refused() {
        for (String bad : List.of("999.1.1.1", "1.2.3", "010.1.1.1", "::g", "-leading-hyphen.example", "a..b")) {
            assertMentions(refused(Map.of("burst.admin.host", bad)), "burst.admin.host=" + bad, "an IP address");
        }
    }

    @Test
    void ip_literals_of_both_families_and_a_name_that_resolves_are_accepted() {
        for (String good : List.of("0.0.0.0", "127.0.0.1", "::", "::1", "localhost")) {
            BurstConfig c = load(Map.of("burst.http.host", good, "burst.box.host", good, "burst.admin.host", good));
            assertEquals(List.of(good, good, good), List.of(c.httpHost(), c.boxHost(), c.adminHost()));
        }
    }

    @Test
    void a_key_is_read_through_its_table_entry_as_well_as_through_its_accessor() {
        BurstConfig c = load(Map.of("burst.box.max-in-flight", "7", "burst.group.default.task-timeout", "PT3S"));

        assertEquals(7, c.value(ConfigKeys.BOX_MAX_IN_FLIGHT));
        assertEquals(7, c.limits().boxMaxInFlight());
        assertEquals(Duration.ofSeconds(3), c.groups().getFirst().value(ConfigKeys.GROUP_TASK_TIMEOUT));
    }

    @Test
    void a_group_key_asked_of_the_server_config_and_a_server_key_asked_of_a_group_are_programming_errors() {
        BurstConfig c = load(Map.of());

        assertThrows(IllegalArgumentException.class, () -> c.value(ConfigKeys.GROUP_WORKERS));
        assertThrows(IllegalArgumentException.class, () -> c.groups().getFirst().value(ConfigKeys.HTTP_PORT));
        assertThrows(IllegalArgumentException.class, () -> c.value(ConfigKeys.HOME));
    }

    @Test
    void the_connection_limits_default_as_documented() {
        assertEquals(new ConnectionLimits(10_000, 100_000, 64L << 20, Duration.ofSeconds(30), 128, 8L << 20,
                        100, 64 << 10),
                load(Map.of()).limits());
    }

    @Test
    void a_connection_limit_out_of_range_is_refused_naming_the_key_and_the_range() {
        assertMentions(refused(Map.of("burst.connection.max-outbound", "1023")),
                "burst.connection.max-outbound=1023", "an integer from 1024 to 1099511627776");
        assertMentions(refused(Map.of("burst.box.frame-timeout", "PT0.001S")), "burst.box.frame-timeout", "PT0.01S");
    }

    @Test
    void a_degraded_start_is_asked_for_with_serve_and_anything_but_fail_or_serve_is_refused() {
        assertFalse(load(Map.of()).startDegraded());
        assertTrue(load(Map.of("burst.start.degraded", "serve")).startDegraded());
        assertMentions(refused(Map.of("burst.start.degraded", "yes")),
                "burst.start.degraded=yes", "one of [fail, serve]");
    }

    @Test
    void following_symlinks_is_true_or_false_and_nothing_else() {
        assertFalse(load(Map.of()).followSymlinks());
        assertTrue(load(Map.of("burst.plugins.follow-symlinks", "true")).followSymlinks());
        assertMentions(refused(Map.of("burst.plugins.follow-symlinks", "yes")),
                "burst.plugins.follow-symlinks=yes", "true or false");
    }

    @Test
    void an_unknown_group_key_is_refused_listing_the_known_ones() {
        assertMentions(refused(Map.of("burst.group.default.max-worker", "3")),
                "burst.group.default.max-worker=3", "unknown group key", "max-workers", "task-timeout");
    }

    @Test
    void test_only_keys_under_burst_it_are_let_through() {
        assertEquals(8080, load(Map.of("burst.it.anything", "x")).httpPort());
    }

    @Test
    void operator_keys_are_the_keys_of_the_table_but_the_launcher_s() {
        List<String> keys = ConfigLoader.operatorKeys();

        assertTrue(keys.containsAll(List.of("burst.http.host", "burst.box.max-in-flight", "burst.start.degraded",
                "burst.group.<g>.workers", "burst.group.<g>.max-requests-jitter")), keys::toString);
        assertFalse(keys.contains("burst.home") || keys.contains("burst.conf") || keys.contains("burst.role"));
        assertEquals(keys.stream().sorted().toList(), keys);
    }

    @Test
    void a_group_made_in_code_takes_the_table_s_defaults_for_what_it_does_not_set() {
        GroupConfig g = GroupConfig.of("game", 100, Set.of("hello"), 5, Duration.ofSeconds(1));

        assertEquals(100, g.workers());
        assertEquals(100, g.maxWorkers());
        assertEquals(Duration.ofSeconds(30), g.taskTimeout());
        assertEquals(0, g.maxRequests());
        assertEquals(64, GroupConfig.of("chat", 2, Set.of(), 5, Duration.ofSeconds(1)).maxWorkers());
        assertEquals(load(Map.of()).groups().getFirst(),
                GroupConfig.of("default", 2, Set.of(), 1000, Duration.ofSeconds(5)));
    }

    @Test
    void the_admin_listener_defaults_to_loopback_9910_with_a_generated_token() {
        BurstConfig c = load(Map.of());
        assertEquals("127.0.0.1", c.adminHost());
        assertEquals(9910, c.adminPort());
        assertEquals(java.util.Optional.empty(), c.adminToken());
        assertEquals(java.util.Optional.empty(), c.logFile());
    }

    @Test
    void a_short_admin_token_is_refused_naming_the_key_but_not_showing_the_value() {
        ConfigException e = refused(Map.of("burst.admin.token", "short"));
        assertMentions(e, "burst.admin.token", "at least 16 characters");
        assertFalse(e.getMessage().contains("short"), e.getMessage());
    }

    @Test
    void workers_above_the_group_max_workers_are_refused_naming_the_key() {
        assertMentions(refused(Map.of("burst.group.default.max-workers", "4", "burst.group.default.workers", "5")),
                "burst.group.default.workers=5", "from 0 to 4");
        assertEquals(4, load(Map.of("burst.group.default.max-workers", "4")).groups().getFirst().maxWorkers());
    }

    @Test
    void the_log_file_resolves_against_the_home() {
        assertEquals(HOME.resolve("logs/burst.log"), load(Map.of("burst.log.file", "logs/burst.log")).logFile().orElseThrow());
    }

    @Test
    void the_worker_aot_cache_is_off_when_configured_so_and_a_path_resolves_against_the_home() {
        assertTrue(load(Map.of("burst.worker.aot-cache", "off")).workerAotCache().isEmpty());
        assertEquals(Path.of("/opt/burst/cache/w.aot"),
                load(Map.of("burst.worker.aot-cache", "cache/w.aot")).workerAotCache().orElseThrow());
    }

    @Test
    void auto_puts_the_worker_aot_cache_beside_burst_s_jar_and_nowhere_when_burst_runs_from_classes() {
        // These tests run from target/classes, not a jar: there is no lib/ to put it in.
        assertEquals(ConfigLoader.libDir().map(lib -> lib.resolve("worker.aot")), load(Map.of()).workerAotCache());
        assertTrue(ConfigLoader.libDir().isEmpty());
    }
}
