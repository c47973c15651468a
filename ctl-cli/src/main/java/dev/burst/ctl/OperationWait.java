package dev.burst.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;

/**
 * Follows an operation the server accepted ({@code --wait}): asks {@code GET /admin/operations/{id}} every
 * {@link #EVERY} until its state is no longer "running", within a bound. Runs on the caller's thread; an
 * interrupt (the console's Ctrl-C) ends the wait with an {@link InterruptedException}.
 */
final class OperationWait {

    static final Duration EVERY = Duration.ofMillis(200);

    private final AdminClient client;
    private final Duration bound;

    /** @param bound how long to follow the operation, at most (a one-shot command's timeout) */
    OperationWait(AdminClient client, Duration bound) {
        this.client = client;
        this.bound = bound;
    }

    /**
     * @return the record of the operation once it has ended (done, failed or refused), or the last one seen,
     *         still running, when the bound has passed. A record that is gone (404) or an unreachable burst ends
     *         the wait with their exceptions.
     */
    JsonNode until(long id) throws UnreachableException, RefusedException, InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        while (true) {
            JsonNode op = client.get("/admin/operations/" + id).require();
            if (!running(op) || deadline - System.nanoTime() < EVERY.toNanos()) {
                return op;
            }
            Thread.sleep(EVERY);
        }
    }

    static boolean running(JsonNode op) {
        return OperationView.RUNNING.equals(op.path("state").asText());
    }
}
