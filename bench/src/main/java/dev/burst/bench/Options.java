package dev.burst.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The benchmark's options, parsed once from the command line ({@code bench/run.sh --help} prints them).
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
 * @param profile            whether to record JFR in the proxy and a worker during extra profiling runs
 * @param workers            workers in burst's default group
 * @param workerJvmOptions   burst.worker.jvm-options, if set
 * @param proxyJvmOptions    burst.proxy.jvm-options, if set
 * @param baselineJvmOptions the baseline JVM's options
 * @param body               the echo request body
 * @param label              a word for this run (goes into the file names and the JSON)
 */
record Options(Path dist, Path results, Optional<Path> pidFile, String classpath, Duration duration, Duration warmup,
               Duration prewarm,
               List<String> protocols, List<Integer> connections, int pipeline, Duration reloadEvery,
               Duration restartEvery, Duration underLoad, Duration calm, int operationLoad, boolean startup,
               int startupRestarts, int startupReloads, boolean profile, int workers, Optional<String> workerJvmOptions,
               Optional<String> proxyJvmOptions, String baselineJvmOptions, String body, String label) {

    static final String USAGE = """
            usage: bench/run.sh [options]      (or: java -cp ... dev.burst.bench.Bench --dist DIR [options])

              --duration S             measured seconds per scenario (default 10)
              --warmup S               warm-up seconds before each, discarded (default 3)
              --prewarm S              load on both servers before the first scenario, discarded (default 10)
              --quick                  short run: --duration 3 --warmup 1 --prewarm 3, operation phases 2+4+2 s,
                                       1 idle reload
              --protocols LIST         http,box (default both; http needs wrk)
              --connections LIST       connection counts (default 1,16)
              --pipeline M             also run Box at the largest connection count with M requests in flight
                                       per connection (default 8; 0 = off)
              --reload-every D         SIGHUP the master every D during a Box load (default 2s; 0 = off)
              --restart-every D        SIGUSR2 the master every D during a Box load (default 5s; 0 = off)
              --under-load S           length of the signalled part of those phases (default 10)
              --calm S                 quiet seconds before and after it (default 5)
              --operation-load N       connections (1 in flight each) in those phases (default 16)
              --no-startup             skip the idle restart/reload timing
              --startup-restarts N     idle restart_workers to time (default 3; quick 1)
              --startup-reloads N      idle reloads to time (default 3; quick 1)
              --profile                extra runs with JFR in the proxy and a worker; hot frames in the JSON
              --workers N              burst workers (default 2)
              --worker-jvm-options S   burst.worker.jvm-options for this run (default: the dist's)
              --proxy-jvm-options S    burst.proxy.jvm-options for this run (default: the dist's)
              --baseline-jvm-options S options of the baseline JVM (default: none)
              --body TEXT              echo request body (default hello)
              --label WORD             a word added to the result's file names
              --dist DIR --results DIR --pid-file F --classpath CP   set by run.sh
            Durations: 2s, 500ms, 1.5 (seconds).
            """;

    static Options parse(String... args) {
        Map<String, String> v = new LinkedHashMap<>();
        List<String> flags = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--quick", "--no-startup", "--profile", "--help", "-h" -> flags.add(a);
                default -> {
                    if (!a.startsWith("--") || i + 1 >= args.length) {
                        throw new IllegalArgumentException("bad option '" + a + "'\n" + USAGE);
                    }
                    v.put(a.substring(2), args[++i]);
                }
            }
        }
        if (flags.contains("--help") || flags.contains("-h")) {
            throw new IllegalArgumentException(USAGE);
        }
        boolean quick = flags.contains("--quick");
        Options o = new Options(
                Path.of(required(v, "dist")).toAbsolutePath(),
                Path.of(v.getOrDefault("results", "bench/results")).toAbsolutePath(),
                Optional.ofNullable(v.get("pid-file")).map(Path::of),
                v.getOrDefault("classpath", System.getProperty("java.class.path")),
                duration(v.getOrDefault("duration", quick ? "3" : "10")),
                duration(v.getOrDefault("warmup", quick ? "1" : "3")),
                duration(v.getOrDefault("prewarm", quick ? "3" : "10")),
                list(v.getOrDefault("protocols", "http,box")),
                list(v.getOrDefault("connections", "1,16")).stream().map(Integer::parseInt).toList(),
                Integer.parseInt(v.getOrDefault("pipeline", "8")),
                duration(v.getOrDefault("reload-every", "2s")),
                duration(v.getOrDefault("restart-every", "5s")),
                duration(v.getOrDefault("under-load", quick ? "4" : "10")),
                duration(v.getOrDefault("calm", quick ? "2" : "5")),
                Integer.parseInt(v.getOrDefault("operation-load", "16")),
                !flags.contains("--no-startup"),
                Integer.parseInt(v.getOrDefault("startup-restarts", quick ? "1" : "3")),
                Integer.parseInt(v.getOrDefault("startup-reloads", quick ? "1" : "3")),
                flags.contains("--profile"),
                Integer.parseInt(v.getOrDefault("workers", "2")),
                Optional.ofNullable(v.get("worker-jvm-options")),
                Optional.ofNullable(v.get("proxy-jvm-options")),
                v.getOrDefault("baseline-jvm-options", ""),
                v.getOrDefault("body", "hello"),
                v.getOrDefault("label", ""));
        List<String> known = List.of("dist", "results", "pid-file", "classpath", "duration", "warmup", "prewarm", "protocols", "connections",
                "pipeline", "reload-every", "restart-every", "under-load", "calm", "operation-load", "startup-restarts", "startup-reloads",
                "workers", "worker-jvm-options", "proxy-jvm-options", "baseline-jvm-options", "body", "label");
        for (String k : v.keySet()) {
            if (!known.contains(k)) {
                throw new IllegalArgumentException("unknown option --" + k + "\n" + USAGE);
            }
        }
        for (String p : o.protocols) {
            if (!p.equals("http") && !p.equals("box")) {
                throw new IllegalArgumentException("--protocols takes http and box, not '" + p + "'");
            }
        }
        if (!o.label.matches("[A-Za-z0-9_.-]*")) {
            throw new IllegalArgumentException("--label takes letters, digits, '.', '_' and '-', not '" + o.label + "'");
        }
        return o;
    }

    boolean http() {
        return protocols.contains("http");
    }

    boolean box() {
        return protocols.contains("box");
    }

    /** @return "2s", "500ms", "1.5" (seconds) as a duration */
    static Duration duration(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        if (t.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
        }
        if (t.endsWith("s")) {
            t = t.substring(0, t.length() - 1);
        }
        return seconds(Double.parseDouble(t));
    }

    static Duration seconds(double s) {
        return Duration.ofNanos((long) (s * 1e9));
    }

    private static String required(Map<String, String> v, String key) {
        String s = v.get(key);
        if (s == null) {
            throw new IllegalArgumentException("--" + key + " is required\n" + USAGE);
        }
        return s;
    }

    private static List<String> list(String s) {
        return s.isBlank() ? List.of() : List.of(s.split("\\s*,\\s*"));
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
        m.put("profile", profile);
        m.put("workers", workers);
        m.put("worker_jvm_options", workerJvmOptions.orElse(null));
        m.put("proxy_jvm_options", proxyJvmOptions.orElse(null));
        m.put("baseline_jvm_options", baselineJvmOptions);
        m.put("body_bytes", body.length());
        m.put("label", label);
        return m;
    }
}
