package dev.burst.container.plugin;

import dev.burst.api.AfterHook;
import dev.burst.api.BeforeHook;
import dev.burst.api.BeforeSendHook;
import dev.burst.api.Command;
import dev.burst.api.DisconnectHandler;
import dev.burst.api.Handler;
import dev.burst.api.HookScope;
import dev.burst.api.PluginContext;
import dev.burst.api.Push;
import dev.burst.api.Timers;
import dev.burst.api.WorkerInfo;
import dev.burst.container.plugin.Registered.Hook;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.eclipse.microprofile.config.Config;

/**
 * What the plugins of one generation register while they start, in start order (plugin name order):
 * handlers and hooks. Once every plugin started, {@link #routes()} freezes it into one {@link Registered}
 * per cmd with its hook chains worked out, so the task path only walks lists.
 *
 * <p>Threads: the generation's task thread, while it starts the plugins; a context's {@link Context#timers()}
 * on that thread for the generation's life.
 */
final class Registry {

    private final Push push;
    private final TimerQueue timers;
    private final Map<Integer, Handled> handlers = new LinkedHashMap<>();
    private final List<Hook<DisconnectHandler>> disconnectHandlers = new ArrayList<>();
    private final Chains workerHooks = new Chains();
    private final Map<String, Chains> pluginHooks = new LinkedHashMap<>();

    /**
     * @param push   what plugins push through
     * @param timers the generation's timers
     */
    Registry(Push push, TimerQueue timers) {
        this.push = push;
        this.timers = timers;
    }

    /** A handler as registered, before its hooks are known. */
    private record Handled(String plugin, Command command, Handler handler, String origin, ClassLoader loader) {
    }

    /** The hooks of one scope, each kind in registration order. */
    private static final class Chains {
        final List<Hook<BeforeHook>> before = new ArrayList<>();
        final List<Hook<BeforeSendHook>> beforeSend = new ArrayList<>();
        final List<Hook<AfterHook>> after = new ArrayList<>();
    }

    /** Two plugins (or one, twice) claimed a cmd or a cmd name. */
    static final class DuplicateCmdException extends IllegalStateException {
        DuplicateCmdException(String message) {
            super(message);
        }
    }

    /**
     * @param plugin the plugin about to start
     * @param info   the worker identity it sees
     * @param config the configuration it sees
     * @param loader its module's class loader
     * @return its context; registration through it closes with {@link Context#seal()}
     */
    Context context(String plugin, WorkerInfo info, Config config, ClassLoader loader) {
        return new Context(plugin, info, config, loader);
    }

    /** @return every cmd with its hooks, in registration order */
    Map<Integer, Registered> routes() {
        Map<Integer, Registered> out = new LinkedHashMap<>();
        for (Handled h : handlers.values()) {
            Chains own = pluginHooks.getOrDefault(h.plugin(), new Chains());
            out.put(h.command().id(), new Registered(h.plugin(), h.command(), h.handler(), h.origin(), h.loader(),
                    concat(workerHooks.before, own.before),
                    reversed(concat(workerHooks.beforeSend, own.beforeSend)),
                    reversed(concat(workerHooks.after, own.after))));
        }
        return Collections.unmodifiableMap(out);
    }

    /** @return the disconnect handlers, in registration order (plugins in start order) */
    List<Hook<DisconnectHandler>> disconnectHandlers() {
        return List.copyOf(disconnectHandlers);
    }

    private static <T> List<T> concat(List<T> first, List<T> then) {
        List<T> all = new ArrayList<>(first);
        all.addAll(then);
        return List.copyOf(all);
    }

    private static <T> List<T> reversed(List<T> list) {
        return List.copyOf(list.reversed());
    }

    /** What one plugin sees during start; registration closes when start returns. */
    final class Context implements PluginContext {
        private final String name;
        private final WorkerInfo info;
        private final Config config;
        private final ClassLoader loader;
        private final System.Logger logger;
        private final Timers pluginTimers;
        private boolean sealed;

        private Context(String name, WorkerInfo info, Config config, ClassLoader loader) {
            this.name = name;
            this.info = info;
            this.config = config;
            this.loader = loader;
            this.logger = System.getLogger("plugin." + name);
            this.pluginTimers = timers.forPlugin(name, loader);
        }

        @Override
        public void handle(Command command, Handler handler) {
            handle(command, handler, "start()");
        }

        /**
         * Registers a handler, saying where it was declared.
         *
         * @param command the command
         * @param handler the handler
         * @param origin  {@code start()}, or the annotated method
         * @throws DuplicateCmdException if the cmd or its name is taken, naming both
         */
        void handle(Command command, Handler handler, String origin) {
            Objects.requireNonNull(command, "command");
            Objects.requireNonNull(handler, "handler");
            checkOpen("handlers");
            Handled existing = handlers.get(command.id());
            if (existing != null) {
                throw new DuplicateCmdException("cmd " + command.id() + " is registered by both plugin "
                        + existing.plugin() + " (" + existing.origin() + ") and plugin " + name + " (" + origin + ")");
            }
            command.name().ifPresent(n -> handlers.values().stream()
                    .filter(r -> r.command().name().equals(command.name()))
                    .findFirst()
                    .ifPresent(r -> {
                        throw new DuplicateCmdException("cmd name '" + n + "' is registered by both plugin "
                                + r.plugin() + " (cmd " + r.command().id() + ", " + r.origin() + ") and plugin "
                                + name + " (cmd " + command.id() + ", " + origin + ")");
                    }));
            handlers.put(command.id(), new Handled(name, command, handler, origin, loader));
        }

        @Override
        public void before(HookScope scope, BeforeHook hook) {
            chains(scope).before.add(hook(hook));
        }

        @Override
        public void beforeSend(HookScope scope, BeforeSendHook hook) {
            chains(scope).beforeSend.add(hook(hook));
        }

        @Override
        public void after(HookScope scope, AfterHook hook) {
            chains(scope).after.add(hook(hook));
        }

        @Override
        public Push push() {
            return push;
        }

        @Override
        public Timers timers() {
            if (!timers.onOwner()) {
                throw new IllegalStateException("plugin " + name + ": timers() is for the task thread only, not "
                        + Thread.currentThread().getName());
            }
            return pluginTimers;
        }

        @Override
        public void onDisconnect(DisconnectHandler handler) {
            checkOpen("disconnect handlers");
            disconnectHandlers.add(hook(handler));
        }

        private <T> Hook<T> hook(T hook) {
            return new Hook<>(name, loader, Objects.requireNonNull(hook, "hook"));
        }

        private Chains chains(HookScope scope) {
            Objects.requireNonNull(scope, "scope");
            checkOpen("hooks");
            return scope == HookScope.WORKER ? workerHooks : pluginHooks.computeIfAbsent(name, n -> new Chains());
        }

        private void checkOpen(String what) {
            if (sealed) {
                throw new IllegalStateException("plugin " + name + ": " + what + " are registered in start() only");
            }
        }

        /** Closes registration: start() returned. */
        void seal() {
            sealed = true;
        }

        @Override
        public Config config() {
            return config;
        }

        @Override
        public System.Logger logger() {
            return logger;
        }

        @Override
        public WorkerInfo worker() {
            return info;
        }

        @Override
        public String pluginName() {
            return name;
        }
    }
}
