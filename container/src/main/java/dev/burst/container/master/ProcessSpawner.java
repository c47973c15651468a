package dev.burst.container.master;

import dev.burst.container.aot.WorkerAotCache;
import dev.burst.container.config.BurstConfig;
import dev.burst.container.config.ConfigLoader;
import dev.burst.container.process.Entry;
import dev.burst.container.process.LogSink;
import dev.burst.container.process.SpawnSecrets;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;

/**
 * Starts children with the master's own {@code java} (never whatever is first on PATH), its classpath,
 * the role's JVM options and the master's {@code burst.*} system properties. The role leads the command
 * line ({@code java -Dburst.role=worker:game#2 ... Main worker game 2}), so {@code ps} shows who is who. Children share the master's
 * stdout and stderr, or, with a log file, write into a pipe the master copies into the file until the child
 * closes it: signals are sent through the process handle, which, unlike {@link Process#destroy()}, leaves
 * the pipe open, so what a stopping child logs still reaches the file.
 *
 * <p>The master's secrets for a child go into its environment, never onto its command line (which every
 * local user can read with ps); the master's own environment never passes them on.
 *
 * <p>Threads: {@link #spawn} on the master's loop thread; one virtual thread per child copies its output.
 */
final class ProcessSpawner implements Spawner {

    private static final System.Logger LOG = System.getLogger(ProcessSpawner.class.getName());

    private final BurstConfig config;
    private final String java;
    private final Optional<LogSink> log;
    private final Optional<WorkerAotCache> aot;
    private final String classpath;
    private final String workerClasspath;
    /** What the master last said about the AOT cache, so it says it again only when it changes. */
    private String aotSaid = "";

    ProcessSpawner(BurstConfig config, Optional<LogSink> log) {
        this.config = config;
        this.log = log;
        this.aot = WorkerAotCache.of(config);
        this.classpath = String.join(File.pathSeparator, WorkerAotCache.childClasspath());
        this.workerClasspath = String.join(File.pathSeparator, WorkerAotCache.workerClasspath());
        this.java = ProcessHandle.current().info().command()
                .orElseThrow(() -> new IllegalStateException("cannot tell which java runs the master"));
    }

    @Override
    public Child spawn(Role role, Map<String, String> environment, BiConsumer<Child, Integer> onExit)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.add("-Dburst.role=" + role.name() + (role.isWorker() ? ":" + role.group() + "#" + role.slot() : ""));
        cmd.addAll(role.isWorker() ? config.workerJvmOptions() : config.proxyJvmOptions());
        if (role.isWorker()) {
            cmd.addAll(aotOptions());
        }
        cmd.addAll(ConfigLoader.propagatedProperties());
        if (System.getProperty("burst.home") == null) {
            cmd.add("-Dburst.home=" + config.home());
        }
        cmd.add(Entry.MAIN_CLASS);
        if (role.isWorker()) {
            cmd.add("worker");
            cmd.add(role.group());
            cmd.add(Integer.toString(role.slot()));
        } else {
            cmd.add(role.name());
        }
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .directory(config.home().toFile())
                .redirectInput(ProcessBuilder.Redirect.INHERIT)
                .redirectErrorStream(true)
                .redirectOutput(log.isPresent() ? ProcessBuilder.Redirect.PIPE : ProcessBuilder.Redirect.INHERIT);
        if (log.isEmpty()) {
            pb.redirectErrorStream(false).redirectError(ProcessBuilder.Redirect.INHERIT);
        }
        // Through the environment rather than -cp, so ps shows the role and not a page of jar names.
        pb.environment().put("CLASSPATH", role.isWorker() ? workerClasspath : classpath);
        pb.environment().keySet().removeIf(k -> k.equals(SpawnSecrets.SECRET_ENV) || k.equals(SpawnSecrets.WORKER_KEY_ENV)
                || k.equals(Master.PROXY_START_ENV));
        pb.environment().putAll(environment);
        Process p = pb.start();
        log.ifPresent(sink -> Thread.ofVirtual().name("log " + role).start(() -> pump(p.getInputStream(), sink)));
        ProcessChild child = new ProcessChild(role, p, Instant.now());
        p.onExit().thenAccept(done -> onExit.accept(child, done.exitValue()));
        return child;
    }

    /** @return the option that maps the workers' AOT cache, if it is usable; says why not when that changes */
    private synchronized List<String> aotOptions() {
        if (aot.isEmpty()) {
            return List.of();
        }
        WorkerAotCache.Status status = aot.get().check();
        String said = (status.usable() ? "" : "no AOT cache for workers, so they start slower: ") + status.why();
        if (!said.equals(aotSaid)) {
            LOG.log(System.Logger.Level.INFO, said);
            aotSaid = said;
        }
        return status.usable() ? aot.get().jvmOptions() : List.of();
    }

    /** Copies a child's output into the master's log, line by line, until the child closes it. */
    private static void pump(InputStream in, LogSink sink) {
        try (in; OutputStream out = sink.lineStream()) {
            in.transferTo(out);
        } catch (IOException e) {
            // The child is gone; what it wrote last is already in the log.
        }
    }

    /** {@code jcmd <pid> Thread.print} with the JDK that runs burst; bounded to 20 seconds. */
    @Override
    public String threadDump(Child child) {
        Path jcmd = Path.of(java).resolveSibling("jcmd");
        if (!Files.isExecutable(jcmd)) {
            return "no thread dump: " + jcmd + " is missing (a JRE, not a JDK?)";
        }
        try {
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(child.pid()), "Thread.print")
                    .redirectErrorStream(true)
                    .start();
            CompletableFuture<String> text = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    return "no thread dump: " + e.getMessage();
                }
            }, r -> Thread.ofVirtual().start(r));
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "no thread dump: jcmd did not answer within 20 s";
            }
            return text.get(5, TimeUnit.SECONDS);
        } catch (IOException | ExecutionException | TimeoutException e) {
            return "no thread dump: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "no thread dump: interrupted";
        }
    }

    private record ProcessChild(Role role, Process process, Instant started) implements Child {
        @Override
        public long pid() {
            return process.pid();
        }

        @Override
        public void terminate() {
            process.toHandle().destroy();
        }

        @Override
        public void kill() {
            process.toHandle().destroyForcibly();
        }
    }
}
