package dev.burst.container.worker.testplugins;

import dev.burst.api.Cmd;
import dev.burst.api.Plugin;

/** Test plugin {@code bad-cmd}: an {@code @Cmd} method whose parameter is not a Request. */
public final class BadCmdPlugin implements Plugin {

    @Cmd(id = 60)
    String echo(String text) {
        return text;
    }
}
