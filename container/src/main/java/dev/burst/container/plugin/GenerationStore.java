package dev.burst.container.plugin;

import dev.burst.container.config.GroupConfig;
import dev.burst.container.plugin.Generation.CachedFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

/**
 * The durable record, in the run directory, of the plugin generation that is serving; the numbering of
 * generations; and the pruning of the plugin cache. A proxy that was killed and respawned serves the
 * recorded generation again instead of whatever {@code plugins/} holds now.
 *
 * <p>Files in the run directory:
 * <pre>
 *   serving-generation       the generation that serves (format below); replaced atomically by commit()
 *   last-generation-number   the highest generation number handed out; replaced atomically by nextNumber()
 *   plugins/&lt;sha256&gt;.jar     the cache PluginSnapshot fills and prune() empties
 * </pre>
 * Each file is replaced by writing a temporary file beside it, forcing it to disk, renaming it over the
 * old one and forcing the directory, so a crash at any moment leaves the old or the new content, never
 * a mix; a temporary file a crash left behind is deleted by {@link #open}.
 *
 * <p>The record is UTF-8 text, one item a line, written in this order (a name or a path is the rest of
 * its line, with {@code \}, line breaks and other control characters escaped as {@code \\}, {@code \n},
 * {@code \r}, and {@code \}{@code u} with the code unit in four hex digits):
 * <pre>
 *   burst-serving-generation 1            the format's version
 *   number 3
 *   plugin game                           per plugin, in the generation's order
 *   file &lt;sha256&gt; /opt/burst/plugins/game/game.jar   per file of that plugin, in its order:
 *   file &lt;sha256&gt; /opt/burst/plugins/game/gson.jar   the digest (the cache file's name) and the source
 *   plugin hello
 *   file &lt;sha256&gt; /opt/burst/plugins/hello.jar
 *   end 3                                 the number again: the record is complete
 * </pre>
 *
 * <p>Numbers: {@link #nextNumber()} never hands out a number twice in one run directory, across proxy
 * restarts too, until {@link #forget()} (a cold start of the master) numbers from 1 again: a
 * generation number names a generation within one life of the master, and no process of an earlier
 * life survives to be confused by it.
 *
 * <p>Pruning: {@link #prune} deletes the cached jars of every generation but the serving one, the one
 * before it, and those {@link #take} returned that are neither committed nor {@link #discard}ed yet.
 * Snapshots and prunes run under one lock, so a snapshot running when a prune is called finishes, and
 * is pinned, before the prune looks at the cache. (Pruning only the files older than a running
 * snapshot would not do: a candidate generation is in use after its snapshot ends, through its
 * canaries, until its reload commits or fails, and file times compared with the clock go wrong when
 * the clock steps.)
 *
 * <p>Threads: one store per proxy, shared by its main thread (at start) and the reload thread; every
 * method may be called from any thread. One proxy per run directory ({@code master.pid} sees to it)
 * is assumed: the lock is not shared between processes.
 */
public final class GenerationStore {

    /** The record of the serving generation, in the run directory. */
    public static final String RECORD = "serving-generation";
    /** The highest number handed out, in the run directory. */
    public static final String LAST_NUMBER = "last-generation-number";

    private static final String FORMAT = "burst-serving-generation 1";
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern CACHED_JAR = Pattern.compile("[0-9a-f]{64}\\.jar");

    /**
     * What a prune deleted.
     *
     * @param files cache files deleted (jars of no kept generation, copies a crashed snapshot left)
     * @param bytes their total size
     */
    public record Pruned(int files, long bytes) {
    }

    private final Path runDir;
    private final Path cacheDir;
    private final Path record;
    private final Path lastNumber;
    private final ReentrantLock lock = new ReentrantLock();
    /** Generations taken and neither committed nor discarded yet: prune keeps their files. */
    private final List<Generation> pinned = new ArrayList<>();

    private GenerationStore(Path runDir) {
        this.runDir = runDir;
        this.cacheDir = runDir.resolve("plugins");
        this.record = runDir.resolve(RECORD);
        this.lastNumber = runDir.resolve(LAST_NUMBER);
    }

    /**
     * Opens the store of a run directory (created if missing) and deletes the temporary files an
     * interrupted write left there.
     *
     * @param runDir the run directory ({@code burst.run.dir}); the cache is its {@code plugins/}
     * @return the store
     * @throws PluginException when the run directory cannot be created or listed
     */
    public static GenerationStore open(Path runDir) throws PluginException {
        GenerationStore store = new GenerationStore(runDir);
        try {
            Files.createDirectories(runDir);
            try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(runDir,
                    "{." + RECORD + ",." + LAST_NUMBER + "}.*.tmp")) {
                for (Path p : leftovers) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            throw new PluginException("cannot open the run directory " + runDir + ": " + e, e);
        }
        return store;
    }

