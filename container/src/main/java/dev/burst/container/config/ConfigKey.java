package dev.burst.container.config;

import java.util.Objects;
import java.util.Optional;

/**
 * One entry of the key table in {@link ConfigKeys}: a key's name, its default, its value type (how the
 * value is parsed and checked, and what is allowed) and its documentation. Instances exist only as the
 * constants of {@link ConfigKeys}; read a key's value with {@link BurstConfig#value(ConfigKey)} or
 * {@link GroupConfig#value(ConfigKey)}.
 *
 * <p>Immutable; any thread.
 *
 * @param <T> what the value reads as
 */
public final class ConfigKey<T> {

    /** Where a key is set. */
    enum Scope {
        /** Set by bin/burst or by the master for its children (burst.home, burst.conf, burst.role). */
        LAUNCHER,
        /** One value for the whole server: {@code burst.http.port}. */
        GLOBAL,
        /** One value per worker group: {@code burst.group.<g>.workers}. */
        GROUP
    }

    private static final String GROUP_PREFIX = "burst.group.";

    private final String name;
    private final Scope scope;
    private final Optional<ConfigKeys.Section> section;
    private final String defaultValue;
    private final ValueType<T> type;
    private final String documentation;

    ConfigKey(String name, Scope scope, Optional<ConfigKeys.Section> section, String defaultValue, ValueType<T> type,
              String documentation) {
        this.name = Objects.requireNonNull(name);
        this.scope = Objects.requireNonNull(scope);
        this.section = Objects.requireNonNull(section);
        this.defaultValue = Objects.requireNonNull(defaultValue);
        this.type = Objects.requireNonNull(type);
        this.documentation = Objects.requireNonNull(documentation).strip();
        if (documentation.isBlank()) {
            throw new IllegalArgumentException(name + ": every key is documented");
        }
    }

    /** @return the key's name; a group key's is written {@code burst.group.<g>.<key>} */
    public String name() {
        return scope == Scope.GROUP ? GROUP_PREFIX + "<g>." + name : name;
    }

    /**
     * @param group a group name
     * @return this group key's name for that group: {@code burst.group.game.workers}
     */
    String nameIn(String group) {
        if (scope != Scope.GROUP) {
            throw new IllegalStateException(name + " is not a group key");
        }
        return GROUP_PREFIX + group + "." + name;
    }

    /** @return for a group key the part after {@code burst.group.<g>.}, else the whole name */
    String shortName() {
        return name;
    }

    /** @return the default as it is written in conf/burst.properties; empty = unset */
    public String defaultValue() {
        return defaultValue;
    }

    /** @return what a value must be, as the documentation and the error messages say it */
    public String allowed() {
        return type.allowed();
    }

    /** @return what the key does, as one or more paragraphs of prose (blank lines between paragraphs) */
    public String documentation() {
        return documentation;
    }

    Scope scope() {
        return scope;
    }

    /** @return the section of conf/burst.properties it is documented in; empty for launcher keys */
    Optional<ConfigKeys.Section> section() {
        return section;
    }

    ValueType<T> type() {
        return type;
    }

    @Override
    public String toString() {
        return name();
    }
}
