package dev.burst.container.worker.testplugins;

import dev.burst.api.Before;
import dev.burst.api.Cmd;
import dev.burst.api.Plugin;
import dev.burst.api.Request;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Test plugin {@code annotated}: no {@code start}, only annotated methods and injected configuration.
 * cmd 50 ({@code upper}) returns a String, cmd 51 a byte[], cmd 52 (idempotent) answers nothing, cmd 53
 * (a private method) replies the order its two before hooks ran in, cmd 54 replies its injected values.
 */
public final class AnnotatedPlugin implements Plugin {

    @ConfigProperty(name = "burst.plugin.annotated.greeting", defaultValue = "hi")
    private String greeting;

    @ConfigProperty(name = "burst.plugin.annotated.limit")
    private Optional<Integer> limit;

    @Cmd(id = 50, name = "upper")
    String upper(Request request) {
        return request.text().toUpperCase(Locale.ROOT);
    }

    @Cmd(id = 51)
    public byte[] reversed(Request request) {
        byte[] b = request.body();
        for (int i = 0, j = b.length - 1; i < j; i++, j--) {
            byte t = b[i];
            b[i] = b[j];
            b[j] = t;
        }
        return b;
    }

    @Cmd(id = 52, idempotent = true)
    void quiet(Request request) {
        request.attributes().put("quiet", true);
    }

    @Cmd(id = 53)
    private String order(Request request) {
        return String.valueOf(request.attributes().get("order"));
    }

    @Cmd(id = 54, name = "settings")
    String settings(Request request) {
        return greeting + " " + limit.map(String::valueOf).orElse("unlimited");
    }

    @Before(order = 2)
    void second(Request request) {
        request.attributes().merge("order", "second", (a, b) -> a + "," + b);
    }

    @Before(order = 1)
    void first(Request request) {
        request.attributes().merge("order", "first", (a, b) -> a + "," + b);
        if (request.text().equals("stop")) {
            request.reply(7, "stopped by first".getBytes(StandardCharsets.UTF_8));
        }
    }
}
