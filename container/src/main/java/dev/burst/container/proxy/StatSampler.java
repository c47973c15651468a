package dev.burst.container.proxy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.burst.container.proxy.StatHistory.Sample;
import dev.burst.container.proxy.dispatch.GroupPool;
import dev.burst.container.proxy.dispatch.GroupStats;
import dev.burst.container.proxy.dispatch.Latency;
import dev.burst.container.proxy.dispatch.PoolWorker;
import dev.burst.container.proxy.users.Users;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Turns the proxy's counters into one {@link StatHistory} sample per second. Requests cost nothing more:
 * each tick reads the counters stat already keeps (cumulative), subtracts the previous tick's, and
 * takes the latency percentiles of the span from the difference of the latency histograms' buckets
 * ({@link Latency#addBucketsTo}). Per cmd, it keeps the newest span's rate, errors and p99 for the
 * dashboard's cmd table.
 *
 * <p>Counters are read one after another while requests are answered, so an answer may be seen in one
 * counter and not yet in another, and land in the next second's sample. A difference is never negative:
 * the reading kept is the largest seen of each count, so a count that ran ahead is not counted again, and
 * over time each outcome's samples add up to its counter.
 *
 * <p>Threads: {@link #tick} on the proxy's timer thread only (once a second); {@link #json} on admin
 * request threads, reading the history (locked) and the newest cmd view (a volatile reference).
 */
final class StatSampler {

    private static final System.Logger LOG = System.getLogger(StatSampler.class.getName());
    /** Sample a little after each whole second, so that timer jitter never puts two ticks in one second. */
    private static final long PHASE_MILLIS = 50;
    /** Cmds in the newest cmd view at most (the busiest). */
    static final int CMDS = 20;

    /**
     * The counters as they stand: cumulative counts (of answers, by outcome), the merged latency buckets
     * of every group, and the gauges.
     */
    record Totals(long ok, long handlerErrors, long rejected, long timedOut, long lost, long unknownCmds,
                  long[] latency, int pending, int busyWorkers, int workers, int generation, long usersOnline,
                  long connections, long pushes, long pushDelivered, long pushOffline, long pushDropped,
                  Map<String, CmdTotals> cmds) {

        /** The counters of a proxy that has answered nothing yet. */
        static final Totals ZERO = new Totals(0, 0, 0, 0, 0, 0, new long[Latency.BUCKETS], 0, 0, 0, 0, 0, 0, 0, 0, 0,
                0, Map.of());
    }

    /** One cmd's cumulative counts, keyed in {@link Totals#cmds()} by {@code group/cmd}. */
    record CmdTotals(String group, int cmd, String name, long requests, long errors, long[] latency) {
    }

    /** One cmd over the newest span: answers and errors per second, and the p99 of its answers. */
    record CmdRate(String group, int cmd, String name, double perSecond, double errorsPerSecond,
                   OptionalDouble p99Millis) {
    }

    private final Supplier<Totals> read;
    private final StatHistory history;
    private final long startMillis;
    private final long startNanos = System.nanoTime();
    /** The largest reading of each counter so far, and when the newest tick took it. */
    private Totals last = Totals.ZERO;
    private long lastMillis;
    private long lastSecond;
    private volatile List<CmdRate> cmds = List.of();

    /**
     * @param read        reads the counters, which are all zero at {@code startMillis}
     * @param history     where the samples go
     * @param startMillis when the counters started, in Unix milliseconds: the first sample spans from it
     */
    StatSampler(Supplier<Totals> read, StatHistory history, long startMillis) {
        this.read = read;
        this.history = history;
        this.startMillis = startMillis;
        this.lastMillis = startMillis;
        this.lastSecond = Math.floorDiv(startMillis, 1000L);
    }

    /** A sampler of a new dispatcher's counters (all zero now) into a fresh history. */
    static StatSampler of(Dispatcher dispatcher) {
        return new StatSampler(() -> read(dispatcher), new StatHistory(), System.currentTimeMillis());
    }

    /**
     * Runs {@link #tick} on the timer once a second, shortly after each whole second. The time is the
     * wall clock at the start, advanced by the monotonic clock, so a step of the system clock bends
     * neither the ring's order nor a span.
     */
    void everySecond(ScheduledExecutorService timer) {
        long firstDelay = 1000 - Math.floorMod(now(), 1000L) + PHASE_MILLIS;
        timer.scheduleAtFixedRate(() -> {
            try {
                tick(now());
            } catch (RuntimeException e) {
                // a periodic task must not die of one failure: the next second samples again
                LOG.log(System.Logger.Level.WARNING, "stat sample failed: " + e, e);
            }
        }, firstDelay, 1000, TimeUnit.MILLISECONDS);
    }

    private long now() {
        return startMillis + (System.nanoTime() - startNanos) / 1_000_000;
    }

    /**
     * Takes a sample at this time, unless one was taken in the same second, or the counters started in it
     * (then the counts go into the next one).
     *
     * @param nowMillis the time, in Unix milliseconds
     */
    void tick(long nowMillis) {
        long second = Math.floorDiv(nowMillis, 1000L);
        if (second <= lastSecond) {
            return;
        }
        Totals now = read.get();
        history.add(sample(last, now, second, nowMillis - lastMillis));
        cmds = cmdRates(last, now, nowMillis - lastMillis);
        last = largest(last, now);
        lastMillis = nowMillis;
        lastSecond = second;
    }

    /** @return the history */
    StatHistory history() {
        return history;
    }

    /** @return the newest span's busiest cmds (by answers per second, then errors) */
    List<CmdRate> cmds() {
        return cmds;
    }

    static Sample sample(Totals before, Totals now, long second, long spanMillis) {
        long[] span = difference(before.latency(), now.latency());
        return new Sample(second, spanMillis, more(before.ok(), now.ok()),
                more(before.handlerErrors(), now.handlerErrors()), more(before.rejected(), now.rejected()),
                more(before.timedOut(), now.timedOut()), more(before.lost(), now.lost()),
                more(before.unknownCmds(), now.unknownCmds()), Latency.percentileMillis(span, 0.50),
                Latency.percentileMillis(span, 0.99), now.pending(), now.busyWorkers(), now.workers(), now.generation(),
                now.usersOnline(), now.connections(), more(before.pushes(), now.pushes()),
                more(before.pushDelivered(), now.pushDelivered()), more(before.pushOffline(), now.pushOffline()),
                more(before.pushDropped(), now.pushDropped()));
    }

    static List<CmdRate> cmdRates(Totals before, Totals now, long spanMillis) {
        double seconds = Math.max(1, spanMillis) / 1000.0;
        List<CmdRate> rates = new ArrayList<>();
        now.cmds().forEach((key, c) -> {
            CmdTotals b = before.cmds().get(key);
            long requests = more(b == null ? 0 : b.requests(), c.requests());
            long errors = more(b == null ? 0 : b.errors(), c.errors());
            if (requests == 0) {
                return;
            }
            long[] span = b == null ? c.latency().clone() : difference(b.latency(), c.latency());
            rates.add(new CmdRate(c.group(), c.cmd(), c.name(), requests / seconds, errors / seconds,
                    Latency.percentileMillis(span, 0.99)));
        });
        rates.sort(Comparator.comparingDouble(CmdRate::perSecond).reversed()
                .thenComparing(Comparator.comparingDouble(CmdRate::errorsPerSecond).reversed())
                .thenComparingInt(CmdRate::cmd));
        return List.copyOf(rates.subList(0, Math.min(CMDS, rates.size())));
    }

    /** @return how much a counter grew; 0 when the new reading is behind the kept one */
    private static long more(long before, long now) {
        return Math.max(0, now - before);
    }

    private static long[] difference(long[] before, long[] now) {
        long[] d = new long[now.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = more(before[i], now[i]);
        }
        return d;
    }

    /** @return the largest of two readings, counter by counter; the gauges of the newer */
    static Totals largest(Totals a, Totals b) {
        Map<String, CmdTotals> cmds = new LinkedHashMap<>(a.cmds());
        b.cmds().forEach((key, c) -> cmds.merge(key, c, (x, y) -> new CmdTotals(y.group(), y.cmd(), y.name(),
                Math.max(x.requests(), y.requests()), Math.max(x.errors(), y.errors()), max(x.latency(), y.latency()))));
        return new Totals(Math.max(a.ok(), b.ok()), Math.max(a.handlerErrors(), b.handlerErrors()),
                Math.max(a.rejected(), b.rejected()), Math.max(a.timedOut(), b.timedOut()), Math.max(a.lost(), b.lost()),
                Math.max(a.unknownCmds(), b.unknownCmds()), max(a.latency(), b.latency()), b.pending(), b.busyWorkers(),
                b.workers(), b.generation(), b.usersOnline(), b.connections(), Math.max(a.pushes(), b.pushes()),
                Math.max(a.pushDelivered(), b.pushDelivered()), Math.max(a.pushOffline(), b.pushOffline()),
                Math.max(a.pushDropped(), b.pushDropped()), cmds);
    }

    private static long[] max(long[] a, long[] b) {
        long[] m = new long[Math.max(a.length, b.length)];
        for (int i = 0; i < m.length; i++) {
            m[i] = Math.max(i < a.length ? a[i] : 0, i < b.length ? b[i] : 0);
        }
        return m;
    }

    /**
     * The dispatcher's counters now. Of a group's answers: ok = answered minus errors; the errors split
     * into handler errors, timeouts, lost workers, and the rest, which are refusals (-10002, -10006).
     */
    static Totals read(Dispatcher dispatcher) {
        long ok = 0;
        long handlerErrors = 0;
        long rejected = 0;
        long timedOut = 0;
        long lost = 0;
        long[] latency = new long[Latency.BUCKETS];
        int pending = 0;
        int busy = 0;
        int workers = 0;
        Map<String, CmdTotals> cmds = new LinkedHashMap<>();
        for (GroupPool g : dispatcher.groups().values()) {
            GroupStats st = g.stats();
            long responses = st.responses.sum();
            long errors = st.errors.sum();
            long handler = st.handlerErrors.sum();
            long timeouts = st.timeouts.sum();
            long workersLost = st.workersLost.sum();
            ok += Math.max(0, responses - errors);
            handlerErrors += handler;
            timedOut += timeouts;
            lost += workersLost;
            rejected += Math.max(0, errors - handler - timeouts - workersLost);
            st.latency().addBucketsTo(latency);
            pending += g.pendingCount();
            for (PoolWorker w : g.workers()) {
                if (w.state() != PoolWorker.State.EXITED) {
                    workers++;
                    busy += w.busy() ? 1 : 0;
                }
            }
            String group = g.config().name();
            st.cmds().forEach((id, c) -> {
                long[] buckets = new long[Latency.BUCKETS];
                c.latency().addBucketsTo(buckets);
                cmds.put(group + "/" + id, new CmdTotals(group, id, c.name(), c.requests.sum(), c.errors.sum(), buckets));
            });
        }
        Users u = dispatcher.users();
        return new Totals(ok, handlerErrors, rejected, timedOut, lost, dispatcher.unknownCmds.sum(), latency, pending,
                busy, workers, dispatcher.generation().number(), u.online(), u.connections(), u.pushes.sum(),
                u.pushDelivered.sum(), u.pushOffline.sum(), u.pushDroppedSlow.sum(), cmds);
    }

    /**
     * {@code GET /admin/stat/history}: the samples after a second, and the newest span's busiest cmds.
     *
     * @param afterSecond a Unix second; 0 for the whole history
     */
    ObjectNode json(long afterSecond) {
        ObjectNode n = StatReport.JSON.createObjectNode();
        n.put("capacity", StatHistory.CAPACITY);
        n.put("interval_ms", 1000);
        ArrayNode samples = n.putArray("samples");
        for (Sample s : history.after(afterSecond)) {
            ObjectNode o = samples.addObject();
            o.put("t", s.second());
            o.put("span_ms", s.spanMillis());
            o.put("ok", s.ok());
            o.put("handler_error", s.handlerErrors());
            o.put("rejected", s.rejected());
            o.put("timed_out", s.timedOut());
            o.put("lost", s.lost());
            o.put("unknown_cmd", s.unknownCmds());
            millis(o, "p50_ms", s.p50Millis());
            millis(o, "p99_ms", s.p99Millis());
            o.put("pending", s.pending());
            o.put("busy_workers", s.busyWorkers());
            o.put("workers", s.workers());
            o.put("generation", s.generation());
            o.put("users_online", s.usersOnline());
            o.put("connections", s.connections());
            o.put("pushes", s.pushes());
            o.put("push_delivered", s.pushDelivered());
            o.put("push_offline", s.pushOffline());
            o.put("push_dropped", s.pushDropped());
        }
        ArrayNode top = n.putArray("cmds");
        for (CmdRate c : cmds) {
            ObjectNode o = top.addObject();
            o.put("group", c.group());
            o.put("cmd", c.cmd());
            o.put("name", c.name());
            o.put("per_second", Math.round(c.perSecond() * 10) / 10.0);
            o.put("errors_per_second", Math.round(c.errorsPerSecond() * 10) / 10.0);
            millis(o, "p99_ms", c.p99Millis());
        }
        return n;
    }

    private static void millis(ObjectNode o, String field, OptionalDouble value) {
        if (value.isPresent()) {
            o.put(field, Math.round(value.getAsDouble() * 1000) / 1000.0);
        } else {
            o.putNull(field);
        }
    }
}
