package dev.burst.container.worker.testplugins;

import dev.burst.api.Command;
import dev.burst.api.HookScope;
import dev.burst.api.Outcome;
import dev.burst.api.Plugin;
import dev.burst.api.PluginContext;
import dev.burst.api.Request;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Test plugin {@code beta}, started after {@code alpha}: hooks like alpha's, plus a plugin-scoped before
 * hook that answers a body of {@code deny} itself with ret 401, and a plugin-scoped before-send hook that
 * throws on a body of {@code send-boom}. cmd 30 replies the trace; cmd 31 throws; cmd 32 changes the
 * array {@code body()} gave it and replies {@code text()}.
 */
public final class BetaHooksPlugin implements Plugin {

    @Override
    public void start(PluginContext context) {
        context.before(HookScope.WORKER, request -> trace(request).add("beta.worker-before"));
        context.before(request -> {
            trace(request).add("beta.plugin-before");
            if (request.text().equals("deny")) {
                request.reply(401, "denied by beta".getBytes(StandardCharsets.UTF_8));
            }
        });
        context.beforeSend((request, response) -> {
            if (request.text().equals("send-boom")) {
                throw new IllegalArgumentException("beta's before-send hook fails");
            }
            append(response, "beta.plugin-send");
        });
        context.beforeSend(HookScope.WORKER, (request, response) -> append(response, "beta.worker-send"));
        context.handle(Command.of(30), request -> {
            trace(request).add("beta.handler");
            request.reply(String.join(",", trace(request)));
        });
        context.handle(Command.of(31), request -> {
            trace(request).add("beta.handler");
            throw new IllegalStateException("beta 31 fails");
        });
        context.handle(Command.of(32), request -> {
            byte[] mine = request.body();
            mine[0] = 'X';
            request.reply(request.text());
        });
    }

    private static void append(dev.burst.api.Response response, String tag) {
        if (response.kind() == Outcome.Kind.REPLY) {
            String text = StandardCharsets.UTF_8.decode(response.body()).toString();
            response.replace(response.ret(), (text + "|" + tag).getBytes(StandardCharsets.UTF_8));
        }
    }

    @SuppressWarnings("unchecked")
    private static List<String> trace(Request request) {
        return (List<String>) request.attributes().computeIfAbsent("trace", k -> new ArrayList<String>());
    }
}
