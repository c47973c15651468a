package dev.burst.container.plugin;

import dev.burst.container.config.GroupConfig;
import dev.burst.container.plugin.Generation.CachedFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
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
 * must name its entry class in {@code META-INF/services/dev.burst.api.Plugin}. Other files are ignored,
 * and so is every entry whose name starts with a dot, at both levels (an upload in progress, an editor's
 * swap file, {@code .git}); a half-written {@code game.jar.tmp} or {@code game.jar.part} is ignored too.
 *
 * <p>Only regular files are copied: a pipe, socket or device named {@code *.jar} fails the snapshot
 * rather than blocking it. A symbolic link the snapshot would read through (a link named {@code *.jar},
 * or a link to a folder at the top level) fails the snapshot unless {@code burst.plugins.follow-symlinks}
 * is true, so nothing outside {@code plugins/} is loaded by accident; {@code plugins/} itself may be a
 * link. A link the snapshot would ignore anyway (to a README, say) stays ignored.
 *
 * <p>The operator may change {@code plugins/} while a snapshot runs: each file is copied while it is
 * hashed and must be the same file, with the same size and modification time, before and after the
 * copy; a file that changed or vanished meanwhile fails the snapshot (run the reload again), and every
 * jar is validated from its cached copy, the bytes workers will load.
 *
 * <p>Runs on the caller's thread (the proxy's main thread at start, the reload thread later). Two
 * snapshots into one cache may run at once (copies are renamed into place atomically), but a prune of
 * the cache must not run beside one: {@link GenerationStore} serializes the two.
 */
public final class PluginSnapshot {

    /** The service file that marks a plugin jar. */
    public static final String SERVICE_ENTRY = "META-INF/services/dev.burst.api.Plugin";
    /** How a copy in progress is named in the cache until it is renamed after its digest. */
    static final String INCOMING_PREFIX = "incoming-";
    static final String INCOMING_SUFFIX = ".tmp";

    private static final String FOLLOW_KEY = "burst.plugins.follow-symlinks";
    private static final LinkOption[] NO_LINK_OPTIONS = {};

    /** What the snapshot makes of a listed entry, once a link is followed or refused. */
    private enum Kind {
        /** A folder at the top level: a plugin of several jars. */
        FOLDER,
        /** A regular file named {@code *.jar}. */
        JAR,
        /** Anything else: ignored. */
        OTHER
    }

    /**
     * A listed entry.
     *
     * @param path       where it was listed
     * @param kind       what it is to the snapshot
     * @param attributes those of what it reads (a followed link's target), to tell a change during the copy
     */
    private record Entry(Path path, Kind kind, BasicFileAttributes attributes) {
    }

    /** Runs before each file is copied, so a test can change the folder or pause at that moment. */
    @FunctionalInterface
    interface CopyHook {
        /** The hook of production: nothing. */
        CopyHook NONE = source -> {
        };

        /**
         * @param source the file about to be copied
         * @throws IOException as a copy would
         */
        void beforeCopy(Path source) throws IOException;
    }

    private PluginSnapshot() {
    }

    /**
     * Takes a snapshot.
     *
     * @param pluginsDir     the operator's folder
     * @param cacheDir       the cache folder (created if missing)
     * @param number         the generation number to give it
     * @param groups         the groups; each plugin a group names must exist
     * @param followSymlinks {@code burst.plugins.follow-symlinks}: whether a symbolic link in the folder
     *                       is followed (true) or fails the snapshot (false)
     * @return the validated generation
     * @throws PluginException naming the file or key at fault; nothing is half-made visible
     */
    public static Generation take(Path pluginsDir, Path cacheDir, int number, List<GroupConfig> groups,
                                  boolean followSymlinks) throws PluginException {
        return take(pluginsDir, cacheDir, number, groups, followSymlinks, CopyHook.NONE);
    }

