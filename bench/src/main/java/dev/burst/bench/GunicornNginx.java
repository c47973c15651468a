package dev.burst.bench;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The gunicorn+nginx peer: Debian's gunicorn with {@value #WORKERS} sync workers running the benchmark's
 * {@value #APP} (the same echo as burst's hello plugin: {@code POST /cmd/{cmd}} answers the body), behind
 * Debian's nginx with a generated {@code nginx.conf} (upstream keepalive to gunicorn, access log off). Both
 * run as the current user in a folder of the benchmark's temporary directory (pid files, logs, nginx's
 * temporary files), listen on free loopback ports, never touch {@code /etc/nginx}, and are stopped by PID
 * ({@link #close()}: SIGTERM, then SIGKILL to them and their children after 10 s).
 *
 * <p>Threads: started, measured and stopped on the benchmark's main thread; {@link #close()} may also run on
 * its shutdown hook.
 */
final class GunicornNginx implements AutoCloseable {

    /** The WSGI application, a resource of the benchmark written into the peer's folder. */
    static final String APP = "echo_wsgi.py";
    /** gunicorn's sync workers, as in the comparison. */
    static final int WORKERS = 2;
    /** Connections nginx keeps open to gunicorn per worker process ({@code keepalive} of the upstream). */
    static final int UPSTREAM_KEEPALIVE = 16;

    private final Path dir;
    private final Process gunicorn;
    private final Process nginx;
    private final int port;

    private GunicornNginx(Path dir, Process gunicorn, Process nginx, int port) {
        this.dir = dir;
        this.gunicorn = gunicorn;
        this.nginx = nginx;
        this.port = port;
    }

    /** gunicorn and nginx as found on this machine. */
    record Executables(Path gunicorn, Path nginx) {
    }

    /**
     * @return both executables, from PATH (nginx also from /usr/sbin and /usr/local/sbin, which a non-root
     *         PATH often lacks), or a message naming what is missing
     */
    static Executables find() throws IOException {
        List<String> path = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        Optional<Path> g = executable("gunicorn", path);
        path.addAll(List.of("/usr/sbin", "/usr/local/sbin"));
        Optional<Path> n = executable("nginx", path);
        if (g.isEmpty() || n.isEmpty()) {
            throw new IOException((g.isEmpty() ? "gunicorn" + (n.isEmpty() ? " and nginx are" : " is") : "nginx is")
                    + " not installed (apt-get install gunicorn nginx; bench/run.sh does it)");
        }
        return new Executables(g.get(), n.get());
    }

    private static Optional<Path> executable(String name, List<String> dirs) {
        return dirs.stream().filter(d -> !d.isEmpty()).map(d -> Path.of(d, name)).filter(Files::isExecutable).findFirst();
    }

    /**
     * Starts gunicorn, waits until it accepts connections, starts nginx in front of it and waits until an
     * echo through both answers.
     *
     * @param dir  an empty folder of the benchmark's temporary directory; everything of the peer goes there
     * @param body the echo body to check with
     * @throws IOException naming the process that did not serve, with its log
     */
    static GunicornNginx start(Executables exe, Path dir, Pids pids, byte[] body) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        try (InputStream in = GunicornNginx.class.getResourceAsStream(APP)) {
            if (in == null) {
                throw new IOException(APP + " is missing from the benchmark's jar");
            }
            Files.write(dir.resolve(APP), in.readAllBytes());
        }
        int upstream = freePort();
        int port = freePort();
        Process g = new ProcessBuilder(exe.gunicorn().toString(), "--workers", Integer.toString(WORKERS), "--worker-class", "sync",
                "--bind", "127.0.0.1:" + upstream, "--chdir", dir.toString(), "--pid", dir.resolve("gunicorn.pid").toString(),
                "--worker-tmp-dir", dir.toString(), "--error-logfile", dir.resolve("gunicorn.log").toString(),
                "--log-level", "warning", APP.replace(".py", "") + ":app")
                .redirectErrorStream(true).redirectOutput(dir.resolve("gunicorn.out").toFile()).start();
        pids.add(g.pid(), "gunicorn (the benchmark's peer, " + dir + ")");
        Process n = null;
        try {
            awaitAccepting(g, upstream, "gunicorn", dir.resolve("gunicorn.out"), dir.resolve("gunicorn.log"));
            Files.writeString(dir.resolve("nginx.conf"), nginxConf(dir, port, upstream, currentUserIfRoot()), StandardCharsets.UTF_8);
            n = new ProcessBuilder(exe.nginx().toString(), "-p", dir + "/", "-c", dir.resolve("nginx.conf").toString(),
                    "-e", dir.resolve("nginx-error.log").toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile()).start();
            pids.add(n.pid(), "nginx (the benchmark's peer, " + dir + ")");
            awaitAccepting(n, port, "nginx", dir.resolve("nginx.out"), dir.resolve("nginx-error.log"));
            GunicornNginx peer = new GunicornNginx(dir, g, n, port);
            peer.checkEcho(body);
            return peer;
        } catch (IOException | InterruptedException | RuntimeException e) {
            stop(n);
            stop(g);
            throw e;
        }
    }

    /**
     * The configuration nginx runs with: in the foreground ({@code daemon off}, so the process started is
     * the master and its PID the one to stop), pid file, error log and every temporary path in {@code dir},
     * no access log, one listener on 127.0.0.1, and an upstream of gunicorn with keepalive connections.
     * gunicorn's sync workers close each connection after one response anyway (they do not keep
     * connections alive), so nginx opens a connection to gunicorn per request whatever it is told.
     *
     * @param user the user the worker processes should run as when the master runs as root (nginx's default
     *             there is {@code nobody}, who cannot reach the benchmark's private temporary directory);
     *             empty when not root, where nginx ignores the directive
     * @throws IllegalArgumentException for a folder whose name nginx could not read back quoted
     */
    static String nginxConf(Path dir, int port, int upstreamPort, Optional<String> user) {
        String d = dir.toAbsolutePath().toString();
        if (d.matches(".*[\"\\\\$;{}\\s].*")) {
            throw new IllegalArgumentException("the peer's folder has a character nginx.conf cannot hold (quote, backslash, $, ;, "
                    + "braces or white space): " + d);
        }
        for (int p : new int[] {port, upstreamPort}) {
            if (p < 1 || p > 65535) {
                throw new IllegalArgumentException("not a TCP port: " + p);
            }
        }
        StringBuilder c = new StringBuilder();
        c.append("# Written by the burst benchmark for one run (bench/README.md, \"gunicorn+nginx\"); deleted with its folder.\n");
        c.append("daemon off;\n");
        c.append("master_process on;\n");
        c.append("worker_processes auto;\n");
        user.ifPresent(u -> c.append("user ").append(u).append(";\n"));
        c.append("pid \"").append(d).append("/nginx.pid\";\n");
        c.append("error_log \"").append(d).append("/nginx-error.log\" warn;\n");
        c.append("events {\n    worker_connections 1024;\n}\n");
        c.append("http {\n");
        c.append("    access_log off;\n");
        for (String temp : List.of("client_body", "proxy", "fastcgi", "uwsgi", "scgi")) {
            c.append("    ").append(temp).append("_temp_path \"").append(d).append('/').append(temp).append("_temp\";\n");
        }
        c.append("    keepalive_requests 1000000;\n");
        c.append("    upstream gunicorn {\n");
        c.append("        server 127.0.0.1:").append(upstreamPort).append(";\n");
        c.append("        keepalive ").append(UPSTREAM_KEEPALIVE).append(";\n");
        c.append("    }\n");
        c.append("    server {\n");
        c.append("        listen 127.0.0.1:").append(port).append(";\n");
        c.append("        location / {\n");
        c.append("            proxy_pass http://gunicorn;\n");
        c.append("            proxy_http_version 1.1;\n");
        c.append("            proxy_set_header Connection \"\";\n");
        c.append("            proxy_set_header Host $host;\n");
        c.append("        }\n");
        c.append("    }\n");
        c.append("}\n");
        return c.toString();
    }

    /** @return the current user's name when this JVM runs as root (uid 0), else empty */
    static Optional<String> currentUserIfRoot() {
        try {
            Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            return Integer.valueOf(0).equals(uid) ? Optional.of(System.getProperty("user.name")) : Optional.empty();
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    /** @return nginx's port, where the peer serves HTTP */
    int port() {
        return port;
    }

    /**
     * @return the CPU groups to measure: "gunicorn" (its master and workers) and "nginx" (its master and
     *         workers), read from the process tree now
     */
    Map<String, List<Long>> cpuGroups() {
        Map<String, List<Long>> m = new LinkedHashMap<>();
        m.put("gunicorn", tree(gunicorn));
        m.put("nginx", tree(nginx));
        return m;
    }

    private static List<Long> tree(Process p) {
        List<Long> pids = new ArrayList<>();
        pids.add(p.pid());
        p.descendants().forEach(h -> pids.add(h.pid()));
        return pids;
    }

    /** @return what the peer runs, for the JSON and the table */
    String description() {
        return "gunicorn " + WORKERS + " sync workers behind nginx (worker_processes auto, upstream keepalive "
                + UPSTREAM_KEEPALIVE + ")";
    }

    // One request before any load: a peer that does not echo is a setup error, not a result.
    private void checkEcho(byte[] body) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /cmd/1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            String reply = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!reply.startsWith("HTTP/1.1 200") || !reply.endsWith("\r\n\r\n" + new String(body, StandardCharsets.UTF_8))) {
                throw new IOException("gunicorn+nginx's echo answered:\n" + reply + "\nnginx's log: " + tail(dir.resolve("nginx-error.log"))
                        + "\ngunicorn's log: " + tail(dir.resolve("gunicorn.log")));
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        }
    }

    private static void awaitAccepting(Process p, int port, String who, Path out, Path log) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            if (!p.isAlive()) {
                throw new IOException(who + " exited " + p.exitValue() + " before it served on 127.0.0.1:" + port + ":\n" + tail(out)
                        + tail(log));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1_000);
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new IOException(who + " did not accept connections on 127.0.0.1:" + port + " within 30 s:\n" + tail(out) + tail(log));
                }
                Thread.sleep(50);
            }
        }
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size())) + "\n";
        } catch (IOException e) {
            return "";
        }
    }

    /** Stops nginx, then gunicorn, by PID; safe to call twice. */
    @Override
    public void close() {
        stop(nginx);
        stop(gunicorn);
    }

    private static void stop(Process p) {
        if (p == null || !p.isAlive()) {
            return;
        }
        List<ProcessHandle> children = p.descendants().toList();
        p.destroy();     // SIGTERM: nginx's fast shutdown, gunicorn's graceful one; both stop their workers
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                children.forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            children.forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }
}
