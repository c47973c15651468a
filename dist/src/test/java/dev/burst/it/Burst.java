package dev.burst.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A real burst for a test: the master started from the unpacked distribution's lib/, with its own home
 * (plugins/, run/) in a temporary folder, listening on free loopback ports. Stopped by PID.
 */
final class Burst implements AutoCloseable {

    static final Path DIST = Path.of(System.getProperty("burst.it.home", "target/dist-home-not-set"));
    static final Path FIXTURES = Path.of(System.getProperty("burst.it.fixtures", "target/fixtures"));
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    final Path home;
    final Process master;
    final Path log;
    int httpPort;
    int boxPort;
    int adminPort;

    private Burst(Path home, Process master, Path log) {
        this.home = home;
        this.master = master;
        this.log = log;
    }

    static Builder in(Path home) {
        return new Builder(home);
    }

    static final class Builder {
        private final Path home;
        private final Map<String, String> props = new LinkedHashMap<>();
        private final List<String> jars = new ArrayList<>();
        private final Map<String, List<String>> folders = new LinkedHashMap<>();
        private String umask = "";

        private Builder(Path home) {
            this.home = home;
            props.put("burst.http.port", "0");
            props.put("burst.box.port", "0");
            props.put("burst.admin.port", "0");
            props.put("burst.http.host", "127.0.0.1");
            props.put("burst.box.host", "127.0.0.1");
            props.put("burst.stop.timeout", "PT20S");
        }

        /** A plugin jar from the fixtures, dropped into plugins/ as NAME.jar. */
        Builder plugin(String name) {
            jars.add(name);
            return this;
        }

        /** A folder plugin: plugins/NAME/ holding these fixture jars. */
        Builder folderPlugin(String name, String... fixtureJars) {
            folders.put(name, List.of(fixtureJars));
            return this;
        }

        Builder set(String key, String value) {
            props.put(key, value);
            return this;
        }

        /** Starts the master through {@code sh -c 'umask M; exec java ...'}, as an operator's shell might. */
        Builder umask(String mask) {
            umask = mask;
            return this;
        }

        /** Starts the master without waiting for it to serve. */
        Burst launch() throws IOException {
            Path plugins = Files.createDirectories(home.resolve("plugins"));
            for (String jar : jars) {
                Files.copy(FIXTURES.resolve(jar + ".jar"), plugins.resolve(jar + ".jar"));
            }
            for (var f : folders.entrySet()) {
                Path dir = Files.createDirectories(plugins.resolve(f.getKey()));
                for (String jar : f.getValue()) {
                    Files.copy(FIXTURES.resolve(jar + ".jar"), dir.resolve(jar + ".jar"));
                }
            }
            List<String> cmd = new ArrayList<>();
            cmd.add(ProcessHandle.current().info().command().orElseThrow());
            cmd.add("-Dburst.home=" + home);
            props.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
            cmd.add("-cp");
            cmd.add(DIST.resolve("lib") + "/*");
            cmd.add("dev.burst.container.Main");
            cmd.add("master");
            if (!umask.isEmpty()) {
                cmd.addAll(0, List.of("sh", "-c", "umask " + umask + "; exec \"$@\"", "sh"));
            }
            Path log = home.resolve("burst.log");
            Process p = new ProcessBuilder(cmd)
                    .directory(home.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            return new Burst(home, p, log);
        }

        /** Starts the master and waits until it serves (run/ports written). */
        Burst start() throws IOException {
            Burst b = launch();
            b.awaitPorts();
            return b;
        }
    }

    /** Waits for run/ports again (a respawned proxy listens on new free ports) and takes them. */
    void rereadPorts() throws IOException {
        awaitPorts();
    }

    /** @return GET /admin/stat, parsed */
    com.fasterxml.jackson.databind.JsonNode stat() throws IOException, InterruptedException {
        HttpResponse<String> r = admin("GET", "/admin/stat", null);
        if (r.statusCode() != 200) {
            fail("GET /admin/stat answered " + r.statusCode() + ": " + r.body());
        }
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body());
    }

