package dev.burst.examples.slow;

import dev.burst.api.Command;
import dev.burst.api.Plugin;
import dev.burst.api.PluginContext;
import dev.burst.api.Request;

/**
 * A handler that holds its worker: cmd 10 ({@code slow}) sleeps as many milliseconds as the request body
 * says, then answers {@code done}. For tests of queueing, timeouts, draining and reloads under load.
 * cmd 13 ({@code slow-idempotent}) does the same, marked idempotent: if its worker dies mid-task the
 * proxy runs it again on another worker.
 */
public final class SlowPlugin implements Plugin {

    @Override
    public void start(PluginContext context) {
        context.handle(Command.of(10).named("slow"), SlowPlugin::slow);
        context.handle(Command.of(13).named("slow-idempotent").asIdempotent(), SlowPlugin::slow);
    }

    private static void slow(Request request) throws InterruptedException {
        Thread.sleep(millis(request.text().trim()));
        request.reply("done");
    }

    private static long millis(String body) {
        long millis;
        try {
            millis = Long.parseLong(body);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("slow plugin: body must be a number of milliseconds, got '" + body + "'", e);
        }
        if (millis < 0) {
            throw new IllegalArgumentException("slow plugin: milliseconds must not be negative, got " + millis);
        }
        return millis;
    }
}
