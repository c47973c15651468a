package dev.burst.container.proxy.box;

import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The global budget for bytes held in unfinished inbound frames (burst.box.max-inbound-bytes), over
 * every connection. A connection charges what its {@link FrameAssembler} holds. When the total goes
 * over the budget, the connections whose unfinished frame is oldest are closed until it fits again
 * (oldest-partial-first): complete frames, which arrive whole in one read, are never held and so
 * never wait for the budget, and a client that leaves a big frame half-sent loses its connection
 * rather than the server its memory.
 *
 * <p>Threads: any I/O loop; lock-free counters and a concurrent age index.
 */
final class InboundBudget {

    private final long limit;
    private final AtomicLong held = new AtomicLong();
    /** Bytes of connections already told to close, not yet released. */
    private final AtomicLong releasing = new AtomicLong();
    private final AtomicLong ages = new AtomicLong();
    private final Map<Long, BoxConnection> partials = new ConcurrentSkipListMap<>();

    /** @param limit bytes that may be held at once */
    InboundBudget(long limit) {
        this.limit = limit;
    }

    /**
     * A connection now holds {@code now} bytes of unfinished input (it held {@code before}).
     *
     * @return the age key it is registered under (0 when it holds nothing)
     */
    long update(BoxConnection c, long ageKey, long before, long now) {
        if (now == before) {
            return ageKey;
        }
        held.addAndGet(now - before);
        long key = ageKey;
        if (now > 0 && key == 0) {
            key = ages.incrementAndGet();
            partials.put(key, c);
        } else if (now == 0 && key != 0) {
            partials.remove(key);
            key = 0;
        }
        if (now > before) {
            evictOverBudget();
        }
        return key;
    }

    /**
     * A closing connection gives back what it held.
     *
     * @param ageKey    its registration (0 if none)
     * @param bytes     what it held
     * @param releasing what an eviction counted it as releasing (0 if it was not evicted)
     */
    void release(long ageKey, long bytes, long releasing) {
        if (ageKey != 0) {
            partials.remove(ageKey);
        }
        held.addAndGet(-bytes);
        this.releasing.addAndGet(-releasing);
    }

    private void evictOverBudget() {
        for (var e : partials.entrySet()) {
            if (held.get() - releasing.get() <= limit) {
                return;
            }
            BoxConnection c = e.getValue();
            long bytes = c.evictForBudget();
            if (bytes > 0) {
                releasing.addAndGet(bytes);
            }
        }
    }

    /** @return bytes held in unfinished frames now */
    long held() {
        return held.get();
    }

    /** @return the budget */
    long limit() {
        return limit;
    }
}