    /**
     * The proxy's live heap after a full collection, from the JDK's jcmd (GC.run, then the "used" of each
     * space GC.heap_info lists with a total: DefNew and Tenured for the proxy's SerialGC).
     *
     * @return bytes
     */
    long proxyHeapAfterGc() throws IOException, InterruptedException {
        long pid = proxy().pid();
        jcmd(pid, "GC.run");
        String info = jcmd(pid, "GC.heap_info");
        long usedKb = 0;
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^\\s*[\\w -]+?\\s+total \\d+K, used (\\d+)K").matcher(info);
        while (m.find()) {
            usedKb += Long.parseLong(m.group(1));
        }
        if (usedKb == 0) {
            fail("no heap figures in jcmd's GC.heap_info:\n" + info);
        }
        return usedKb * 1024;
    }

    private static String jcmd(long pid, String command) throws IOException, InterruptedException {
        Path jcmd = Path.of(ProcessHandle.current().info().command().orElseThrow()).resolveSibling("jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail("jcmd " + pid + " " + command + " failed:\n" + out);
        }
        return out;
    }

    private void awaitPorts() throws IOException {
        Path ports = home.resolve("run/ports");
        Instant deadline = Instant.now().plusSeconds(90);
        while (!Files.exists(ports)) {
            if (!master.isAlive()) {
                close();
                fail("burst exited " + master.exitValue() + " before serving:\n" + log());
            }
            if (Instant.now().isAfter(deadline)) {
                close();
                fail("burst did not serve within 90 s:\n" + log());
            }
            pause(50);
        }
        Properties p = new Properties();
        try (var r = Files.newBufferedReader(ports)) {
            p.load(r);
        }
        httpPort = Integer.parseInt(p.getProperty("http"));
        boxPort = Integer.parseInt(p.getProperty("box"));
        adminPort = Integer.parseInt(p.getProperty("admin"));
    }

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Polls (test-side only) until the condition holds; fails with the log when it does not within the bound. */
    void await(java.util.function.BooleanSupplier condition, String what, Duration within) {
        Instant deadline = Instant.now().plus(within);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                fail("never happened within " + within + ": " + what + "\n" + log());
            }
            pause(20);
        }
    }

    /** Polls the log (test-side only) until it holds the text. */
    void awaitLog(String text, Duration within) {
        Instant deadline = Instant.now().plus(within);
        while (!log().contains(text)) {
            if (Instant.now().isAfter(deadline)) {
                fail("the log never said '" + text + "' within " + within + ":\n" + log());
            }
            pause(50);
        }
    }

    HttpResponse<byte[]> post(String cmd, String body) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/cmd/" + cmd))
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return HTTP.send(req, HttpResponse.BodyHandlers.ofByteArray());
    }

    /** An admin call with the token from run/admin.token (or none, or another). */
    HttpResponse<String> admin(String method, String path, String body, java.util.Optional<String> token)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
                .timeout(Duration.ofSeconds(120))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        token.ifPresent(t -> b.header("Authorization", "Bearer " + t));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> admin(String method, String path, String body) throws IOException, InterruptedException {
        return admin(method, path, body, java.util.Optional.of(token()));
    }

    String token() throws IOException {
        return Files.readString(home.resolve("run/admin.token")).trim();
    }

    BoxClient box() throws IOException {
        return new BoxClient(boxPort);
    }

    /** @return live processes started by this burst's master whose command line has the role */
    List<ProcessHandle> processes(String role) {
        return master.descendants()
                .filter(ProcessHandle::isAlive)
                .filter(h -> h.info().arguments().map(a -> String.join(" ", a).contains("-Dburst.role=" + role))
                        .orElse(false))
                .toList();
    }

    List<Long> workerPids() {
        return processes("worker").stream().map(ProcessHandle::pid).sorted().toList();
    }

    ProcessHandle proxy() {
        return processes("proxy").stream().findFirst().orElseThrow(() -> new AssertionError("no proxy:\n" + log()));
    }

    /** Waits until the group has this many workers, each of them ready (judged from the proxy's log). */
    void awaitWorkers(int count, Duration within) {
        Instant deadline = Instant.now().plus(within);
        while (workerPids().size() != count || !workerPids().stream().allMatch(this::ready)) {
            if (Instant.now().isAfter(deadline)) {
                fail("expected " + count + " ready workers, have " + workerPids() + ":\n" + log());
            }
            pause(50);
        }
    }

    private boolean ready(long pid) {
        return log().contains("pid " + pid + " ready on generation");
    }

    /** SIGTERM to the master; waits for its exit. */
    int terminate(Duration within) throws InterruptedException {
        master.destroy();
        if (!master.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
            fail("master did not exit within " + within + " of SIGTERM:\n" + log());
        }
        return master.exitValue();
    }

    /** Sends a signal by name to the master (INT, HUP ...). */
    void signal(String name) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-" + name, Long.toString(master.pid())).inheritIO().start().waitFor();
    }

    /** Counts the log lines that contain the text. */
    long count(String text) {
        return log().lines().filter(l -> l.contains(text)).count();
    }

    /** Waits until the log holds the text at least n times. */
    void awaitCount(String text, long n, Duration within) {
        Instant deadline = Instant.now().plus(within);
        while (count(text) < n) {
            if (Instant.now().isAfter(deadline)) {
                fail("the log said '" + text + "' " + count(text) + " times, not " + n + ", within " + within + ":\n" + log());
            }
            pause(20);
        }
    }

    /** Replaces a plugin jar the way a deploy should: copy beside it, then rename over it. */
    void deploy(String fixture, String asName) throws IOException {
        Path plugins = home.resolve("plugins");
        Path tmp = plugins.resolve("." + asName + ".tmp");
        Files.copy(FIXTURES.resolve(fixture + ".jar"), tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, plugins.resolve(asName + ".jar"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * reload_workers through SIGHUP; waits until the master's operation records (the admin API's
     * {@code GET /admin/operations}) hold the reload this signal started, finished, and returns its state
     * and outcome line ({@code done: snapshot of ...: done, generation 2 serving on 2 worker(s) in 31 ms}).
     */
    String reload() throws IOException, InterruptedException {
        long before = operations().stream().filter(o -> o.get("kind").asText().equals("reload_workers"))
                .mapToLong(o -> o.get("id").asLong()).max().orElse(0);
        signal("HUP");
        Instant deadline = Instant.now().plusSeconds(120);
        while (true) {
            for (com.fasterxml.jackson.databind.JsonNode o : operations()) {
                if (o.get("kind").asText().equals("reload_workers") && o.get("id").asLong() > before
                        && !o.get("state").asText().equals("running")) {
                    return o.get("state").asText() + ": " + o.get("outcome").asText();
                }
            }
            if (Instant.now().isAfter(deadline)) {
                fail("the reload after #" + before + " did not finish within 120 s:\n" + log());
            }
            pause(20);
        }
    }

    /** @return the master's kept operation records, oldest first (none while the admin API is not up) */
    List<com.fasterxml.jackson.databind.JsonNode> operations() throws IOException, InterruptedException {
        HttpResponse<String> r = admin("GET", "/admin/operations", null);
        List<com.fasterxml.jackson.databind.JsonNode> all = new ArrayList<>();
        if (r.statusCode() == 200) {
            new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body()).get("operations").forEach(all::add);
        }
        return all;
    }

    /**
     * Waits until the master's records hold n finished operations of a kind (restart_workers ...).
     *
     * @return the n-th one's record
     */
    com.fasterxml.jackson.databind.JsonNode awaitOperation(String kind, int n, Duration within)
            throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(within);
        while (true) {
            List<com.fasterxml.jackson.databind.JsonNode> done = new ArrayList<>();
            for (com.fasterxml.jackson.databind.JsonNode o : operations()) {
                if (o.get("kind").asText().equals(kind) && !o.get("state").asText().equals("running")) {
                    done.add(o);
                }
            }
            if (done.size() >= n) {
                return done.get(n - 1);
            }
            if (Instant.now().isAfter(deadline)) {
                fail(kind + " #" + n + " did not finish within " + within + ":\n" + log());
            }
            pause(50);
        }
    }

    /** Stops everything this burst started, whatever state it is in. */
    @Override
    public void close() {
        List<ProcessHandle> all = master.descendants().toList();
        if (master.isAlive()) {
            master.destroy();
            try {
                master.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        master.destroyForcibly();
        all.forEach(ProcessHandle::destroyForcibly);
        keepLog();
    }

    /** Keeps the log beside the test reports (target/burst-logs/), since the home is a temporary folder. */
    private void keepLog() {
        try {
            Path kept = Files.createDirectories(Path.of("target", "burst-logs"));
            Files.copy(log, kept.resolve(home.getFileName() + "-" + master.pid() + ".log"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            System.err.println("cannot keep " + log + ": " + e);
        }
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
