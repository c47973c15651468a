package dev.burst.container.plugin;

import org.eclipse.microprofile.config.Config;

final class ConfigInjection {
    static <T> T create(Class<T> type, Config config) throws PluginException {
        try {
            var c = type.getDeclaredConstructor();
            c.setAccessible(true);
            return c.newInstance();
        } catch (ReflectiveOperationException e) {
            throw new PluginException(e.toString(), e);
        }
    }
}
