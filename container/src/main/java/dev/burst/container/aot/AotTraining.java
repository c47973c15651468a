package dev.burst.container.aot;

import dev.burst.container.config.BurstConfig;
import dev.burst.container.config.ConfigLoader;
import dev.burst.container.process.Entry;
import dev.burst.container.process.ExitCode;
import dev.burst.container.protocol.BoxHeader;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Builds the workers' AOT cache ({@link WorkerAotCache}) by training: a real burst (master, proxy, one
 * worker with the example {@code hello} plugin from {@code lib/training/}) runs in a temporary home on
 * loopback ports, its worker recording ({@code -XX:AOTMode=record}); echo requests go through it over
 * Box; it stops; then {@code -XX:AOTMode=create} turns the recording into the cache, which replaces the
 * old one atomically (running workers keep the file they mapped).
 *
 * <p>Safe while burst serves: nothing is shared with the running server but the cache file's name. The
 * dist build runs it once; operators run {@code bin/burst aot} after changing the JDK, burst's jars or
 * {@code burst.worker.jvm-options}, which the master's log then asks for.
 */
public final class AotTraining {

    private static final System.Logger LOG = System.getLogger(AotTraining.class.getName());
    private static final int REQUESTS = 3000;
    private static final int WINDOW = 16;
    private static final Duration START_LIMIT = Duration.ofSeconds(120);
    private static final Duration STOP_LIMIT = Duration.ofSeconds(120);
    private static final Duration CREATE_LIMIT = Duration.ofSeconds(300);

    private final BurstConfig config;
    private final String java;
    /** The child running now, stopped (with its own children) if this process is interrupted (Ctrl-C). */
    private volatile Process running;
    /** The temporary directory and the cache being written, removed then too. */
    private volatile Path work;
    private volatile Path partial;

    private AotTraining(BurstConfig config) {
        this.config = config;
        this.java = ProcessHandle.current().info().command()
                .orElseThrow(() -> new IllegalStateException("cannot tell which java runs burst"));
    }

    /**
     * @param config the server's configuration (the worker JVM options and the cache's place)
     * @return the training
     */
    public static AotTraining create(BurstConfig config) {
        return new AotTraining(config);
    }

