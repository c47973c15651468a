package dev.burst.container.plugin;

import dev.burst.container.config.GroupConfig;
import dev.burst.container.plugin.Generation.CachedFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/**
 * Copies {@code plugins/} into the content-addressed cache ({@code run/plugins/<sha256>.jar}) and
 * validates every jar there, so that workers load files the operator can no longer change under them.
 *
 * <p>A plugin is a {@code *.jar} directly under {@code plugins/} (named after the file), or a folder
 * holding the plugin jar and its library jars (named after the folder). Exactly one jar of a plugin
 * must name its entry class in {@code META-INF/services/dev.burst.api.Plugin}. Other files are ignored.
 */
public final class PluginSnapshot {

    /** The service file that marks a plugin jar. */
    public static final String SERVICE_ENTRY = "META-INF/services/dev.burst.api.Plugin";

    private PluginSnapshot() {
    }

    /**
     * Takes a snapshot.
     *
     * @param pluginsDir the operator's folder
     * @param cacheDir   the cache folder (created if missing)
     * @param number     the generation number to give it
     * @param groups     the groups; each plugin a group names must exist
     * @return the validated generation
     * @throws PluginException naming the file or key at fault; nothing is half-made visible
     */
    public static Generation take(Path pluginsDir, Path cacheDir, int number, List<GroupConfig> groups)
            throws PluginException {
        List<PluginJars> plugins = new ArrayList<>();
        List<CachedFile> files = new ArrayList<>();
        try {
            Files.createDirectories(cacheDir);
            for (Path entry : list(pluginsDir)) {
                String fileName = entry.getFileName().toString();
                if (fileName.startsWith(".")) {
                    continue;
                }
                PluginJars plugin;
                if (Files.isDirectory(entry)) {
                    List<Path> jars = list(entry).stream().filter(PluginSnapshot::isJar).toList();
                    if (jars.isEmpty()) {
                        continue;
                    }
                    plugin = cache(fileName, jars, cacheDir, files);
                } else if (isJar(entry)) {
                    plugin = cache(fileName.substring(0, fileName.length() - 4), List.of(entry), cacheDir, files);
                } else {
                    continue;
                }
                if (plugins.stream().anyMatch(p -> p.name().equals(plugin.name()))) {
                    throw new PluginException("two plugins are named " + plugin.name() + " in " + pluginsDir
                            + ": " + plugin.name() + ".jar and the folder " + plugin.name() + "/; remove one");
                }
                plugins.add(plugin);
            }
        } catch (IOException e) {
            throw new PluginException("cannot snapshot " + pluginsDir + ": " + e, e);
        }
        for (GroupConfig g : groups) {
            for (String wanted : g.plugins()) {
                if (plugins.stream().noneMatch(p -> p.name().equals(wanted))) {
                    throw new PluginException("burst.group." + g.name() + ".plugins names plugin '" + wanted
                            + "', which is not in " + pluginsDir);
                }
            }
        }
        return new Generation(number, List.copyOf(plugins), List.copyOf(files));
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        } catch (NoSuchFileException e) {
            throw new IOException("no such folder: " + dir, e);
        }
    }

    private static boolean isJar(Path p) {
        return p.getFileName().toString().endsWith(".jar") && Files.isRegularFile(p);
    }

    private static PluginJars cache(String plugin, List<Path> jars, Path cacheDir, List<CachedFile> files)
            throws PluginException, IOException {
        List<String> cached = new ArrayList<>();
        int entryJars = 0;
        for (Path jar : jars) {
            Path copy = copyIn(jar, cacheDir);
            String sha = copy.getFileName().toString().replace(".jar", "");
            if (validate(plugin, jar, copy)) {
                entryJars++;
            }
            cached.add(copy.toString());
            files.add(new CachedFile(plugin, jar.toString(), sha, copy.toString()));
        }
        if (entryJars != 1) {
            throw new PluginException("plugin " + plugin + " (" + jars + "): " + (entryJars == 0
                    ? "no jar holds " + SERVICE_ENTRY
                    : entryJars + " jars hold " + SERVICE_ENTRY + "; a plugin has exactly one"));
        }
        return new PluginJars(plugin, List.copyOf(cached));
    }

    /** Copies while hashing, then names the copy by its digest; an existing copy is kept. */
    private static Path copyIn(Path jar, Path cacheDir) throws IOException {
        MessageDigest sha = sha256();
        Path tmp = Files.createTempFile(cacheDir, "incoming-", ".tmp");
        try {
            try (InputStream in = Files.newInputStream(jar);
                 OutputStream out = new DigestOutputStream(Files.newOutputStream(tmp), sha)) {
                in.transferTo(out);
            }
            Path target = cacheDir.resolve(HexFormat.of().formatHex(sha.digest()) + ".jar");
            if (Files.exists(target)) {
                Files.delete(tmp);
            } else {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            }
            return target;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Reads every entry of the cached copy and checks its size and CRC-32 against the jar's directory,
     * so a half-copied or corrupt jar fails here and not in a worker. (Reading through {@link JarFile}
     * alone does not check CRCs.)
     *
     * @return whether this jar holds the plugin service entry
     */
    private static boolean validate(String plugin, Path source, Path copy) throws PluginException {
        try (JarFile jar = new JarFile(copy.toFile(), false)) {
            boolean service = false;
            byte[] buffer = new byte[16 * 1024];
            Enumeration<JarEntry> entries = jar.entries();
            while (entries.hasMoreElements()) {
                JarEntry e = entries.nextElement();
                CRC32 crc = new CRC32();
                long size = 0;
                try (InputStream in = jar.getInputStream(e)) {
                    for (int n; (n = in.read(buffer)) > 0; ) {
                        crc.update(buffer, 0, n);
                        size += n;
                    }
                }
                if (e.getSize() >= 0 && size != e.getSize() || e.getCrc() >= 0 && crc.getValue() != e.getCrc()) {
                    throw new PluginException("plugin " + plugin + ": " + source + " is corrupt: entry " + e.getName()
                            + " does not match its size or CRC");
                }
                service |= e.getName().equals(SERVICE_ENTRY);
            }
            return service;
        } catch (IOException | SecurityException e) {
            throw new PluginException("plugin " + plugin + ": " + source + " is not a readable jar: " + e.getMessage(), e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
