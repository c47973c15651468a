package dev.burst.container.config;

import java.time.Duration;
import java.util.Set;

/**
 * One worker group.
 *
 * @param name         group name
 * @param workers      how many workers to keep
 * @param plugins      plugin names this group loads; empty = every plugin
 * @param maxPending   queued tasks before new ones are rejected
 * @param queueTimeout how long a task may wait in the queue
 * @param taskTimeout  how long a task may run before its worker is declared stuck
 * @param maxRequests  tasks after which a worker is recycled (0 = never)
 * @param maxRequestsJitter up to this many more tasks, drawn per worker, so workers do not recycle together
 * @param maxWorkers   the most workers change_group may ask for
 */
public record GroupConfig(String name, int workers, Set<String> plugins, int maxPending, Duration queueTimeout,
                          Duration taskTimeout, int maxRequests, int maxRequestsJitter, int maxWorkers) {

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
        return new GroupConfig(name, workers, plugins, maxPending, queueTimeout, Duration.ofSeconds(30), 0, 0,
                Math.max(workers, 64));
    }

    /**
     * @param plugin a plugin name
     * @return whether this group loads it
     */
    public boolean loads(String plugin) {
        return plugins.isEmpty() || plugins.contains(plugin);
    }
}
