package dev.burst.container.worker.testplugins;

import dev.burst.api.After;
import dev.burst.api.Plugin;
import dev.burst.api.Request;

/** Test plugin {@code bad-hook}: an {@code @After} method without the Outcome parameter. */
public final class BadHookPlugin implements Plugin {

    @After
    void audit(Request request) {
        request.attributes().clear();
    }
}
