package dev.burst.container.proxy;

import dev.burst.container.protocol.WireMessage.GroupHealth;
import dev.burst.container.protocol.WireMessage.Operation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What the master told this proxy about itself: its operation records (newest kept, for
 * {@code GET /admin/operations}) and which groups are degraded. Written by the control link's reader,
 * read by admin requests.
 */
final class MasterView {

    private static final int KEPT = 100;

    private final Map<Long, Operation> operations = new LinkedHashMap<>();
    private final Map<String, String> degraded = new TreeMap<>();

    synchronized void operation(Operation o) {
        operations.put(o.id(), o);
        while (operations.size() > KEPT) {
            operations.remove(operations.keySet().iterator().next());
        }
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
