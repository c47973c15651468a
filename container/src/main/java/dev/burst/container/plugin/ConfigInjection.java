package dev.burst.container.plugin;

import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.InaccessibleObjectException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigValue;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.config.spi.Converter;

/**
 * Creates a plugin's entry class and fills what it declares with {@link ConfigProperty}, by MicroProfile
 * Config's rules, from the worker's {@link Config}. Reflection on that one class and its superclasses is all
 * it does: no scanning, no CDI, and the config is only read, never rebuilt.
 *
 * <h2>The rules, as a plugin author sees them</h2>
 * <ul>
 *   <li><b>Construction.</b> If exactly one constructor has all its parameters annotated
 *       {@code @ConfigProperty}, it is called with their values; each such parameter must give a
 *       {@code name}, since parameter names are not known at run time. Otherwise the no-argument constructor
 *       is called. Either may be non-public. Two constructors with annotated parameters, or one whose
 *       parameters are annotated only in part, are refused. Use a constructor for values a {@code final} field
 *       holds.</li>
 *   <li><b>Fields.</b> Every instance field annotated {@code @ConfigProperty}, in the class and its
 *       superclasses, is set after the constructor returns (superclass fields first), replacing what the
 *       constructor or an initializer put there. {@code final} and {@code static} fields are refused.</li>
 *   <li><b>Key.</b> The annotation's {@code name}; for a field without one, MicroProfile's
 *       {@code <canonical name of the declaring class>.<field name>}, for example
 *       {@code com.example.ScorePlugin.bonus}.</li>
 *   <li><b>Types.</b> Any type the config converts: {@code String}, primitives and their wrappers,
 *       enums, {@code Duration} and other classes with a public static {@code of(String)},
 *       {@code valueOf(String)} or {@code parse(CharSequence)} or a public {@code String} constructor, classes
 *       with a registered converter, and arrays of these (comma separated, {@code \,} for a comma in an
 *       element). Also {@code Optional<T>}, {@code OptionalInt}, {@code OptionalLong}, {@code OptionalDouble},
 *       {@code List<T>} and {@code Set<T>} (insertion order kept) of such a {@code T}. Any other type (a raw
 *       {@code List}, {@code Supplier<T>}, {@code List<? extends T>}, {@code Optional<List<T>>}...) is refused;
 *       {@code Optional<T[]>} serves for a list that may be absent.</li>
 *   <li><b>Missing values.</b> An empty value counts as none, as in MicroProfile. Without a value the
 *       annotation's {@code defaultValue} applies, converted like a configured value (split at commas for
 *       arrays, lists and sets); a default that converts to no elements counts as no default, and so does an
 *       empty {@code defaultValue}. An {@code Optional} type with no value and no default is empty; with a
 *       default it is present. Any other type with neither fails, naming the key and the member.</li>
 *   <li><b>Failures.</b> Everything is checked and every value read and converted before the constructor
 *       runs, so a plugin with a bad configuration is never constructed. Each failure is a
 *       {@link PluginException} whose message starts with the member ({@code field com.example.X.bonus},
 *       {@code constructor com.example.X(int) parameter 0}, {@code class com.example.X}) and, for a value,
 *       names the key, the value and the type; the caller prefixes the plugin's name.</li>
 * </ul>
 *
 * <p>Threads: runs on the generation's task thread in the worker, with the plugin module's class loader as
 * the thread's context loader, like the rest of a plugin's start. It keeps no state between calls.
 */
final class ConfigInjection {

    private static final Pattern UNESCAPED_COMMA = Pattern.compile("(?<!\\\\),");

    private static final Map<Class<?>, Class<?>> WRAPPERS = Map.of(
            boolean.class, Boolean.class, byte.class, Byte.class, short.class, Short.class,
            char.class, Character.class, int.class, Integer.class, long.class, Long.class,
            float.class, Float.class, double.class, Double.class);

    private static final String SUPPORTED = "a type the config converts (String, a primitive or wrapper, an enum,"
            + " Duration, a class with a converter, an array of these), or Optional<T>, OptionalInt, OptionalLong,"
            + " OptionalDouble, List<T> or Set<T> of such a T";

    private ConfigInjection() {
    }

