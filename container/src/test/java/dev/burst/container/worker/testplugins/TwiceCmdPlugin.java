package dev.burst.container.worker.testplugins;

import dev.burst.api.Cmd;
import dev.burst.api.Plugin;
import dev.burst.api.Request;

/** Test plugin {@code twice}: two methods claim cmd 61. */
public final class TwiceCmdPlugin implements Plugin {

    @Cmd(id = 61)
    String one(Request request) {
        return "one";
    }

    @Cmd(id = 61)
    String other(Request request) {
        return "other";
    }
}
