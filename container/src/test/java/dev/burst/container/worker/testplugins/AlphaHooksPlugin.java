package dev.burst.container.worker.testplugins;

import dev.burst.api.Command;
import dev.burst.api.HookScope;
import dev.burst.api.Outcome;
import dev.burst.api.Plugin;
import dev.burst.api.PluginContext;
import dev.burst.api.Request;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Test plugin {@code alpha}: hooks registered through the context, one of each kind and scope, that
 * write their names into the request attribute {@code trace}; its worker-scoped after hook writes one
 * line per request into {@code <burst.plugin.test.dir>/after.log}. cmd 20 replies the trace. A body of
 * {@code alpha-boom} makes its worker-scoped before hook throw, {@code after-boom} its after hook.
 */
public final class AlphaHooksPlugin implements Plugin {

    @Override
    public void start(PluginContext context) {
        Path log = Path.of(context.config().getValue("burst.plugin.test.dir", String.class)).resolve("after.log");
        context.before(HookScope.WORKER, request -> {
            trace(request).add("alpha.worker-before");
            if (request.text().equals("alpha-boom")) {
                throw new IllegalStateException("alpha's before hook fails");
            }
        });
        context.before(request -> trace(request).add("alpha.plugin-before"));
        context.beforeSend(HookScope.WORKER, (request, response) -> {
            if (response.kind() == Outcome.Kind.REPLY) {
                response.replace(response.ret(), (text(response) + "|alpha.worker-send").getBytes(StandardCharsets.UTF_8));
            }
        });
        context.after(HookScope.WORKER, (request, outcome) -> {
            String line = "cmd=" + request.cmd() + " kind=" + outcome.kind() + " ret=" + outcome.ret()
                    + " failure=" + outcome.failure().map(Throwable::toString).orElse("none")
                    + " trace=" + trace(request) + " elapsed=" + (outcome.elapsed().isNegative() ? "negative" : "ok");
            Files.writeString(log, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            if (request.text().equals("after-boom")) {
                throw new IOException("alpha's after hook fails");
            }
        });
        context.handle(Command.of(20), request -> {
            trace(request).add("alpha.handler");
            request.reply(String.join(",", trace(request)));
        });
    }

    @SuppressWarnings("unchecked")
    static List<String> trace(Request request) {
        return (List<String>) request.attributes().computeIfAbsent("trace", k -> new ArrayList<String>());
    }

    static String text(Outcome outcome) {
        return StandardCharsets.UTF_8.decode(outcome.body()).toString();
    }
}
