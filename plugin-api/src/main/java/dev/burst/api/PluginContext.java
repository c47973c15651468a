package dev.burst.api;

import org.eclipse.microprofile.config.Config;

/**
 * What a worker offers a plugin during {@link Plugin#start(PluginContext)}.
 *
 * <p>Threads: register handlers and hooks only from {@code start}, on the task thread; registering later
 * is refused with {@link IllegalStateException}. {@link #config()}, {@link #logger()} and
 * {@link #worker()} may be used from any thread for the life of the generation; {@link #push()} and
 * {@link #timers()} belong to the task thread.
 *
 * <p>burst implements this interface; plugins do not. Methods may be added to it in later versions.
 */
public interface PluginContext {

    /**
     * Registers the handler of a command id.
     *
     * @param cmd     command id, as sent by clients (HTTP {@code POST /cmd/{cmd}}, Box header cmd)
     * @param handler runs once per request of that cmd, on the task thread
     * @throws IllegalStateException if the cmd is already registered by this or another plugin of the
     *                               group, or if called after {@code start} returned
     */
    default void handle(int cmd, Handler handler) {
        handle(Command.of(cmd), handler);
    }

    /**
     * Registers the handler of a command, with its name and options.
     *
     * @param command the command id, its optional name (usable as {@code POST /cmd/{name}}) and options
     * @param handler runs once per request of that cmd, on the task thread
     * @throws IllegalStateException as {@link #handle(int, Handler)}
     */
    void handle(Command command, Handler handler);

    /**
     * Registers a hook that runs before the handlers in its scope; the order of hooks is in the
     * {@linkplain dev.burst.api package documentation}.
     *
     * @param scope this plugin's cmds, or every cmd of the worker
     * @param hook  the hook
     * @throws IllegalStateException if called after {@code start} returned
     */
    void before(HookScope scope, BeforeHook hook);

    /**
     * Registers a hook that runs before the handlers of this plugin's own cmds.
     *
     * @param hook the hook
     * @throws IllegalStateException if called after {@code start} returned
     */
    default void before(BeforeHook hook) {
        before(HookScope.PLUGIN, hook);
    }

    /**
     * Registers a hook that sees, and may replace, the result before it is sent.
     *
     * @param scope this plugin's cmds, or every cmd of the worker
     * @param hook  the hook
     * @throws IllegalStateException if called after {@code start} returned
     */
    void beforeSend(HookScope scope, BeforeSendHook hook);

    /**
     * Registers a before-send hook for this plugin's own cmds.
     *
     * @param hook the hook
     * @throws IllegalStateException if called after {@code start} returned
     */
    default void beforeSend(BeforeSendHook hook) {
        beforeSend(HookScope.PLUGIN, hook);
    }

    /**
     * Registers a hook that runs once the result was sent.
     *
     * @param scope this plugin's cmds, or every cmd of the worker
     * @param hook  the hook
     * @throws IllegalStateException if called after {@code start} returned
     */
    void after(HookScope scope, AfterHook hook);

    /**
     * Registers an after hook for this plugin's own cmds.
     *
     * @param hook the hook
     * @throws IllegalStateException if called after {@code start} returned
     */
    default void after(AfterHook hook) {
        after(HookScope.PLUGIN, hook);
    }

    /**
     * Pushes frames to connected users; usable from start, handlers, hooks, disconnect handlers and timer
     * ticks of this generation.
     *
     * @return the push API
     */
    Push push();

    /**
     * Timers of this plugin: code that runs later on the task thread, between tasks, cancelled when the
     * generation retires. Usable from start, handlers, hooks, disconnect handlers and ticks, unlike the
     * registration methods above; see {@link Timers} for when ticks run.
     *
     * @return this plugin's timers
     * @throws IllegalStateException when called off the task thread
     */
    Timers timers();

    /**
     * Registers what runs when a connection with a logged-in user closes.
     *
     * @param handler runs once per such connection, on one worker of this plugin's group
     * @throws IllegalStateException if called after {@code start} returned
     */
    void onDisconnect(DisconnectHandler handler);

    /**
     * The configuration: MicroProfile Config over the same sources as the server's (system properties,
     * environment, {@code conf/burst.properties}), read again for each generation, so a reload sees what
     * the file says now. By convention a plugin reads keys under {@code burst.plugin.<plugin name>.}.
     *
     * @return the configuration, never null
     */
    Config config();

    /**
     * A logger named after the plugin; its lines carry the worker's identity.
     *
     * @return the plugin's logger
     */
    System.Logger logger();

    /**
     * Who is running this plugin.
     *
     * @return the worker's identity and the plugin generation
     */
    WorkerInfo worker();

    /**
     * The plugin's name: its jar file name without {@code .jar}, or its folder name.
     *
     * @return the plugin name
     */
    String pluginName();
}
