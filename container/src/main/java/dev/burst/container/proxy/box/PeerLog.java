package dev.burst.container.proxy.box;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Logs warnings about a peer at most {@link #BURST} times per interval and peer address (and kind of
 * event), then says how many were not logged: a hostile client cannot fill the log, and an operator
 * still sees who and how often. Remembers a bounded number of peers (the least recently logged are
 * forgotten first).
 *
 * <p>Threads: any; one lock.
 */
public final class PeerLog {

    private static final System.Logger LOG = System.getLogger("dev.burst.container.proxy.box.BoxServer");
    private static final int PEERS = 10_000;
    /** Lines per peer and kind within one interval before the rest are only counted. */
    static final int BURST = 10;

    private final long intervalNanos;
    private final Consumer<String> sink;
    /** Per peer and kind: start of the interval, lines logged in it, lines not logged. */
    private final Map<String, long[]> seen = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, long[]> eldest) {
            return size() > PEERS;
        }
    };

    /** @param intervalNanos the interval: at most {@link #BURST} lines per peer address and kind within it */
    PeerLog(long intervalNanos) {
        this(intervalNanos, line -> LOG.log(System.Logger.Level.WARNING, line));
    }

    /**
     * @param intervalNanos the interval: at most {@link #BURST} lines per peer address and kind within it
     * @param sink          where the lines go (a listener's logger)
     */
    public PeerLog(long intervalNanos, Consumer<String> sink) {
        this.intervalNanos = intervalNanos;
        this.sink = sink;
    }

    /**
     * @param kind    what happened (one line per kind and peer per interval)
     * @param address the peer's address, without the port
     * @param message the line
     */
    public void warn(String kind, String address, String message) {
        long now = System.nanoTime();
        long suppressed;
        synchronized (seen) {
            String key = kind + " " + address;
            long[] s = seen.get(key);
            if (s == null || now - s[0] >= intervalNanos) {
                suppressed = s == null ? 0 : s[2];
                seen.put(key, new long[] {now, 1, 0});
            } else if (s[1] < BURST) {
                s[1]++;
                suppressed = 0;
            } else {
                s[2]++;
                return;
            }
        }
        sink.accept(message + (suppressed > 0 ? " (and " + suppressed + " more like it from "
                + address + " since the last such line)" : ""));
    }
}