    /** @return the cache folder, {@code <run>/plugins} */
    public Path cacheDir() {
        return cacheDir;
    }

    /**
     * The recorded generation, if it can serve again: the record is complete, every cached file exists
     * and its content's SHA-256 is still its name, and every plugin a group names is in it.
     *
     * @param groups the groups as configured now
     * @return the recorded generation, empty when none is recorded (a cold start, or no commit yet)
     * @throws PluginException when a generation is recorded but cannot serve, naming the file and why
     *                         (the caller takes {@code plugins/} afresh instead)
     */
    public Optional<Generation> serving(List<GroupConfig> groups) throws PluginException {
        Optional<Generation> recorded = read();
        if (recorded.isEmpty()) {
            return recorded;
        }
        Generation g = recorded.get();
        Set<String> checked = new HashSet<>();
        for (CachedFile f : g.files()) {
            if (checked.add(f.sha256())) {
                verify(g.number(), f);
            }
        }
        PluginSnapshot.requirePlugins(g.plugins(), groups, "which is not in the recorded generation " + g.number()
                + " " + g.plugins().stream().map(PluginJars::name).toList());
        return recorded;
    }

    /**
     * Hands out a generation number: one above every number handed out or recorded in this run
     * directory since the last {@link #forget()}, and remembers it before returning it.
     *
     * @return the number, 1 after a forget
     * @throws PluginException when the number cannot be read or written, naming the file
     */
    public int nextNumber() throws PluginException {
        lock.lock();
        try {
            int last = readLastNumber();
            int next = Math.max(last, recordedNumber()) + 1;
            write(lastNumber, next + "\n");
            return next;
        } catch (IOException e) {
            throw new PluginException("cannot write " + lastNumber + ": " + e, e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Snapshots {@code plugins/} into this store's cache, with no prune beside it, and pins the
     * generation: no prune deletes its files until it is committed or discarded.
     *
     * @param number         from {@link #nextNumber()}
     * @param pluginsDir     the operator's folder
     * @param groups         the groups; each plugin a group names must exist
     * @param followSymlinks {@code burst.plugins.follow-symlinks}
     * @return the validated generation
     * @throws PluginException as {@link PluginSnapshot#take} does (nothing is pinned then)
     */
    public Generation take(int number, Path pluginsDir, List<GroupConfig> groups, boolean followSymlinks)
            throws PluginException {
        return take(number, pluginsDir, groups, followSymlinks, PluginSnapshot.CopyHook.NONE);
    }

    Generation take(int number, Path pluginsDir, List<GroupConfig> groups, boolean followSymlinks,
                    PluginSnapshot.CopyHook hook) throws PluginException {
        lock.lock();
        try {
            Generation g = PluginSnapshot.take(pluginsDir, cacheDir, number, groups, followSymlinks, hook);
            pinned.add(g);
            return g;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Unpins a generation that will not serve (its reload failed), so the next prune may delete its files.
     *
     * @param g a generation {@link #take} returned
     */
    public void discard(Generation g) {
        lock.lock();
        try {
            pinned.remove(g);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Records a generation as the one that serves, atomically: after a crash at any moment the record
     * holds this generation or the one before.
     *
     * @param g a generation taken into this store's cache
     * @throws PluginException when the record cannot be written, naming it
     * @throws IllegalArgumentException when a file of g is not where this cache keeps its digest
     */
    public void commit(Generation g) throws PluginException {
        StringBuilder text = new StringBuilder(FORMAT).append('\n').append("number ").append(g.number()).append('\n');
        for (PluginJars p : g.plugins()) {
            text.append("plugin ").append(escape(p.name())).append('\n');
            List<CachedFile> files = g.files().stream().filter(f -> f.plugin().equals(p.name())).toList();
            if (!files.stream().map(CachedFile::cached).toList().equals(p.files())) {
                throw new IllegalArgumentException("generation " + g.number() + ": plugin " + p.name()
                        + " lists files " + p.files() + " but its cached files are " + files);
            }
            for (CachedFile f : files) {
                if (!SHA256.matcher(f.sha256()).matches() || !f.cached().equals(cached(f.sha256()).toString())) {
                    throw new IllegalArgumentException("generation " + g.number() + ": " + f.cached()
                            + " is not a file of the cache " + cacheDir);
                }
                text.append("file ").append(f.sha256()).append(' ').append(escape(f.source())).append('\n');
            }
        }
        text.append("end ").append(g.number()).append('\n');
        lock.lock();
        try {
            write(record, text.toString());
            pinned.remove(g);
        } catch (IOException e) {
            throw new PluginException("cannot record generation " + g.number() + " in " + record + ": " + e, e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * A cold start: forgets the serving generation and the numbers handed out, so the next
     * {@link #nextNumber()} is 1. The cache stays (a new snapshot reuses identical files); the first
     * {@link #prune} after the next commit empties it of the rest.
     *
     * @throws PluginException when a file cannot be deleted, naming it
     */
    public void forget() throws PluginException {
        lock.lock();
        try {
            Files.deleteIfExists(record);
            Files.deleteIfExists(lastNumber);
            syncDirectory(runDir);
        } catch (IOException e) {
            throw new PluginException("cannot forget the serving generation in " + runDir + ": " + e, e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Deletes every cached jar that is in neither generation nor in a generation taken and not yet
     * committed or discarded, and the partial copies a crashed snapshot left. Runs under the lock that
     * {@link #take} holds, so a snapshot running meanwhile finishes first and is pinned by then. Files
     * of other names in the cache are left alone.
     *
     * @param serving  the generation that serves
     * @param previous the one before it, kept for workers that have not left it yet
     * @return what was deleted
     * @throws PluginException when the cache cannot be listed or a file cannot be deleted, naming it
     */
    public Pruned prune(Generation serving, Optional<Generation> previous) throws PluginException {
        Set<String> keep = new HashSet<>();
        serving.files().forEach(f -> keep.add(f.sha256() + ".jar"));
        previous.ifPresent(p -> p.files().forEach(f -> keep.add(f.sha256() + ".jar")));
        lock.lock();
        try {
            pinned.forEach(g -> g.files().forEach(f -> keep.add(f.sha256() + ".jar")));
            if (!Files.isDirectory(cacheDir)) {
                return new Pruned(0, 0);
            }
            int files = 0;
            long bytes = 0;
            try (DirectoryStream<Path> all = Files.newDirectoryStream(cacheDir)) {
                for (Path p : all) {
                    String name = p.getFileName().toString();
                    boolean partial = name.startsWith(PluginSnapshot.INCOMING_PREFIX)
                            && name.endsWith(PluginSnapshot.INCOMING_SUFFIX);
                    if (!partial && (!CACHED_JAR.matcher(name).matches() || keep.contains(name))
                            || !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                        continue;
                    }
                    long size = Files.size(p);
                    if (Files.deleteIfExists(p)) {
                        files++;
                        bytes += size;
                    }
                }
            }
            return new Pruned(files, bytes);
        } catch (IOException e) {
            throw new PluginException("cannot prune the plugin cache " + cacheDir + ": " + e, e);
        } finally {
            lock.unlock();
        }
    }

    private Path cached(String sha256) {
        return cacheDir.resolve(sha256 + ".jar");
    }

    /** Checks that a cached file still holds the bytes its name promises. */
    private void verify(int number, CachedFile f) throws PluginException {
        Path file = Path.of(f.cached());
        String what = "generation " + number + ": the cached copy " + file + " of " + f.source() + " (plugin "
                + f.plugin() + ")";
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new PluginException(what + " is missing");
        }
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new PluginException(what + " is not a regular file");
        }
        MessageDigest sha = PluginSnapshot.sha256();
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
            }
        } catch (NoSuchFileException e) {
            throw new PluginException(what + " is missing", e);
        } catch (IOException e) {
            throw new PluginException(what + " cannot be read: " + e, e);
        }
        String actual = HexFormat.of().formatHex(sha.digest());
        if (!actual.equals(f.sha256())) {
            throw new PluginException(what + " has changed: its content's SHA-256 is " + actual);
        }
    }

    /** Reads and parses the record; empty when there is none. */
    private Optional<Generation> read() throws PluginException {
        List<String> lines;
        try {
            lines = Files.readAllLines(record, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new PluginException("cannot read " + record + ": " + e, e);
        }
        return Optional.of(parse(lines));
    }

    private Generation parse(List<String> lines) throws PluginException {
        if (lines.isEmpty() || !lines.getFirst().equals(FORMAT)) {
            throw unreadable(1, "it does not start with '" + FORMAT + "'");
        }
        int number = number(lines, 1, "number ");
        Map<String, List<CachedFile>> plugins = new LinkedHashMap<>();
        String plugin = null;
        int at = 2;
        for (; at < lines.size() && !lines.get(at).startsWith("end "); at++) {
            String line = lines.get(at);
            if (line.startsWith("plugin ")) {
                if (plugin != null && plugins.get(plugin).isEmpty()) {
                    throw unreadable(at, "plugin " + plugin + " has no file");
                }
                plugin = unescape(line.substring("plugin ".length()), at);
                if (plugins.putIfAbsent(plugin, new ArrayList<>()) != null) {
                    throw unreadable(at + 1, "plugin " + plugin + " is listed twice");
                }
            } else if (line.startsWith("file ") && plugin != null) {
                String rest = line.substring("file ".length());
                int space = rest.indexOf(' ');
                String sha = space < 0 ? rest : rest.substring(0, space);
                if (!SHA256.matcher(sha).matches() || space < 0) {
                    throw unreadable(at + 1, "expected 'file <sha256> <source>'");
                }
                plugins.get(plugin).add(new CachedFile(plugin, unescape(rest.substring(space + 1), at), sha,
                        cached(sha).toString()));
            } else {
                throw unreadable(at + 1, "expected 'plugin <name>', 'file <sha256> <source>' or 'end <number>'");
            }
        }
        if (plugin != null && plugins.get(plugin).isEmpty()) {
            throw unreadable(at, "plugin " + plugin + " has no file");
        }
        if (at >= lines.size()) {
            throw unreadable(at, "it ends without its 'end' line: it is incomplete");
        }
        if (number(lines, at, "end ") != number || at != lines.size() - 1) {
            throw unreadable(at + 1, "'end " + number + "' must be its last line");
        }
        List<PluginJars> jars = new ArrayList<>();
        List<CachedFile> files = new ArrayList<>();
        plugins.forEach((name, cachedFiles) -> {
            jars.add(new PluginJars(name, cachedFiles.stream().map(CachedFile::cached).toList()));
            files.addAll(cachedFiles);
        });
        return new Generation(number, List.copyOf(jars), List.copyOf(files));
    }

    /** Parses a "<prefix><number>" line, the number from 1 to 999999999. */
    private int number(List<String> lines, int index, String prefix) throws PluginException {
        String line = index < lines.size() ? lines.get(index) : "";
        if (!line.startsWith(prefix) || !line.substring(prefix.length()).matches("[1-9][0-9]{0,8}")) {
            throw unreadable(index + 1, "expected '" + prefix + "<number>', found '" + line + "'");
        }
        return Integer.parseInt(line.substring(prefix.length()));
    }

    private PluginException unreadable(int line, String why) {
        return new PluginException("the record of the serving generation " + record + " is damaged at line " + line
                + ": " + why + " (delete it and the proxy takes the plugins folder afresh)");
    }

    /** @return the highest number handed out, 0 when none is remembered */
    private int readLastNumber() throws PluginException, IOException {
        String text;
        try {
            text = Files.readString(lastNumber, StandardCharsets.UTF_8).trim();
        } catch (NoSuchFileException e) {
            return 0;
        }
        if (!text.matches("[0-9]{1,9}")) {
            throw new PluginException(lastNumber + " holds '" + text + "', not a generation number; delete it"
                    + " (numbers then go on above the serving generation's)");
        }
        return Integer.parseInt(text);
    }

    /**
     * @return the recorded generation's number, 0 when none is recorded or its number line is damaged
     *         (serving() reports the damage; the number file alone still numbers correctly)
     */
    private int recordedNumber() throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(record, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return 0;
        }
        boolean readable = lines.size() > 1 && lines.getFirst().equals(FORMAT)
                && lines.get(1).matches("number [1-9][0-9]{0,8}");
        return readable ? Integer.parseInt(lines.get(1).substring("number ".length())) : 0;
    }

    /** Replaces a file's content atomically and durably. */
    private static void write(Path file, String text) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
        try {
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
                while (bytes.hasRemaining()) {
                    out.write(bytes);
                }
                out.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            syncDirectory(dir);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Forces a directory's entries (a rename, a delete) to disk. */
    private static void syncDirectory(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    private String unescape(String s, int index) throws PluginException {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char next = i + 1 < s.length() ? s.charAt(i + 1) : ' ';
            switch (next) {
                case '\\' -> out.append('\\');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 'u' -> {
                    if (i + 6 > s.length() || !s.substring(i + 2, i + 6).matches("[0-9a-f]{4}")) {
                        throw unreadable(index + 1, "a bad escape in '" + s + "'");
                    }
                    out.append((char) Integer.parseInt(s.substring(i + 2, i + 6), 16));
                    i += 4;
                }
                default -> throw unreadable(index + 1, "a bad escape in '" + s + "'");
            }
            i++;
        }
        return out.toString();
    }
}
