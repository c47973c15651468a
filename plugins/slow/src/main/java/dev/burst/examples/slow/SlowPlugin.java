package dev.burst.examples.slow;

import dev.burst.api.Before;
import dev.burst.api.Cmd;
import dev.burst.api.Plugin;
import dev.burst.api.Request;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * A handler that holds its worker, declared with annotations only (no {@code start}): cmd 10
 * ({@code slow}) sleeps as many milliseconds as the request body says, then answers {@code done}. For
 * tests of queueing, timeouts, draining and reloads under load. cmd 13 ({@code slow-idempotent}) does the
 * same, marked idempotent: if its worker dies mid-task the proxy runs it again on another worker.
 *
 * <p>A before hook reads the body for both cmds and leaves the milliseconds in a request attribute; a body
 * that is not a number from 0 to {@code burst.plugin.slow.max-millis} (default 600000, ten minutes) fails
 * the request (ret -10001), and the worker's log says why.
 *
 * <p>Threads: burst creates it, sets {@code maxMillis}, and calls the hook and the handlers on the
 * worker's task thread, one request at a time.
 */
public final class SlowPlugin implements Plugin {

    /** The request attribute the hook leaves for the handlers. */
    private static final String MILLIS = "slow.millis";
    private static final String MAX_MILLIS = "burst.plugin.slow.max-millis";

    /** Set by burst before the plugin serves, from the configuration a reload reads again. */
    @ConfigProperty(name = MAX_MILLIS, defaultValue = "600000")
    private long maxMillis;

    @Before
    void readMillis(Request request) {
        request.attributes().put(MILLIS, millis(request.text().trim()));
    }

    @Cmd(id = 10, name = "slow")
    String slow(Request request) throws InterruptedException {
        Thread.sleep((Long) request.attributes().get(MILLIS));
        return "done";
    }

    @Cmd(id = 13, name = "slow-idempotent", idempotent = true)
    String slowIdempotent(Request request) throws InterruptedException {
        return slow(request);
    }

    private long millis(String body) {
        long millis;
        try {
            millis = Long.parseLong(body);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("slow plugin: body must be a number of milliseconds, got '" + body + "'", e);
        }
        if (millis < 0) {
            throw new IllegalArgumentException("slow plugin: milliseconds must not be negative, got " + millis);
        }
        if (millis > maxMillis) {
            throw new IllegalArgumentException("slow plugin: " + millis + " ms is over " + MAX_MILLIS + " ("
                    + maxMillis + ")");
        }
        return millis;
    }
}
