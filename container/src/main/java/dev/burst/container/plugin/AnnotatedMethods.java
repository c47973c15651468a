package dev.burst.container.plugin;

import dev.burst.api.After;
import dev.burst.api.Before;
import dev.burst.api.BeforeSend;
import dev.burst.api.Cmd;
import dev.burst.api.Command;
import dev.burst.api.Outcome;
import dev.burst.api.Request;
import dev.burst.api.Response;
import java.lang.annotation.Annotation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Registers the methods of a plugin class annotated {@link Cmd}, {@link Before}, {@link BeforeSend} and
 * {@link After}, by reflection on that class and its superclasses only (no scanning). A method whose
 * shape does not fit its annotation fails the plugin's start naming the method.
 *
 * <p>Order: {@code @Cmd} methods by method name; hooks of each kind by {@code order()}, then by name. A
 * method overridden in a subclass counts once, as the subclass declares it.
 *
 * <p>Threads: the generation's task thread, before the plugin's {@code start}.
 */
final class AnnotatedMethods {

    private static final List<Class<? extends Annotation>> KINDS = List.of(Cmd.class, Before.class, BeforeSend.class,
            After.class);

    private AnnotatedMethods() {
    }

    /**
     * @param plugin  the plugin instance whose class is read
     * @param context where to register
     * @throws PluginException naming the first method that does not fit (without the plugin's name: the
     *                         caller adds it)
     */
    static void register(Object plugin, Registry.Context context) throws PluginException {
        List<Method> cmds = new ArrayList<>();
        List<Method> hooks = new ArrayList<>();
        for (Method m : methods(plugin.getClass())) {
            List<Class<? extends Annotation>> on = KINDS.stream().filter(m::isAnnotationPresent).toList();
            if (on.isEmpty()) {
                continue;
            }
            if (on.size() > 1) {
                throw new PluginException(describe(m) + " carries " + on.stream().map(a -> "@" + a.getSimpleName())
                        .collect(Collectors.joining(" and ")) + "; a method is one handler or one hook");
            }
            if (Modifier.isStatic(m.getModifiers())) {
                throw new PluginException(describe(m) + ": @" + on.getFirst().getSimpleName()
                        + " goes on an instance method, this one is static");
            }
            (on.getFirst() == Cmd.class ? cmds : hooks).add(m);
        }
        cmds.sort(Comparator.comparing(Method::getName));
        for (Method m : cmds) {
            registerCmd(plugin, m, context);
        }
        hooks.sort(Comparator.comparingInt(AnnotatedMethods::order).thenComparing(Method::getName));
        for (Method m : hooks) {
            registerHook(plugin, m, context);
        }
    }

    private static void registerCmd(Object plugin, Method m, Registry.Context context) throws PluginException {
        Cmd cmd = m.getAnnotation(Cmd.class);
        Class<?> returns = m.getReturnType();
        if (!Arrays.equals(m.getParameterTypes(), new Class<?>[] {Request.class})
                || !(returns == void.class || returns == String.class || returns == byte[].class)) {
            throw new PluginException(describe(m) + ": @Cmd(id = " + cmd.id() + ") needs one parameter of type "
                    + "Request and returns void, String or byte[]");
        }
        Command command = Command.of(cmd.id());
        try {
            if (!cmd.name().isEmpty()) {
                command = command.named(cmd.name());
            }
        } catch (IllegalArgumentException e) {
            throw new PluginException(describe(m) + ": " + e.getMessage(), e);
        }
        if (cmd.idempotent()) {
            command = command.asIdempotent();
        }
        accessible(m);
        context.handle(command, request -> {
            Object reply = invoke(m, plugin, request);
            if (reply instanceof String text) {
                request.reply(text);
            } else if (reply instanceof byte[] bytes) {
                request.reply(bytes);
            }
        }, describe(m));
    }

    private static void registerHook(Object plugin, Method m, Registry.Context context) throws PluginException {
        if (m.getReturnType() != void.class) {
            throw new PluginException(describe(m) + ": a hook returns void");
        }
        Class<?>[] params = m.getParameterTypes();
        if (m.isAnnotationPresent(Before.class)) {
            expect(m, params, "@Before", Request.class);
            accessible(m);
            context.before(m.getAnnotation(Before.class).scope(), request -> invoke(m, plugin, request));
        } else if (m.isAnnotationPresent(BeforeSend.class)) {
            expect(m, params, "@BeforeSend", Request.class, Response.class);
            accessible(m);
            context.beforeSend(m.getAnnotation(BeforeSend.class).scope(),
                    (request, response) -> invoke(m, plugin, request, response));
        } else {
            expect(m, params, "@After", Request.class, Outcome.class);
            accessible(m);
            context.after(m.getAnnotation(After.class).scope(), (request, outcome) -> invoke(m, plugin, request, outcome));
        }
    }

    private static void expect(Method m, Class<?>[] params, String annotation, Class<?>... wanted) throws PluginException {
        if (!Arrays.equals(params, wanted)) {
            throw new PluginException(describe(m) + ": " + annotation + " needs the parameters ("
                    + Arrays.stream(wanted).map(Class::getSimpleName).collect(Collectors.joining(", ")) + ")");
        }
    }

    private static int order(Method m) {
        if (m.isAnnotationPresent(Before.class)) {
            return m.getAnnotation(Before.class).order();
        }
        if (m.isAnnotationPresent(BeforeSend.class)) {
            return m.getAnnotation(BeforeSend.class).order();
        }
        return m.getAnnotation(After.class).order();
    }

    /** The declared methods of the class and its superclasses, an overridden one once (the subclass's). */
    private static List<Method> methods(Class<?> type) {
        List<Method> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                if (m.isSynthetic() || m.isBridge()) {
                    continue;
                }
                if (seen.add(m.getName() + Arrays.toString(m.getParameterTypes()))) {
                    out.add(m);
                }
            }
        }
        return out;
    }

    private static void accessible(Method m) throws PluginException {
        try {
            m.setAccessible(true);
        } catch (RuntimeException e) {
            throw new PluginException(describe(m) + ": burst cannot call it: " + e.getMessage(), e);
        }
    }

    /**
     * Calls a plugin method; what it throws comes out as itself, not wrapped.
     *
     * @throws Exception what the method threw
     */
    private static Object invoke(Method m, Object target, Object... args) throws Exception {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception ex) {
                throw ex;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    /** @return the method as messages name it: {@code method com.example.Score.add(Request)} */
    static String describe(Method m) {
        return "method " + m.getDeclaringClass().getName() + "." + m.getName() + "("
                + Arrays.stream(m.getParameterTypes()).map(Class::getSimpleName).collect(Collectors.joining(", ")) + ")";
    }
}
