package dev.burst.container.config;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.eclipse.microprofile.config.spi.ConfigSource;

/** {@code conf/burst.properties}: below system properties (400) and the environment (300). */
final class FileConfigSource implements ConfigSource {

    static final int ORDINAL = 200;

    private final String name;
    private final Map<String, String> values;

    private FileConfigSource(String name, Map<String, String> values) {
        this.name = name;
        this.values = values;
    }

    static FileConfigSource load(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        Map<String, String> values = new TreeMap<>();
        p.stringPropertyNames().forEach(k -> values.put(k, p.getProperty(k).trim()));
        return new FileConfigSource(file.toString(), Map.copyOf(values));
    }

    static FileConfigSource empty() {
        return new FileConfigSource("(no config file)", Map.of());
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
        return name;
    }

    @Override
    public int getOrdinal() {
        return ORDINAL;
    }
}
