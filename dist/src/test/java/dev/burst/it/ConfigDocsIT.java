package dev.burst.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.burst.container.config.ConfigLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped conf/burst.properties documents every key, and its documented defaults are valid. */
class ConfigDocsIT {

    private static final Path SHIPPED = Burst.DIST.resolve("conf/burst.properties");

    @Test
    void every_operator_key_is_documented_in_the_shipped_config() throws Exception {
        String conf = Files.readString(SHIPPED);
        List<String> missing = ConfigLoader.operatorKeys().stream()
                .map(k -> k.replace("<g>", "default"))
                .filter(k -> !conf.contains("\n#" + k + "="))
                .toList();
        assertEquals(List.of(), missing, "keys without a '#key=default' line in " + SHIPPED);
    }

    @Test
    void the_shipped_config_with_every_default_uncommented_starts_and_serves(@TempDir Path home) throws Exception {
        String uncommented = Files.readAllLines(SHIPPED).stream()
                .map(l -> l.startsWith("#burst.") && !l.startsWith("#burst.plugin.") ? l.substring(1) : l)
                .collect(Collectors.joining("\n"));
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/burst.properties"), uncommented);
        try (Burst burst = Burst.in(home).plugin("hello").start()) {
            assertEquals("documented", new String(burst.post("1", "documented").body(), StandardCharsets.UTF_8));
            assertTrue(burst.log().contains("groups {default=2}"), "the documented default group size applies");
        }
    }
}
