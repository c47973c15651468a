package dev.burst.container.proxy;

import dev.burst.container.protocol.WireMessage.GroupHealth;
import dev.burst.container.protocol.WireMessage.Operation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the master told this proxy: its operation records (the newest kept, for
 * {@code GET /admin/operations}), which groups are degraded, and — for an admin call that asked the
 * master for an operation — the record its request opened.
 *
 * <p>Threads: written by the control link's reader, read by admin request threads; one lock.
 */
final class MasterView {

    private static final int KEPT = 100;

    private final AtomicLong requests = new AtomicLong();
    private final Map<Long, Operation> operations = new LinkedHashMap<>();
    private final Map<String, String> degraded = new TreeMap<>();
    private final Map<Long, CompletableFuture<Operation>> opened = new HashMap<>();
    private final Map<Long, CompletableFuture<Operation>> finished = new HashMap<>();

    /** @return a new request id for an ADMIN_COMMAND */
    long newRequest() {
        return requests.incrementAndGet();
    }

    /** The master's record of an operation changed (control link reader). */
    void operation(Operation o) {
        CompletableFuture<Operation> open;
        CompletableFuture<Operation> done = null;
        synchronized (this) {
            operations.put(o.id(), o);
            while (operations.size() > KEPT) {
                operations.remove(operations.keySet().iterator().next());
            }
            open = o.request() == 0 ? null : opened.remove(o.request());
            if (o.request() != 0 && isFinal(o)) {
                done = finished.remove(o.request());
            }
        }
        if (open != null) {
            open.complete(o);
        }
        if (done != null) {
            done.complete(o);
        }
    }

    /** @return whether the operation ended (done, failed, refused) */
    static boolean isFinal(Operation o) {
        return !o.state().equals("running");
    }

    /**
     * @param request an ADMIN_COMMAND's request id, before the command is sent
     * @return completes with the first record the master sends for it
     */
    synchronized CompletableFuture<Operation> whenOpened(long request) {
        return opened.computeIfAbsent(request, r -> new CompletableFuture<>());
    }

    /**
     * @param request an ADMIN_COMMAND's request id, before the command is sent
     * @return completes with its record once the operation ended
     */
    synchronized CompletableFuture<Operation> whenFinished(long request) {
        return finished.computeIfAbsent(request, r -> new CompletableFuture<>());
    }

    /** Gives up waiting for a request (its caller timed out). */
    synchronized void forget(long request) {
        opened.remove(request);
        finished.remove(request);
    }

    synchronized void groupHealth(GroupHealth h) {
        if (h.degraded()) {
            degraded.put(h.group(), h.reason());
        } else {
            degraded.remove(h.group());
        }
    }

    /** @return the kept operation records, oldest first */
    synchronized List<Operation> operations() {
        return new ArrayList<>(operations.values());
    }

    /**
     * @param id an operation id
     * @return its latest record, if kept
     */
    synchronized Optional<Operation> operation(long id) {
        return Optional.ofNullable(operations.get(id));
    }

    /** @return degraded groups and why */
    synchronized Map<String, String> degraded() {
        return new TreeMap<>(degraded);
    }
}
