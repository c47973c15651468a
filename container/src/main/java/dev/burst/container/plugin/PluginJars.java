package dev.burst.container.plugin;

import java.util.List;

/**
 * One plugin of a generation: its name and the cached jar files that make it up (the plugin jar and
 * its libraries), in the order its module lists them.
 *
 * @param name  the plugin's name (its jar's name without .jar, or its folder's name)
 * @param files paths of the cached jars, under {@code run/plugins/}
 */
public record PluginJars(String name, List<String> files) {
}
