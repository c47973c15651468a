package dev.burst.container.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One worker group: its name and a value for every group key of the table ({@link ConfigKeys}), read
 * with {@link #value(ConfigKey)} or the named accessors below.
 *
 * <p>Immutable; any thread.
 */
public final class GroupConfig {

    private final String name;
    private final Map<ConfigKey<?>, Object> values;

    /**
     * @param name   group name
     * @param values every group key of the table, read and checked
     */
    GroupConfig(String name, Map<ConfigKey<?>, Object> values) {
        this.name = name;
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /**
     * A group with the default timeouts and no recycling.
     *
     * @param name         group name
     * @param workers      how many workers to keep
     * @param plugins      plugin names this group loads; empty = every plugin
     * @param maxPending   queued tasks before new ones are rejected
     * @param queueTimeout how long a task may wait in the queue
     * @return the group
     */
    public static GroupConfig of(String name, int workers, Set<String> plugins, int maxPending, Duration queueTimeout) {
        Map<ConfigKey<?>, Object> values = new LinkedHashMap<>(
                Settings.group(key -> Optional.empty(), Path.of(""), name).readAll());
        values.put(ConfigKeys.GROUP_MAX_WORKERS, Math.max(workers, (Integer) values.get(ConfigKeys.GROUP_MAX_WORKERS)));
        values.put(ConfigKeys.GROUP_WORKERS, workers);
        values.put(ConfigKeys.GROUP_PLUGINS, Set.copyOf(plugins));
        values.put(ConfigKeys.GROUP_MAX_PENDING, maxPending);
        values.put(ConfigKeys.GROUP_QUEUE_TIMEOUT, queueTimeout);
        return new GroupConfig(name, values);
    }

    /**
     * @param key a group key of {@link ConfigKeys}
     * @param <T> its value type
     * @return this group's value of it: the one configured, else the default
     * @throws IllegalArgumentException for a key that is not a group key
     */
    public <T> T value(ConfigKey<T> key) {
        Object v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException(key.name() + " is not a group key: read it from BurstConfig.value");
        }
        @SuppressWarnings("unchecked") // values holds, for each key, what that key's own value type returned
        T t = (T) v;
        return t;
    }

    /** @return group name */
    public String name() {
        return name;
    }

    /** @return how many workers to keep (burst.group.&lt;g&gt;.workers) */
    public int workers() {
        return value(ConfigKeys.GROUP_WORKERS);
    }

    /** @return plugin names this group loads; empty = every plugin (burst.group.&lt;g&gt;.plugins) */
    public Set<String> plugins() {
        return value(ConfigKeys.GROUP_PLUGINS);
    }

    /** @return queued tasks before new ones are rejected (burst.group.&lt;g&gt;.max-pending) */
    public int maxPending() {
        return value(ConfigKeys.GROUP_MAX_PENDING);
    }

    /** @return how long a task may wait in the queue (burst.group.&lt;g&gt;.queue-timeout) */
    public Duration queueTimeout() {
        return value(ConfigKeys.GROUP_QUEUE_TIMEOUT);
    }

    /** @return how long a task may run before its worker is declared stuck (burst.group.&lt;g&gt;.task-timeout) */
    public Duration taskTimeout() {
        return value(ConfigKeys.GROUP_TASK_TIMEOUT);
    }

    /** @return tasks after which a worker is recycled, 0 = never (burst.group.&lt;g&gt;.max-requests) */
    public int maxRequests() {
        return value(ConfigKeys.GROUP_MAX_REQUESTS);
    }

    /**
     * @return up to this many more tasks, drawn per worker, so workers do not recycle together
     *         (burst.group.&lt;g&gt;.max-requests-jitter)
     */
    public int maxRequestsJitter() {
        return value(ConfigKeys.GROUP_MAX_REQUESTS_JITTER);
    }

    /** @return the most workers change_group may ask for (burst.group.&lt;g&gt;.max-workers) */
    public int maxWorkers() {
        return value(ConfigKeys.GROUP_MAX_WORKERS);
    }

    /** How a group picks a worker for a task (burst.group.&lt;g&gt;.route). */
    public enum Route {
        /** the next idle worker: no affinity */
        ANY,
        /** the worker slot the task's key hashes to, one task of a key at a time */
        KEY
    }

    /** What a route=key group does with a task that has no key (burst.group.&lt;g&gt;.keyless). */
    public enum Keyless {
        /** any idle worker runs it */
        ANY,
        /** it is answered -10006 at once */
        REJECT
    }

    /** @return how the group picks a worker (burst.group.&lt;g&gt;.route) */
    public Route route() {
        return value(ConfigKeys.GROUP_ROUTE);
    }

    /** @return what a route=key group does with a keyless task (burst.group.&lt;g&gt;.keyless) */
    public Keyless keyless() {
        return value(ConfigKeys.GROUP_KEYLESS);
    }

    /** @return tasks a busy worker may hold beside the one it runs, 0 = none (burst.group.&lt;g&gt;.prefetch) */
    public int prefetch() {
        return value(ConfigKeys.GROUP_PREFETCH);
    }

    /**
     * @param plugin a plugin name
     * @return whether this group loads it
     */
    public boolean loads(String plugin) {
        return plugins().isEmpty() || plugins().contains(plugin);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GroupConfig g && g.name.equals(name) && g.values.equals(values);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + values.hashCode();
    }

    @Override
    public String toString() {
        return "GroupConfig[" + name + ": " + values.entrySet().stream()
                .map(e -> e.getKey().shortName() + "=" + e.getValue())
                .collect(Collectors.joining(", ")) + "]";
    }
}
