package dev.burst.container.worker.testplugins;

import dev.burst.api.Plugin;
import dev.burst.api.PluginContext;
import dev.burst.api.Push;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Test plugin {@code pushing}: cmd 70 logs its connection in as the body; cmd 71 pushes {@code hi} (cmd 80) to
 * users {@code ann,bob,zed} and keeps what the proxy answers; cmd 72 replies that answer and whether the
 * stage completed with this plugin's class loader as context loader; cmd 73 replies the user; the
 * disconnect handler keeps {@code <user> <reason> from <address>} for cmd 74.
 */
public final class PushingPlugin implements Plugin {

    private volatile String outcome = "none";
    private volatile String left = "none";

    @Override
    public void start(PluginContext context) {
        Push push = context.push();
        context.handle(70, request -> {
            request.login(request.text());
            request.reply("ok");
        });
        context.handle(71, request -> push.toUsers(List.of("ann", "bob", "zed"), 80,
                "hi".getBytes(StandardCharsets.UTF_8)).thenAccept(o -> outcome = "delivered=" + o.delivered()
                + " offline=" + o.offline() + " dropped=" + o.dropped() + " " + o.offlineUsers() + " own loader="
                + (Thread.currentThread().getContextClassLoader() == PushingPlugin.class.getClassLoader())));
        context.handle(72, request -> request.reply(outcome));
        context.handle(73, request -> request.reply(request.user().orElse("none")));
        context.handle(74, request -> request.reply(left));
        context.onDisconnect(event -> left = event.user() + " " + event.reason() + " from " + event.clientAddress());
    }
}
