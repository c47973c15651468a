package dev.burst.container.worker;

import dev.burst.api.Plugin;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarOutputStream;
import java.util.zip.ZipEntry;

/** Packs test plugin classes into a jar of their own, with the service entry, as a plugin ships. */
final class PluginJar {

    private PluginJar() {
    }

    /**
     * @param dir     where the jar goes ({@code <name>.jar}); an existing one is reused
     * @param name    the plugin name
     * @param entry   the plugin class, named in {@code META-INF/services}
     * @param classes more classes of the plugin (superclasses ...)
     * @return the jar
     */
    static Path build(Path dir, String name, Class<? extends Plugin> entry, Class<?>... classes) {
        Path jar = dir.resolve(name + ".jar");
        if (Files.exists(jar)) {
            return jar;
        }
        try {
            Files.createDirectories(dir);
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
                out.putNextEntry(new ZipEntry("META-INF/services/" + Plugin.class.getName()));
                out.write((entry.getName() + "\n").getBytes(StandardCharsets.UTF_8));
                add(out, entry);
                for (Class<?> c : classes) {
                    add(out, c);
                }
            }
            return jar;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void add(JarOutputStream out, Class<?> type) throws IOException {
        String simple = type.getName().substring(type.getName().lastIndexOf('.') + 1);
        try (InputStream bytes = type.getResourceAsStream(simple + ".class")) {
            out.putNextEntry(new ZipEntry(type.getName().replace('.', '/') + ".class"));
            bytes.transferTo(out);
        }
    }
}
