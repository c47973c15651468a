package dev.burst.bench;

import java.net.InetAddress;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.security.CodeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * The benchmark's options, parsed once from the command line by picocli ({@code bench/run.sh --help}
 * prints them).
 *
 * @param dist               the unpacked distribution to run (bin/burst, lib/, plugins/hello.jar)
 * @param results            where the JSON, the SVG and latest.json go
 * @param pidFile            every process started is appended here (pid and what it is), for run.sh's trap
 * @param classpath          the benchmark's own classpath, for the baseline JVM
 * @param duration           the measured window of each scenario
 * @param warmup             load before each measured window, discarded
 * @param prewarm            load on both servers before the first scenario (JIT), discarded
 * @param protocols          "http", "box" or both
 * @param connections        connection counts of the scenarios (1 and 16)
 * @param pipeline           requests in flight per connection in the extra pipelined Box scenario; 0 = none
 * @param reloadEvery        SIGHUP interval in the reload-under-load phase; zero = no such phase
 * @param restartEvery       SIGUSR2 interval in the restart-under-load phase; zero = no such phase
 * @param underLoad          length of the "during" part of those phases
 * @param calm               length of their "before" and "after" parts
 * @param operationLoad      connections x in-flight of the load in those phases
 * @param startup            whether to measure worker start and reload time with an idle server
 * @param startupRestarts    idle restart_workers timed (each replaces every worker)
 * @param startupReloads     idle reloads timed
 * @param startupSpacing     the pause between one idle restart's end and the next (issue 15: restarts 1 s apart)
 * @param profile            whether to record JFR in the proxy and a worker during extra profiling runs
 * @param workers            workers in burst's default group
 * @param prefetch           burst.group.default.prefetch, if set (tasks a busy worker may hold)
 * @param workerJvmOptions   burst.worker.jvm-options, if set
 * @param proxyJvmOptions    burst.proxy.jvm-options, if set
 * @param baselineJvmOptions the baseline JVM's options
 * @param body               the echo request body
 * @param label              a word for this run (goes into the file names and the JSON)
 * @param idle               idle Box connections whose cost in proxy heap is measured; 0 = not measured
 * @param idleMax            most idle Box connections the max-held scenario opens; 0 = no such scenario
 * @param idleBesideLoad     idle Box connections held beside the Box load of the throughput comparison; 0 = none
 * @param idleSources        loopback addresses the idle connections are bound to; empty = as many of
 *                           127.0.0.2, 127.0.0.3 ... as the counts need
 * @param pushUsers          user counts of the push fan-out scenarios (push-1000 ...); empty = none
 * @param pushEvery          the interval between two toAll requests in them
 * @param pushReaders        threads reading the users' connections
 * @param pushPlugin         the plugin jar the push scenarios need (the push-probe fixture), added to
 *                           burst's plugins folder when they run
 * @param stickyKeys         keys of the sticky scenario (HTTP, Burst-Key, route=key against route=any); 0 = none
 * @param timers             timers armed on each worker in the timer scenario; 0 = no such scenario
 * @param timerPeriod        their period
 * @param timerPlugin        the plugin jar the timer scenario needs (the timer-bench fixture), added to
 *                           burst's plugins folder when it runs
 * @param peer               whether to run issue 15's comparison with gunicorn+nginx (wrk -t1 against burst,
 *                           the baseline and the peer); needs HTTP
 */
