package dev.burst.container.plugin;

import dev.burst.api.DisconnectHandler;
import dev.burst.api.Plugin;
import dev.burst.api.Push;
import dev.burst.api.StateHandoff;
import dev.burst.api.WorkerInfo;
import dev.burst.container.plugin.Registered.Hook;
import dev.burst.container.protocol.WireMessage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import org.eclipse.microprofile.config.Config;
import org.jboss.modules.Module;
import org.jboss.modules.ModuleLoadException;

/**
 * The plugins of one generation, loaded into their modules and started, with the handler table they
 * registered and the timers they started. Everything here runs on the generation's own task thread in the worker (started, handlers
 * looked up, stopped); that thread ends with the generation, and with it whatever the plugins left in its
 * ThreadLocals.
 */
public final class PluginGeneration implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(PluginGeneration.class.getName());

    private final int number;
    private final PluginModuleLoader loader;
    private final Map<Integer, Registered> handlers;
    private final List<Hook<DisconnectHandler>> disconnectHandlers;
    private final List<Started> started;
    private final TimerQueue timers;

    private record Started(String name, Plugin plugin, ClassLoader loader) {
    }

    private PluginGeneration(int number, PluginModuleLoader loader, Map<Integer, Registered> handlers,
                             List<Hook<DisconnectHandler>> disconnectHandlers, List<Started> started,
                             TimerQueue timers) {
        this.number = number;
        this.loader = loader;
        this.handlers = handlers;
        this.disconnectHandlers = disconnectHandlers;
        this.started = started;
        this.timers = timers;
    }

    /**
     * Loads and starts every plugin of a generation, then gives each plugin that implements
     * {@link StateHandoff} the state its namesake in the previous generation handed off. On failure
     * (a start that throws, a takeOver that refuses), the plugins already started are stopped, the timers
     * cancelled and the jars closed before the exception is thrown.
     *
     * @param number    the generation number
     * @param plugins   the plugins and their cached files
     * @param worker    identity handed to plugins (its generation is replaced by {@code number})
     * @param config    configuration handed to plugins
     * @param push      what plugins push through
     * @param inherited what the previous generation of this worker handed off; {@link Handover#none()} at boot
     * @return the started generation
     * @throws PluginException naming the plugin and the cause
     */
    public static PluginGeneration start(int number, List<PluginJars> plugins, WorkerInfo worker, Config config,
                                         Push push, Handover inherited) throws PluginException {
        Map<String, List<String>> files = new LinkedHashMap<>();
        plugins.forEach(p -> files.put(p.name(), p.files()));
        PluginModuleLoader loader = new PluginModuleLoader(files);
        WorkerInfo info = WorkerInfo.of(worker.group(), worker.slot(), worker.pid(), number);
        TimerQueue timers = new TimerQueue(number);
        Registry registry = new Registry(push, timers);
        List<Started> started = new ArrayList<>();
        try {
            for (PluginJars p : plugins) {
                started.add(startOne(p.name(), loader, info, config, registry));
            }
            for (Started s : started) {
                takeOver(s, number, inherited);
            }
        } catch (PluginException | RuntimeException e) {
            new PluginGeneration(number, loader, Map.of(), List.of(), started, timers).close();
            throw e;
        }
        return new PluginGeneration(number, loader, registry.routes(), registry.disconnectHandlers(),
                List.copyOf(started), timers);
    }

    /**
     * Loads one plugin's module, creates its entry class (constructor, then {@code @ConfigProperty}
     * fields), registers its annotated methods, then runs its {@code start}.
     */
    private static Started startOne(String name, PluginModuleLoader loader, WorkerInfo info, Config config,
                                    Registry registry) throws PluginException {
        Module module;
        try {
            module = loader.load(name);
        } catch (ModuleLoadException e) {
            throw new PluginException("plugin " + name + ": cannot load its module: " + e.getMessage(), e);
        }
        ClassLoader cl = module.getClassLoader();
        Class<? extends Plugin> type = withContextLoader(cl, () -> module.loadService(Plugin.class).stream()
                .findFirst().map(ServiceLoader.Provider::type).orElse(null), name, "cannot load its entry class");
        if (type == null) {
            throw new PluginException("plugin " + name + ": " + PluginSnapshot.SERVICE_ENTRY + " names no loadable class");
        }
        Plugin plugin = withContextLoader(cl, () -> ConfigInjection.create(type, config), name, "cannot create "
                + type.getName());
        Registry.Context context = registry.context(name, info, config, cl);
        withContextLoader(cl, () -> {
            AnnotatedMethods.register(plugin, context);
            return plugin;
        }, name, "its annotated methods");
        withContextLoader(cl, () -> {
            plugin.start(context);
            return plugin;
        }, name, "start() threw");
        context.seal();
        return new Started(name, plugin, cl);
    }

    /**
     * Gives a started plugin the state its predecessor handed off, if it did; a plugin that does not
     * implement {@link StateHandoff} any more drops it, with a warning.
     *
     * @throws PluginException when the plugin refuses it (its takeOver threw), naming the plugin
     */
    private static void takeOver(Started s, int number, Handover inherited) throws PluginException {
        Optional<Map<String, byte[]>> state = inherited.of(s.name());
        if (state.isEmpty()) {
            return;
        }
        Map<String, byte[]> given = state.get();
        String what = given.size() + " entries, " + Handover.bytes(given) + " bytes";
        if (!(s.plugin() instanceof StateHandoff heir)) {
            LOG.log(System.Logger.Level.WARNING, "plugin " + s.name() + " of generation " + number
                    + " does not implement StateHandoff: the state generation " + inherited.from()
                    + " handed off (" + what + ") is dropped");
            return;
        }
        long begin = System.nanoTime();
        withContextLoader(s.loader(), () -> {
            heir.takeOver(given);
            return null;
        }, s.name(), "takeOver() refused the state generation " + inherited.from() + " handed off (" + what + ")");
        LOG.log(System.Logger.Level.INFO, "plugin " + s.name() + " of generation " + number + " took over the state of "
                + "generation " + inherited.from() + " (" + what + ") in " + millis(System.nanoTime() - begin));
    }

    /**
     * Asks each plugin of this generation that implements {@link StateHandoff}, and that the next
     * generation has too, for its state, and copies it. Runs on this generation's task thread, between
     * tasks, when the next generation is about to start; it changes nothing here, so this generation may
     * serve on if the next one fails.
     *
     * @param next the names of the next generation's plugins
     * @return the copies, for the next generation
     * @throws PluginException when a plugin's handOff throws or returns null, naming the plugin
     */
    public Handover handOff(Set<String> next) throws PluginException {
        Map<String, Map<String, byte[]>> states = new LinkedHashMap<>();
        for (Started s : started) {
            if (!(s.plugin() instanceof StateHandoff retiring) || !next.contains(s.name())) {
                continue;
            }
            long begin = System.nanoTime();
            Map<String, byte[]> copy = withContextLoader(s.loader(), () -> Handover.copy(retiring.handOff()), s.name(),
                    "handOff() of generation " + number + " threw");
            LOG.log(System.Logger.Level.DEBUG, "plugin " + s.name() + " of generation " + number + " handed off "
                    + copy.size() + " entries, " + Handover.bytes(copy) + " bytes, in " + millis(System.nanoTime() - begin));
            states.put(s.name(), copy);
        }
        return Handover.of(number, states);
    }

    private static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
    }

    @FunctionalInterface
    private interface PluginCall<T> {
        T call() throws Exception;
    }

    private static <T> T withContextLoader(ClassLoader cl, PluginCall<T> call, String plugin, String what)
            throws PluginException {
        Thread t = Thread.currentThread();
        ClassLoader previous = t.getContextClassLoader();
        t.setContextClassLoader(cl);
        try {
            return call.call();
        } catch (Registry.DuplicateCmdException e) {
            throw new PluginException(e.getMessage(), e);
        } catch (PluginException e) {
            throw new PluginException("plugin " + plugin + ": " + e.getMessage(), e.getCause());
        } catch (Exception | ServiceConfigurationError | LinkageError e) {
            throw new PluginException("plugin " + plugin + ": " + what + ": " + e, e);
        } finally {
            t.setContextClassLoader(previous);
        }
    }

    /** @return the generation number */
    public int number() {
        return number;
    }

    /**
     * @param cmd a command id
     * @return its handler, if a plugin registered one
     */
    public Optional<Registered> handler(int cmd) {
        return Optional.ofNullable(handlers.get(cmd));
    }

    /** @return the class loaders of this generation's plugin modules, for the leak watch */
    public List<ClassLoader> classLoaders() {
        return started.stream().map(Started::loader).toList();
    }

    /** @return the disconnect handlers, in the order they run */
    public List<Hook<DisconnectHandler>> disconnectHandlers() {
        return disconnectHandlers;
    }

    /**
     * @return every registered cmd, for the READY frame, with {@link WireMessage#DISCONNECT_CMD} when a
     *         plugin registered a disconnect handler
     */
    public List<CmdSpec> cmds() {
        List<CmdSpec> cmds = new ArrayList<>(handlers.values().stream()
                .map(r -> new CmdSpec(r.command().id(), r.command().name().orElse(""), r.command().idempotent()))
                .toList());
        if (!disconnectHandlers.isEmpty()) {
            cmds.add(new CmdSpec(WireMessage.DISCONNECT_CMD, "", false));
        }
        return List.copyOf(cmds);
    }

    /**
     * @return the timers the plugins started, which the task thread runs between tasks; the queue was
     *         made on that thread, the only one allowed to use it
     */
    public TimerQueue timers() {
        return timers;
    }

    /**
     * Stops the plugins in reverse start order (a failing stop is logged), cancels every timer still
     * planned (so none runs after the generation retired, including one a stop() started), then closes
     * the jars.
     */
    @Override
    public void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            Started s = started.get(i);
            try {
                withContextLoader(s.loader(), () -> {
                    s.plugin().stop();
                    return null;
                }, s.name(), "stop() threw");
            } catch (PluginException e) {
                LOG.log(System.Logger.Level.WARNING, e.getMessage(), e.getCause());
            }
        }
        int cancelled = timers.cancelAll();
        if (cancelled > 0) {
            LOG.log(System.Logger.Level.DEBUG, "generation " + number + ": cancelled " + cancelled + " timer(s)");
        }
        loader.close();
    }
}
