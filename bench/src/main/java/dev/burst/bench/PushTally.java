package dev.burst.bench;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What the users of a push run received, whatever protocol they read it over: per connection, which pushes
 * (by sequence number) arrived; per window, how many frames were read in it and their delivery latency,
 * read time minus the send time the driver wrote into the push (both {@link System#nanoTime()} of this
 * JVM). That latency is the whole way: driver -> proxy -> worker (the toAll request) -> proxy -> every
 * connection -> the reading client.
 *
 * <p>Lost frames: every push the proxy accepted (its reply to the driver had ret 0) should reach every
 * connection once; {@link #count} compares that with what each connection received.
 *
 * <p>Threads: {@link #frame}, {@link #unexpected} and {@link #lostConnection} from the reading threads
 * (a connection's calls from one thread at a time; different connections from any threads: the latency
 * recorders are HdrHistogram {@link Recorder}s, wait-free for writers); {@link #start} once, before the
 * first push is sent; {@link #count} once the readers have stopped (their stop happens-before it).
 */
final class PushTally {

    private static final int DIGITS = 3;
    private static final long SECOND = 1_000_000_000L;

    private final List<PushWindows.Layout> layout;
    private final BitSet[] received;
    private final Recorder[] latency;
    private final LongAdder[] read;
    /** Per second from the origin, over the windows: the latency of every frame read in it. */
    private final Recorder[] seconds;
    private final LongAdder distinct = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder unexpected = new LongAdder();
    private final LongAdder lostConnections = new LongAdder();
    private volatile PushWindows windows;

    /**
     * @param connections how many connections report here, numbered 0 .. connections - 1
     * @param layout      the windows, opened by {@link #start}
     */
    PushTally(int connections, List<PushWindows.Layout> layout) {
        this.layout = List.copyOf(layout);
        this.received = new BitSet[connections];
        for (int c = 0; c < connections; c++) {
            received[c] = new BitSet();
        }
        this.latency = new Recorder[layout.size()];
        this.read = new LongAdder[layout.size()];
        for (int w = 0; w < layout.size(); w++) {
            latency[w] = new Recorder(DIGITS);
            read[w] = new LongAdder();
        }
        long nanos = layout.stream().mapToLong(l -> l.length().toNanos()).sum();
        this.seconds = new Recorder[(int) Math.max(1, (nanos + SECOND - 1) / SECOND)];
        for (int t = 0; t < seconds.length; t++) {
            seconds[t] = new Recorder(DIGITS);
        }
    }

    /** Opens the first window at {@code origin}; frames read before this are unexpected. */
    PushWindows start(long origin) {
        PushWindows w = PushWindows.of(origin, layout);
        windows = w;
        return w;
    }

    int connections() {
        return received.length;
    }

    /**
     * A push frame arrived.
     *
     * @param connection which connection read it
     * @param seq        the push's sequence number (from its body)
     * @param sentNanos  when the driver sent the toAll request (from its body)
     * @param readNanos  when the client read it
     */
    void frame(int connection, long seq, long sentNanos, long readNanos) {
        PushWindows w = windows;
        if (w == null || seq < 0 || seq > Integer.MAX_VALUE) {
            unexpected.increment();
            return;
        }
        BitSet got = received[connection];
        if (got.get((int) seq)) {
            duplicates.increment();
            return;
        }
        got.set((int) seq);
        distinct.increment();
        int i = w.indexOf(readNanos);
        if (i < 0 || i >= w.size()) {
            return;                          // read after the last window (draining): counted, not timed
        }
        int slot = slotOf(w.windows().get(i).name());
        long latencyNanos = Math.max(1, readNanos - sentNanos);
        if (w.windows().get(i).measured()) {
            latency[slot].recordValue(latencyNanos);
        }
        read[slot].increment();
        seconds[(int) Math.min(seconds.length - 1, (readNanos - w.origin()) / SECOND)].recordValue(latencyNanos);
    }

    /** A frame that is not a push of this run (another cmd, a bad body, one read before the start). */
    void unexpected(int connection) {
        unexpected.increment();
    }

    /** The server closed a connection, or reading it failed, while the run went on. */
    void lostConnection(int connection) {
        lostConnections.increment();
    }

    /** @return distinct push frames received so far, over all connections: how far delivery has come */
    long distinctFrames() {
        return distinct.sum();
    }

    private int slotOf(String name) {
        for (int i = 0; i < layout.size(); i++) {
            if (layout.get(i).name().equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException(name);
    }

    /**
     * One window's frames: how many were read in it, and (if it is measured) their delivery latency.
     *
     * @param frames frames read in the window
     * @param p50Ms  delivery latency percentiles and maximum, ms (0 when nothing was timed)
     */
    record WindowStats(String name, double seconds, long frames, double p50Ms, double p90Ms, double p99Ms, double maxMs) {
        double framesPerSecond() {
            return seconds <= 0 ? 0 : frames / seconds;
        }

        static WindowStats of(String name, double seconds, long frames, Histogram h) {
            return new WindowStats(name, seconds, frames, LoadStats.ms(h, 50), LoadStats.ms(h, 90), LoadStats.ms(h, 99),
                    h.getTotalCount() == 0 ? 0 : LoadStats.ms(h.getMaxValue()));
        }

        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("seconds", seconds);
            m.put("delivered_frames", frames);
            m.put("delivered_frames_per_s", framesPerSecond());
            m.put("p50_ms", p50Ms);
            m.put("p90_ms", p90Ms);
            m.put("p99_ms", p99Ms);
            m.put("max_ms", maxMs);
            return m;
        }
    }

    /**
     * One second of the run (from the first window's start): frames read in it and their latency. A
     * latency rising second after second means the pushes come faster than they are delivered.
     */
    record Second(int t, String window, long frames, double p50Ms, double p99Ms, double maxMs) {
        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("t", t);
            m.put("window", window);
            m.put("frames", frames);
            m.put("p50_ms", p50Ms);
            m.put("p99_ms", p99Ms);
            m.put("max_ms", maxMs);
            return m;
        }
    }

    /**
     * The frames of a run, counted against the pushes the proxy accepted.
     *
     * @param expected     accepted pushes x connections
     * @param received     of those, the ones received (each at most once per connection)
     * @param duplicates   a push received a second time on the same connection
     * @param unexpected   frames that were no push of this run
     * @param closed       connections the server closed (or that failed) during the run
     * @param windows      per measured window (and the unmeasured ones, with frames only)
     * @param timeline     per second of the windows
     */
    record Count(long expected, long received, long duplicates, long unexpected, long closed, List<WindowStats> windows,
                 List<Second> timeline) {
        /** @return frames that never reached a connection: expected - received */
        long lost() {
            return expected - received;
        }

        WindowStats window(String name) {
            return windows.stream().filter(w -> w.name().equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no window '" + name + "'"));
        }
    }

    /**
     * @param accepted the sequence numbers of the pushes the proxy accepted (ret 0 to the driver)
     * @return what was received of them; call once, after the readers stopped
     */
    Count count(BitSet accepted) {
        PushWindows w = windows;
        if (w == null) {
            throw new IllegalStateException("the run never started");
        }
        long perConnection = accepted.cardinality();
        long got = 0;
        for (BitSet r : received) {
            BitSet both = (BitSet) r.clone();
            both.and(accepted);
            got += both.cardinality();
        }
        List<WindowStats> stats = new ArrayList<>();
        for (PushWindows.Window win : w.windows()) {
            int slot = slotOf(win.name());
            stats.add(WindowStats.of(win.name(), win.seconds(), read[slot].sum(), latency[slot].getIntervalHistogram()));
        }
        List<Second> timeline = new ArrayList<>();
        for (int t = 0; t < seconds.length; t++) {
            Histogram h = seconds[t].getIntervalHistogram();
            int i = w.indexOf(w.origin() + t * SECOND);
            String name = i >= 0 && i < w.size() ? w.windows().get(i).name() : "";
            timeline.add(new Second(t, name, h.getTotalCount(), LoadStats.ms(h, 50), LoadStats.ms(h, 99),
                    h.getTotalCount() == 0 ? 0 : LoadStats.ms(h.getMaxValue())));
        }
        return new Count(perConnection * received.length, got, duplicates.sum(), unexpected.sum(), lostConnections.sum(),
                List.copyOf(stats), List.copyOf(timeline));
    }
}
