package dev.burst.bench;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs wrk (Debian's package) with a POST script and reads its report. wrk gives whole-run figures only:
 * requests, Requests/sec, the latency maximum and, with {@code --latency}, the 50/75/90/99th percentiles.
 * wrk's own CPU time is read from the shell that waited for it (cutime + cstime of /proc/$$/stat).
 */
final class Wrk {

    private static final Pattern PERCENTILE = Pattern.compile("^\\s+(50|75|90|99)(?:\\.000)?%\\s+([\\d.]+)(us|ms|s|m)\\s*$", Pattern.MULTILINE);
    private static final Pattern LATENCY = Pattern.compile("^\\s+Latency\\s+([\\d.]+)(us|ms|s|m)\\s+([\\d.]+)(us|ms|s|m)\\s+([\\d.]+)(us|ms|s|m)", Pattern.MULTILINE);
    private static final Pattern REQUESTS = Pattern.compile("(\\d+) requests in ([\\d.]+)(us|ms|s|m)");
    private static final Pattern SOCKET_ERRORS = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");

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

    /** Writes the POST script wrk runs (every request: POST with this body). */
    static Path script(Path dir, String body) throws IOException {
        String lua = "wrk.method = \"POST\"\n"
                + "wrk.body = \"" + body.replace("\\", "\\\\").replace("\"", "\\\"") + "\"\n"
                + "wrk.headers[\"Content-Type\"] = \"application/octet-stream\"\n";
        return Files.writeString(dir.resolve("post.lua"), lua, StandardCharsets.UTF_8);
    }

    /**
     * Runs {@code wrk -tT -cC -dD --latency -s post.lua URL}, T = min(C, 2).
     *
     * @param duration whole seconds (wrk's resolution), at least 1
     */
    static Run run(Path wrk, Path lua, String url, int connections, Duration duration) throws IOException, InterruptedException {
        long seconds = Math.max(1, Math.round(duration.toMillis() / 1000.0));
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", "\"$@\"; s=$?; echo; echo \"WRKSTAT $(cat /proc/$$/stat)\"; exit $s", "sh",
                wrk.toString(), "-t" + Math.min(connections, 2), "-c" + connections, "-d" + seconds + "s",
                "--timeout", "5s", "--latency", "-s", lua.toString(), url));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
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
        return new Run(parse(out), ticks, out);
    }

    /** Reads wrk's report. Failed requests: non-2xx responses plus socket errors. */
    static LoadStats parse(String out) {
        Matcher r = REQUESTS.matcher(out);
        if (!r.find()) {
            throw new IllegalArgumentException("no 'N requests in T' line in wrk's output:\n" + out);
        }
        long total = Long.parseLong(r.group(1));
        double seconds = millis(r.group(2), r.group(3)) / 1000.0;
        long non2xx = 0;
        Matcher n = NON_2XX.matcher(out);
        if (n.find()) {
            non2xx = Long.parseLong(n.group(1));
        }
        long socketErrors = 0;
        String note = "";
        Matcher s = SOCKET_ERRORS.matcher(out);
        if (s.find()) {
            for (int i = 1; i <= 4; i++) {
                socketErrors += Long.parseLong(s.group(i));
            }
            note = s.group(0);
        }
        if (non2xx > 0) {
            note = (note.isEmpty() ? "" : note + "; ") + n.group(0);
        }
        double p50 = 0;
        double p90 = 0;
        double p99 = 0;
        Matcher p = PERCENTILE.matcher(out);
        while (p.find()) {
            double v = millis(p.group(2), p.group(3));
            switch (p.group(1)) {
                case "50" -> p50 = v;
                case "90" -> p90 = v;
                case "99" -> p99 = v;
                default -> {
                    // 75th: not reported
                }
            }
        }
        double max = 0;
        Matcher l = LATENCY.matcher(out);
        if (l.find()) {
            max = millis(l.group(5), l.group(6));
        }
        return new LoadStats("wrk", total - non2xx, non2xx + socketErrors, seconds, p50, p90, p99, max, List.of(), note);
    }

    private static double millis(String value, String unit) {
        double v = Double.parseDouble(value);
        return switch (unit) {
            case "us" -> v / 1000.0;
            case "ms" -> v;
            case "s" -> v * 1000.0;
            case "m" -> v * 60_000.0;
            default -> throw new IllegalArgumentException("unit " + unit);
        };
    }
}