    /** @return the process exit code: 0 built (or nothing to build, with the reason logged), 1 failed */
    public int run() {
        Optional<WorkerAotCache> cache = WorkerAotCache.of(config);
        if (cache.isEmpty()) {
            LOG.log(System.Logger.Level.INFO, "burst.worker.aot-cache is off (or burst does not run from its jars): "
                    + "nothing to build");
            return ExitCode.OK.code();
        }
        if (Runtime.version().feature() < WorkerAotCache.MIN_JDK) {
            LOG.log(System.Logger.Level.WARNING, "not built: an AOT cache needs JDK " + WorkerAotCache.MIN_JDK
                    + " or newer and this is JDK " + Runtime.version().feature() + "; workers start without one");
            return ExitCode.OK.code();
        }
        Optional<Path> plugin = ConfigLoader.libDir().map(lib -> lib.resolve("training/hello.jar"))
                .filter(Files::isRegularFile);
        if (plugin.isEmpty()) {
            LOG.log(System.Logger.Level.ERROR, "not built: the training plugin lib/training/hello.jar is missing");
            return ExitCode.FAILURE.code();
        }
        Path dir = cache.get().file().toAbsolutePath().getParent();
        if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
            LOG.log(System.Logger.Level.ERROR, "not built: " + dir + " is not a writable directory; point "
                    + "burst.worker.aot-cache at a file in one");
            return ExitCode.FAILURE.code();
        }
        long t0 = System.nanoTime();
        Thread onInterrupt = new Thread(this::abandon, "aot-abandon");
        Runtime.getRuntime().addShutdownHook(onInterrupt);
        try {
            work = Files.createTempDirectory("burst-aot-");
            build(cache.get(), plugin.get(), work);
            LOG.log(System.Logger.Level.INFO, String.format("built %s (%d MiB) in %.1f s", cache.get().file(),
                    Files.size(cache.get().file()) >> 20, (System.nanoTime() - t0) / 1e9));
            return ExitCode.OK.code();
        } catch (TrainingException e) {
            LOG.log(System.Logger.Level.ERROR, "not built: " + e.getMessage());
            return ExitCode.FAILURE.code();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "not built: " + e);
            return ExitCode.FAILURE.code();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCode.FAILURE.code();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(onInterrupt);
            } catch (IllegalStateException e) {
                // Interrupted: the hook is running and cleans up.
            }
            if (work != null) {
                deleteTree(work);
            }
        }
    }

    /** Interrupted: stop the training's processes and remove what it wrote. */
    private void abandon() {
        Process p = running;
        if (p != null && p.isAlive()) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.onExit().join();
        }
        Path w = work;
        if (w != null) {
            deleteTree(w);
        }
        Path c = partial;
        if (c != null) {
            try {
                Files.deleteIfExists(c);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot delete " + c + ": " + e);
            }
        }
    }

    private void build(WorkerAotCache cache, Path plugin, Path work) throws IOException, InterruptedException {
        Path home = work.resolve("home");
        Files.createDirectories(home.resolve("plugins"));
        Files.copy(plugin, home.resolve("plugins/hello.jar"));
        Path recording = work.resolve("worker.aotconf");
        Path log = work.resolve("training.log");
        if (recording.toString().contains(" ")) {
            throw new TrainingException("the temporary directory " + work + " has a space in its path");
        }

        List<String> recordOptions = new ArrayList<>(cache.workerJvmOptions());
        recordOptions.add("-XX:AOTMode=record");
        recordOptions.add("-XX:AOTConfiguration=" + recording);
        // System properties: they outrank whatever the environment or a stray config file says.
        Properties props = new Properties();
        props.setProperty("burst.home", home.toString());
        props.setProperty("burst.groups", "default");
        props.setProperty("burst.group.default.workers", "1");
        props.setProperty("burst.group.default.plugins", "hello");
        for (String listener : List.of("http", "box", "admin")) {
            props.setProperty("burst." + listener + ".host", "127.0.0.1");
            props.setProperty("burst." + listener + ".port", "0");
        }
        props.setProperty("burst.worker.jvm-options", String.join(" ", recordOptions));
        props.setProperty("burst.worker.aot-cache", "off");

        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.add("-Dburst.role=master");
        props.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add(Entry.MAIN_CLASS);
        cmd.add("master");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        // The training's master gets the full classpath (it runs a proxy too); like every master, it starts
        // its worker, the recording one, with the worker classpath, which the cache is then created with.
        childEnvironment(pb.environment(), WorkerAotCache.childClasspath());
        LOG.log(System.Logger.Level.INFO, "training: a burst with one recording worker in " + home);
        Process master = pb.start();
        running = master;
        try {
            int boxPort = awaitBoxPort(master, home.resolve("run/ports"), log);
            drive(boxPort);
        } finally {
            master.destroy();
            if (!master.waitFor(STOP_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
                master.destroyForcibly();
                throw new TrainingException("the training burst did not stop in " + STOP_LIMIT + tail(log));
            }
        }
        if (master.exitValue() != 0 || !Files.isRegularFile(recording)) {
            throw new TrainingException("the training burst exited " + master.exitValue() + " without a recording"
                    + tail(log));
        }

        // Unique: two trainings at once each write their own, and the last to finish wins.
        Path tmp = cache.file().resolveSibling(cache.file().getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        partial = tmp;
        List<String> create = new ArrayList<>();
        create.add(java);
        create.addAll(cache.workerJvmOptions());
        create.add("-XX:AOTMode=create");
        create.add("-XX:AOTConfiguration=" + recording);
        create.add("-XX:AOTCache=" + tmp);
        ProcessBuilder cb = new ProcessBuilder(create).directory(work.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        childEnvironment(cb.environment(), cache.classpath()); // the worker classpath, as recorded
        LOG.log(System.Logger.Level.INFO, "training: writing the cache");
        Process p = cb.start();
        running = p;
        if (!p.waitFor(CREATE_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            Files.deleteIfExists(tmp);
            throw new TrainingException("-XX:AOTMode=create did not finish in " + CREATE_LIMIT + tail(log));
        }
        if (p.exitValue() != 0 || !Files.isRegularFile(tmp)) {
            Files.deleteIfExists(tmp);
            throw new TrainingException("-XX:AOTMode=create exited " + p.exitValue() + tail(log));
        }
        Files.move(tmp, cache.file(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        cache.writeId();
    }

    /** The classpath given, in its order (as the master gives its children); no BURST_* keys from this shell. */
    private static void childEnvironment(Map<String, String> env, List<String> classpath) {
        env.keySet().removeIf(k -> k.startsWith("BURST_") || k.equals("JDK_JAVA_OPTIONS") || k.equals("JAVA_TOOL_OPTIONS"));
        env.put("CLASSPATH", String.join(File.pathSeparator, classpath));
    }

    /** Waits (bounded) for the training burst to write its ports file; this is a one-off tool, not a data path. */
    private static int awaitBoxPort(Process master, Path ports, Path log) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!master.isAlive()) {
                throw new TrainingException("the training burst exited " + master.exitValue() + " at start" + tail(log));
            }
            if (Files.isRegularFile(ports)) {
                for (String line : Files.readAllLines(ports)) {
                    if (line.startsWith("box=")) {
                        return Integer.parseInt(line.substring(4).trim());
                    }
                }
            }
            Thread.sleep(50);
        }
        throw new TrainingException("the training burst did not serve within " + START_LIMIT + tail(log));
    }

    /** Echo requests over Box, {@value #WINDOW} in flight, each reply checked. */
    private static void drive(int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(60_000);
            s.setTcpNoDelay(true);
            OutputStream out = new BufferedOutputStream(s.getOutputStream());
            DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
            int sent = 0;
            int received = 0;
            while (received < REQUESTS) {
                while (sent < REQUESTS && sent - received < WINDOW) {
                    sent++;
                    byte[] body = ("training " + sent).getBytes(StandardCharsets.UTF_8);
                    out.write(BoxHeader.encode((short) 1, (short) 0, 1, 0, sent, body));
                }
                out.flush();
                byte[] header = new byte[BoxHeader.SIZE];
                in.readFully(header);
                BoxHeader h = BoxHeader.decode(header);
                byte[] body = in.readNBytes(h.bodyLength());
                int ret = h.ret();
                if (ret != 0 || !new String(body, StandardCharsets.UTF_8).equals("training " + h.sn())) {
                    throw new TrainingException("the training burst answered sn " + h.sn() + " with ret " + ret);
                }
                received++;
            }
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log).stream()
                    .filter(l -> !l.contains("[warning][aot] Skipping"))
                    .toList();
            return "; its output ended with:\n  "
                    + String.join("\n  ", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.DEBUG, "cannot delete " + p + ": " + e);
                }
            });
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot delete " + dir + ": " + e);
        }
    }

    /** Why a training failed, in words for the operator. */
    private static final class TrainingException extends IOException {
        TrainingException(String message) {
            super(message);
        }
    }
}
