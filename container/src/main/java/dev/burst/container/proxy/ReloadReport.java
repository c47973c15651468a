package dev.burst.container.proxy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The outcome of one reload_workers, as data for logs and the admin API.
 *
 * @param attempted the generation the reload tried to start
 * @param serving   the generation serving when it ended
 * @param ok        whether every worker now runs {@code attempted}
 * @param swapped   workers that swapped to {@code attempted}
 * @param failures  what went wrong, each naming the worker or file and the cause
 * @param started   when it began
 * @param finished  when it ended
 */
public record ReloadReport(int attempted, int serving, boolean ok, int swapped, List<String> failures,
                           Instant started, Instant finished) {

    /** @return one line for the log */
    public String summary() {
        String took = " in " + Duration.between(started, finished).toMillis() + " ms";
        if (ok) {
            return "generation " + attempted + " serving on " + swapped + " worker(s)" + took;
        }
        if (serving != attempted) {
            return "generation " + attempted + " refused, generation " + serving + " still serving" + took + ": "
                    + String.join("; ", failures);
        }
        return "generation " + attempted + " serving, with failures" + took + ": " + String.join("; ", failures);
    }
}