    static Generation take(Path pluginsDir, Path cacheDir, int number, List<GroupConfig> groups,
                           boolean followSymlinks, CopyHook hook) throws PluginException {
        List<PluginJars> plugins = new ArrayList<>();
        List<CachedFile> files = new ArrayList<>();
        try {
            Files.createDirectories(cacheDir);
            for (Path path : list(pluginsDir)) {
                String fileName = path.getFileName().toString();
                if (fileName.startsWith(".")) {
                    continue;
                }
                Entry entry = classify(path, true, followSymlinks);
                PluginJars plugin;
                if (entry.kind() == Kind.FOLDER) {
                    List<Entry> jars = new ArrayList<>();
                    for (Path inside : list(path)) {
                        if (!inside.getFileName().toString().startsWith(".")) {
                            Entry e = classify(inside, false, followSymlinks);
                            if (e.kind() == Kind.JAR) {
                                jars.add(e);
                            }
                        }
                    }
                    if (jars.isEmpty()) {
                        continue;
                    }
                    plugin = cache(fileName, jars, cacheDir, followSymlinks, hook, files);
                } else if (entry.kind() == Kind.JAR) {
                    plugin = cache(fileName.substring(0, fileName.length() - ".jar".length()), List.of(entry),
                            cacheDir, followSymlinks, hook, files);
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
        requirePlugins(plugins, groups, "which is not in " + pluginsDir);
        return new Generation(number, List.copyOf(plugins), List.copyOf(files));
    }

    /**
     * Checks that every plugin a group names is among these.
     *
     * @param where how the message ends ("which is not in plugins/")
     */
    static void requirePlugins(List<PluginJars> plugins, List<GroupConfig> groups, String where)
            throws PluginException {
        for (GroupConfig g : groups) {
            for (String wanted : g.plugins()) {
                if (plugins.stream().noneMatch(p -> p.name().equals(wanted))) {
                    throw new PluginException("burst.group." + g.name() + ".plugins names plugin '" + wanted
                            + "', " + where);
                }
            }
        }
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        } catch (NoSuchFileException e) {
            throw new IOException("no such folder: " + dir, e);
        }
    }

    /**
     * Tells what an entry is, without following a link unless allowed.
     *
     * @param topLevel whether it is directly under plugins/ (where a folder is a plugin)
     * @throws PluginException for a link that is not allowed or leads nowhere, a jar that is not a
     *                         regular file, or an entry that vanished after it was listed
     */
    private static Entry classify(Path path, boolean topLevel, boolean followSymlinks)
            throws PluginException, IOException {
        boolean jarName = path.getFileName().toString().endsWith(".jar");
        BasicFileAttributes own = attributes(path, LinkOption.NOFOLLOW_LINKS);
        BasicFileAttributes read = own;
        if (own.isSymbolicLink()) {
            BasicFileAttributes target;
            try {
                target = Files.readAttributes(path, BasicFileAttributes.class);
            } catch (NoSuchFileException e) {
                target = null;
            }
            boolean wouldRead = jarName || topLevel && target != null && target.isDirectory();
            if (!wouldRead) {
                return new Entry(path, Kind.OTHER, own);
            }
            if (!followSymlinks) {
                throw new PluginException(path + " is a symbolic link (to " + linkTarget(path) + "); " + FOLLOW_KEY
                        + " is false, so links in the plugins folder are refused and nothing outside it is loaded"
                        + " by accident: put the " + (jarName ? "file" : "folder") + " itself there, or set "
                        + FOLLOW_KEY + "=true to follow links");
            }
            if (target == null) {
                throw new PluginException(path + " is a symbolic link to " + linkTarget(path) + ", which does not exist");
            }
            read = target;
        }
        if (read.isDirectory()) {
            return new Entry(path, topLevel ? Kind.FOLDER : Kind.OTHER, read);
        }
        if (!jarName) {
            return new Entry(path, Kind.OTHER, read);
        }
        if (!read.isRegularFile()) {
            throw new PluginException(path + " is not a regular file (a named pipe, socket or device?); only regular"
                    + " files are copied into the plugin cache: remove it or replace it with the jar");
        }
        return new Entry(path, Kind.JAR, read);
    }

    private static BasicFileAttributes attributes(Path path, LinkOption... options) throws PluginException, IOException {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class, options);
        } catch (NoSuchFileException e) {
            throw new PluginException(path + " vanished while the snapshot ran; run the reload again once "
                    + path.getParent() + " is complete", e);
        }
    }

    private static String linkTarget(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (IOException e) {
            return "an unreadable target: " + e.getMessage();
        }
    }

    private static PluginJars cache(String plugin, List<Entry> jars, Path cacheDir, boolean followSymlinks,
                                    CopyHook hook, List<CachedFile> files) throws PluginException, IOException {
        List<String> cached = new ArrayList<>();
        int entryJars = 0;
        for (Entry jar : jars) {
            hook.beforeCopy(jar.path());
            Path copy = copyIn(plugin, jar, cacheDir, followSymlinks);
            String sha = copy.getFileName().toString().replace(".jar", "");
            if (validate(plugin, jar.path(), copy)) {
                entryJars++;
            }
            cached.add(copy.toString());
            files.add(new CachedFile(plugin, jar.path().toString(), sha, copy.toString()));
        }
        if (entryJars != 1) {
            throw new PluginException("plugin " + plugin + " (" + jars.stream().map(Entry::path).toList() + "): "
                    + (entryJars == 0
                    ? "no jar holds " + SERVICE_ENTRY
                    : entryJars + " jars hold " + SERVICE_ENTRY + "; a plugin has exactly one"));
        }
        return new PluginJars(plugin, List.copyOf(cached));
    }

    /**
     * Copies while hashing, checks that the source did not change meanwhile, then renames the copy
     * after its digest (over an existing copy of the same digest, which heals a damaged cache file).
     */
    private static Path copyIn(String plugin, Entry jar, Path cacheDir, boolean followSymlinks)
            throws PluginException, IOException {
        MessageDigest sha = sha256();
        Path tmp = Files.createTempFile(cacheDir, INCOMING_PREFIX, INCOMING_SUFFIX);
        LinkOption[] links = followSymlinks ? NO_LINK_OPTIONS : new LinkOption[] {LinkOption.NOFOLLOW_LINKS};
        try {
            long copied;
            try (InputStream in = Files.newInputStream(jar.path(), (OpenOption[]) links);
                 OutputStream out = new DigestOutputStream(Files.newOutputStream(tmp), sha)) {
                copied = in.transferTo(out);
            } catch (NoSuchFileException e) {
                throw new PluginException("plugin " + plugin + ": " + jar.path() + " vanished while the snapshot ran;"
                        + " run the reload again once the plugins folder is complete", e);
            }
            BasicFileAttributes before = jar.attributes();
            BasicFileAttributes after = attributes(jar.path(), links);
            if (copied != before.size() || after.size() != before.size()
                    || !after.lastModifiedTime().equals(before.lastModifiedTime())
                    || !Objects.equals(after.fileKey(), before.fileKey())) {
                throw new PluginException("plugin " + plugin + ": " + jar.path() + " changed while it was being copied"
                        + " (" + before.size() + " bytes when listed, " + copied + " copied, " + after.size()
                        + " now); run the reload again once it is written completely");
            }
            Path target = cacheDir.resolve(HexFormat.of().formatHex(sha.digest()) + ".jar");
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
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

    /** @return a fresh SHA-256 digest */
    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
