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
 */
public record GroupConfig(String name, int workers, Set<String> plugins, int maxPending, Duration queueTimeout) {

    /**
     * @param plugin a plugin name
     * @return whether this group loads it
     */
    public boolean loads(String plugin) {
        return plugins.isEmpty() || plugins.contains(plugin);
    }
}
