package dev.burst.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A burst started from the unpacked distribution's {@code bin/burst run}, with its own run directory and
 * plugins folder (hello.jar, plus the push-probe fixture when push scenarios run) in the benchmark's
 * temporary folder, listening on free loopback ports.
 * The dist itself is only read. Stopped by PID: SIGTERM to the master, then SIGKILL to whatever of its
 * process tree is left.
 */
final class BurstServer implements AutoCloseable {

    /** Keys set only when the dist's conf/burst.properties documents them (burst refuses unknown keys). */
    private static final Map<String, String> IF_KNOWN = Map.of(
            "burst.admin.host", "127.0.0.1",
            "burst.admin.port", "0");

    private final Process master;
    private final Path run;
    private final BurstLog log;
    private final Pids pids;
    private final List<ProcessHandle> seen = new ArrayList<>();
    private final long launchedMs;
    private int httpPort;
    private int boxPort;
    private Optional<Integer> adminPort = Optional.empty();

    private BurstServer(Process master, Path run, BurstLog log, Pids pids, long launchedMs) {
        this.master = master;
        this.run = run;
        this.log = log;
        this.pids = pids;
        this.launchedMs = launchedMs;
    }

    /**
     * Launches burst and waits until it serves (run/ports written).
     *
     * @param dist  the unpacked distribution
     * @param work  an empty folder for plugins/, run/ and burst.log
     * @param props extra -D options (worker count, JVM options ...)
     * @param extra plugin jars to load beside hello.jar
     */
    static BurstServer start(Path dist, Path work, Map<String, String> props, List<Path> extra, Pids pids)
            throws IOException, InterruptedException {
        Path plugins = Files.createDirectories(work.resolve("plugins"));
        Files.copy(dist.resolve("plugins/hello.jar"), plugins.resolve("hello.jar"));
        for (Path jar : extra) {
            Files.copy(jar, plugins.resolve(jar.getFileName()));
        }
        Path run = work.resolve("run");
        Map<String, String> d = new LinkedHashMap<>();
        d.put("burst.run.dir", run.toString());
        d.put("burst.plugins.dir", plugins.toString());
        d.put("burst.http.host", "127.0.0.1");
        d.put("burst.http.port", "0");
        d.put("burst.box.host", "127.0.0.1");
        d.put("burst.box.port", "0");
        String conf = Files.readString(dist.resolve("conf/burst.properties"));
        IF_KNOWN.forEach((k, v) -> {
            if (Pattern.compile("(?m)^#?\\s*" + Pattern.quote(k) + "\\s*=").matcher(conf).find()) {
                d.put(k, v);
            }
        });
        d.putAll(props);
        List<String> cmd = new ArrayList<>();
        cmd.add(dist.resolve("bin/burst").toString());
        cmd.add("run");
        d.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        Path logFile = work.resolve("burst.log");
        long launched = System.currentTimeMillis();
        Process p = new ProcessBuilder(cmd)
                .directory(work.toFile())
                .redirectErrorStream(true)
                .redirectOutput(logFile.toFile())
                .start();
        pids.add(p.pid(), "burst master");
        BurstServer b = new BurstServer(p, run, new BurstLog(logFile), pids, launched);
        try {
            b.awaitPorts(Duration.ofSeconds(90));
        } catch (IOException | RuntimeException e) {
            b.close();
            throw e;
        }
        b.children();
        return b;
    }

    private void awaitPorts(Duration within) throws IOException, InterruptedException {
        Path ports = run.resolve("ports");
        long deadline = System.nanoTime() + within.toNanos();
        while (!Files.exists(ports)) {
            if (!master.isAlive()) {
                throw new IOException("burst exited " + master.exitValue() + " before serving:\n" + log.tail(40));
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("burst did not serve within " + within + ":\n" + log.tail(40));
            }
            Thread.sleep(20);
        }
        Properties p = new Properties();
        try (var r = Files.newBufferedReader(ports)) {
            p.load(r);
        }
        httpPort = Integer.parseInt(p.getProperty("http"));
        boxPort = Integer.parseInt(p.getProperty("box"));
        adminPort = Optional.ofNullable(p.getProperty("admin")).map(Integer::parseInt);
    }

    int httpPort() {
        return httpPort;
    }

    int boxPort() {
        return boxPort;
    }

    /** @return the admin API's port, if this burst writes one to run/ports */
    Optional<Integer> adminPort() {
        return adminPort;
    }

    /** @return run/admin.token, which holds the admin API's bearer token */
    Path adminTokenFile() {
        return run.resolve("admin.token");
    }

    long masterPid() {
        return master.pid();
    }

    /** @return System.currentTimeMillis() when bin/burst was launched */
    long launchedMs() {
        return launchedMs;
    }

    BurstLog log() {
        return log;
    }

    /** A live process of this burst and its role: "master", "proxy", "worker:default#1". */
    record Child(long pid, String role) {
        boolean worker() {
            return role.startsWith("worker:");
        }
    }

    /** @return the master and its live children, read from /proc; each one seen is remembered for the stop */
    List<Child> children() {
        List<Child> all = new ArrayList<>();
        all.add(new Child(master.pid(), "master"));
        master.descendants().filter(ProcessHandle::isAlive).forEach(h -> {
            String cmd = ProcStats.commandLine(h.pid());
            int at = cmd.indexOf("-Dburst.role=");
            if (at < 0) {
                return;
            }
            String role = cmd.substring(at + "-Dburst.role=".length()).split(" ", 2)[0];
            all.add(new Child(h.pid(), role));
            synchronized (seen) {
                if (seen.stream().noneMatch(s -> s.pid() == h.pid())) {
                    seen.add(h);
                    pids.add(h.pid(), "burst " + role);
                }
            }
        });
        return all;
    }

    List<Child> workers() {
        return children().stream().filter(Child::worker).sorted((a, b) -> a.role().compareTo(b.role())).toList();
    }

    Child proxy() {
        return children().stream().filter(c -> c.role().equals("proxy")).findFirst()
                .orElseThrow(() -> new IllegalStateException("burst has no proxy:\n" + log.tail(40)));
    }

    /** Sends a signal by name (HUP, USR2 ...) to the master. */
    void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(master.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill -" + name + " " + master.pid() + " failed");
        }
    }

    /** SIGTERM to the master (graceful stop), up to 30 s; then SIGKILL to what is left of its tree. */
    @Override
    public void close() {
        children();
        List<ProcessHandle> tree = new ArrayList<>(master.descendants().toList());
        synchronized (seen) {
            tree.addAll(seen);
        }
        if (master.isAlive()) {
            master.destroy();
            try {
                master.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        master.destroyForcibly();
        tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }
}
