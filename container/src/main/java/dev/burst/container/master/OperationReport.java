package dev.burst.container.master;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Progress and outcome of one process-level operation, as data for logs and the admin API.
 *
 * @param id       1, 2, 3 ... in the order they were asked for
 * @param kind     reload_workers, restart_workers, change_group, recycle
 * @param detail   what was asked (group and count, the worker and reason ...)
 * @param state    running, done or failed
 * @param done     workers handled so far
 * @param total    workers to handle (0 when not known in advance)
 * @param failures what went wrong, each naming the worker and the cause
 * @param started  when it began
 * @param finished when it ended, once it has
 */
public record OperationReport(long id, String kind, String detail, String state, int done, int total,
                              List<String> failures, Instant started, Optional<Instant> finished) {

    /** @return one line for the log */
    public String summary() {
        return kind + " #" + id + " (" + detail + "): " + state + ", " + done + (total > 0 ? " of " + total : "")
                + " worker(s)" + (failures.isEmpty() ? "" : "; failures: " + String.join("; ", failures));
    }
}
