package dev.burst.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * Push fan-out (issue 12): N users logged in over Box, one toAll every interval ({@link PushLoad}), in two
 * measured windows back to back:
 * <ul>
 * <li><b>alone</b>: only the pushes; delivered frames per second, delivery latency (driver -> proxy ->
 *     worker -> proxy -> client), CPU per delivered frame of proxy, workers and client (the readers'
 *     own threads apart), and read/write system calls per frame of the proxy and the client;</li>
 * <li><b>beside-echo</b>: the same pushes while the largest Box echo scenario ({@code box-c16}) runs on
 *     other connections; its throughput against the same load measured just before without pushes.</li>
 * </ul>
 * Frames lost to the connected, reading users (accepted pushes x users - received) are counted over the
 * whole run. The user count is capped by the open-files limits of the client and the proxy, like the idle
 * scenarios'.
 *
 * <p>Threads: the caller's (the benchmark's main thread), besides the load's own.
 */
final class PushScenarios {

    /** Files the benchmark's JVM and the proxy keep for themselves below their limits. */
    private static final long RESERVE = 1_000;
    private static final Duration SETTLE = Duration.ofSeconds(30);
    /**
     * Users closed at a time at the end. Each makes burst queue a disconnect event for push-probe's handler;
     * 5,000 at once would overflow the group's queue (max-pending, 1,000 by default) and leave events not
     * run, each with a warning in burst's log.
     */
    private static final int CLOSE_BATCH = 250;
    private static final String ALONE = "alone";
    private static final String BESIDE = "beside-echo";

    private final BurstServer burst;
    private final AdminStat stat;
    private final Duration every;
    private final int readers;
    private final Duration warmup;
    private final Duration duration;
    private final BoxLoad.Config echo;

    /**
     * @param every    the interval between two toAll requests
     * @param readers  reading threads of the users
     * @param warmup   pushes before the first window, and the echo load's warm-up before the second
     * @param duration each measured window
     * @param echo     the echo load run beside the pushes (its warm-up and duration are replaced)
     */
    PushScenarios(BurstServer burst, Duration every, int readers, Duration warmup, Duration duration, BoxLoad.Config echo) {
        this.burst = burst;
        this.stat = new AdminStat(burst);
        this.every = every;
        this.readers = readers;
        this.warmup = warmup;
        this.duration = duration;
        this.echo = new BoxLoad.Config(echo.host(), echo.port(), echo.connections(), echo.inFlight(), warmup, duration, echo.cmd(),
                echo.body());
    }

    /**
     * One measured window of a push run.
     *
     * @param frames              frames read in it and their delivery latency
     * @param cpuUsPerFrame       CPU microseconds per delivered frame: proxy, workers, master, client (this
     *                            whole JVM: readers, driver and, beside the echo, the echo load)
     * @param readerCpuUsPerFrame the reading threads' own CPU per frame
     * @param readerCorePct       the reading threads' CPU, percent of one core
     * @param proxyWritesPerFrame the proxy's write system calls per frame (writev of each push to each
     *                            connection, replies ...), if /proc told them
     * @param clientReadsPerFrame this JVM's read system calls per frame
     * @param machineBusyPct      how busy all cores were, percent of the machine
     * @param otherPct            machine CPU none of ours used, percent of the machine
     */
    record Window(PushTally.WindowStats frames, Map<String, Double> cpuUsPerFrame, double readerCpuUsPerFrame, double readerCorePct,
                  Optional<Double> proxyWritesPerFrame, Optional<Double> clientReadsPerFrame, double machineBusyPct, double otherPct) {
        Map<String, Object> json() {
            Map<String, Object> m = frames.json();
            m.put("cpu_us_per_frame", new LinkedHashMap<>(cpuUsPerFrame));
            m.put("client_reader_cpu_us_per_frame", readerCpuUsPerFrame);
            m.put("client_reader_cpu_pct_of_core", readerCorePct);
            m.put("proxy_write_syscalls_per_frame", proxyWritesPerFrame.orElse(null));
            m.put("client_read_syscalls_per_frame", clientReadsPerFrame.orElse(null));
            m.put("machine_busy_pct", machineBusyPct);
            m.put("unaccounted_cpu_pct", otherPct);
            return m;
        }
    }

