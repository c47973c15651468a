package dev.burst.container.worker.testplugins;

import dev.burst.api.Cmd;
import dev.burst.api.Plugin;
import dev.burst.api.Request;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Test plugin {@code needs-config}: a required key nobody set. */
public final class MissingConfigPlugin implements Plugin {

    @ConfigProperty(name = "burst.plugin.needs-config.secret")
    String secret;

    @Cmd(id = 62)
    String secret(Request request) {
        return secret;
    }
}
