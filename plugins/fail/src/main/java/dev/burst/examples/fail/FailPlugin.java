package dev.burst.examples.fail;

import dev.burst.api.Command;
import dev.burst.api.Plugin;
import dev.burst.api.PluginContext;

/**
 * Handlers that fail, for tests of error answers: cmd 11 ({@code fail}) always throws (ret -10001);
 * cmd 12 ({@code fail-after-reply}) replies {@code partial} and then throws, so the reply must win.
 */
public final class FailPlugin implements Plugin {

    @Override
    public void start(PluginContext context) {
        context.handle(Command.of(11).named("fail"), request -> {
            throw new IllegalStateException("fail plugin: cmd 11 always fails");
        });
        context.handle(Command.of(12).named("fail-after-reply"), request -> {
            request.reply("partial");
            throw new IllegalStateException("fail plugin: cmd 12 fails after its reply");
        });
    }
}
