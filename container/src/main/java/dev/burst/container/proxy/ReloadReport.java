package dev.burst.container.proxy;

import dev.burst.container.protocol.WireMessage.Detail;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The outcome of one reload_workers, as data: sent to the master (which keeps it as the operation's
 * record) and served by the admin API.
 *
 * @param operation the master's operation id (0 when the master did not ask)
 * @param tried     the generation the reload snapshotted and tried; 0 when it was refused before that
 * @param serving   the generation serving when it ended
 * @param ok        whether every worker now runs {@code tried}
 * @param swapped   workers that swapped to {@code tried}
 * @param failures  what went wrong, each naming the worker or file and the cause
 * @param details   per worker: what happened to it
 * @param started   when it began
 * @param finished  when it ended
 */
public record ReloadReport(long operation, int tried, int serving, boolean ok, int swapped, List<String> failures,
                           List<Detail> details, Instant started, Instant finished) {

    /** @return one line for the log and the operation's outcome */
    public String summary() {
        String took = " in " + Duration.between(started, finished).toMillis() + " ms";
        if (ok) {
            return "generation " + tried + " serving on " + swapped + " worker(s)" + took;
        }
        if (tried == 0) {
            return "refused: " + String.join("; ", failures);
        }
        if (serving != tried) {
            return "generation " + tried + " refused, generation " + serving + " still serving" + took + ": "
                    + String.join("; ", failures);
        }
        return "generation " + tried + " serving, with failures" + took + ": " + String.join("; ", failures);
    }
}
