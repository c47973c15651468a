package dev.burst.container.worker.testplugins;

import dev.burst.api.Plugin;
import dev.burst.api.PluginContext;

/** A test plugin whose start() throws. */
public final class BrokenStartPlugin implements Plugin {

    @Override
    public void start(PluginContext context) {
        throw new IllegalStateException("refuses to start");
    }
}
