package dev.burst.container.plugin;

import dev.burst.container.config.ConfigLoader;
import dev.burst.container.config.GroupConfig;
import dev.burst.container.config.MapConfigSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;

/** Jars, groups and digests for the tests of this package. */
final class TestJars {

    /** The default group, which loads every plugin. */
    static final List<GroupConfig> ALL_PLUGINS = groups(Map.of());

    private TestJars() {
    }

    /** Groups as the configuration would give them. */
    static List<GroupConfig> groups(Map<String, String> settings) {
        return ConfigLoader.from(MapConfigSource.config(settings), Path.of("/opt/burst")).groups();
    }

    /** Writes a jar holding these entries, in this order. */
    static Path jar(Path file, Map<String, String> entries) throws IOException {
        Files.createDirectories(file.getParent());
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(file))) {
            for (Map.Entry<String, String> e : entries.entrySet()) {
                out.putNextEntry(new ZipEntry(e.getKey()));
                out.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        return file;
    }

    /** A plugin jar: it names its entry class in the service file. */
    static Path pluginJar(Path file, String entryClass) throws IOException {
        Map<String, String> entries = new LinkedHashMap<>();
        entries.put(PluginSnapshot.SERVICE_ENTRY, entryClass + "\n");
        entries.put(entryClass.replace('.', '/') + ".class", "not really bytecode: " + entryClass);
        return jar(file, entries);
    }

    /** A library jar: no service file. */
    static Path libJar(Path file, String content) throws IOException {
        return jar(file, Map.of("lib/Thing.txt", content));
    }

    static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** @return the names of the files in a folder, sorted */
    static List<String> fileNames(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    static void assertMentions(Exception e, String part) {
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains(part),
                () -> "'" + e.getMessage() + "' should mention '" + part + "'");
    }
}
