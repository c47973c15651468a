package dev.burst.container.config;

import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.spi.ConfigProviderResolver;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * A MicroProfile config source over a map, so tests see only the keys they set: no system properties,
 * no environment, no config file.
 */
public final class MapConfigSource implements ConfigSource {

    private final Map<String, String> values;

    private MapConfigSource(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    /**
     * @param values every key the config holds
     * @return a config built from those keys alone
     */
    public static Config config(Map<String, String> values) {
        return ConfigProviderResolver.instance().getBuilder()
                .withSources(new MapConfigSource(values))
                .build();
    }

    @Override
    public Set<String> getPropertyNames() {
        return values.keySet();
    }

    @Override
    public Map<String, String> getProperties() {
        return values;
    }

    @Override
    public String getValue(String key) {
        return values.get(key);
    }

    @Override
    public String getName() {
        return "test map " + values;
    }
}
