package dev.burst.api;

/**
 * The entry point of a plugin, found through {@code META-INF/services/dev.burst.api.Plugin} in the
 * plugin's jar. One instance is created per worker and per plugin generation.
 *
 * <p>Threads: both methods run on the worker's task thread, never while a handler runs.
 * They must not keep the thread: long set-up belongs in {@code start}, but a {@code start} that never
 * returns keeps the worker from ever serving.
 */
public interface Plugin {

    /**
     * Registers this plugin's handlers.
     *
     * @param context what the worker offers the plugin; valid until {@link #stop()} returns
     * @throws Exception any failure: the plugin generation is refused and the worker reports why
     */
    void start(PluginContext context) throws Exception;

    /**
     * Called when this plugin generation is retired (reload, worker stop). Release what {@code start}
     * acquired: threads, timers, files, connections. A plugin that leaves a thread running keeps its
     * class loader alive, and the worker reports the generation as leaked.
     *
     * @throws Exception logged; the worker goes on
     */
    default void stop() throws Exception {
    }
}
