package dev.burst.api;

/**
 * The entry point of a plugin, found through {@code META-INF/services/dev.burst.api.Plugin} in the
 * plugin's jar. One instance is created per worker and per plugin generation, through its constructor:
 * the no-argument one, or the one whose parameters are all annotated
 * {@link org.eclipse.microprofile.config.inject.ConfigProperty @ConfigProperty}.
 *
 * <p>Before {@link #start(PluginContext)}, burst
 * <ol>
 *   <li>sets the instance's fields annotated {@code @ConfigProperty} (MicroProfile Config's rules: the key
 *       is the annotation's {@code name}, or {@code <class>.<field>}; its {@code defaultValue} applies when
 *       the key has none; {@code Optional}, {@code OptionalInt/Long/Double}, {@code List} and {@code Set}
 *       are allowed; a required key without a value fails the start naming the key). Values convert with
 *       the MicroProfile Config implementation's built-in converters (Strings, primitives, enums,
 *       {@code Duration}, classes with {@code of}/{@code valueOf}/{@code parse} or a String constructor,
 *       arrays); a plugin cannot register converters of its own. {@code final} fields are refused: use a
 *       constructor with annotated parameters for those;</li>
 *   <li>registers the methods of the class (and its superclasses) annotated {@link Cmd}, {@link Before},
 *       {@link BeforeSend} and {@link After}, found by reflection on that class only. A method with the
 *       wrong parameters or return type, or a cmd claimed twice, fails the start naming the method.</li>
 * </ol>
 * A plugin made only of annotated methods need not override {@code start}. A plugin that keeps in-memory
 * state through a reload implements {@link StateHandoff} too.
 *
 * <p>Threads: the constructor, {@code start} and {@code stop} run on the worker's task thread, never
 * while a handler runs. They must not keep the thread: long set-up belongs in {@code start}, but a
 * {@code start} that never returns keeps the worker from ever serving.
 */
public interface Plugin {

    /**
     * Registers this plugin's handlers and hooks, beside those its annotated methods declare.
     *
     * @param context what the worker offers the plugin; valid until {@link #stop()} returns
     * @throws Exception any failure: the plugin generation is refused and the worker reports why
     */
    default void start(PluginContext context) throws Exception {
    }

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
