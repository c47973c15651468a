package dev.burst.container.proxy.box;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the Box listener counted: connections and every limit it enforced. Written on the listener's
 * threads, read by the admin API. Counters only grow; gauges go up and down.
 */
public final class BoxStats {

    /** Open connections (gauge). */
    final AtomicInteger open = new AtomicInteger();
    /** Connections accepted. */
    final LongAdder accepted = new LongAdder();
    /** Connections refused at accept: burst.box.max-connections reached. */
    final LongAdder refused = new LongAdder();
    /** Connections closed for a malformed frame (bad magic, packet_len out of range). */
    final LongAdder badFrames = new LongAdder();
    /** Connections closed because a frame took longer than burst.box.frame-timeout. */
    final LongAdder frameTimeouts = new LongAdder();
    /** Connections closed to bring unfinished inbound bytes back under burst.box.max-inbound-bytes. */
    final LongAdder budgetEvictions = new LongAdder();
    /** Connections closed as slow consumers: more than burst.connection.max-outbound queued unread. */
    final LongAdder slowConsumers = new LongAdder();
    /** Times a connection was not read because it had burst.box.max-in-flight requests unanswered. */
    final LongAdder inFlightPauses = new LongAdder();
    /** Replies to accepted requests that could not be delivered: their connection had closed. */
    final LongAdder undeliverable = new LongAdder();
    /** Bytes queued for clients that have not taken them yet (gauge). */
    final AtomicLong outboundBytes = new AtomicLong();

    /** @return open connections */
    public int open() {
        return open.get();
    }

    /** @return connections accepted so far */
    public long accepted() {
        return accepted.sum();
    }

    /** @return connections refused at the connection limit */
    public long refused() {
        return refused.sum();
    }

    /** @return connections closed for a malformed frame */
    public long badFrames() {
        return badFrames.sum();
    }

    /** @return connections closed past burst.box.frame-timeout */
    public long frameTimeouts() {
        return frameTimeouts.sum();
    }

    /** @return connections closed to keep unfinished inbound bytes within the budget */
    public long budgetEvictions() {
        return budgetEvictions.sum();
    }

    /** @return connections closed as slow consumers */
    public long slowConsumers() {
        return slowConsumers.sum();
    }

    /** @return times a connection's reading paused at its in-flight cap */
    public long inFlightPauses() {
        return inFlightPauses.sum();
    }

    /** @return replies whose connection had closed */
    public long undeliverable() {
        return undeliverable.sum();
    }

    /** @return bytes queued for clients that have not read them yet */
    public long outboundBytes() {
        return outboundBytes.get();
    }
}
