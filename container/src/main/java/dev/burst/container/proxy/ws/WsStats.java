package dev.burst.container.proxy.ws;

import dev.burst.api.DisconnectReason;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the WebSocket endpoint counted: connections, why each closed, and the limits it enforced.
 * Written on connection threads, read by the admin API. Counters only grow; gauges go up and down.
 */
public final class WsStats {

    /** Why a WebSocket connection closed: the first cause given wins. */
    enum Close {
        /** the client closed it (a close frame, or the connection dropped) */
        CLIENT(DisconnectReason.CLIENT_CLOSED),
        /** a binary message that is not one well-formed Box frame (close code 1002) */
        BAD_FRAME(DisconnectReason.PROTOCOL_ERROR),
        /** a text message (close code 1003) */
        TEXT_MESSAGE(DisconnectReason.PROTOCOL_ERROR),
        /** a message or frame over burst.box.max-packet (close code 1009) */
        TOO_BIG(DisconnectReason.PROTOCOL_ERROR),
        /** a message not whole within burst.box.frame-timeout of its first byte */
        FRAME_TIMEOUT(DisconnectReason.PROTOCOL_ERROR),
        /** its unfinished message did not fit in burst.box.max-inbound-bytes */
        INBOUND_BUDGET(DisconnectReason.PROTOCOL_ERROR),
        /** more than burst.connection.max-outbound bytes queued unread */
        SLOW_CONSUMER(DisconnectReason.SLOW_CONSUMER),
        /** its user logged in elsewhere */
        KICKED(DisconnectReason.KICKED),
        /** a push closed it */
        CLOSED_BY_PUSH(DisconnectReason.CLOSED_BY_PUSH),
        /** burst is stopping (close code 1001) */
        STOPPING(DisconnectReason.SERVER_STOPPING);

        final DisconnectReason reason;

        Close(DisconnectReason reason) {
            this.reason = reason;
        }

        /** @return the cause a server-side close for this reason is counted under */
        static Close of(DisconnectReason reason) {
            return switch (reason) {
                case CLIENT_CLOSED -> CLIENT;
                case PROTOCOL_ERROR -> BAD_FRAME;
                case SLOW_CONSUMER -> SLOW_CONSUMER;
                case KICKED -> KICKED;
                case CLOSED_BY_PUSH -> CLOSED_BY_PUSH;
                case SERVER_STOPPING -> STOPPING;
            };
        }
    }

    /** Open connections (gauge). */
    final AtomicInteger open = new AtomicInteger();
    /** Connections upgraded and opened. */
    final LongAdder accepted = new LongAdder();
    /** Closed connections, by cause. */
    private final Map<Close, LongAdder> closed = new EnumMap<>(Close.class);
    /** Times a connection's reading waited because it had burst.box.max-in-flight requests unanswered. */
    final LongAdder inFlightPauses = new LongAdder();
    /** Replies to accepted requests that could not be delivered: their connection was closing or closed. */
    final LongAdder undeliverable = new LongAdder();
    /** Bytes queued for clients that have not taken them yet (gauge). */
    final AtomicLong outboundBytes = new AtomicLong();

    WsStats() {
        for (Close c : Close.values()) {
            closed.put(c, new LongAdder());
        }
    }

    void closed(Close cause) {
        closed.get(cause).increment();
    }

    /** @return open connections */
    public int open() {
        return open.get();
    }

    /** @return connections opened so far */
    public long accepted() {
        return accepted.sum();
    }

    /** @return connections the client closed */
    public long closedByClient() {
        return closed.get(Close.CLIENT).sum();
    }

    /** @return connections closed for a binary message that is not one well-formed Box frame */
    public long closedBadFrame() {
        return closed.get(Close.BAD_FRAME).sum();
    }

    /** @return connections closed for a text message */
    public long closedTextMessage() {
        return closed.get(Close.TEXT_MESSAGE).sum();
    }

    /** @return connections closed for a message or frame over burst.box.max-packet */
    public long closedTooBig() {
        return closed.get(Close.TOO_BIG).sum();
    }

    /** @return connections closed for a message not whole within burst.box.frame-timeout */
    public long closedFrameTimeout() {
        return closed.get(Close.FRAME_TIMEOUT).sum();
    }

    /** @return connections closed because their unfinished message did not fit in burst.box.max-inbound-bytes */
    public long closedInboundBudget() {
        return closed.get(Close.INBOUND_BUDGET).sum();
    }

    /** @return connections closed as slow consumers */
    public long closedSlowConsumer() {
        return closed.get(Close.SLOW_CONSUMER).sum();
    }

    /** @return connections closed because their user logged in elsewhere */
    public long closedKicked() {
        return closed.get(Close.KICKED).sum();
    }

    /** @return connections closed by a push */
    public long closedByPush() {
        return closed.get(Close.CLOSED_BY_PUSH).sum();
    }

    /** @return connections closed because burst was stopping */
    public long closedStopping() {
        return closed.get(Close.STOPPING).sum();
    }

    /** @return times a connection's reading waited at its in-flight cap */
    public long inFlightPauses() {
        return inFlightPauses.sum();
    }

    /** @return replies whose connection was closing or closed */
    public long undeliverable() {
        return undeliverable.sum();
    }

    /** @return bytes queued for clients that have not read them yet */
    public long outboundBytes() {
        return outboundBytes.get();
    }
}
