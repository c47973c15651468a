package dev.burst.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * The benchmark: starts burst from the distribution (2 workers, the hello plugin, the push-probe fixture
 * for the push scenarios and the timer-bench fixture for the timer scenario) and the {@link Baseline} in
 * its own JVM, then, in order:
 * <ol>
 * <li>each {@link Scenario} against both, interleaved (HTTP via wrk, Box via {@link BoxLoad}), with the
 *     CPU each process spent per request;</li>
 * <li>memory (RSS) of every process after that load;</li>
 * <li>issue 15's same-run comparison ({@link PeerComparison}): wrk -t1 at the largest connection count
 *     against burst, the baseline and {@link GunicornNginx}, started for it and stopped after it;</li>
 * <li>optionally ({@code --profile}) extra runs with JFR in the proxy and the workers;</li>
 * <li>push fan-out ({@link PushScenarios}): users logged in over Box, one toAll every 10 ms, alone and
 *     beside the largest Box echo load;</li>
 * <li>sticky keys ({@link StickyScenario}): HTTP with a random {@code Burst-Key} per request, against two
 *     bursts started for it, route=any and route=key;</li>
 * <li>timers under load ({@link TimerScenario}): the largest Box echo load without, with and again
 *     without N timers per worker (the timer-bench plugin), and how late the ticks started;</li>
 * <li>startup with an idle server: an idle restart_workers (replacement spawn-to-ready, fresh worker
 *     RSS) and idle reloads;</li>
 * <li>reload and restart under a Box load, signals at fixed intervals (outcomes through {@link Operations});</li>
 * <li>idle Box connections ({@link IdleScenarios}): proxy heap per connection, a Box load beside them,
 *     and the most the proxy holds (last: it may leave the proxy unable to serve).</li>
 * </ol>
 * then stops everything it started, by PID (also on failure and on SIGTERM/SIGINT, through a shutdown
 * hook), and writes {@code <results>/<timestamp>.json}, {@code latest.json}, {@code <timestamp>.svg}
 * and prints a table.
 *
 * <p>Threads: everything here runs on the main thread; the loads have their own ({@link BoxLoad}, wrk).
 */
public final class Bench {

    private static final int ECHO = 1;
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");
    /** How long timer-bench holds each control request, so that the ones sent together reach different workers. */
    private static final Duration TIMER_PROBE_HOLD = Duration.ofMillis(100);

    private final Options options;
    private final Path work;
    private final Pids pids;
    private final LocalDateTime started = LocalDateTime.now();
    private final byte[] body;
    private volatile BurstServer burst;
    private volatile BaselineServer baseline;
    /** The gunicorn+nginx peer, while the comparison runs. */
    private volatile GunicornNginx peer;
    /** The sticky scenario's own bursts (route=any, route=key), while it runs. */
    private final List<BurstServer> sticky = new CopyOnWriteArrayList<>();
    private Operations operations;
    private Path lua;
    private Path wrk;
    private long stopMs = -1;

    private Bench(Options options, Path work, Pids pids) {
        this.options = options;
        this.work = work;
        this.pids = pids;
        this.body = options.body().getBytes(StandardCharsets.UTF_8);
    }

    public static void main(String[] args) {
        Options o;
        CommandLine cl = Options.commandLine();
        try {
            cl.parseArgs(args);
            if (cl.isUsageHelpRequested()) {
                cl.usage(System.out);
                return;
            }
            o = ((Options.Cli) cl.getCommand()).options();
        } catch (ParameterException e) {
            System.err.println(e.getMessage());
            e.getCommandLine().usage(System.err);
            System.exit(2);
            return;
        }
        try {
            Path json = run(o);
            System.out.println("\nresults: " + json + "\n         " + json.resolveSibling(json.getFileName().toString().replace(".json", ".svg"))
                    + "\n         " + json.resolveSibling("latest.json"));
        } catch (Exception e) {
            System.err.println("bench failed: " + e.getMessage());
            e.printStackTrace();
            System.exit(1);
        }
    }

