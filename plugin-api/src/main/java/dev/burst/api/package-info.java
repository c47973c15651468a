/**
 * The burst plugin API: everything a handler plugin compiles against.
 *
 * <p>A plugin is a jar (or a folder holding the plugin jar and its own library jars) dropped into the
 * server's {@code plugins/} folder. It names its entry class, an implementation of {@link dev.burst.api.Plugin},
 * in {@code META-INF/services/dev.burst.api.Plugin}. Each worker process loads every plugin of its group
 * into an isolated module that sees the JDK, this package, the MicroProfile Config API and the plugin's
 * own jars; nothing of the container.
 *
 * <h2>Two ways to declare handlers</h2>
 * In {@link dev.burst.api.Plugin#start}, through {@link dev.burst.api.PluginContext#handle(dev.burst.api.Command,
 * dev.burst.api.Handler)}; or as methods of the plugin class annotated {@link dev.burst.api.Cmd @Cmd}. Hooks
 * likewise: {@link dev.burst.api.PluginContext#before}, {@code beforeSend}, {@code after}, or
 * {@link dev.burst.api.Before @Before}, {@link dev.burst.api.BeforeSend @BeforeSend},
 * {@link dev.burst.api.After @After}. Both styles may be mixed; annotated ones are registered first.
 * Configuration may be injected with MicroProfile's {@code @ConfigProperty} (see {@link dev.burst.api.Plugin}).
 *
 * <h2>Hooks and their order</h2>
 * A request runs through:
 * <ol>
 *   <li>the before hooks: first the {@link dev.burst.api.HookScope#WORKER WORKER}-scoped ones of every
 *       plugin of the group, plugins in name order (the order they start in), each plugin's in registration
 *       order; then the {@link dev.burst.api.HookScope#PLUGIN PLUGIN}-scoped ones of the cmd's own plugin,
 *       in registration order. The first that answers (or throws) ends this step;</li>
 *   <li>the handler, unless a before hook answered or threw;</li>
 *   <li>every before-send hook, in the reverse order (the cmd's plugin's own first, last registered
 *       first; then the worker-scoped ones, last plugin first): hooks wrap the handler like layers;</li>
 *   <li>the result goes to the proxy;</li>
 *   <li>every after hook, in the same order as the before-send hooks.</li>
 * </ol>
 * A before or before-send hook that throws fails the request with ret -10001 (a reply already given
 * stands), logged with the hook's plugin; an after hook that throws is logged and changes nothing.
 *
 * <h2>Threads</h2>
 * A worker runs one task at a time on one thread, its <em>task thread</em>. {@link dev.burst.api.Plugin#start},
 * {@link dev.burst.api.Plugin#stop}, every hook and every {@link dev.burst.api.Handler} run on it, with the
 * thread's context class loader set to the plugin's own (a worker-scoped hook: its own plugin's). While a
 * handler runs, its worker takes no other task, so a handler that blocks holds a whole worker: size the
 * group for it. Each generation of the plugins (each reload) gets a task thread of its own, which ends after
 * the generation's {@code stop}, and with it what was left in its ThreadLocals.
 * Timers ({@link dev.burst.api.PluginContext#timers()}) run on the same thread, between tasks, never beside
 * a handler: a plugin's in-memory state needs no lock between its handlers and its ticks.
 *
 * <h2>State across a reload</h2>
 * A reload swaps the plugins inside each worker process, between two tasks. A plugin that implements
 * {@link dev.burst.api.StateHandoff} hands its in-memory state (bytes) from the retiring generation to
 * the next one there: a copy in memory, taken when the old generation's last task has returned, given to
 * the new generation before its first task or tick. A new generation that refuses it is unloaded, and
 * the old one serves on with its state. Only a reload hands off: a worker that is a new process (start,
 * crash, restart, recycle, change_group) starts empty, so persist what must survive those.
 *
 * <h2>Compatibility</h2>
 * Types that plugins only use (not implement) are interfaces burst implements or final classes with
 * factories, so they can grow without breaking compiled plugins: {@link dev.burst.api.Request},
 * {@link dev.burst.api.PluginContext}, {@link dev.burst.api.Outcome} and {@link dev.burst.api.Response} gain
 * methods; {@link dev.burst.api.Command} and {@link dev.burst.api.WorkerInfo} gain fields. A plugin compiled
 * against an earlier version of this API keeps loading; the build checks it with a plugin compiled
 * against API 0.1.0.
 */
package dev.burst.api;
