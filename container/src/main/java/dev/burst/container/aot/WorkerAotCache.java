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

/**
 * The workers' ahead-of-time cache (JDK 25+): the classes a worker loads and links on its way to ready,
 * and their method profiles, recorded by a training run ({@link AotTraining}, {@code bin/burst aot}) and
 * mapped by every worker at start. A worker starts in about a third of the time with it.
 *
 * <p>Beside the cache, {@code <cache>.id} says what it was built for: the JVM, the worker JVM options and
 * the classpath (jar names and sizes, so an unpacked copy elsewhere still matches). A cache is only used
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
     * The classpath of every child: the master's own, sorted. A JVM expands {@code lib/*} in directory
     * order, which differs from one file system to the next; an AOT cache needs the same order every time.
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
     * The classpath of a worker: what a worker needs, in the same order every time (the cache is trained
     * and used with exactly this one).
     *
     * @return classpath entries
     */
    public static List<String> workerClasspath() {
        return childClasspath();
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