    /**
     * One push scenario.
     *
     * @param name       "push-1000"
     * @param limits     the users asked and the open-files limits that may have capped them
     * @param load       what the run counted (pushes, frames, lost)
     * @param alone      the window with the pushes only
     * @param beside     the window with the echo load beside them
     * @param echo       the echo load's measurements in that window
     * @param proxyUsers burst's own users/pushes counters over the scenario (stat's {@code users}, after
     *                   minus before), empty without an admin API
     */
    record Result(String name, IdleScenarios.Limits limits, PushLoad.Result load, Window alone, Window beside, LoadStats echo,
                  Map<String, Long> proxyUsers) {

        long lost() {
            return load.frames().lost();
        }

        /** @return the echo's throughput beside the pushes over without them; 0 when unknown */
        double echoRatio(Scenario.Side without) {
            double w = without.stats().throughput();
            return w == 0 ? 0 : echo.throughput() / w;
        }

        Map<String, Object> json(Scenario.Side echoWithout) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", name);
            m.putAll(limits.json());
            m.put("protocols", load.protocols());
            m.put("users", load.connections());
            m.put("reader_threads", load.readerThreads());
            m.put("login_ms", load.loginMs());
            Map<String, Object> pushes = new LinkedHashMap<>();
            pushes.put("sent", load.sent());
            pushes.put("accepted", load.accepted());
            pushes.put("rejected", load.rejected());
            pushes.put("unanswered", load.unanswered());
            pushes.put("driver_late_p99_ms", load.driverLateP99Ms());
            pushes.put("driver_late_max_ms", load.driverLateMaxMs());
            m.put("pushes", pushes);
            PushTally.Count f = load.frames();
            Map<String, Object> frames = new LinkedHashMap<>();
            frames.put("expected", f.expected());
            frames.put("received", f.received());
            frames.put("lost", f.lost());
            frames.put("duplicates", f.duplicates());
            frames.put("unexpected", f.unexpected());
            frames.put("connections_closed", f.closed());
            frames.put("drain_ms", load.drainMs());
            m.put("frames", frames);
            m.put("alone", alone.json());
            Map<String, Object> b = beside.json();
            b.put("cpu_includes", "the pushes and the echo load: per frame, only comparable between runs");
            b.put("echo", echo.json());
            b.put("echo_throughput_over_without", echoRatio(echoWithout));
            m.put("beside_echo", b);
            if (!proxyUsers.isEmpty()) {
                m.put("proxy_users_stat", new LinkedHashMap<>(proxyUsers));
            }
            if (!load.note().isEmpty()) {
                m.put("note", load.note());
            }
            m.put("timeline", f.timeline().stream().map(PushTally.Second::json).toList());
            return m;
        }
    }

    /**
     * The push scenarios of a run.
     *
     * @param echoScenario the echo load beside the pushes ("box-c16")
     * @param echoWithout  that load just before, without pushes
     * @param failed       scenarios that could not run (a login refused, a connection failed): name -> why
     */
    record Results(Duration every, int readers, String plugin, String echoScenario, Scenario.Side echoWithout, List<Result> scenarios,
                   Map<String, String> failed) {
        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("interval_ms", every.toNanos() / 1e6);
            m.put("plugin", plugin);
            m.put("reader_threads", readers);
            m.put("latency", "driver send -> client read: driver -> proxy -> worker (toAll) -> proxy -> client, one JVM's nanoTime");
            m.put("echo_scenario", echoScenario);
            m.put("echo_without_push", echoWithout.json());
            m.put("scenarios", scenarios.stream().map(r -> r.json(echoWithout)).toList());
            if (!failed.isEmpty()) {
                m.put("failed", failed.entrySet().stream().map(e -> Map.of("name", e.getKey(), "error", e.getValue())).toList());
            }
            return m;
        }
    }

    /** Runs one push scenario with {@code users} users (fewer if the open-files limits say so). */
    Result run(String name, int users) throws IOException, InterruptedException {
        long proxy = burst.proxy().pid();
        IdleScenarios.Limits limits = limits(users, proxy);
        if (limits.usable() < 1) {
            throw new IOException(name + ": no connection fits under the open-files limits (client "
                    + limits.clientLimit() + ", proxy " + limits.proxyLimit() + ")");
        }
        Map<String, Long> before = stat.users().orElse(Map.of());
        List<String> ids = IntStream.range(0, limits.usable()).mapToObj(i -> "bench-" + name + "-" + i).toList();
        List<PushWindows.Layout> layout = List.of(
                new PushWindows.Layout("warmup", warmup, false),
                new PushWindows.Layout(ALONE, duration, true),
                new PushWindows.Layout("echo-warmup", warmup, false),
                new PushWindows.Layout(BESIDE, duration, true));
        PushLoad.Running run = PushLoad.start(new PushLoad.Config(new InetSocketAddress("127.0.0.1", burst.boxPort()), ids, readers,
                every, layout, new PushLoad.Closing(CLOSE_BATCH, this::awaitDisconnectEvents)));
        Map<String, List<Long>> groups = new LinkedHashMap<>();
        groups.put("proxy", List.of(proxy));
        groups.put("workers", burst.workers().stream().map(BurstServer.Child::pid).toList());
        groups.put("master", List.of(burst.masterPid()));
        groups.put("client", List.of(ProcessHandle.current().pid()));

        PushWindows.Window a = run.windows().window(ALONE);
        sleepUntil(a.start());
        Measure alone = Measure.open(groups, run);
        sleepUntil(a.end());
        alone.close(run);

        BoxLoad.Running load = BoxLoad.start(echo);
        sleepUntil(load.measureStart());
        Measure beside = Measure.open(groups, run);
        sleepUntil(load.end());
        beside.close(run);
        LoadStats echoStats = load.await();

        PushLoad.Result r = run.await();
        settle(before);
        Map<String, Long> after = stat.users().orElse(Map.of());
        return new Result(name, limits, r, alone.window(r.frames().window(ALONE)), beside.window(r.frames().window(BESIDE)), echoStats,
                before.isEmpty() || after.isEmpty() ? Map.of() : AdminStat.delta(before, after));
    }

    /** The CPU and system calls of one window. */
    private static final class Measure {
        private final CpuWindow cpu;
        private final long readerStart;
        private final long startNanos;
        private long readerNanos;
        private long wallNanos;

        private Measure(CpuWindow cpu, long readerStart) {
            this.cpu = cpu;
            this.readerStart = readerStart;
            this.startNanos = System.nanoTime();
        }

        static Measure open(Map<String, List<Long>> groups, PushLoad.Running run) {
            return new Measure(CpuWindow.open(groups), run.readerCpuNanos());
        }

        void close(PushLoad.Running run) {
            cpu.close();
            long end = run.readerCpuNanos();
            wallNanos = System.nanoTime() - startNanos;
            readerNanos = readerStart < 0 || end < 0 ? -1 : end - readerStart;
        }

        Window window(PushTally.WindowStats frames) {
            long n = frames.frames();
            return new Window(frames, cpu.usPerUnit(n), readerNanos < 0 || n == 0 ? 0 : readerNanos / 1e3 / n,
                    readerNanos < 0 || wallNanos == 0 ? 0 : 100.0 * readerNanos / wallNanos,
                    cpu.io("proxy").map(io -> n == 0 ? 0 : (double) io.writeCalls() / n),
                    cpu.io("client").map(io -> n == 0 ? 0 : (double) io.readCalls() / n),
                    cpu.busyPct(), cpu.otherPct());
        }
    }

    /**
     * After the users closed: waits until burst counts none of them online and has run (or given up on)
     * every disconnect event they caused, so the next scenario starts clean; 1 s without an admin API.
     */
    private void settle(Map<String, Long> before) throws InterruptedException {
        if (before.isEmpty()) {
            Thread.sleep(1_000);
            return;
        }
        long deadline = System.nanoTime() + SETTLE.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<Map<String, Long>> now = stat.users();
            if (now.isEmpty()) {
                return;
            }
            Map<String, Long> u = now.get();
            if (u.getOrDefault("users_online", 0L) <= before.getOrDefault("users_online", 0L) && pendingDisconnectEvents(u) <= 0) {
                return;
            }
            Thread.sleep(100);
        }
    }

    /** Between two batches of closed users: until burst has fewer than a batch of disconnect events pending (10 s at most). */
    private void awaitDisconnectEvents() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        try {
            while (System.nanoTime() < deadline) {
                Optional<Map<String, Long>> u = stat.users();
                if (u.isEmpty()) {
                    Thread.sleep(50);
                    return;
                }
                if (pendingDisconnectEvents(u.get()) < CLOSE_BATCH) {
                    return;
                }
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** @return disconnect events burst has queued and not yet run, failed or given up on */
    static long pendingDisconnectEvents(Map<String, Long> users) {
        return users.getOrDefault("disconnect_events.queued", 0L) - users.getOrDefault("disconnect_events.run", 0L)
                - users.getOrDefault("disconnect_events.failed", 0L) - users.getOrDefault("disconnect_events.not_run", 0L);
    }

    private static IdleScenarios.Limits limits(int target, long proxy) {
        long self = ProcessHandle.current().pid();
        long client = ProcStats.openFilesLimit(self).orElse(Long.MAX_VALUE);
        long proxyLimit = ProcStats.openFilesLimit(proxy).orElse(Long.MAX_VALUE);
        long clientFree = client - ProcStats.openFiles(self).orElse(0L) - RESERVE;
        long proxyFree = proxyLimit - ProcStats.openFiles(proxy).orElse(0L) - RESERVE;
        int usable = (int) Math.max(0, Math.min(target, Math.min(clientFree, proxyFree)));
        return new IdleScenarios.Limits(target, usable, client, proxyLimit == Long.MAX_VALUE ? -1 : proxyLimit);
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left = nanoTime - System.nanoTime();
        if (left > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    /** @return the interval in ms as a short number: "10", "2.5" */
    static String millis(Duration d) {
        return java.math.BigDecimal.valueOf(d.toNanos(), 6).stripTrailingZeros().toPlainString();
    }
}
