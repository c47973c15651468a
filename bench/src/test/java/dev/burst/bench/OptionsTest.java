package dev.burst.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

class OptionsTest {

    @Test
    void without_options_the_full_run_defaults_apply() {
        Options o = Options.parse("--dist", "d");
        assertEquals(Path.of("d").toAbsolutePath(), o.dist());
        assertEquals(Path.of("bench/results").toAbsolutePath(), o.results());
        assertEquals(Optional.empty(), o.pidFile());
        assertEquals(Duration.ofSeconds(10), o.duration());
        assertEquals(Duration.ofSeconds(3), o.warmup());
        assertEquals(Duration.ofSeconds(10), o.prewarm());
        assertEquals(List.of("http", "box"), o.protocols());
        assertEquals(List.of(1, 16), o.connections());
        assertEquals(8, o.pipeline());
        assertEquals(Duration.ofSeconds(2), o.reloadEvery());
        assertEquals(Duration.ofSeconds(5), o.restartEvery());
        assertEquals(Duration.ofSeconds(10), o.underLoad());
        assertEquals(Duration.ofSeconds(5), o.calm());
        assertEquals(16, o.operationLoad());
        assertTrue(o.startup());
        assertEquals(10, o.startupRestarts());
        assertEquals(Duration.ofSeconds(1), o.startupSpacing());
        assertEquals(3, o.startupReloads());
        assertEquals(false, o.profile());
        assertEquals(2, o.workers());
        assertEquals(Optional.empty(), o.workerJvmOptions());
        assertEquals(Optional.empty(), o.proxyJvmOptions());
        assertEquals("", o.baselineJvmOptions());
        assertEquals("hello", o.body());
        assertEquals("", o.label());
        assertEquals(20_000, o.idle());
        assertEquals(100_000, o.idleMax());
        assertEquals(10_000, o.idleBesideLoad());
        assertEquals(List.of(), o.idleSources());
        assertEquals(System.getProperty("java.class.path"), o.classpath());
        assertEquals(List.of(1_000, 5_000), o.pushUsers());
        assertTrue(o.push());
        assertEquals(Duration.ofMillis(10), o.pushEvery());
        assertEquals(2, o.pushReaders());
        assertEquals(10_000, o.stickyKeys());
        assertTrue(o.sticky());
        assertEquals(1_000, o.timers());
        assertEquals(Duration.ofMillis(100), o.timerPeriod());
        assertTrue(o.timerScenario());
        assertTrue(o.peer());
        assertTrue(o.peerComparison());
    }

    @Test
    void the_gunicorn_nginx_comparison_is_off_with_no_peer_or_without_http() {
        assertEquals(false, Options.parse("--dist", "d", "--no-peer").peerComparison());
        assertEquals(false, Options.parse("--dist", "d", "--protocols", "box").peerComparison());
        assertTrue(Options.parse("--dist", "d", "--protocols", "http").peerComparison());
    }

