package dev.burst.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.function.LongPredicate;

/**
 * What idle Box connections cost burst's proxy (issue 10), with the connections held by
 * {@link IdleConnections} (one thread, non-blocking sockets):
 * <ul>
 * <li>{@link #besideLoad}: a Box load's throughput without, then with, N idle connections beside it;</li>
 * <li>{@link #heapPerConnection}: the proxy's live heap (jcmd GC.run, then GC.heap_info) before and with
 *     N idle connections, per connection;</li>
 * <li>{@link #maxHeld}: connections opened until the proxy refuses one (or a target), and whether the
 *     proxy still answers a Box request on a held connection and an HTTP request meanwhile.</li>
 * </ul>
 * A connection counts as held by the proxy once the proxy has accepted it: a socket in its file table
 * with the Box port and one of the source addresses ({@link ProcStats#acceptedFrom}); the kernel also
 * completes connections the proxy has not accepted, up to the listener's backlog.
 *
 * <p>Threads: the caller's (the benchmark's main thread), besides the connections' own.
 */
final class IdleScenarios {

    private static final Duration SETTLE = Duration.ofSeconds(30);
    /** Files the benchmark's JVM keeps for itself (jars, wrk's pipes, the load's sockets) below its limit. */
    private static final long CLIENT_RESERVE = 1_000;

    private final BurstServer burst;
    private final Jcmd jcmd;
    private final List<InetAddress> sources;
    private final int cmd;
    private final byte[] body;

    /**
     * @param sources the loopback addresses to connect from; empty = as many as each count needs
     * @param cmd     the echo's cmd, for the probes
     * @param body    the probes' body
     */
    IdleScenarios(BurstServer burst, Jcmd jcmd, List<InetAddress> sources, int cmd, byte[] body) {
        this.burst = burst;
        this.jcmd = jcmd;
        this.sources = sources;
        this.cmd = cmd;
        this.body = body.clone();
    }