    /**
     * Creates the plugin instance through its constructor and injects its {@code @ConfigProperty} fields.
     *
     * @param type   the plugin's entry class
     * @param config the worker's configuration
     * @param <T>    the class
     * @return the new, injected instance
     * @throws PluginException naming the member and, for a value, the key, the value and the type
     */
    static <T> T create(Class<T> type, Config config) throws PluginException {
        checkInstantiable(type);
        Constructor<T> constructor = constructor(type);
        List<Point> parameters = parameters(constructor, config);
        List<Point> fields = fields(type, config);
        Object[] arguments = new Object[parameters.size()];
        for (int i = 0; i < arguments.length; i++) {
            arguments[i] = parameters.get(i).value(config);
        }
        Object[] values = new Object[fields.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = fields.get(i).value(config);
        }
        T instance = construct(constructor, arguments);
        for (int i = 0; i < values.length; i++) {
            Point point = fields.get(i);
            try {
                point.field().orElseThrow().set(instance, values[i]);
            } catch (IllegalAccessException | IllegalArgumentException e) {
                // a converter registered for a supertype may hand back a value the field cannot hold
                throw new PluginException(point.member() + ": cannot be set: " + e.getMessage(), e);
            }
        }
        return instance;
    }

    private static void checkInstantiable(Class<?> type) throws PluginException {
        int modifiers = type.getModifiers();
        if (type.isInterface() || Modifier.isAbstract(modifiers)) {
            throw new PluginException("class " + type.getName() + ": is abstract and cannot be instantiated");
        }
        if (type.isMemberClass() && !Modifier.isStatic(modifiers)) {
            throw new PluginException("class " + type.getName()
                    + ": is an inner class, which needs an enclosing instance; make it static");
        }
    }

    /** The one constructor with annotated parameters, or else the no-argument one. */
    private static <T> Constructor<T> constructor(Class<T> type) throws PluginException {
        List<Constructor<?>> annotated = new ArrayList<>();
        for (Constructor<?> c : type.getDeclaredConstructors()) {
            long marked = Arrays.stream(c.getParameters()).filter(p -> p.isAnnotationPresent(ConfigProperty.class))
                    .count();
            if (marked > 0 && marked < c.getParameterCount()) {
                int first = 0;
                while (c.getParameters()[first].isAnnotationPresent(ConfigProperty.class)) {
                    first++;
                }
                throw new PluginException("class " + type.getName() + ": constructor " + signature(c)
                        + " has @ConfigProperty on some parameters but not on parameter " + first
                        + "; annotate all of them or none");
            }
            if (marked > 0) {
                annotated.add(c);
            }
        }
        if (annotated.size() > 1) {
            throw new PluginException("class " + type.getName() + ": more than one constructor has @ConfigProperty"
                    + " parameters (" + annotated.stream().map(ConfigInjection::signature)
                    .collect(Collectors.joining(", ")) + "); keep one");
        }
        Constructor<?> chosen;
        if (annotated.size() == 1) {
            chosen = annotated.get(0);
        } else {
            try {
                chosen = type.getDeclaredConstructor();
            } catch (NoSuchMethodException e) {
                throw new PluginException("class " + type.getName() + ": has no no-argument constructor and no"
                        + " constructor whose parameters are all annotated @ConfigProperty");
            }
        }
        @SuppressWarnings("unchecked") // a constructor of type makes a type
        Constructor<T> typed = (Constructor<T>) chosen;
        try {
            typed.setAccessible(true);
        } catch (InaccessibleObjectException | SecurityException e) {
            throw new PluginException("constructor " + signature(typed) + ": cannot be made accessible: "
                    + e.getMessage(), e);
        }
        return typed;
    }

    private static List<Point> parameters(Constructor<?> constructor, Config config) throws PluginException {
        List<Point> points = new ArrayList<>();
        Parameter[] parameters = constructor.getParameters();
        for (int i = 0; i < parameters.length; i++) {
            Parameter p = parameters[i];
            String member = "constructor " + signature(constructor) + " parameter " + i;
            ConfigProperty annotation = p.getAnnotation(ConfigProperty.class);
            if (annotation.name().isEmpty()) {
                throw new PluginException(member + ": @ConfigProperty needs a name on a constructor parameter,"
                        + " since parameter names are not available at run time");
            }
            points.add(Point.of(member, annotation.name(), annotation, p.getParameterizedType(), Optional.empty(),
                    config));
        }
        return points;
    }

