package dev.burst.container.aot;

import dev.burst.container.config.BurstConfig;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The workers' ahead-of-time cache (JDK 25+): the classes a worker loads and links on its way to ready,
 * and their method profiles, recorded by a training run ({@link AotTraining}, {@code bin/burst aot}) and
 * mapped by every worker at start. A worker starts in about a third of the time with it.
 *
 * <p>Beside the cache, {@code <cache>.id} says what it was built for: the JVM, the worker JVM options and
 * the workers' classpath ({@link #workerClasspath()}: jar names and sizes, so an unpacked copy elsewhere
 * still matches). A cache is only used
 * when that matches this master exactly; otherwise workers start without it and the master says why
 * once. The JVM would itself ignore a cache that does not fit, but with an error on every worker's
 * stderr, and silently for a classpath in another order.
 */
public final class WorkerAotCache {

    /** The first JDK with {@code -XX:AOTCache} and {@code -XX:AOTMode}. */
    static final int MIN_JDK = 25;

    private final Path file;
    private final List<String> workerJvmOptions;
    private final List<String> classpath;
    private final int jdk;

    /**
     * @param file             the cache
     * @param workerJvmOptions the workers' options (without the cache's own)
     * @param classpath        the workers' classpath, in order
     * @param jdk              the feature release of the JDK that runs the workers
     */
    WorkerAotCache(Path file, List<String> workerJvmOptions, List<String> classpath, int jdk) {
        this.file = file;
        this.workerJvmOptions = List.copyOf(workerJvmOptions);
        this.classpath = List.copyOf(classpath);
        this.jdk = jdk;
    }

    /**
     * @param config the server's configuration
     * @return the cache its workers use; empty when {@code burst.worker.aot-cache} is off
     */
    public static Optional<WorkerAotCache> of(BurstConfig config) {
        return config.workerAotCache().map(f -> new WorkerAotCache(f, config.workerJvmOptions(), workerClasspath(),
                Runtime.version().feature()));
    }

