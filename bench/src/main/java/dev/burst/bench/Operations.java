package dev.burst.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The outcomes of burst's reload_workers and restart_workers operations, for the benchmark's timings and
 * chart marks. Read from the admin API, {@code GET /admin/operations} (bearer token from run/admin.token,
 * port from run/ports' {@code admin=}), which answers, oldest first:
 * <pre>
 * {"operations": [{"id": 3, "kind": "reload_workers", "trigger": "SIGHUP",
 *                  "state": "done" | "failed" | "running" | "refused",
 *                  "started": "2026-...Z", "finished": "...Z" | null, "duration_ms": 1333 | null,
 *                  "outcome": "...", "details": [...]}]}
 * </pre>
 * A burst whose admin API answers that path with 404 (one from before the endpoint) is read from its log
 * instead ({@link BurstLog#outcomes}); which one is decided once, by {@link #of}.
 *
 * <p>Threads: the caller's (the benchmark's main thread).
 */
final class Operations {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /**
     * An operation that ended.
     *
     * @param kind       "reload" or "restart" (burst's reload_workers, restart_workers); other kinds as burst names them
     * @param epochMs    when it ended
     * @param ok         whether it was done (not failed, not refused)
     * @param reportedMs how long it took by burst's own account, or -1
     * @param text       what burst said of it
     */
    record Outcome(String kind, long epochMs, boolean ok, long reportedMs, String text) {
    }

    /** A point in burst's history: outcomes after it are {@link #since} it. */
    record Mark(long lastId, int logLine) {
    }

    private final Optional<URI> endpoint;
    private final Optional<Path> tokenFile;
    private final BurstLog log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    private Operations(Optional<URI> endpoint, Optional<Path> tokenFile, BurstLog log) {
        this.endpoint = endpoint;
        this.tokenFile = tokenFile;
        this.log = log;
    }

    /** @return the outcomes of this burst: from its admin API if it serves them, else from its log */
    static Operations of(BurstServer burst) throws IOException, InterruptedException {
        Optional<URI> uri = burst.adminPort().map(p -> URI.create("http://127.0.0.1:" + p + "/admin/operations"));
        return of(uri, burst.adminTokenFile(), burst.log());
    }

    /**
     * @param endpoint  the admin API's {@code /admin/operations}, if the server has an admin port
     * @param tokenFile the file holding its bearer token
     * @param log       the server's log, read when the endpoint is missing or answers 404
     */
    static Operations of(Optional<URI> endpoint, Path tokenFile, BurstLog log) throws IOException, InterruptedException {
        if (endpoint.isPresent()) {
            Operations api = new Operations(endpoint, Optional.of(tokenFile), log);
            if (api.fetch().isPresent()) {
                return api;
            }
        }
        return new Operations(Optional.empty(), Optional.empty(), log);
    }

    /** @return where outcomes are read: "admin API" or "log" */
    String source() {
        return endpoint.isPresent() ? "admin API" : "log";
    }

    /** @return now, to read what ends after it */
    Mark mark() throws IOException, InterruptedException {
        long last = 0;
        if (endpoint.isPresent()) {
            for (JsonNode op : operations()) {
                last = Math.max(last, op.required("id").asLong());
            }
        }
        return new Mark(last, log.count());
    }

    /** @return the operations that ended after the mark (and began after it, for the API), oldest first */
    List<Outcome> since(Mark mark) throws IOException, InterruptedException {
        if (endpoint.isEmpty()) {
            return BurstLog.outcomes(log.since(mark.logLine()));
        }
        List<Outcome> out = new ArrayList<>();
        for (JsonNode op : operations()) {
            JsonNode finished = op.path("finished");
            if (op.required("id").asLong() > mark.lastId() && finished.isTextual()) {
                out.add(outcome(op));
            }
        }
        return out;
    }

    /** @return the first operation of that kind to end after the mark, waiting for it */
    Outcome await(String kind, Mark mark, Duration within) throws IOException, InterruptedException {
        return awaitCount(kind, mark, 1, within).getFirst();
    }

    /**
     * @return the first {@code n} operations of that kind to end after the mark, waiting for them
     * @throws IOException when fewer ended within the time, with burst's last log lines
     */
    List<Outcome> awaitCount(String kind, Mark mark, int n, Duration within) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            List<Outcome> done = since(mark).stream().filter(o -> o.kind().equals(kind)).toList();
            if (done.size() >= n) {
                return done.subList(0, n);
            }
            if (System.nanoTime() > deadline) {
                throw new IOException(done.size() + " of " + n + " " + kind + " outcome(s) in burst's " + source() + " within "
                        + within + ":\n" + log.tail(30));
            }
            Thread.sleep(endpoint.isPresent() ? 20 : 5);
        }
    }

    private static Outcome outcome(JsonNode op) {
        String kind = switch (op.required("kind").asText()) {
            case "reload_workers" -> "reload";
            case "restart_workers" -> "restart";
            default -> op.required("kind").asText();
        };
        String state = op.required("state").asText();
        StringBuilder text = new StringBuilder(op.required("kind").asText()).append(" #").append(op.required("id").asLong());
        if (op.path("trigger").isTextual()) {
            text.append(" (").append(op.path("trigger").asText()).append(')');
        }
        text.append(": ").append(state);
        if (!op.path("outcome").asText("").isEmpty()) {
            text.append(", ").append(op.path("outcome").asText());
        }
        for (JsonNode d : op.path("details")) {
            text.append("; ").append(d.isTextual() ? d.asText() : d.toString());
        }
        JsonNode ms = op.path("duration_ms");
        return new Outcome(kind, Instant.parse(op.required("finished").asText()).toEpochMilli(), state.equals("done"),
                ms.isNumber() ? ms.asLong() : -1, text.toString());
    }

    private JsonNode operations() throws IOException, InterruptedException {
        return fetch().orElseThrow(() -> new IOException(endpoint.orElseThrow() + " answered 404, having answered before"));
    }

    /** @return the list of operations; empty when the endpoint answers 404 */
    private Optional<JsonNode> fetch() throws IOException, InterruptedException {
        URI uri = endpoint.orElseThrow();
        Path file = tokenFile.orElseThrow();
        String token;
        try {
            token = Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new IOException("cannot read the admin token " + file + ": " + e.getMessage(), e);
        }
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 404) {
            return Optional.empty();
        }
        if (r.statusCode() != 200) {
            throw new IOException("GET " + uri + " answered " + r.statusCode() + (r.statusCode() == 401 ? " (token from " + file + ")" : "")
                    + ": " + r.body());
        }
        JsonNode ops = Json.read(r.body()).path("operations");
        if (!ops.isArray()) {
            throw new IOException("GET " + uri + " answered without an \"operations\" array: " + r.body());
        }
        return Optional.of(ops);
    }
}