    /** The annotated fields of the class and its superclasses, superclass fields first. */
    private static List<Point> fields(Class<?> type, Config config) throws PluginException {
        List<Class<?>> chain = new ArrayList<>();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            chain.add(0, c);
        }
        List<Point> points = new ArrayList<>();
        for (Class<?> c : chain) {
            for (Field f : c.getDeclaredFields()) {
                ConfigProperty annotation = f.getAnnotation(ConfigProperty.class);
                if (annotation == null) {
                    continue;
                }
                String member = "field " + c.getName() + "." + f.getName();
                int modifiers = f.getModifiers();
                if (Modifier.isStatic(modifiers)) {
                    throw new PluginException(member + ": is static; @ConfigProperty is injected into instance"
                            + " fields only");
                }
                if (Modifier.isFinal(modifiers)) {
                    throw new PluginException(member + ": is final, and fields are set after construction;"
                            + " take the value as an annotated constructor parameter instead");
                }
                points.add(Point.of(member, key(member, c, f, annotation), annotation, f.getGenericType(),
                        Optional.of(f), config));
                try {
                    f.setAccessible(true);
                } catch (InaccessibleObjectException | SecurityException e) {
                    throw new PluginException(member + ": cannot be made accessible: " + e.getMessage(), e);
                }
            }
        }
        return points;
    }

    private static String key(String member, Class<?> declaring, Field f, ConfigProperty annotation)
            throws PluginException {
        if (!annotation.name().isEmpty()) {
            return annotation.name();
        }
        String canonical = declaring.getCanonicalName();
        if (canonical == null) {
            throw new PluginException(member + ": @ConfigProperty needs a name, since " + declaring.getName()
                    + " has no canonical name to derive the key from");
        }
        return canonical + "." + f.getName();
    }

    private static <T> T construct(Constructor<T> constructor, Object[] arguments) throws PluginException {
        String member = "constructor " + signature(constructor);
        try {
            return constructor.newInstance(arguments);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof VirtualMachineError fatal) {
                throw fatal;
            }
            throw new PluginException(member + ": threw " + e.getCause(), e.getCause());
        } catch (InstantiationException | IllegalAccessException | IllegalArgumentException e) {
            throw new PluginException(member + ": cannot be called: " + e, e);
        } catch (ExceptionInInitializerError e) {
            throw new PluginException(member + ": the class's static initializer threw " + e.getCause(), e);
        }
    }

    private static String signature(Constructor<?> c) {
        return c.getDeclaringClass().getName() + Arrays.stream(c.getGenericParameterTypes())
                .map(Type::getTypeName).collect(Collectors.joining(", ", "(", ")"));
    }

    /** What a declared type is read as. */
    private enum Shape {
        /** The converted value itself (an array is split at commas). */
        VALUE,
        /** {@code Optional<T>}. */
        OPTIONAL,
        /** {@code OptionalInt}. */
        OPTIONAL_INT,
        /** {@code OptionalLong}. */
        OPTIONAL_LONG,
        /** {@code OptionalDouble}. */
        OPTIONAL_DOUBLE,
        /** {@code List<T>}, split at commas. */
        LIST,
        /** {@code Set<T>}, split at commas. */
        SET
    }

    /**
     * One injection point, checked: its type is supported and converted to {@code target} (the element class
     * of a list, set or Optional, the wrapper of a primitive).
     *
     * @param member       how messages name it
     * @param key          the config key
     * @param defaultValue the annotation's default, if it gives one
     * @param shape        what the value is read as
     * @param target       the class the config converts to
     * @param typeName     the declared type, for messages
     * @param field        the field to set; empty for a constructor parameter
     */
    private record Point(String member, String key, Optional<String> defaultValue, Shape shape, Class<?> target,
                         String typeName, Optional<Field> field) {

        static Point of(String member, String key, ConfigProperty annotation, Type type, Optional<Field> field,
                        Config config) throws PluginException {
            String d = annotation.defaultValue();
            Optional<String> defaultValue = d.isEmpty() || d.equals(ConfigProperty.UNCONFIGURED_VALUE)
                    ? Optional.empty() : Optional.of(d);
            Shape shape;
            Class<?> target;
            if (type == OptionalInt.class || type == OptionalLong.class || type == OptionalDouble.class) {
                shape = type == OptionalInt.class ? Shape.OPTIONAL_INT
                        : type == OptionalLong.class ? Shape.OPTIONAL_LONG : Shape.OPTIONAL_DOUBLE;
                target = type == OptionalInt.class ? Integer.class
                        : type == OptionalLong.class ? Long.class : Double.class;
            } else if (type instanceof Class<?> c && c != Optional.class && c != List.class && c != Set.class
                    && convertible(c, config)) {
                shape = Shape.VALUE;
                target = WRAPPERS.getOrDefault(c, c);
            } else if (type instanceof ParameterizedType p && p.getActualTypeArguments()[0] instanceof Class<?> e
                    && (p.getRawType() == Optional.class
                    || (p.getRawType() == List.class || p.getRawType() == Set.class) && !e.isArray())
                    && convertible(e, config)) {
                shape = p.getRawType() == Optional.class ? Shape.OPTIONAL
                        : p.getRawType() == List.class ? Shape.LIST : Shape.SET;
                target = e;
            } else {
                throw new PluginException(member + ": type " + type.getTypeName() + " cannot be injected;"
                        + " use " + SUPPORTED);
            }
            return new Point(member, key, defaultValue, shape, target, type.getTypeName(), field);
        }

        /**
         * Whether the config has a converter for the class, or for the elements of an array class. Object is
         * refused: Helidon hands it whichever converter comes first (one to ZoneOffset, say).
         */
        private static boolean convertible(Class<?> c, Config config) {
            Class<?> element = c.isArray() ? c.getComponentType() : c;
            return !element.isArray() && element != Object.class
                    && config.getConverter(WRAPPERS.getOrDefault(element, element)).isPresent();
        }

        /** The value to inject: configured, else the default, else empty or a failure, by shape. */
        Object value(Config config) throws PluginException {
            Optional<?> value = configured(config);
            if (value.isEmpty() && defaultValue.isPresent()) {
                value = converted(config, defaultValue.get());
            }
            return switch (shape) {
                case VALUE, LIST, SET -> value.orElseThrow(() -> new PluginException(member + ": required config key "
                        + key + " has no value"));
                case OPTIONAL -> value;
                case OPTIONAL_INT -> value.map(v -> OptionalInt.of((Integer) v)).orElseGet(OptionalInt::empty);
                case OPTIONAL_LONG -> value.map(v -> OptionalLong.of((Long) v)).orElseGet(OptionalLong::empty);
                case OPTIONAL_DOUBLE -> value.map(v -> OptionalDouble.of((Double) v)).orElseGet(OptionalDouble::empty);
            };
        }

        private Optional<?> configured(Config config) throws PluginException {
            try {
                return switch (shape) {
                    case LIST, SET -> config.getOptionalValues(key, target).map(this::collection);
                    default -> config.getOptionalValue(key, target);
                };
            } catch (RuntimeException e) {
                // MicroProfile converters report a bad value with IllegalArgumentException, but a plugin's own
                // converter may throw anything: the key and the value are what the operator needs either way
                ConfigValue raw = config.getConfigValue(key);
                String shown = raw.getValue() != null ? " value '" + raw.getValue() + "'" : "";
                throw new PluginException(member + ": config key " + key + shown + " does not convert to "
                        + typeName + ": " + e.getMessage(), e);
            }
        }

        /** The default, converted as a configured value would be, empty if it splits into no elements. */
        private Optional<?> converted(Config config, String text) throws PluginException {
            boolean split = shape == Shape.LIST || shape == Shape.SET || target.isArray();
            Class<?> element = shape == Shape.VALUE || shape == Shape.OPTIONAL
                    ? (target.isArray() ? target.getComponentType() : target) : target;
            Converter<?> converter = config.getConverter(WRAPPERS.getOrDefault(element, element))
                    .orElseThrow(() -> new PluginException(member + ": no converter to " + element.getName()));
            List<String> texts = split ? split(text) : List.of(text);
            if (texts.isEmpty()) {
                return Optional.empty();
            }
            List<Object> elements = new ArrayList<>(texts.size());
            for (String t : texts) {
                Object converted;
                try {
                    converted = converter.convert(t);
                } catch (RuntimeException e) {
                    throw new PluginException(member + ": default value '" + text + "' does not convert to "
                            + typeName + ": " + e.getMessage(), e);
                }
                if (converted == null) {
                    throw new PluginException(member + ": default value '" + text + "' converts to nothing for "
                            + typeName);
                }
                elements.add(converted);
            }
            if (shape == Shape.LIST || shape == Shape.SET) {
                return Optional.of(collection(elements));
            }
            if (target.isArray()) {
                Object array = Array.newInstance(element, elements.size());
                for (int i = 0; i < elements.size(); i++) {
                    Array.set(array, i, elements.get(i));
                }
                return Optional.of(array);
            }
            return Optional.of(elements.get(0));
        }

        private Object collection(List<?> elements) {
            return shape == Shape.SET ? Collections.unmodifiableSet(new LinkedHashSet<>(elements))
                    : Collections.unmodifiableList(new ArrayList<>(elements));
        }

        /** MicroProfile's split: at commas not preceded by a backslash, {@code \,} unescaped, empties dropped. */
        private static List<String> split(String text) {
            List<String> parts = new ArrayList<>();
            for (String part : UNESCAPED_COMMA.split(text, -1)) {
                String unescaped = part.replace("\\,", ",");
                if (!unescaped.isEmpty()) {
                    parts.add(unescaped);
                }
            }
            return parts;
        }
    }
}
