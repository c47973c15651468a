package dev.burst.container.config;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reads the keys of one scope (the server's, or one worker group's), each once: the value found, else the
 * table's default, parsed and checked by the key's value type. A key may depend on another of its scope
 * (a group's workers on its max-workers); that one is read first.
 *
 * <p>Not thread-safe: used by the one thread that loads the configuration, then dropped.
 */
final class Settings {

    private final Function<String, Optional<String>> source;
    private final Path home;
    private final ConfigKey.Scope scope;
    private final Optional<String> group;
    private final Map<ConfigKey<?>, Object> read = new LinkedHashMap<>();

    private Settings(Function<String, Optional<String>> source, Path home, ConfigKey.Scope scope,
                     Optional<String> group) {
        this.source = source;
        this.home = home;
        this.scope = scope;
        this.group = group;
    }

    /**
     * @param source a key's trimmed value, if set
     * @param home   burst.home
     * @return a reader of the server's keys
     */
    static Settings global(Function<String, Optional<String>> source, Path home) {
        return new Settings(source, home, ConfigKey.Scope.GLOBAL, Optional.empty());
    }

    /**
     * @param source a key's trimmed value, if set
     * @param home   burst.home
     * @param group  the group whose keys ({@code burst.group.<group>.*}) to read
     * @return a reader of that group's keys
     */
    static Settings group(Function<String, Optional<String>> source, Path home, String group) {
        return new Settings(source, home, ConfigKey.Scope.GROUP, Optional.of(group));
    }

    /** @return every key of this scope, read and checked in the order of the table */
    Map<ConfigKey<?>, Object> readAll() {
        ConfigKeys.all(scope).forEach(this::value);
        return Collections.unmodifiableMap(new LinkedHashMap<>(read));
    }

    /**
     * @param key a key of this scope
     * @param <T> its value type
     * @return its value
     * @throws ConfigException naming the key when its value is not allowed
     */
    <T> T value(ConfigKey<T> key) {
        if (key.scope() != scope) {
            throw new IllegalArgumentException(key.name() + " is not a " + scope + " key");
        }
        if (read.containsKey(key)) {
            @SuppressWarnings("unchecked") // read holds, for each key, what that key's own value type returned
            T known = (T) read.get(key);
            return known;
        }
        String name = group.map(key::nameIn).orElse(key.name());
        String text = source.apply(name).orElse(key.defaultValue());
        T value = key.type().read(new ValueType.Input() {
            @Override
            public String text() {
                return text;
            }

            @Override
            public Path home() {
                return home;
            }

            @Override
            public <V> V other(ConfigKey<V> other) {
                return Settings.this.value(other);
            }

            @Override
            public ConfigException refused(String allowed) {
                return new ConfigException(name, key.type().secret() ? "(hidden)" : text, allowed);
            }
        });
        read.put(key, value);
        return value;
    }
}
