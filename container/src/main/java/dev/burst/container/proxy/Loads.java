package dev.burst.container.proxy;

import dev.burst.container.config.GroupConfig;
import dev.burst.container.plugin.Generation;
import dev.burst.container.protocol.WireMessage.Load;
import dev.burst.container.protocol.WireMessage.PluginFiles;

/** The LOAD frame that tells a worker of a group to run a generation. */
final class Loads {

    private Loads() {
    }

    static Load of(Generation generation, GroupConfig group) {
        return new Load(generation.number(), generation.pluginsOf(group).stream()
                .map(p -> new PluginFiles(p.name(), p.files()))
                .toList());
    }
}