record Options(Path dist, Path results, Optional<Path> pidFile, String classpath, Duration duration, Duration warmup,
               Duration prewarm,
               List<String> protocols, List<Integer> connections, int pipeline, Duration reloadEvery,
               Duration restartEvery, Duration underLoad, Duration calm, int operationLoad, boolean startup,
               int startupRestarts, int startupReloads, Duration startupSpacing, boolean profile, int workers, Optional<Integer> prefetch,
               Optional<String> workerJvmOptions,
               Optional<String> proxyJvmOptions, String baselineJvmOptions, String body, String label,
               int idle, int idleMax, int idleBesideLoad, List<InetAddress> idleSources, List<Integer> pushUsers,
               Duration pushEvery, int pushReaders, Path pushPlugin, int stickyKeys, int timers, Duration timerPeriod,
               Path timerPlugin, boolean peer) {

    /**
     * @return the options of this command line
     * @throws ParameterException naming the option, for an unknown option or a bad value (its
     *                            {@code getCommandLine().usage(...)} prints every option)
     */
    static Options parse(String... args) {
        CommandLine cl = commandLine();
        cl.parseArgs(args);
        return ((Cli) cl.getCommand()).options();
    }

    /** @return the parser; after {@code parseArgs}, {@code isUsageHelpRequested()} tells --help, the command {@link Cli#options()} */
    static CommandLine commandLine() {
        return new CommandLine(new Cli());
    }

    boolean http() {
        return protocols.contains("http");
    }

    boolean box() {
        return protocols.contains("box");
    }

    /** @return whether push scenarios run: user counts asked for, and Box among the protocols */
    boolean push() {
        return box() && !pushUsers.isEmpty();
    }

    /** @return whether the sticky scenario runs: keys asked for, and HTTP among the protocols (wrk sends the keys) */
    boolean sticky() {
        return http() && stickyKeys > 0;
    }

    /** @return whether the gunicorn+nginx comparison runs: not turned off, and HTTP among the protocols (wrk drives it) */
    boolean peerComparison() {
        return http() && peer;
    }

    /** @return whether the timer scenario runs: timers asked for, and Box among the protocols (its load) */
    boolean timerScenario() {
        return box() && timers > 0;
    }

    /** @return "2s", "500ms", "2.5ms", "1.5" (seconds) as a duration */
    static Duration duration(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        try {
            double nanosPerUnit = 1e9;
            if (t.endsWith("ms")) {
                t = t.substring(0, t.length() - 2);
                nanosPerUnit = 1e6;
            } else if (t.endsWith("s")) {
                t = t.substring(0, t.length() - 1);
            }
            double value = Double.parseDouble(t);
            if (value < 0 || Double.isNaN(value) || Double.isInfinite(value)) {
                throw new NumberFormatException();
            }
            return Duration.ofNanos(Math.round(value * nanosPerUnit));
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + s + "' is not a duration (2s, 500ms, 1.5)");
        }
    }

    static Duration seconds(double s) {
        return Duration.ofNanos((long) (s * 1e9));
    }

    /** @return the options as JSON-ready data, for the result file */
    Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("duration_s", duration.toMillis() / 1000.0);
        m.put("warmup_s", warmup.toMillis() / 1000.0);
        m.put("prewarm_s", prewarm.toMillis() / 1000.0);
        m.put("protocols", protocols);
        m.put("connections", connections);
        m.put("pipeline", pipeline);
        m.put("reload_every_s", reloadEvery.toMillis() / 1000.0);
        m.put("restart_every_s", restartEvery.toMillis() / 1000.0);
        m.put("under_load_s", underLoad.toMillis() / 1000.0);
        m.put("calm_s", calm.toMillis() / 1000.0);
        m.put("operation_load", operationLoad);
        m.put("startup", startup);
        m.put("startup_restarts", startupRestarts);
        m.put("startup_reloads", startupReloads);
        m.put("startup_spacing_ms", startupSpacing.toMillis());
        m.put("profile", profile);
        m.put("workers", workers);
        m.put("prefetch", prefetch.orElse(null));
        m.put("worker_jvm_options", workerJvmOptions.orElse(null));
        m.put("proxy_jvm_options", proxyJvmOptions.orElse(null));
        m.put("baseline_jvm_options", baselineJvmOptions);
        m.put("body_bytes", body.length());
        m.put("label", label);
        m.put("idle", idle);
        m.put("idle_max", idleMax);
        m.put("idle_beside_load", idleBesideLoad);
        m.put("idle_sources", idleSources.stream().map(InetAddress::getHostAddress).toList());
        m.put("push_users", pushUsers);
        m.put("push_every_ms", pushEvery.toNanos() / 1e6);
        m.put("push_readers", pushReaders);
        m.put("push_plugin", pushPlugin.toString());
        m.put("sticky_keys", stickyKeys);
        m.put("timers", timers);
        m.put("timer_period_ms", timerPeriod.toNanos() / 1e6);
        m.put("timer_plugin", timerPlugin.toString());
        m.put("peer", peer);
        return m;
    }

    /** The command line as picocli sees it; {@link #options()} turns it into {@link Options}. */
    @Command(name = "bench/run.sh", sortOptions = false, usageHelpWidth = 110,
            customSynopsis = "usage: bench/run.sh [options]      (or: java -cp ... dev.burst.bench.Bench --dist DIR [options])%n",
            footer = "%nDurations: 2s, 500ms, 1.5 (seconds).")
    static final class Cli {

        @Spec
        CommandSpec spec;

        @Option(names = "--duration", paramLabel = "S", converter = DurationConverter.class,
                description = "measured seconds per scenario (default 10)")
        Duration duration;
        @Option(names = "--warmup", paramLabel = "S", converter = DurationConverter.class,
                description = "warm-up seconds before each, discarded (default 3)")
        Duration warmup;
        @Option(names = "--prewarm", paramLabel = "S", converter = DurationConverter.class,
                description = "load on both servers before the first scenario, discarded (default 10)")
        Duration prewarm;
        @Option(names = "--quick", description = {"short run: --duration 3 --warmup 1 --prewarm 3 (also the push windows),",
                "operation phases 2+4+2 s, 1 idle reload and restart, --idle 2000 --idle-max 20000"})
        boolean quick;
        @Option(names = "--protocols", paramLabel = "LIST", split = ",", defaultValue = "http,box",
                description = "http,box (default both; http needs wrk)")
        List<String> protocols;
        @Option(names = "--connections", paramLabel = "LIST", split = ",", defaultValue = "1,16",
                description = "connection counts (default 1,16)")
        List<Integer> connections;
        @Option(names = "--pipeline", paramLabel = "M", defaultValue = "8",
                description = {"also run Box at the largest connection count with M requests in flight",
                        "per connection (default 8; 0 = off)"})
        int pipeline;
        @Option(names = "--reload-every", paramLabel = "D", converter = DurationConverter.class, defaultValue = "2s",
                description = "SIGHUP the master every D during a Box load (default 2s; 0 = off)")
        Duration reloadEvery;
        @Option(names = "--restart-every", paramLabel = "D", converter = DurationConverter.class, defaultValue = "5s",
                description = "SIGUSR2 the master every D during a Box load (default 5s; 0 = off)")
        Duration restartEvery;
        @Option(names = "--under-load", paramLabel = "S", converter = DurationConverter.class,
                description = "length of the signalled part of those phases (default 10)")
        Duration underLoad;
        @Option(names = "--calm", paramLabel = "S", converter = DurationConverter.class,
                description = "quiet seconds before and after it (default 5)")
        Duration calm;
        @Option(names = "--operation-load", paramLabel = "N", defaultValue = "16",
                description = "connections (1 in flight each) in those phases (default 16)")
        int operationLoad;
        @Option(names = "--no-startup", description = "skip the idle restart/reload timing")
        boolean noStartup;
        @Option(names = "--startup-restarts", paramLabel = "N",
                description = {"idle restart_workers to time, each replacing every worker; the worst and",
                        "the median spawn-to-ready are reported (default 10; quick 1)"})
        Integer startupRestarts;
        @Option(names = "--startup-spacing", paramLabel = "D", converter = DurationConverter.class, defaultValue = "1s",
                description = "pause between one idle restart's end and the next SIGUSR2 (default 1s)")
        Duration startupSpacing;
        @Option(names = "--startup-reloads", paramLabel = "N", description = "idle reloads to time (default 3; quick 1)")
        Integer startupReloads;
        @Option(names = "--profile", description = "extra runs with JFR in the proxy and a worker; hot frames in the JSON")
        boolean profile;
        @Option(names = "--workers", paramLabel = "N", defaultValue = "2", description = "burst workers (default 2)")
        int workers;
        @Option(names = "--prefetch", paramLabel = "N",
                description = "burst.group.default.prefetch for this run: tasks a busy worker may hold (default: the dist's, 0)")
        Optional<Integer> prefetch;
        @Option(names = "--worker-jvm-options", paramLabel = "S",
                description = "burst.worker.jvm-options for this run (default: the dist's)")
        Optional<String> workerJvmOptions;
        @Option(names = "--proxy-jvm-options", paramLabel = "S",
                description = "burst.proxy.jvm-options for this run (default: the dist's)")
        Optional<String> proxyJvmOptions;
        @Option(names = "--baseline-jvm-options", paramLabel = "S", defaultValue = "",
                description = "options of the baseline JVM (default: none)")
        String baselineJvmOptions;
        @Option(names = "--body", paramLabel = "TEXT", defaultValue = "hello", description = "echo request body (default hello)")
        String body;
        @Option(names = "--label", paramLabel = "WORD", defaultValue = "", description = "a word added to the result's file names")
        String label;
        @Option(names = "--idle", paramLabel = "N",
                description = {"idle Box connections whose proxy heap is measured (jcmd GC.run, GC.heap_info)",
                        "(default 20000; quick 2000; 0 = off)"})
        Integer idle;
        @Option(names = "--idle-max", paramLabel = "N",
                description = {"open idle Box connections until the proxy refuses one, or N (default 100000;",
                        "quick 20000; 0 = off); capped by the open-files limit"})
        Integer idleMax;
        @Option(names = "--idle-beside-load", paramLabel = "N", defaultValue = "10000",
                description = {"Box at the largest connection count again, with N idle connections open beside",
                        "it (default 10000; 0 = off)"})
        int idleBesideLoad;
        @Option(names = "--idle-sources", paramLabel = "LIST", split = ",",
                description = {"loopback addresses the idle connections are bound to (default: as many of",
                        "127.0.0.2, 127.0.0.3 ... as the counts need, ~28k ports each)"})
        List<String> idleSources = new ArrayList<>();
        @Option(names = "--push-users", paramLabel = "LIST", split = ",", defaultValue = "1000,5000",
                description = {"push fan-out scenarios: users logged in over Box, one connection each, one toAll",
                        "every --push-every (default 1000,5000; 0 = off); capped by the open-files limits"})
        List<Integer> pushUsers;
        @Option(names = "--push-every", paramLabel = "D", converter = DurationConverter.class, defaultValue = "10ms",
                description = "interval between two toAll requests in them (default 10ms)")
        Duration pushEvery;
        @Option(names = "--push-readers", paramLabel = "N", defaultValue = "2",
                description = "threads (one NIO selector each) reading the users' connections (default 2)")
        int pushReaders;
        @Option(names = "--push-plugin", paramLabel = "JAR",
                description = {"the push-probe fixture jar the push scenarios load (default: the dist module's",
                        "target/fixtures/push-probe.jar, beside the unpacked distribution)"})
        Optional<Path> pushPlugin;
        @Option(names = "--sticky-keys", paramLabel = "N", defaultValue = "10000",
                description = {"sticky scenario: HTTP at the largest connection count, every request with a",
                        "Burst-Key drawn from N, route=key against route=any (default 10000; 0 = off)"})
        int stickyKeys;
        @Option(names = "--timers", paramLabel = "N", defaultValue = "1000",
                description = {"timer scenario: N timers per worker (timer-bench plugin) beside the largest Box",
                        "scenario, which also runs without them (default 1000; 0 = off)"})
        int timers;
        @Option(names = "--timer-period", paramLabel = "D", converter = DurationConverter.class, defaultValue = "100ms",
                description = "their period (default 100ms)")
        Duration timerPeriod;
        @Option(names = "--timer-plugin", paramLabel = "JAR",
                description = {"the timer-bench fixture jar the timer scenario loads (default: the benchmark's",
                        "target/plugins/timer-bench.jar, which its build copies there)"})
        Optional<Path> timerPlugin;
        @Option(names = "--no-peer",
                description = {"skip the same-run comparison with gunicorn+nginx (wrk -t1 at the largest",
                        "connection count against burst, the baseline and gunicorn+nginx; run.sh",
                        "installs both from Debian)"})
        boolean noPeer;
        @Option(names = "--dist", paramLabel = "DIR", required = true, description = "set by run.sh: the unpacked distribution")
        Path dist;
        @Option(names = "--results", paramLabel = "DIR", defaultValue = "bench/results", description = "set by run.sh")
        Path results;
        @Option(names = "--pid-file", paramLabel = "F", description = "set by run.sh")
        Optional<Path> pidFile;
        @Option(names = "--classpath", paramLabel = "CP", description = "set by run.sh (default: this JVM's)")
        Optional<String> classpath;
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "this help")
        boolean help;

        /** @throws ParameterException naming the option whose value is not allowed */
        Options options() {
            for (String p : protocols) {
                if (!p.equals("http") && !p.equals("box")) {
                    throw bad("--protocols takes http and box, not '" + p + "'");
                }
            }
            if (!label.matches("[A-Za-z0-9_.-]*")) {
                throw bad("--label takes letters, digits, '.', '_' and '-', not '" + label + "'");
            }
            int idleN = orDefault(idle, 2_000, 20_000);
            int idleMaxN = orDefault(idleMax, 20_000, 100_000);
            int restarts = orDefault(startupRestarts, 1, 10);
            int reloads = orDefault(startupReloads, 1, 3);
            for (var e : Map.of("--pipeline", pipeline, "--idle", idleN, "--idle-max", idleMaxN, "--idle-beside-load",
                    idleBesideLoad, "--workers", workers, "--sticky-keys", stickyKeys, "--timers", timers,
                    "--startup-restarts", restarts, "--startup-reloads", reloads).entrySet()) {
                if (e.getValue() < 0) {
                    throw bad(e.getKey() + " takes a count, 0 or more, not " + e.getValue());
                }
            }
            if (prefetch.isPresent() && (prefetch.get() < 0 || prefetch.get() > 64)) {
                throw bad("--prefetch takes 0 to 64, not " + prefetch.get());
            }
            for (int u : pushUsers) {
                if (u < 0) {
                    throw bad("--push-users takes counts, 0 or more, not " + u);
                }
            }
            List<Integer> push = pushUsers.stream().filter(u -> u > 0).toList();
            if (pushEvery.isZero()) {
                throw bad("--push-every takes a positive interval, not " + pushEvery.toMillis() + "ms");
            }
            if (timerPeriod.toNanos() < 1_000) {
                throw bad("--timer-period takes 1 microsecond or more (the plugin counts in microseconds), not "
                        + timerPeriod.toNanos() + " ns");
            }
            if (pushReaders < 1) {
                throw bad("--push-readers takes 1 or more, not " + pushReaders);
            }
            Path distPath = dist.toAbsolutePath();
            List<InetAddress> sources = new ArrayList<>();
            for (String s : idleSources) {
                try {
                    InetAddress a = InetAddress.getByName(s.trim());
                    if (!a.isLoopbackAddress()) {
                        throw bad("--idle-sources takes loopback addresses (127.x.y.z), not '" + s + "'");
                    }
                    sources.add(a);
                } catch (UnknownHostException e) {
                    throw bad("--idle-sources: '" + s + "' is not an address");
                }
            }
            return new Options(distPath, results.toAbsolutePath(), pidFile,
                    classpath.orElse(System.getProperty("java.class.path")),
                    orDefault(duration, Duration.ofSeconds(3), Duration.ofSeconds(10)),
                    orDefault(warmup, Duration.ofSeconds(1), Duration.ofSeconds(3)),
                    orDefault(prewarm, Duration.ofSeconds(3), Duration.ofSeconds(10)),
                    List.copyOf(protocols), List.copyOf(connections), pipeline, reloadEvery, restartEvery,
                    orDefault(underLoad, Duration.ofSeconds(4), Duration.ofSeconds(10)),
                    orDefault(calm, Duration.ofSeconds(2), Duration.ofSeconds(5)),
                    operationLoad, !noStartup, restarts, reloads, startupSpacing,
                    profile,
                    workers, prefetch, workerJvmOptions, proxyJvmOptions, baselineJvmOptions, body, label,
                    idleN, idleMaxN, idleBesideLoad, List.copyOf(sources), push, pushEvery, pushReaders,
                    pushPlugin.map(Path::toAbsolutePath).orElseGet(() -> defaultPushPlugin(distPath)), stickyKeys, timers,
                    timerPeriod, timerPlugin.map(Path::toAbsolutePath).orElseGet(Options::defaultTimerPlugin), !noPeer);
        }

        private <T> T orDefault(T given, T quickValue, T fullValue) {
            return given != null ? given : quick ? quickValue : fullValue;
        }

        private ParameterException bad(String message) {
            return new ParameterException(spec.commandLine(), message);
        }
    }

    /**
     * @return where the dist module leaves the push-probe fixture: {@code dist/target/fixtures/}, two levels
     *         above the unpacked distribution ({@code dist/target/burst-V/burst-V})
     */
    static Path defaultPushPlugin(Path dist) {
        Path target = dist.getParent() == null ? null : dist.getParent().getParent();
        return (target == null ? dist : target).resolve("fixtures").resolve("push-probe.jar");
    }

    /**
     * @return where the benchmark's build leaves the timer-bench fixture: {@code plugins/timer-bench.jar} beside
     *         the benchmark's own code ({@code bench/target/burst-bench-V.jar} or {@code bench/target/classes})
     */
    static Path defaultTimerPlugin() {
        Path fallback = Path.of("bench/target/plugins/timer-bench.jar").toAbsolutePath();
        CodeSource source = Options.class.getProtectionDomain().getCodeSource();
        if (source == null) {
            return fallback;
        }
        Path code;
        try {
            code = Path.of(source.getLocation().toURI());
        } catch (URISyntaxException e) {
            return fallback;
        }
        Path target = code.getParent() == null ? code : code.getParent();
        return target.resolve("plugins").resolve("timer-bench.jar");
    }

    /** "2s", "500ms", "1.5" for picocli. */
    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return duration(value);
        }
    }
}