    /**
     * Runs the whole benchmark.
     *
     * @return the JSON result file
     */
    public static Path run(Options o) throws Exception {
        Path work = Files.createTempDirectory("burst-bench-");
        Bench b = new Bench(o, work, new Pids(o.pidFile()));
        Thread hook = new Thread(() -> {
            b.stopAll();
            deleteTree(work);
        }, "bench-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return b.runAll();
        } finally {
            b.stopAll();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // The JVM is already shutting down: the hook runs (and finds nothing left to stop).
            }
            deleteTree(work);
        }
    }

    private Path runAll() throws Exception {
        String stamp = STAMP.format(started) + (options.label().isEmpty() ? "" : "-" + options.label());
        Files.createDirectories(options.results());
        if (options.http()) {
            wrk = Wrk.find().orElseThrow(() -> new IOException(
                    "wrk is not installed (apt-get install wrk; bench/run.sh does it), or run with --protocols box"));
            lua = Wrk.script(work);
        }
        List<Path> extraPlugins = new ArrayList<>();
        if (options.push()) {
            if (!Files.isRegularFile(options.pushPlugin())) {
                throw new IOException("the push scenarios need the push-probe fixture, not found at " + options.pushPlugin()
                        + " (the dist module builds it: ./mvnw -DskipTests package); --push-plugin JAR names another, "
                        + "--push-users 0 turns them off");
            }
            extraPlugins.add(options.pushPlugin());
        }
        if (options.timerScenario()) {
            if (!Files.isRegularFile(options.timerPlugin())) {
                throw new IOException("the timer scenario needs the timer-bench fixture, not found at " + options.timerPlugin()
                        + " (the bench module's build copies it there: ./mvnw -DskipTests package); --timer-plugin JAR names "
                        + "another, --timers 0 turns the scenario off");
            }
            extraPlugins.add(options.timerPlugin());
        }
        double loadBefore = ProcStats.loadAverage();
        say("burst benchmark %s: %d cores, load average %.2f, dist %s", stamp, Runtime.getRuntime().availableProcessors(),
                loadBefore, options.dist());

        burst = BurstServer.start(options.dist(), Files.createDirectories(work.resolve("burst")), burstProps(), extraPlugins, pids);
        long servingMs = System.currentTimeMillis() - burst.launchedMs();
        baseline = BaselineServer.start(options.classpath(), options.baselineJvmOptions(), work, pids);
        say("burst serving (http %d, box %d) in %d ms; baseline pid %d (http %d, box %d)", burst.httpPort(), burst.boxPort(),
                servingMs, baseline.pid(), baseline.httpPort(), baseline.boxPort());
        List<BurstLog.WorkerStart> initial = BurstLog.workerStarts(burst.log().lines());
        operations = Operations.of(burst);
        say("operation outcomes from burst's %s", operations.source());
        checkEcho("burst", burst.httpPort(), burst.boxPort());
        checkEcho("baseline", baseline.httpPort(), baseline.boxPort());

        prewarm();
        List<Scenario.Result> results = new ArrayList<>();
        List<Scenario> scenarios = Scenario.of(options);
        for (int i = 0; i < scenarios.size(); i++) {
            results.add(measure(scenarios.get(i), i % 2 == 1));
        }
        Map<String, Object> memory = memory();
        Report.Peer peerComparison = peerComparison();
        Map<String, Object> profile = options.profile() ? profile(scenarios, stamp) : Map.of();
        Optional<PushScenarios.Results> push = push(scenarios);
        Map<String, String> failed = new LinkedHashMap<>();
        Optional<StickyScenario.Result> sticky = sticky(results, stamp, failed);
        Optional<TimerScenario.Result> timers = timers(scenarios, failed);
        Startup startup = options.startup() ? startup(servingMs, initial) : Startup.firstOnly(servingMs, initial);
        List<OperationPhase> phases = new ArrayList<>();
        if (options.box() && !options.reloadEvery().isZero()) {
            phases.add(underLoad("reload", "HUP", options.reloadEvery()));
        }
        if (options.box() && !options.restartEvery().isZero()) {
            phases.add(underLoad("restart", "USR2", options.restartEvery()));
        }
        Map<String, Object> burstInfo = burstInfo();
        IdleScenarios.Results idle = idle(scenarios);
        Path log = options.results().resolve(stamp + ".burst.log");
        stopAll();
        Files.copy(work.resolve("burst/burst.log"), log, StandardCopyOption.REPLACE_EXISTING);

        Report report = new Report(results, phases, startup, memory, idle, push, new Report.Stateful(sticky, timers, failed),
                peerComparison, loadBefore, ProcStats.loadAverage());
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("schema", "burst-bench/1");
        json.put("started", started.toString());
        json.put("finished", LocalDateTime.now().toString());
        json.put("label", options.label());
        json.put("host", host(loadBefore));
        json.put("options", options.json());
        json.put("burst", burstInfo);
        json.put("scenarios", results.stream().map(Scenario.Result::json).toList());
        json.put("operations", phases.stream().map(OperationPhase::json).toList());
        json.put("startup", startup.json());
        json.put("memory", memory);
        peerComparison.comparison().ifPresent(p -> json.put("peer", p.json()));
        peerComparison.skipped().ifPresent(why -> json.put("peer", Map.of("skipped", why)));
        push.ifPresent(p -> json.put("push", p.json()));
        sticky.ifPresent(r -> json.put("sticky", r.json()));
        timers.ifPresent(r -> json.put("timers", r.json()));
        failed.forEach((scenario, why) -> json.put(scenario, Map.of("failed", why)));
        if (!idle.isEmpty()) {
            json.put("idle", idle.json());
        }
        if (!profile.isEmpty()) {
            json.put("profile", profile);
        }
        json.put("stop_ms", stopMs);
        json.put("targets", report.targets());
        json.put("burst_log", log.getFileName().toString());

        Path out = options.results().resolve(stamp + ".json");
        String text = Json.write(json);
        Files.writeString(out, text, StandardCharsets.UTF_8);
        Files.writeString(options.results().resolve("latest.json"), text, StandardCharsets.UTF_8);
        Files.writeString(options.results().resolve(stamp + ".svg"), Chart.svg(stamp, results, phases), StandardCharsets.UTF_8);
        System.out.println();
        System.out.println(report.table());
        return out;
    }

    private Map<String, String> burstProps() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("burst.group.default.workers", Integer.toString(options.workers()));
        p.put("burst.stop.timeout", "PT20S");
        options.prefetch().ifPresent(n -> p.put("burst.group.default.prefetch", Integer.toString(n)));
        options.workerJvmOptions().ifPresent(v -> p.put("burst.worker.jvm-options", v));
        options.proxyJvmOptions().ifPresent(v -> p.put("burst.proxy.jvm-options", v));
        return p;
    }

    // One request each way before any load: a server that does not echo is a setup error, not a result.
    private void checkEcho(String who, int httpPort, int boxPort) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/cmd/" + ECHO))
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200 || !java.util.Arrays.equals(r.body(), body)) {
            throw new IOException(who + " HTTP echo answered " + r.statusCode() + " '" + new String(r.body(), StandardCharsets.UTF_8) + "'");
        }
        try (Socket s = new Socket("127.0.0.1", boxPort)) {
            s.setSoTimeout(30_000);
            byte[] frame = BoxLoad.frame(ECHO, body);
            BoxLoad.putInt(frame, 20, 42);
            OutputStream out = s.getOutputStream();
            out.write(frame);
            out.flush();
            InputStream in = s.getInputStream();
            byte[] reply = in.readNBytes(frame.length);
            if (reply.length != frame.length || BoxLoad.getInt(reply, 16) != 0 || BoxLoad.getInt(reply, 20) != 42) {
                throw new IOException(who + " Box echo answered " + reply.length + " bytes, ret "
                        + (reply.length >= 20 ? BoxLoad.getInt(reply, 16) : "?"));
            }
        }
    }

    // ---- throughput scenarios ------------------------------------------------------------------------

    /** Both servers get the largest load of every protocol for a while first, so the first scenario is not the JIT's. */
    private void prewarm() throws Exception {
        if (options.prewarm().isZero()) {
            return;
        }
        int c = options.connections().stream().mapToInt(Integer::intValue).max().orElse(16);
        say("prewarm: %.1f s per server and protocol at %d connections", options.prewarm().toMillis() / 1000.0, c);
        for (boolean isBurst : new boolean[] {true, false}) {
            if (options.box()) {
                BoxLoad.run(boxConfig(isBurst ? burst.boxPort() : baseline.boxPort(), c, 1, Duration.ZERO, options.prewarm()));
            }
            if (options.http()) {
                Wrk.run(wrk, lua, options.body(), "http://127.0.0.1:" + (isBurst ? burst.httpPort() : baseline.httpPort()) + "/cmd/"
                        + ECHO, c, options.prewarm());
            }
        }
    }

    private Scenario.Result measure(Scenario s, boolean baselineFirst) throws Exception {
        Scenario.Side b;
        Scenario.Side base;
        if (baselineFirst) {
            base = side(s, "baseline");
            b = side(s, "burst");
        } else {
            b = side(s, "burst");
            base = side(s, "baseline");
        }
        Scenario.Result r = new Scenario.Result(s, b, base);
        say("%-12s burst %8.0f req/s p50 %.3f p99 %.3f ms | baseline %8.0f req/s p50 %.3f p99 %.3f ms | ratio %.2f",
                s.name(), b.stats().throughput(), b.stats().p50Ms(), b.stats().p99Ms(), base.stats().throughput(),
                base.stats().p50Ms(), base.stats().p99Ms(), r.throughputRatio());
        return r;
    }

    private Scenario.Side side(Scenario s, String who) throws Exception {
        return window(s, who).side();
    }

    /**
     * One measured load and when its window was, wall-clock.
     *
     * @param fromEpochMs the measured window's start, milliseconds since the epoch
     * @param toEpochMs   its end
     */
    private record Window(Scenario.Side side, long fromEpochMs, long toEpochMs) {
    }

    private Window window(Scenario s, String who) throws Exception {
        boolean isBurst = who.equals("burst");
        int port = s.protocol().equals("http")
                ? (isBurst ? burst.httpPort() : baseline.httpPort())
                : (isBurst ? burst.boxPort() : baseline.boxPort());
        Map<String, List<Long>> groups = isBurst ? cpuGroups(burst) : new LinkedHashMap<>(Map.of("baseline", List.of(baseline.pid())));
        if (s.protocol().equals("http")) {
            String url = "http://127.0.0.1:" + port + "/cmd/" + ECHO;
            if (!options.warmup().isZero()) {
                Wrk.run(wrk, lua, options.body(), url, s.connections(), options.warmup());
            }
            CpuWindow cpu = CpuWindow.open(groups);
            long from = System.currentTimeMillis();
            Wrk.Run run = Wrk.run(wrk, lua, options.body(), url, s.connections(), options.duration());
            long to = System.currentTimeMillis();
            cpu.close();
            return new Window(cpu.side(run.stats(), "client", run.cpuTicks()), from, to);
        }
        groups.put("client", List.of(ProcessHandle.current().pid()));
        BoxLoad.Running load = BoxLoad.start(boxConfig(port, s.connections(), s.inFlight(), options.warmup(), options.duration()));
        sleepUntil(load.measureStart());
        CpuWindow cpu = CpuWindow.open(groups);
        sleepUntil(load.end());
        cpu.close();
        return new Window(cpu.side(load.await(), null, 0), epochMs(load.measureStart()), epochMs(load.end()));
    }

    /** @return the CPU groups of a burst: its proxy, its workers and its master */
    private static Map<String, List<Long>> cpuGroups(BurstServer b) {
        Map<String, List<Long>> groups = new LinkedHashMap<>();
        groups.put("proxy", List.of(b.proxy().pid()));
        groups.put("workers", b.workers().stream().map(BurstServer.Child::pid).toList());
        groups.put("master", List.of(b.masterPid()));
        return groups;
    }

    /** @return a System.nanoTime() as wall-clock milliseconds */
    private static long epochMs(long nanoTime) {
        return System.currentTimeMillis() + (nanoTime - System.nanoTime()) / 1_000_000;
    }

    private BoxLoad.Config boxConfig(int port, int connections, int inFlight, Duration warmup, Duration duration) {
        return new BoxLoad.Config("127.0.0.1", port, connections, inFlight, warmup, duration, ECHO, body);
    }

    // ---- memory, profile, startup ----------------------------------------------------------------------

    private Map<String, Object> memory() {
        Map<String, Object> after = new LinkedHashMap<>();
        for (BurstServer.Child c : burst.children()) {
            after.put(c.role(), ProcStats.rssKb(c.pid()).orElse(-1L));
        }
        after.put("baseline", ProcStats.rssKb(baseline.pid()).orElse(-1L));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("after_load_rss_kb", after);
        say("RSS after load (MB): %s", mb(after));
        return m;
    }

    private Map<String, Object> profile(List<Scenario> scenarios, String stamp) throws Exception {
        Path dir = Files.createDirectories(options.results().resolve(stamp + "-profile"));
        Path java = Path.of(ProcessHandle.of(burst.masterPid()).flatMap(h -> h.info().command()).orElseThrow());
        Profiler profiler = new Profiler(java);
        int maxC = scenarios.stream().mapToInt(Scenario::connections).max().orElse(1);
        List<Scenario> chosen = scenarios.stream()
                .filter(s -> s.inFlight() == 1 && (s.connections() == maxC || s.name().equals("box-c1")))
                .toList();
        Map<String, Object> all = new LinkedHashMap<>();
        for (Scenario s : chosen) {
            List<BurstServer.Child> targets = new ArrayList<>();
            targets.add(burst.proxy());
            targets.addAll(burst.workers());
            for (BurstServer.Child c : targets) {
                profiler.start(c.pid());
            }
            Scenario.Side side = side(s, "burst");
            Map<String, Object> processes = new LinkedHashMap<>();
            for (BurstServer.Child c : targets) {
                String name = s.name() + "-" + c.role().replace(':', '-').replace('#', '-');
                Path jfr = dir.resolve(name + ".jfr");
                profiler.stop(c.pid(), jfr);
                Map<String, Object> summary = Profiler.summarize(jfr, 25);
                Profiler.writeText(dir.resolve(name + ".txt"), Profiler.text(s.name() + " " + c.role(), summary));
                processes.put(c.role(), summary);
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("throughput_with_jfr", side.stats().throughput());
            m.put("p50_ms_with_jfr", side.stats().p50Ms());
            m.put("processes", processes);
            all.put(s.name(), m);
            say("profiled %s: %.0f req/s with JFR on; %s", s.name(), side.stats().throughput(), dir);
        }
        return all;
    }

    private Startup startup(long servingMs, List<BurstLog.WorkerStart> initial) throws Exception {
        BurstLog log = burst.log();
        List<BurstLog.WorkerStart> replacements = new ArrayList<>();
        long restartWallMs = 0;
        for (int i = 0; i < options.startupRestarts(); i++) {
            Operations.Mark mark = operations.mark();
            long t0 = System.currentTimeMillis();
            burst.signal("USR2");
            Operations.Outcome restart = operations.await("restart", mark, Duration.ofSeconds(120));
            restartWallMs = Math.max(restartWallMs, restart.epochMs() - t0);
            replacements.addAll(BurstLog.workerStarts(log.since(mark.logLine())));
            // Spaced so that one restart's fresh JVMs are not still starting up beside the next one's; 2 s
            // after the last, for the fresh workers' idle RSS.
            Thread.sleep(i + 1 < options.startupRestarts() ? options.startupSpacing().toMillis() : 2_000);
        }
        Map<String, Long> fresh = new LinkedHashMap<>();
        for (BurstServer.Child w : burst.workers()) {
            fresh.put(w.role(), ProcStats.rssKb(w.pid()).orElse(-1L));
        }
        say("idle restart_workers (x%d, %d ms apart): up to %d ms; replacement spawn->ready %s ms; fresh idle worker RSS (MB) %s",
                options.startupRestarts(), options.startupSpacing().toMillis(), restartWallMs,
                replacements.stream().map(BurstLog.WorkerStart::millis).toList(), mb(fresh));
        List<Startup.Reload> reloads = new ArrayList<>();
        for (int i = 0; i < options.startupReloads(); i++) {
            Operations.Mark mark = operations.mark();
            long t0 = System.currentTimeMillis();
            burst.signal("HUP");
            Operations.Outcome r = operations.await("reload", mark, Duration.ofSeconds(120));
            reloads.add(new Startup.Reload(r.ok(), r.reportedMs(), r.epochMs() - t0, r.text()));
            say("idle reload_workers: %s", r.text());
            Thread.sleep(300);
        }
        return new Startup(servingMs, initial, replacements, restartWallMs, reloads, fresh, options.startupRestarts(),
                options.startupSpacing().toMillis());
    }

    // ---- the gunicorn+nginx comparison (issue 15) --------------------------------------------------------

    /**
     * Issue 15's same-run comparison: wrk -t1 at the largest connection count against burst, the baseline
     * and gunicorn+nginx (started for it, stopped after it), one after the other, each after its warm-up.
     * Python has no JIT to warm, so the peer gets no prewarm. A peer that is not installed or does not start
     * is reported as skipped, and the run goes on.
     */
    private Report.Peer peerComparison() throws Exception {
        if (!options.peer()) {
            return Report.Peer.none();
        }
        if (!options.http()) {
            say("peer: skipped, the comparison is HTTP (--protocols http, wrk)");
            return Report.Peer.none();
        }
        GunicornNginx.Executables exe;
        try {
            exe = GunicornNginx.find();
            peer = GunicornNginx.start(exe, work.resolve("peer"), pids, body);
        } catch (IOException e) {
            say("peer: skipped: %s", e.getMessage());
            return new Report.Peer(Optional.empty(), Optional.of(e.getMessage()));
        }
        try {
            int c = options.connections().stream().mapToInt(Integer::intValue).max().orElse(16);
            int threads = 1;
            say("peer: %s serving on 127.0.0.1:%d; wrk -t%d -c%d against burst, baseline and peer", peer.description(), peer.port(),
                    threads, c);
            Scenario.Side b = wrkSide(burst.httpPort(), cpuGroups(burst), threads, c);
            Scenario.Side h = wrkSide(baseline.httpPort(), new LinkedHashMap<>(Map.of("baseline", List.of(baseline.pid()))), threads, c);
            Scenario.Side g = wrkSide(peer.port(), null, threads, c);
            PeerComparison p = new PeerComparison(threads, c, peer.description(), b, h, g);
            say("%s: burst %.0f req/s, Helidon %.0f, gunicorn+nginx %.0f: burst/gunicorn+nginx %.2fx, burst/Helidon %.2fx", p.name(),
                    b.stats().throughput(), h.stats().throughput(), g.stats().throughput(), p.overPeer(), p.overHelidon());
            return new Report.Peer(Optional.of(p), Optional.empty());
        } finally {
            GunicornNginx x = peer;
            peer = null;
            x.close();
        }
    }

    /** One wrk window at 127.0.0.1:port after a warm-up; CPU groups null = the peer's, read after the warm-up. */
    private Scenario.Side wrkSide(int port, Map<String, List<Long>> groups, int threads, int connections) throws Exception {
        String url = "http://127.0.0.1:" + port + "/cmd/" + ECHO;
        if (!options.warmup().isZero()) {
            Wrk.run(wrk, lua, options.body(), url, threads, connections, options.warmup(), 0);
        }
        CpuWindow cpu = CpuWindow.open(groups != null ? groups : peer.cpuGroups());
        Wrk.Run run = Wrk.run(wrk, lua, options.body(), url, threads, connections, options.duration(), 0);
        cpu.close();
        return cpu.side(run.stats(), "client", run.cpuTicks());
    }

    // ---- operations under load -------------------------------------------------------------------------

    private OperationPhase underLoad(String name, String signal, Duration every) throws Exception {
        double calm = options.calm().toMillis() / 1000.0;
        double during = options.underLoad().toMillis() / 1000.0;
        double total = calm + during + calm;
        Operations.Mark mark = operations.mark();
        BoxLoad.Running load = BoxLoad.start(boxConfig(burst.boxPort(), options.operationLoad(), 1, Duration.ofSeconds(1),
                Options.seconds(total)));
        long wallAtStart = System.currentTimeMillis() + (load.measureStart() - System.nanoTime()) / 1_000_000;
        List<Double> signals = new ArrayList<>();
        double step = every.toMillis() / 1000.0;
        for (double t = calm; t < calm + during - 1e-9; t += step) {
            sleepUntil(load.measureStart() + (long) (t * 1e9));
            burst.signal(signal);
            signals.add((System.nanoTime() - load.measureStart()) / 1e9);
        }
        LoadStats stats = load.await();
        LoadRecorder recorder = load.recorder();
        // Let the last operation finish (it may end after the load): its outcome goes on the chart.
        if (!signals.isEmpty()) {
            try {
                operations.awaitCount(name, mark, signals.size(), Duration.ofSeconds(60));
            } catch (IOException e) {
                say("note: %s", e.getMessage().lines().findFirst().orElse(""));
            }
        }
        List<BurstLog.Line> lines = burst.log().since(mark.logLine());
        List<OperationPhase.Outcome> outcomes = operations.since(mark).stream()
                .filter(o -> o.kind().equals(name))
                .map(o -> new OperationPhase.Outcome((o.epochMs() - wallAtStart) / 1000.0, o.ok(), o.reportedMs(), o.text()))
                .toList();
        double[] bounds = {calm, calm + during};
        OperationPhase p = new OperationPhase(name, signal, step, bounds, stats, OperationPhase.split(recorder, bounds, total),
                signals, outcomes, BurstLog.workerStarts(lines));
        say("%s under load (SIG%s every %.1fs, %d conn): %d failed of %d; p99 before/during/after %.3f / %.3f / %.3f ms; %d of %d ok",
                name, signal, step, options.operationLoad(), stats.errors(), stats.requests() + stats.errors(),
                p.parts().get(0).p99Ms(), p.parts().get(1).p99Ms(), p.parts().get(2).p99Ms(),
                outcomes.stream().filter(OperationPhase.Outcome::ok).count(), outcomes.size());
        return p;
    }

    // ---- push fan-out ----------------------------------------------------------------------------------

    /**
     * Runs the push scenarios that are asked for: first the largest Box echo scenario alone (the figure the
     * echo beside the pushes is compared with), then each user count.
     */
    private Optional<PushScenarios.Results> push(List<Scenario> scenarios) throws Exception {
        if (options.pushUsers().isEmpty()) {
            return Optional.empty();
        }
        if (!options.box()) {
            say("push: skipped, its users log in over Box (--protocols box)");
            return Optional.empty();
        }
        Scenario echo = scenarios.stream().filter(s -> s.protocol().equals("box") && s.inFlight() == 1)
                .max(Comparator.comparingInt(Scenario::connections)).orElse(new Scenario("box-c16", "box", 16, 1));
        Scenario.Side without = side(echo, "burst");
        say("push: %s without pushes %.0f req/s, p99 %.3f ms", echo.name(), without.stats().throughput(), without.stats().p99Ms());
        PushScenarios push = new PushScenarios(burst, options.pushEvery(), options.pushReaders(), options.warmup(), options.duration(),
                boxConfig(burst.boxPort(), echo.connections(), 1, options.warmup(), options.duration()));
        List<PushScenarios.Result> results = new ArrayList<>();
        Map<String, String> failed = new LinkedHashMap<>();
        for (int users : options.pushUsers()) {
            PushScenarios.Result r;
            try {
                r = push.run("push-" + users, users);
            } catch (IOException e) {
                // A refused login or a failed connection: that scenario has no result, the run goes on.
                failed.put("push-" + users, e.getMessage());
                say("push-%d FAILED: %s", users, e.getMessage());
                continue;
            }
            results.add(r);
            PushTally.WindowStats a = r.alone().frames();
            say("%s: %d users%s, toAll every %.1f ms: %.0f frames/s, p50 %.3f p99 %.3f ms, %d lost; proxy %.2f us/frame; "
                            + "%s beside: %.0f req/s (%.2fx), pushes p99 %.3f ms%s",
                    r.name(), r.load().connections(), r.limits().capped() ? " (capped from " + users + ")" : "",
                    options.pushEvery().toNanos() / 1e6, a.framesPerSecond(), a.p50Ms(), a.p99Ms(), r.lost(),
                    r.alone().cpuUsPerFrame().getOrDefault("proxy", 0.0), echo.name(), r.echo().throughput(), r.echoRatio(without),
                    r.beside().frames().p99Ms(), r.load().note().isEmpty() ? "" : "; " + r.load().note());
        }
        return Optional.of(new PushScenarios.Results(options.pushEvery(), options.pushReaders(),
                options.pushPlugin().getFileName().toString(), echo.name(), without, results, failed));
    }

    // ---- sticky keys and timers (issue 13) --------------------------------------------------------------

    /**
     * The sticky scenario: HTTP at the largest connection count, each request with a random Burst-Key of
     * N, against two bursts started for it, alike but for the group's route: any, and key (with
     * keyless=reject, so a request without its key would fail rather than run anywhere). Both are fresh and
     * get the same prewarm, so neither has the other's head start in the JIT (against the benchmark's own,
     * long-running burst, a fresh route=key burst measured half its throughput). A burst that does not
     * start is recorded in {@code failed}, and the run goes on.
     */
    private Optional<StickyScenario.Result> sticky(List<Scenario.Result> results, String stamp, Map<String, String> failed)
            throws Exception {
        if (options.stickyKeys() == 0) {
            return Optional.empty();
        }
        if (!options.sticky()) {
            say("sticky: skipped, its keys travel in the HTTP header Burst-Key (--protocols http, wrk)");
            return Optional.empty();
        }
        int c = options.connections().stream().mapToInt(Integer::intValue).max().orElse(16);
        String name = "sticky-c" + c;
        Optional<Scenario.Result> plain = results.stream()
                .filter(r -> r.scenario().protocol().equals("http") && r.scenario().connections() == c).findFirst();
        Map<String, BurstServer> servers = new LinkedHashMap<>();
        Map<String, Path> logs = new LinkedHashMap<>();
        try {
            for (String route : List.of("any", "key")) {
                Map<String, String> props = burstProps();
                // route=key never prefetches: both sides without it, so the ratio measures the routing alone
                props.remove("burst.group.default.prefetch");
                props.put("burst.group.default.route", route);
                if (route.equals("key")) {
                    props.put("burst.group.default.keyless", "reject");
                }
                Path dir = Files.createDirectories(work.resolve("burst-route-" + route));
                logs.put(route, dir.resolve("burst.log"));
                BurstServer b;
                try {
                    b = BurstServer.start(options.dist(), dir, props, List.of(), pids);
                } catch (IOException e) {
                    failed.put("sticky", "the route=" + route + " burst did not start: " + e.getMessage());
                    say("sticky FAILED: the route=%s burst did not start: %s", route, e.getMessage().lines().findFirst().orElse(""));
                    return Optional.empty();
                }
                sticky.add(b);
                servers.put(route, b);
            }
            say("sticky: route=any and route=key bursts serving; prewarm %.1f s each", options.prewarm().toMillis() / 1000.0);
            if (!options.prewarm().isZero()) {
                for (BurstServer b : servers.values()) {
                    Wrk.run(wrk, lua, options.body(), "http://127.0.0.1:" + b.httpPort() + "/cmd/" + ECHO, c, options.prewarm(),
                            options.stickyKeys());
                }
            }
            StickyScenario.Side any = stickySide(servers.get("any"), "any", c);
            StickyScenario.Side key = stickySide(servers.get("key"), "key", c);
            StickyScenario.Result r = new StickyScenario.Result(name, options.stickyKeys(), c, any, key, plain,
                    Map.of("any", stamp + ".route-any.burst.log", "key", stamp + ".route-key.burst.log"));
            say("%s (%d keys): route=any %.0f req/s p99 %.3f ms, workers %s | route=key %.0f req/s p99 %.3f ms, slots %s, workers %s"
                            + " | key/any %.2f", name, options.stickyKeys(), any.load().stats().throughput(), any.load().stats().p99Ms(),
                    any.tasksPerWorker(), key.load().stats().throughput(), key.load().stats().p99Ms(), key.tasksPerSlot(),
                    key.tasksPerWorker(), r.keyOverAny());
            return Optional.of(r);
        } finally {
            for (BurstServer b : servers.values()) {
                sticky.remove(b);
                b.close();
            }
            for (Map.Entry<String, Path> log : logs.entrySet()) {
                if (Files.exists(log.getValue())) {
                    Files.copy(log.getValue(), options.results().resolve(stamp + ".route-" + log.getKey() + ".burst.log"),
                            StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private StickyScenario.Side stickySide(BurstServer server, String route, int connections) throws Exception {
        String url = "http://127.0.0.1:" + server.httpPort() + "/cmd/" + ECHO;
        AdminStat stat = new AdminStat(server);
        if (!options.warmup().isZero()) {
            Wrk.run(wrk, lua, options.body(), url, connections, options.warmup(), options.stickyKeys());
        }
        Optional<JsonNode> before = stat.stat();
        CpuWindow cpu = CpuWindow.open(cpuGroups(server));
        Wrk.Run run = Wrk.run(wrk, lua, options.body(), url, connections, options.duration(), options.stickyKeys());
        cpu.close();
        Optional<JsonNode> after = stat.stat();
        Map<String, Long> workers = Map.of();
        Map<Integer, Long> slots = Map.of();
        if (before.isPresent() && after.isPresent()) {
            workers = AdminStat.delta(AdminStat.workerTasks(before.get()), AdminStat.workerTasks(after.get()));
            slots = AdminStat.delta(AdminStat.slotsRan(before.get(), "default"), AdminStat.slotsRan(after.get(), "default"));
        }
        return new StickyScenario.Side(route, cpu.side(run.stats(), "client", run.cpuTicks()), workers, slots);
    }

    /**
     * The timer scenario: the largest Box echo scenario without timers, with N timers per worker armed by
     * the timer-bench plugin, and without again once they are cancelled. A plugin that cannot be reached on
     * every worker is recorded in {@code failed} and the run goes on.
     */
    private Optional<TimerScenario.Result> timers(List<Scenario> scenarios, Map<String, String> failed) throws Exception {
        if (options.timers() == 0) {
            return Optional.empty();
        }
        if (!options.timerScenario()) {
            say("timers: skipped, their load is the Box echo (--protocols box)");
            return Optional.empty();
        }
        Scenario echo = scenarios.stream().filter(s -> s.protocol().equals("box") && s.inFlight() == 1)
                .max(Comparator.comparingInt(Scenario::connections)).orElse(new Scenario("box-c16", "box", 16, 1));
        TimerProbe probe = new TimerProbe(burst.httpPort(), TIMER_PROBE_HOLD);
        Set<Long> pids = burst.workers().stream().map(BurstServer.Child::pid).collect(Collectors.toCollection(TreeSet::new));
        Map<Long, String> groupOf = burst.workers().stream()
                .collect(Collectors.toMap(BurstServer.Child::pid, w -> w.role().replaceFirst("^worker:", "").replaceFirst("#.*", "")));
        Scenario.Side without = side(echo, "burst");
        Window with;
        Map<Long, Map<String, Long>> reports;
        List<AdminStat.WorkerTimers> stat;
        try {
            probe.arm(options.timers(), options.timerPeriod(), pids);
            with = window(echo, "burst");
            // stat first: the report's hold delays ticks, and stat counts every tick since the timers were armed
            stat = new AdminStat(burst).stat().map(s -> AdminStat.timers(s, TimerScenario.PLUGIN)).orElse(List.of());
            reports = probe.report(with.fromEpochMs(), with.toEpochMs(), pids);
            probe.arm(0, options.timerPeriod(), pids);
        } catch (IOException e) {
            failed.put("timers", e.getMessage());
            say("timers FAILED: %s", e.getMessage());
            return Optional.empty();
        }
        Scenario.Side after = side(echo, "burst");
        double windowS = (with.toEpochMs() - with.fromEpochMs()) / 1000.0;
        List<TimerScenario.Lateness> lateness = reports.entrySet().stream()
                .map(e -> TimerScenario.Lateness.of(groupOf.getOrDefault(e.getKey(), "default"), e.getValue(), windowS)).toList();
        TimerScenario.Result r = new TimerScenario.Result(echo.name(), options.timers(), options.timerPeriod(),
                options.timerPlugin().getFileName().toString(), without, with.side(), after, lateness, stat);
        say("timers (%d x %s ms per worker): %s %.0f req/s with, %.0f without (%.2fx), p50 %+.3f ms; ticks late p99 %.3f ms "
                        + "(worst worker), max %.3f ms", options.timers(), PushScenarios.millis(options.timerPeriod()), echo.name(),
                with.side().stats().throughput(), r.withoutThroughput(), r.withOverWithout(), r.addedP50Ms(), r.worstP99Ms(), r.maxMs());
        return Optional.of(r);
    }

    // ---- idle connections ------------------------------------------------------------------------------

    /**
     * Runs the idle-connection scenarios that are asked for (Box only): beside a load first (its 10,000
     * connections fit today's proxy heap), then the heap per connection, then the most held. A scenario
     * after which burst's log reports an OutOfMemoryError ends the series: the proxy is broken, and what
     * would follow would measure that.
     */
    private IdleScenarios.Results idle(List<Scenario> scenarios) throws Exception {
        Optional<IdleScenarios.HeapPerConnection> heap = Optional.empty();
        Optional<IdleScenarios.BesideLoad> beside = Optional.empty();
        Optional<IdleScenarios.MaxHeld> max = Optional.empty();
        if (!options.box()) {
            return new IdleScenarios.Results(heap, beside, max, Optional.empty());
        }
        Path java = Path.of(ProcessHandle.of(burst.masterPid()).flatMap(h -> h.info().command()).orElseThrow());
        IdleScenarios idle = new IdleScenarios(burst, new Jcmd(java), options.idleSources(), ECHO, body);
        Optional<Scenario> box = scenarios.stream().filter(s -> s.protocol().equals("box") && s.inFlight() == 1)
                .max(Comparator.comparingInt(Scenario::connections));
        if (options.idleBesideLoad() > 0 && box.isPresent()) {
            IdleScenarios.BesideLoad b = idle.besideLoad(box.get().name(), options.idleBesideLoad(), () -> side(box.get(), "burst"));
            beside = Optional.of(b);
            say("idle: %s %.0f req/s without, %.0f req/s beside %d idle connection(s) (%.2fx); p99 %.3f -> %.3f ms",
                    b.scenario(), b.without().stats().throughput(), b.with().stats().throughput(), b.held(), b.ratio(),
                    b.without().stats().p99Ms(), b.with().stats().p99Ms());
            if (b.outOfMemoryErrors() > 0) {
                return skipRest(heap, beside, max, "beside_load");
            }
        }
        if (options.idle() > 0) {
            IdleScenarios.HeapPerConnection h = idle.heapPerConnection(options.idle());
            heap = Optional.of(h);
            say("idle: %d connection(s) held by the proxy (%s); its live heap %.1f -> %.1f MB: %.0f bytes per connection",
                    h.held(), h.opened().stop(), h.heapBeforeBytes() / 1048576.0, h.heapWithBytes() / 1048576.0, h.bytesPerConnection());
            if (h.outOfMemoryErrors() > 0) {
                return skipRest(heap, beside, max, "heap_per_connection");
            }
        }
        if (options.idleMax() > 0) {
            IdleScenarios.MaxHeld x = idle.maxHeld(options.idleMax());
            max = Optional.of(x);
            say("idle: %d connection(s) held by the proxy of %d asked%s; stopped: %s%s; probe box %s, http %s",
                    x.held(), x.limits().target(), x.limits().capped() ? " (capped to " + x.limits().usable() + " by open files)" : "",
                    x.opened().stop(), x.opened().detail().map(d -> " (" + d + ")").orElse(""),
                    x.boxProbe().ok() ? "ok" : x.boxProbe().error(), x.httpProbe().ok() ? "ok" : x.httpProbe().error());
        }
        return new IdleScenarios.Results(heap, beside, max, Optional.empty());
    }

    private static IdleScenarios.Results skipRest(Optional<IdleScenarios.HeapPerConnection> heap,
                                                  Optional<IdleScenarios.BesideLoad> beside, Optional<IdleScenarios.MaxHeld> max,
                                                  String after) {
        String why = "the proxy ran out of heap (OutOfMemoryError in burst's log) in " + after
                + "; the idle scenarios after it did not run";
        say("idle: %s", why);
        return new IdleScenarios.Results(heap, beside, max, Optional.of(why));
    }

    // ---- bookkeeping -----------------------------------------------------------------------------------

    private Map<String, Object> burstInfo() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dist", options.dist().toString());
        m.put("workers", options.workers());
        BurstServer.Child proxy = burst.proxy();
        m.put("proxy_command", withoutClasspath(ProcStats.commandLine(proxy.pid())));
        burst.workers().stream().findFirst().ifPresent(w -> m.put("worker_command", withoutClasspath(ProcStats.commandLine(w.pid()))));
        m.put("master_command", withoutClasspath(ProcStats.commandLine(burst.masterPid())));
        return m;
    }

    private static String withoutClasspath(String cmd) {
        return cmd.replaceAll("-cp \\S+", "-cp ...");
    }

    private Map<String, Object> host(double loadBefore) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("cpu", cpuModel());
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        m.put("java", System.getProperty("java.vm.name") + " " + Runtime.version());
        m.put("load_average_before", loadBefore);
        m.put("load_average_after", ProcStats.loadAverage());
        m.put("open_files_limit", ProcStats.openFilesLimit(ProcessHandle.current().pid()).orElse(-1L));
        return m;
    }

    private static String cpuModel() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name")).findFirst().map(l -> l.replaceFirst("^[^:]*:\\s*", "")).orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    /** Stops burst (graceful, then by force) and the baseline; safe to call twice and from the shutdown hook. */
    private synchronized void stopAll() {
        BurstServer b = burst;
        burst = null;
        if (b != null) {
            long t0 = System.currentTimeMillis();
            b.close();
            stopMs = System.currentTimeMillis() - t0;
        }
        for (BurstServer k : sticky) {
            sticky.remove(k);
            k.close();
        }
        GunicornNginx g = peer;
        peer = null;
        if (g != null) {
            g.close();
        }
        BaselineServer base = baseline;
        baseline = null;
        if (base != null) {
            base.close();
        }
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left = nanoTime - System.nanoTime();
        if (left > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    private static String mb(Map<String, ?> kb) {
        StringBuilder sb = new StringBuilder();
        kb.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : ", ").append(k).append(' ')
                .append(String.format("%.0f", ((Number) v).longValue() / 1024.0)));
        return sb.toString();
    }

    private static void say(String format, Object... args) {
        System.out.println("[bench " + CLOCK.format(LocalDateTime.now()) + "] " + String.format(format, args));
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("bench: cannot delete " + dir + ": " + e.getMessage());
        }
    }
}