    /**
     * The classpath of the proxy (and of the AOT training's master): the master's own, sorted. A JVM expands
     * {@code lib/*} in directory order, which differs from one file system to the next; an AOT cache needs
     * the same order every time. Workers get a part of it, {@link #workerClasspath()}.
     *
     * @return classpath entries
     */
    public static List<String> childClasspath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.isEmpty())
                .sorted()
                .toList();
    }

    /**
     * The jars a worker needs, by artifact id (a jar's file name without {@code -<version>.jar}). A list of
     * what to keep rather than of what to drop: a library added to {@code lib/} later (a new dependency
     * of the web server, an operator's extra jar) stays out of workers unless it is named here, and one
     * missing here fails every worker's start, loudly, in every end-to-end test. Everything else on the
     * master's classpath (Helidon's web server and HTTP stack, Jackson, jline and burstctl) serves the
     * master, the proxy or the console only; left out, a plugin that reaches past its module through
     * {@code ClassLoader.getSystemClassLoader()} cannot load it, and a worker maps fewer jars.
     */
    static final Set<String> WORKER_ARTIFACTS = Set.of(
            // the worker itself (its classes share one jar with the master's and the proxy's)
            "burst-container",
            // what plugins compile against, lent to their modules; MicroProfile Config is part of it
            "burst-plugin-api",
            "microprofile-config-api",
            // the plugins' modules
            "jboss-modules",
            // the MicroProfile Config implementation that burst's configuration and the plugins' read ...
            "helidon-config-mp",
            // ... and its run-time dependencies, transitively (helidon-config-mp's pom and theirs)
            "helidon-config", "helidon-common-configurable", "helidon-common", "helidon-common-config",
            "helidon-common-context", "helidon-common-mapper", "helidon-common-media-type", "helidon-common-types",
            "helidon-builder-api", "helidon-service-registry", "helidon-service-metadata", "helidon-metadata-hson",
            "helidon", "jakarta.annotation-api");

    /** A jar named {@code <artifact>-<version>.jar} (the version starts with a digit) or {@code <artifact>.jar}. */
    private static final Pattern JAR_NAME = Pattern.compile("(.+?)(-\\d[^/]*)?\\.jar");

    /**
     * The classpath of a worker: of the master's, what a worker needs ({@link #WORKER_ARTIFACTS}), in the
     * same order every time (the cache is trained and used with exactly this one).
     *
     * @return classpath entries
     */
    public static List<String> workerClasspath() {
        return workerClasspath(childClasspath());
    }

    /**
     * @param childClasspath the master's classpath, sorted
     * @return the entries a worker needs, in the same order; a directory (classes of a development
     *         build, not a jar) is kept, as there is no telling what it holds
     */
    static List<String> workerClasspath(List<String> childClasspath) {
        return childClasspath.stream().filter(WorkerAotCache::workerNeeds).toList();
    }

    private static boolean workerNeeds(String entry) {
        String name = Path.of(entry).getFileName().toString();
        if (!name.endsWith(".jar")) {
            return true;
        }
        Matcher m = JAR_NAME.matcher(name);
        return m.matches() && WORKER_ARTIFACTS.contains(m.group(1));
    }

    /** @return the cache file */
    public Path file() {
        return file;
    }

    Path idFile() {
        return file.resolveSibling(file.getFileName() + ".id");
    }

    List<String> workerJvmOptions() {
        return workerJvmOptions;
    }

    List<String> classpath() {
        return classpath;
    }

    /** @return the text of the id file a cache built by this JVM, with these options and jars, has */
    String expectedId() {
        List<String> jars = new ArrayList<>();
        for (String entry : classpath) {
            Path p = Path.of(entry);
            long size;
            try {
                size = Files.size(p);
            } catch (IOException e) {
                size = -1;
            }
            jars.add(p.getFileName() + ":" + size);
        }
        return "jvm=" + System.getProperty("java.vm.vendor") + " " + System.getProperty("java.vm.version") + "\n"
                + "jvm-options=" + String.join(" ", workerJvmOptions) + "\n"
                + "classpath=" + String.join(",", jars) + "\n";
    }

    /**
     * Whether workers can map the cache now. Read on every worker start, so a cache rebuilt by
     * {@code bin/burst aot} is taken up by the next restart_workers without restarting the master.
     *
     * @return usable, or why not
     */
    public Status check() {
        if (jdk < MIN_JDK) {
            return new Status(false, "an AOT cache needs JDK " + MIN_JDK + " or newer and this is JDK " + jdk);
        }
        for (String o : workerJvmOptions) {
            if (o.startsWith("-XX:AOTCache") || o.startsWith("-XX:AOTMode") || o.startsWith("-XX:SharedArchiveFile")
                    || o.startsWith("-XX:AOTConfiguration")) {
                return new Status(false, "burst.worker.jvm-options has its own " + o.replaceFirst("=.*", ""));
            }
        }
        if (!Files.isRegularFile(file)) {
            return new Status(false, file + " does not exist (bin/burst aot builds it)");
        }
        String id;
        try {
            id = Files.readString(idFile(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return new Status(false, "cannot read " + idFile() + " (" + e.getMessage() + "); rebuild with bin/burst aot");
        }
        String expected = expectedId();
        if (!id.equals(expected)) {
            return new Status(false, file + " was built for another " + firstDifference(id, expected)
                    + "; rebuild it with bin/burst aot");
        }
        return new Status(true, "workers start with the AOT cache " + file);
    }

    /** @return the id line that differs, named for an operator: "JVM", "burst.worker.jvm-options", "set of jars" */
    private static String firstDifference(String actual, String expected) {
        List<String> a = actual.lines().toList();
        for (String line : expected.lines().toList()) {
            if (!a.contains(line)) {
                String key = line.substring(0, line.indexOf('='));
                return switch (key) {
                    case "jvm" -> "JVM (this is " + line.substring(4) + ")";
                    case "jvm-options" -> "burst.worker.jvm-options";
                    default -> "set of jars";
                };
            }
        }
        return "burst build";
    }

    /**
     * Writes the id file beside a freshly built cache (after the cache itself is in place).
     *
     * @throws IOException when it cannot be written
     */
    void writeId() throws IOException {
        Path tmp = idFile().resolveSibling(idFile().getFileName() + ".tmp");
        Files.writeString(tmp, expectedId(), StandardCharsets.UTF_8);
        Files.move(tmp, idFile(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** @return the worker JVM option that maps the cache */
    public List<String> jvmOptions() {
        return List.of("-XX:AOTCache=" + file);
    }

    /**
     * @param usable whether workers map the cache
     * @param why    what an operator reads in the log
     */
    public record Status(boolean usable, String why) {
    }
}
