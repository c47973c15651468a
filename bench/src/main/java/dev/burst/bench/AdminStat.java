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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * burst's own account of itself, from the admin API's {@code GET /admin/stat} (bearer token from
 * run/admin.token): its {@code users} section, flattened to numbers ({@code users_online},
 * {@code pushes.delivered}, {@code disconnect_events.queued} ...); tasks per worker and per key slot; each
 * worker's timer counts. Empty where the burst has no admin port, or its stat lacks the section (one from
 * before users and push, sticky keys or timers).
 *
 * <p>Threads: the caller's.
 */
final class AdminStat {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final Optional<URI> endpoint;
    private final Path tokenFile;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    AdminStat(BurstServer burst) {
        this.endpoint = burst.adminPort().map(p -> URI.create("http://127.0.0.1:" + p + "/admin/stat"));
        this.tokenFile = burst.adminTokenFile();
    }

    /** @return the users section, flattened: "users_online" -> 12, "pushes.delivered" -> 3400 ... */
    Optional<Map<String, Long>> users() {
        return stat().map(s -> s.path("users")).filter(JsonNode::isObject).map(AdminStat::flatten);
    }

    /** @return the whole of {@code GET /admin/stat}; empty without an admin API, or when it did not answer 200 */
    Optional<JsonNode> stat() {
        if (endpoint.isEmpty()) {
            return Optional.empty();
        }
        try {
            String token = Files.readString(tokenFile, StandardCharsets.UTF_8).trim();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(endpoint.get()).timeout(TIMEOUT)
                    .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? Optional.of(Json.read(r.body())) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** @return tasks each worker was given ({@code workers_detail[].tasks}) by worker id ("default#1"), in stat's order */
    static Map<String, Long> workerTasks(JsonNode stat) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (JsonNode w : stat.path("workers_detail")) {
            if (w.hasNonNull("id") && w.path("tasks").isNumber()) {
                m.merge(w.get("id").asText(), w.get("tasks").asLong(), Long::sum);
            }
        }
        return m;
    }

    /**
     * @return tasks each slot of a route=key group ran since the proxy started ({@code groups.<g>.keys.slots[].ran}),
     *         by slot number; empty for a route=any group or a burst without keys in its stat
     */
    static Map<Integer, Long> slotsRan(JsonNode stat, String group) {
        Map<Integer, Long> m = new LinkedHashMap<>();
        for (JsonNode s : stat.path("groups").path(group).path("keys").path("slots")) {
            if (s.path("slot").isNumber() && s.path("ran").isNumber()) {
                m.put(s.get("slot").asInt(), s.get("ran").asLong());
            }
        }
        return m;
    }

    /**
     * One plugin's timers in one worker, as stat shows them ({@code workers_detail[].timers[]}): counted
     * since its generation started, the lateness p99 as the upper bound of burst's histogram bucket.
     */
    record WorkerTimers(String worker, long pid, long runs, long failures, long skipped, double lateP99Ms, double lateMaxMs) {
        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("worker", worker);
            m.put("pid", pid);
            m.put("runs", runs);
            m.put("failures", failures);
            m.put("skipped", skipped);
            m.put("late_p99_ms", lateP99Ms);
            m.put("late_max_ms", lateMaxMs);
            return m;
        }
    }

    /** @return the named plugin's timers per worker, for the workers whose timers burst has heard of */
    static List<WorkerTimers> timers(JsonNode stat, String plugin) {
        List<WorkerTimers> list = new ArrayList<>();
        for (JsonNode w : stat.path("workers_detail")) {
            for (JsonNode t : w.path("timers")) {
                if (plugin.equals(t.path("plugin").asText())) {
                    list.add(new WorkerTimers(w.path("id").asText(), w.path("pid").asLong(), t.path("runs").asLong(),
                            t.path("failures").asLong(), t.path("skipped").asLong(), t.path("late_p99_ms").asDouble(),
                            t.path("late_max_ms").asDouble()));
                }
            }
        }
        return list;
    }

    /** @return the numbers of a JSON object, nested names joined by '.' */
    static Map<String, Long> flatten(JsonNode node) {
        Map<String, Long> m = new LinkedHashMap<>();
        flatten("", node, m);
        return m;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, Long> into) {
        node.properties().forEach(e -> {
            String name = prefix + e.getKey();
            if (e.getValue().isNumber()) {
                into.put(name, e.getValue().asLong());
            } else if (e.getValue().isObject()) {
                flatten(name + ".", e.getValue(), into);
            }
        });
    }

    /** @return after minus before, per number both have */
    static <K> Map<K, Long> delta(Map<K, Long> before, Map<K, Long> after) {
        Map<K, Long> d = new LinkedHashMap<>();
        after.forEach((k, v) -> {
            if (before.containsKey(k)) {
                d.put(k, v - before.get(k));
            }
        });
        return d;
    }
}
