package dev.burst.api;

import java.util.Map;

/**
 * A plugin that keeps its in-memory state through a reload: the retiring generation's instance hands its
 * state off as bytes, and the next generation's instance of the same plugin (same name) takes it over
 * before it runs anything, inside the same worker process. A plugin opts in by implementing this
 * interface beside {@link Plugin}.
 *
 * <p><b>When.</b> A reload swaps each worker's generation in place, between two tasks (the proxy sends
 * the new generation to a worker only when it has no task). At that moment the old generation's last
 * task, its hooks and its due timer ticks have returned, and nothing of it runs again unless the swap
 * fails. In that order, on that worker:
 * <ol>
 *   <li>{@link #handOff()} of each plugin of the old generation that implements this interface and whose
 *       name the new generation has too, on the old generation's task thread, with the plugin's class
 *       loader as the context class loader. What it returns is the state as it is at the end of the old
 *       generation's last task;</li>
 *   <li>the new generation's plugins are created and their {@link Plugin#start} run, on the new
 *       generation's task thread;</li>
 *   <li>{@link #takeOver(Map)} of each new plugin that implements this interface and whose namesake
 *       handed state off, on the new generation's task thread, once every plugin of the generation has
 *       started, and before its first task, hook, disconnect handler or timer tick (a new version that no
 *       longer implements this interface drops the state, with a warning in the log);</li>
 *   <li>the old generation's {@link Plugin#stop}, its timers cancelled; then the new generation serves.</li>
 * </ol>
 * One exception to "nothing of it runs again": a callback the old generation attached to a push's stage
 * ({@link Push}) runs when the proxy answers the push, which may come after the swap; what it changes in
 * the old generation's state is not handed off, so keep such callbacks off the state.
 *
 * <p>The hand-off is a copy in memory, with no I/O: burst copies the map and every array once, so the new
 * generation gets an unmodifiable map of arrays of its own, and no change either side makes later reaches
 * the other. For a moment the worker's heap holds the old state, that copy and what the new generation
 * builds from it: leave room for it.
 *
 * <p><b>Refusal.</b> A {@code takeOver} that throws refuses the state: the new generation is unloaded
 * (its plugins' {@code stop}, its timers cancelled, its jars closed), the swap fails for that worker
 * with a reason naming the plugin and the exception, shown in the reload's report like any plugin that
 * fails to start, and the old generation keeps serving. A {@code handOff} that throws, or returns
 * {@code null}, a {@code null} key or a {@code null} value, fails the swap too, before the new
 * generation starts. So
 * {@code handOff} must leave the plugin as it found it: it takes a snapshot, and must not clear, close
 * or hand away what the old generation serves from, which may go on serving. The canary worker of a
 * reload swaps first: a refusal there fails the whole reload, and every worker keeps its generation and
 * its state. A worker that refuses after the canary took the new generation is replaced by a new process
 * (recycled), and its state is lost: refuse what no worker could read (a format you do not know), not
 * one worker's odd data.
 *
 * <p><b>Not called.</b> The state travels only within a worker process, from one generation to the next.
 * A worker's first generation gets none: at start, after a crash or a kill, after restart_workers, a
 * recycle or a change_group, the worker is a new process and its plugins start empty; a plugin must
 * persist (to a database, a file, a cache) what has to survive those. {@code handOff} is not called when
 * the worker stops, nor for a plugin the new generation does not have; {@code takeOver} is not called
 * for a plugin the old generation did not have or whose old version does not implement this interface. A
 * key moved to another worker by change_group ({@code route=key}) leaves its state on the old one.
 *
 * <p><b>Format.</b> The bytes are the plugin's own; the next version of the plugin must read what the
 * previous one wrote (a swap back to the previous version, when another group's canary fails, hands the
 * state back the same way). Put a version into the format if it may change. Hand off bytes, never
 * objects: a class of the old generation would keep its class loader alive.
 *
 * <p>Threads: each method on the task thread of its own generation, as above; never beside a handler.
 */
public interface StateHandoff {

    /**
     * Asked of the retiring generation's plugin: its state, as it is now. Must not change the plugin's
     * state: if the new generation refuses it, this generation keeps serving from it.
     *
     * @return the state, keyed as the plugin likes (for example one entry per user); may be empty, never
     *         {@code null}, and holds no {@code null} key or value
     * @throws Exception any failure: the swap fails for this worker and this generation keeps serving
     */
    Map<String, byte[]> handOff() throws Exception;

    /**
     * Gives the new generation's plugin the state its predecessor handed off, after every plugin of the
     * generation started and before anything else of it runs.
     *
     * @param state what {@link #handOff()} returned, copied; unmodifiable, its arrays this plugin's to keep
     * @throws Exception to refuse the state: this generation is unloaded, the swap fails for this worker,
     *                   and the previous generation keeps serving with its state
     */
    void takeOver(Map<String, byte[]> state) throws Exception;
}
