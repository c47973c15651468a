// Frozen copy of API 0.1.0 that the old-api fixture compiles against; never edit.
// The real classes come from the worker at run time: the fixture jar leaves dev/burst/api out.
package dev.burst.api;

import org.eclipse.microprofile.config.Config;

public interface PluginContext {

    default void handle(int cmd, Handler handler) {
        throw new UnsupportedOperationException("API stub");
    }

    void handle(Command command, Handler handler);

    Config config();

    System.Logger logger();

    WorkerInfo worker();

    String pluginName();
}
