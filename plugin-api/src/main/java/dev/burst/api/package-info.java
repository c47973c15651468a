/**
 * The burst plugin API: everything a handler plugin compiles against.
 *
 * <p>A plugin is a jar (or a folder holding the plugin jar and its own library jars) dropped into the
 * server's {@code plugins/} folder. It names its entry class, an implementation of {@link dev.burst.api.Plugin},
 * in {@code META-INF/services/dev.burst.api.Plugin}. Each worker process loads every plugin of its group
 * into an isolated module that sees the JDK, this package, the MicroProfile Config API and the plugin's
 * own jars; nothing of the container.
 *
 * <h2>Threads</h2>
 * A worker runs one task at a time on one thread, its <em>task thread</em>. {@link dev.burst.api.Plugin#start},
 * {@link dev.burst.api.Plugin#stop} and every {@link dev.burst.api.Handler} run on it, with the thread's
 * context class loader set to the plugin's own. While a handler runs, its worker takes no other task, so
 * a handler that blocks holds a whole worker: size the group for it. Each generation of the plugins (each
 * reload) gets a task thread of its own, which ends after the generation's {@code stop}, and with it what
 * was left in its ThreadLocals.
 */
package dev.burst.api;