    /** How many connections the client may open: the target, or less when its open-files limit is lower. */
    record Limits(int target, int usable, long clientLimit, long proxyLimit) {
        boolean capped() {
            return usable < target;
        }

        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("target", target);
            m.put("client_open_files_limit", clientLimit);
            m.put("proxy_open_files_limit", proxyLimit);
            if (capped()) {
                m.put("capped_to", usable);
            }
            return m;
        }
    }

    /** The proxy's live heap before and with idle connections. */
    record HeapPerConnection(Limits limits, IdleConnections.Opened opened, long held, long heapBeforeBytes,
                             long heapWithBytes, long rssBeforeKb, long rssWithKb, long outOfMemoryErrors) {
        double bytesPerConnection() {
            return held == 0 ? 0 : (double) (heapWithBytes - heapBeforeBytes) / held;
        }

        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>(limits.json());
            m.putAll(openedJson(opened));
            m.put("held_by_proxy", held);
            m.put("proxy_heap_before_bytes", heapBeforeBytes);
            m.put("proxy_heap_with_bytes", heapWithBytes);
            m.put("proxy_heap_bytes_per_connection", bytesPerConnection());
            m.put("proxy_rss_before_kb", rssBeforeKb);
            m.put("proxy_rss_with_kb", rssWithKb);
            m.put("proxy_rss_bytes_per_connection", held == 0 ? 0 : (rssWithKb - rssBeforeKb) * 1024.0 / held);
            m.put("out_of_memory_errors", outOfMemoryErrors);
            return m;
        }
    }

    /** The same Box load without and with idle connections beside it. */
    record BesideLoad(String scenario, int asked, long held, Scenario.Side without, Scenario.Side with, long outOfMemoryErrors) {
        double ratio() {
            double w = without.stats().throughput();
            return w == 0 ? 0 : with.stats().throughput() / w;
        }

        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("scenario", scenario);
            m.put("idle_asked", asked);
            m.put("idle_held_by_proxy", held);
            m.put("without_idle", without.json());
            m.put("with_idle", with.json());
            m.put("throughput_with_over_without", ratio());
            m.put("out_of_memory_errors", outOfMemoryErrors);
            return m;
        }
    }

    /** A probe request's result. */
    record Probe(boolean ok, double ms, String error) {
        static Probe failed(Exception e) {
            return new Probe(false, -1, e.getMessage() == null ? e.toString() : e.getMessage());
        }

        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("ok", ok);
            if (ok) {
                m.put("ms", ms);
            } else {
                m.put("error", error);
            }
            return m;
        }
    }

    /** Connections opened until the proxy refused one, or the target. */
    record MaxHeld(Limits limits, IdleConnections.Opened opened, long held, Probe boxProbe, Probe httpProbe,
                   boolean proxyAlive, long proxyRssKb, long outOfMemoryErrors) {
        boolean serves() {
            return boxProbe.ok() && httpProbe.ok();
        }

        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>(limits.json());
            m.putAll(openedJson(opened));
            m.put("held_by_proxy", held);
            m.put("probe_box_on_held_connection", boxProbe.json());
            m.put("probe_http", httpProbe.json());
            m.put("serves_while_held", serves());
            m.put("proxy_alive", proxyAlive);
            m.put("proxy_rss_kb", proxyRssKb);
            m.put("out_of_memory_errors", outOfMemoryErrors);
            return m;
        }
    }

    /** The scenarios that ran, and why the others did not, if one broke the proxy. */
    record Results(Optional<HeapPerConnection> heap, Optional<BesideLoad> beside, Optional<MaxHeld> max,
                   Optional<String> skipped) {
        boolean isEmpty() {
            return heap.isEmpty() && beside.isEmpty() && max.isEmpty();
        }

        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            heap.ifPresent(h -> m.put("heap_per_connection", h.json()));
            beside.ifPresent(b -> m.put("beside_load", b.json()));
            max.ifPresent(x -> m.put("max_held", x.json()));
            skipped.ifPresent(why -> m.put("skipped", why));
            return m;
        }
    }

    private static Map<String, Object> openedJson(IdleConnections.Opened o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("client_open", o.open());
        m.put("stopped_by", o.stop().name().toLowerCase(Locale.ROOT));
        m.put("stopped_because", o.stop().toString() + o.detail().map(d -> " (" + d + ")").orElse(""));
        m.put("opening_ms", o.millis());
        return m;
    }

    /** Opens {@code n} idle connections and reads the proxy's live heap before and with them. */
    HeapPerConnection heapPerConnection(int n) throws IOException, InterruptedException {
        long proxy = burst.proxy().pid();
        Limits limits = limits(n, proxy);
        int mark = burst.log().count();
        long heapBefore = jcmd.liveHeapBytes(proxy);
        long rssBefore = ProcStats.rssKb(proxy).orElse(-1L);
        List<InetAddress> from = sourcesFor(limits.usable());
        try (IdleConnections idle = open(from, limits.usable())) {
            IdleConnections.Opened opened = opened(idle);
            long held = awaitHeld(proxy, from, opened.open());
            Thread.sleep(500);
            long heapWith = jcmd.liveHeapBytes(proxy);
            long rssWith = ProcStats.rssKb(proxy).orElse(-1L);
            return new HeapPerConnection(limits, opened, held, heapBefore, heapWith, rssBefore, rssWith, outOfMemoryErrors(mark));
        } finally {
            awaitReleased(proxy, from);
        }
    }

    /**
     * Runs the load, then opens {@code n} idle connections and runs it again beside them.
     *
     * @param load runs the load once and measures it
     */
    BesideLoad besideLoad(String scenario, int n, Callable<Scenario.Side> load) throws Exception {
        long proxy = burst.proxy().pid();
        Limits limits = limits(n, proxy);
        int mark = burst.log().count();
        Scenario.Side without = load.call();
        List<InetAddress> from = sourcesFor(limits.usable());
        try (IdleConnections idle = open(from, limits.usable())) {
            IdleConnections.Opened opened = opened(idle);
            long held = awaitHeld(proxy, from, opened.open());
            Scenario.Side with = load.call();
            return new BesideLoad(scenario, n, held, without, with, outOfMemoryErrors(mark));
        } finally {
            awaitReleased(proxy, from);
        }
    }

    /** Opens connections until the proxy refuses one or {@code target} are open, then probes the proxy. */
    MaxHeld maxHeld(int target) throws IOException, InterruptedException {
        long proxy = burst.proxy().pid();
        Limits limits = limits(target, proxy);
        int mark = burst.log().count();
        List<InetAddress> from = sourcesFor(limits.usable());
        try (IdleConnections idle = open(from, limits.usable())) {
            IdleConnections.Opened opened = opened(idle);
            long held = awaitHeld(proxy, from, opened.open());
            Probe box;
            try {
                box = idle.probe(cmd, body).map(d -> new Probe(true, d.toNanos() / 1e6, ""))
                        .orElseGet(() -> new Probe(false, -1, "no connection held"));
            } catch (IOException e) {
                box = Probe.failed(e);
            }
            Probe http = httpProbe();
            boolean alive = ProcessHandle.of(proxy).map(ProcessHandle::isAlive).orElse(false);
            return new MaxHeld(limits, opened, held, box, http, alive, ProcStats.rssKb(proxy).orElse(-1L), outOfMemoryErrors(mark));
        } finally {
            awaitReleased(proxy, from);
        }
    }

    private Limits limits(int target, long proxy) {
        long client = ProcStats.openFilesLimit(ProcessHandle.current().pid()).orElse(Long.MAX_VALUE);
        long inUse = ProcStats.openFiles(ProcessHandle.current().pid()).orElse(0L);
        int usable = (int) Math.max(0, Math.min(target, client - inUse - CLIENT_RESERVE));
        return new Limits(target, usable, client, ProcStats.openFilesLimit(proxy).orElse(-1L));
    }

    private List<InetAddress> sourcesFor(int n) {
        return sources.isEmpty() ? IdleConnections.loopbackSources(n) : sources;
    }

    private IdleConnections open(List<InetAddress> from, int n) throws IOException {
        return IdleConnections.open(new InetSocketAddress("127.0.0.1", burst.boxPort()), from, n);
    }

    private static IdleConnections.Opened opened(IdleConnections idle) throws IOException, InterruptedException {
        try {
            return idle.opened().get();
        } catch (ExecutionException e) {
            throw new IOException("opening idle connections failed", e.getCause());
        }
    }

    /**
     * Waits until the proxy has accepted every connection the client opened, or until that count stops
     * growing for 2 s, or 30 s.
     *
     * @return the connections from those sources the proxy holds
     */
    private long awaitHeld(long proxy, List<InetAddress> from, int open) throws InterruptedException {
        return awaitAccepted(proxy, from, n -> n >= open);
    }

    /** After closing: waits until the proxy has let the connections go, so the next scenario starts clean. */
    private void awaitReleased(long proxy, List<InetAddress> from) throws InterruptedException {
        awaitAccepted(proxy, from, n -> n == 0);
    }

    /** @return the proxy's connections from those sources once {@code done}, unchanged for 2 s, or after 30 s */
    private long awaitAccepted(long proxy, List<InetAddress> from, LongPredicate done) throws InterruptedException {
        Set<InetAddress> peers = Set.copyOf(from);
        int port = burst.boxPort();
        long deadline = System.nanoTime() + SETTLE.toNanos();
        long last = -1;
        long lastChange = System.nanoTime();
        while (true) {
            long n = ProcStats.acceptedFrom(proxy, port, peers);
            if (done.test(n) || System.nanoTime() > deadline || (n == last && System.nanoTime() - lastChange > 2_000_000_000L)) {
                return n;
            }
            if (n != last) {
                last = n;
                lastChange = System.nanoTime();
            }
            Thread.sleep(250);
        }
    }

    /** @return the OutOfMemoryErrors burst's log reports since that line: why a proxy stops serving */
    private long outOfMemoryErrors(int mark) {
        return burst.log().since(mark).stream().filter(l -> l.text().contains("OutOfMemoryError")).count();
    }

    private Probe httpProbe() {
        try {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            long t0 = System.nanoTime();
            HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + burst.httpPort() + "/cmd/" + cmd))
                    .timeout(Duration.ofSeconds(5)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            double ms = (System.nanoTime() - t0) / 1e6;
            if (r.statusCode() != 200 || !Arrays.equals(r.body(), body)) {
                return new Probe(false, -1, "HTTP " + r.statusCode());
            }
            return new Probe(true, ms, "");
        } catch (IOException e) {
            return Probe.failed(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Probe.failed(e);
        }
    }
}