    @Test
    void the_timer_probe_fixture_is_looked_for_where_the_benchmarks_build_copies_it() throws Exception {
        // this test runs from bench/target/classes, so the build's copy is bench/target/plugins/timer-bench.jar
        Path classes = Path.of(Options.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertEquals(classes.getParent().resolve("plugins").resolve("timer-bench.jar"), Options.parse("--dist", "d").timerPlugin());
        assertEquals(Path.of("t.jar").toAbsolutePath(), Options.parse("--dist", "d", "--timer-plugin", "t.jar").timerPlugin());
    }

    @Test
    void the_sticky_scenario_needs_http_and_keys_and_the_timer_scenario_box_and_timers() {
        assertEquals(false, Options.parse("--dist", "d", "--sticky-keys", "0").sticky());
        assertEquals(false, Options.parse("--dist", "d", "--protocols", "box").sticky());
        assertEquals(false, Options.parse("--dist", "d", "--timers", "0").timerScenario());
        assertEquals(false, Options.parse("--dist", "d", "--protocols", "http").timerScenario());
    }

    @Test
    void the_push_probe_fixture_is_looked_for_where_the_dist_module_leaves_it() {
        Options o = Options.parse("--dist", "/src/dist/target/burst-1/burst-1");
        assertEquals(Path.of("/src/dist/target/fixtures/push-probe.jar"), o.pushPlugin());
        assertEquals(Path.of("p.jar").toAbsolutePath(), Options.parse("--dist", "d", "--push-plugin", "p.jar").pushPlugin());
    }

    @Test
    void push_scenarios_are_off_with_no_user_count_or_without_box() {
        assertEquals(List.of(), Options.parse("--dist", "d", "--push-users", "0").pushUsers());
        assertEquals(false, Options.parse("--dist", "d", "--push-users", "0").push());
        assertEquals(false, Options.parse("--dist", "d", "--protocols", "http").push());
    }

    @Test
    void quick_shortens_what_is_not_given_and_keeps_what_is() {
        Options o = Options.parse("--dist", "d", "--quick", "--duration", "5");
        assertEquals(Duration.ofSeconds(5), o.duration());
        assertEquals(Duration.ofSeconds(1), o.warmup());
        assertEquals(Duration.ofSeconds(3), o.prewarm());
        assertEquals(Duration.ofSeconds(4), o.underLoad());
        assertEquals(Duration.ofSeconds(2), o.calm());
        assertEquals(1, o.startupRestarts());
        assertEquals(Duration.ofSeconds(1), o.startupSpacing());
        assertEquals(1, o.startupReloads());
        assertEquals(2_000, o.idle());
        assertEquals(20_000, o.idleMax());
    }

    @Test
    void every_value_is_read_in_its_unit() throws Exception {
        Options o = Options.parse("--dist", "d", "--results", "r", "--pid-file", "p", "--classpath", "cp", "--duration", "1.5",
                "--warmup", "500ms", "--prewarm", "0", "--protocols", "box", "--connections", "1,4,64", "--pipeline", "0",
                "--reload-every", "1s", "--restart-every", "0", "--under-load", "2s", "--calm", "250ms", "--operation-load", "4",
                "--no-startup", "--startup-restarts", "2", "--startup-spacing", "250ms", "--startup-reloads", "5", "--profile", "--workers", "3",
                "--worker-jvm-options", "-XX:+UseSerialGC -Xmx128m", "--proxy-jvm-options=-Xmx1g", "--baseline-jvm-options", "-Xmx64m",
                "--body", "hi there", "--label", "x.1", "--idle", "10", "--idle-max", "0", "--idle-beside-load", "20",
                "--idle-sources", "127.0.0.2,127.0.0.3", "--push-users", "20,0,300", "--push-every", "2.5ms", "--push-readers", "1",
                "--sticky-keys", "50", "--timers", "20", "--timer-period", "20ms", "--no-peer");
        assertEquals(Path.of("r").toAbsolutePath(), o.results());
        assertEquals(Optional.of(Path.of("p")), o.pidFile());
        assertEquals("cp", o.classpath());
        assertEquals(Duration.ofMillis(1500), o.duration());
        assertEquals(Duration.ofMillis(500), o.warmup());
        assertEquals(Duration.ZERO, o.prewarm());
        assertEquals(List.of("box"), o.protocols());
        assertEquals(List.of(1, 4, 64), o.connections());
        assertEquals(0, o.pipeline());
        assertEquals(Duration.ofSeconds(1), o.reloadEvery());
        assertEquals(Duration.ZERO, o.restartEvery());
        assertEquals(Duration.ofSeconds(2), o.underLoad());
        assertEquals(Duration.ofMillis(250), o.calm());
        assertEquals(4, o.operationLoad());
        assertEquals(false, o.startup());
        assertEquals(2, o.startupRestarts());
        assertEquals(Duration.ofMillis(250), o.startupSpacing());
        assertEquals(5, o.startupReloads());
        assertTrue(o.profile());
        assertEquals(3, o.workers());
        assertEquals(Optional.of("-XX:+UseSerialGC -Xmx128m"), o.workerJvmOptions());
        assertEquals(Optional.of("-Xmx1g"), o.proxyJvmOptions());
        assertEquals("-Xmx64m", o.baselineJvmOptions());
        assertEquals("hi there", o.body());
        assertEquals("x.1", o.label());
        assertEquals(10, o.idle());
        assertEquals(0, o.idleMax());
        assertEquals(20, o.idleBesideLoad());
        assertEquals(List.of(InetAddress.getByName("127.0.0.2"), InetAddress.getByName("127.0.0.3")), o.idleSources());
        assertEquals(List.of(20, 300), o.pushUsers());
        assertEquals(Duration.ofNanos(2_500_000), o.pushEvery());
        assertEquals(1, o.pushReaders());
        assertEquals(50, o.stickyKeys());
        assertEquals(20, o.timers());
        assertEquals(Duration.ofMillis(20), o.timerPeriod());
        assertEquals(false, o.peer());
    }

    @Test
    void an_unknown_option_is_refused_by_name() {
        ParameterException e = assertThrows(ParameterException.class, () -> Options.parse("--dist", "d", "--durations", "3"));
        assertTrue(e.getMessage().contains("--durations"), e.getMessage());
    }

    @Test
    void a_bad_duration_is_refused_naming_the_option_and_the_value() {
        ParameterException e = assertThrows(ParameterException.class, () -> Options.parse("--dist", "d", "--calm", "soon"));
        assertTrue(e.getMessage().contains("--calm") && e.getMessage().contains("'soon' is not a duration"), e.getMessage());
        ParameterException negative = assertThrows(ParameterException.class, () -> Options.parse("--dist", "d", "--calm", "-5ms"));
        assertTrue(negative.getMessage().contains("'-5ms' is not a duration"), negative.getMessage());
    }

    @Test
    void protocols_labels_and_sources_outside_what_is_allowed_are_refused() {
        assertTrue(assertThrows(ParameterException.class, () -> Options.parse("--dist", "d", "--protocols", "http,udp"))
                .getMessage().contains("not 'udp'"));
        assertTrue(assertThrows(ParameterException.class, () -> Options.parse("--dist", "d", "--label", "a b"))
                .getMessage().contains("--label"));
        assertTrue(assertThrows(ParameterException.class, () -> Options.parse("--dist", "d", "--idle-sources", "10.0.0.1"))
                .getMessage().contains("loopback"));
        assertTrue(assertThrows(ParameterException.class, () -> Options.parse("--dist", "d", "--idle", "-1"))
                .getMessage().contains("--idle takes a count"));
        assertTrue(assertThrows(ParameterException.class, () -> Options.parse("--dist", "d", "--push-users", "1000,-5"))
                .getMessage().contains("--push-users takes counts, 0 or more, not -5"));
        assertTrue(assertThrows(ParameterException.class, () -> Options.parse("--dist", "d", "--push-every", "0"))
                .getMessage().contains("--push-every takes a positive interval"));
        assertTrue(assertThrows(ParameterException.class, () -> Options.parse("--dist", "d", "--push-readers", "0"))
                .getMessage().contains("--push-readers takes 1 or more"));
        assertTrue(assertThrows(ParameterException.class, () -> Options.parse("--dist", "d", "--sticky-keys", "-1"))
                .getMessage().contains("--sticky-keys takes a count, 0 or more, not -1"));
        assertTrue(assertThrows(ParameterException.class, () -> Options.parse("--dist", "d", "--timers", "-2"))
                .getMessage().contains("--timers takes a count, 0 or more, not -2"));
        assertTrue(assertThrows(ParameterException.class, () -> Options.parse("--dist", "d", "--timer-period", "0"))
                .getMessage().contains("--timer-period takes 1 microsecond or more"));
        assertTrue(assertThrows(ParameterException.class, () -> Options.parse("--dist", "d", "--startup-restarts", "-1"))
                .getMessage().contains("--startup-restarts takes a count, 0 or more, not -1"));
    }

    @Test
    void the_distribution_is_required() {
        assertTrue(assertThrows(ParameterException.class, Options::parse).getMessage().contains("--dist"));
    }

    @Test
    void help_lists_every_option_run_sh_and_the_readme_use() {
        CommandLine cl = Options.commandLine();
        cl.parseArgs("--help");
        assertTrue(cl.isUsageHelpRequested());
        StringWriter out = new StringWriter();
        cl.usage(new PrintWriter(out));
        for (String option : List.of("--duration", "--warmup", "--prewarm", "--quick", "--protocols", "--connections", "--pipeline",
                "--reload-every", "--restart-every", "--under-load", "--calm", "--operation-load", "--no-startup", "--startup-restarts",
                "--startup-spacing", "--startup-reloads", "--profile", "--workers", "--worker-jvm-options", "--proxy-jvm-options", "--baseline-jvm-options",
                "--body", "--label", "--idle", "--idle-max", "--idle-beside-load", "--idle-sources", "--push-users", "--push-every",
                "--push-readers", "--push-plugin", "--sticky-keys", "--timers", "--timer-period", "--timer-plugin", "--no-peer", "--dist", "--results",
                "--pid-file", "--classpath")) {
            assertTrue(Pattern.compile("\\s" + option + "[=\\s]").matcher(out.toString()).find(), option + " is not in the help:\n" + out);
        }
    }
}
