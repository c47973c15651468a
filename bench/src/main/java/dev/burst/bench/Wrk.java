package dev.burst.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs wrk (Debian's package) with the benchmark's Lua script ({@code wrk-report.lua}, a resource): every
 * request POSTs the body (with a {@code Burst-Key} header drawn from N keys, when asked), and wrk's
 * {@code done(summary, latency, requests)} hook writes wrk's own figures as JSON to a file, exact
 * (microseconds), which this class reads with Jackson. wrk gives
 * whole-run figures only. wrk's own CPU time is read from the shell that waited for it (cutime + cstime
 * of /proc/$$/stat). Runs on the caller's thread, which waits for wrk.
 */
final class Wrk {

    private static final String SCRIPT = "wrk-report.lua";

    /** A wrk run: what it measured and the CPU it used. */
    record Run(LoadStats stats, long cpuTicks, String output) {
    }

    private Wrk() {
    }

    /** @return wrk on PATH, if any */
    static Optional<Path> find() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, "wrk");
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** Writes the script wrk runs into {@code dir} (wrk takes a file). */
    static Path script(Path dir) throws IOException {
        try (InputStream in = Wrk.class.getResourceAsStream(SCRIPT)) {
            if (in == null) {
                throw new IOException(SCRIPT + " is missing from the benchmark's jar");
            }
            Path lua = dir.resolve(SCRIPT);
            Files.write(lua, in.readAllBytes());
            return lua;
        }
    }

    /**
     * Runs {@code wrk -tT -cC -dD --timeout 5s -s wrk-report.lua URL}, T = min(C, 2).
     *
     * @param body     the POST body every request carries
     * @param duration whole seconds (wrk's resolution), at least 1
     */
    static Run run(Path wrk, Path lua, String body, String url, int connections, Duration duration)
            throws IOException, InterruptedException {
        return run(wrk, lua, body, url, connections, duration, 0);
    }

    /**
     * The same, each request with a header {@code Burst-Key} drawn at random from {@code k1 .. kN}.
     *
     * @param keys N, the keys to draw from; 0 = no header
     */
    static Run run(Path wrk, Path lua, String body, String url, int connections, Duration duration, int keys)
            throws IOException, InterruptedException {
        return run(wrk, lua, body, url, Math.min(connections, 2), connections, duration, keys);
    }

    /**
     * The same with {@code threads} wrk threads ({@code -tT}; the peer comparison's {@code wrk -t1 -c16}).
     *
     * @param threads 1 or more, at most {@code connections} (wrk refuses more threads than connections)
     */
    static Run run(Path wrk, Path lua, String body, String url, int threads, int connections, Duration duration, int keys)
            throws IOException, InterruptedException {
        if (threads < 1 || threads > connections) {
            throw new IllegalArgumentException("wrk threads must be 1 to the connections (" + connections + "), not " + threads);
        }
        if (keys < 0) {
            throw new IllegalArgumentException("keys must be 0 or more, not " + keys);
        }
        long seconds = Math.max(1, Math.round(duration.toMillis() / 1000.0));
        Path report = Files.createTempFile(lua.getParent(), "wrk-", ".json");
        try {
            List<String> cmd = new ArrayList<>(List.of("sh", "-c", "\"$@\"; s=$?; echo; echo \"WRKSTAT $(cat /proc/$$/stat)\"; exit $s",
                    "sh", wrk.toString(), "-t" + threads, "-c" + connections, "-d" + seconds + "s",
                    "--timeout", "5s", "-s", lua.toString(), url));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().put("BENCH_WRK_JSON", report.toString());
            pb.environment().put("BENCH_WRK_BODY", body);
            pb.environment().put("BENCH_WRK_KEYS", Integer.toString(keys));
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int exit = p.waitFor();
            if (exit != 0) {
                throw new IOException("wrk exited " + exit + ":\n" + out);
            }
            long ticks = 0;
            int at = out.lastIndexOf("WRKSTAT ");
            if (at >= 0) {
                ticks = ProcStats.cpuTicksOf(out.substring(at + 8).trim(), true);
                out = out.substring(0, at).trim();
            }
            String json = Files.readString(report, StandardCharsets.UTF_8);
            if (json.isBlank()) {
                throw new IOException("wrk wrote no report (its done() hook did not run):\n" + out);
            }
            return new Run(read(json), ticks, out);
        } finally {
            Files.deleteIfExists(report);
        }
    }

    /**
     * Reads the script's report. Failed requests: non-2xx/3xx responses plus socket errors (connect, read,
     * write, timeout); answered = wrk's requests less the non-2xx/3xx ones.
     *
     * @throws IllegalArgumentException naming the field, when the report lacks one
     */
    static LoadStats read(String json) {
        JsonNode r = Json.read(json);
        try {
            JsonNode e = r.required("errors");
            JsonNode l = r.required("latency_us");
            long total = r.required("requests").asLong();
            long status = e.required("status").asLong();
            long connect = e.required("connect").asLong();
            long read = e.required("read").asLong();
            long write = e.required("write").asLong();
            long timeout = e.required("timeout").asLong();
            List<String> notes = new ArrayList<>();
            if (connect + read + write + timeout > 0) {
                notes.add("socket errors: connect " + connect + ", read " + read + ", write " + write + ", timeout " + timeout);
            }
            if (status > 0) {
                notes.add("non-2xx or 3xx responses: " + status);
            }
            return new LoadStats("wrk", total - status, status + connect + read + write + timeout,
                    r.required("duration_us").asLong() / 1e6, us(l, "p50"), us(l, "p90"), us(l, "p99"), us(l, "max"),
                    List.of(), Optional.empty(), String.join("; ", notes));
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("wrk's report: " + ex.getMessage() + ":\n" + json, ex);
        }
    }

    private static double us(JsonNode latency, String field) {
        return latency.required(field).asDouble() / 1000.0;
    }
}
