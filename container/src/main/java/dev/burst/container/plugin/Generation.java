package dev.burst.container.plugin;

import dev.burst.container.config.GroupConfig;
import java.util.List;

/**
 * A numbered snapshot of {@code plugins/}: what one reload saw, held in the content-addressed cache.
 *
 * @param number  1, 2, 3 ...
 * @param plugins every plugin found, by name order
 * @param files   every source file with its hash, for stat and logs
 */
public record Generation(int number, List<PluginJars> plugins, List<CachedFile> files) {

    /**
     * A source file and where its bytes are cached.
     *
     * @param plugin the plugin it belongs to
     * @param source the operator's file under plugins/
     * @param sha256 hex digest of its content
     * @param cached the cache file, named by the digest
     */
    public record CachedFile(String plugin, String source, String sha256, String cached) {
    }

    /**
     * @param group a group
     * @return the plugins that group loads
     */
    public List<PluginJars> pluginsOf(GroupConfig group) {
        return plugins.stream().filter(p -> group.loads(p.name())).toList();
    }
}
