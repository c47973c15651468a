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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * burst's own account of users and pushes, from the admin API's {@code GET /admin/stat} (bearer token from
 * run/admin.token): its {@code users} section, flattened to numbers ({@code users_online},
 * {@code pushes.delivered}, {@code disconnect_events.queued} ...). Empty where the burst has no admin port,
 * or its stat has no {@code users} (one from before users and push).
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
        if (endpoint.isEmpty()) {
            return Optional.empty();
        }
        try {
            String token = Files.readString(tokenFile, StandardCharsets.UTF_8).trim();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(endpoint.get()).timeout(TIMEOUT)
                    .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return Optional.empty();
            }
            JsonNode users = Json.read(r.body()).path("users");
            return users.isObject() ? Optional.of(flatten(users)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
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
    static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> d = new LinkedHashMap<>();
        after.forEach((k, v) -> {
            if (before.containsKey(k)) {
                d.put(k, v - before.get(k));
            }
        });
        return d;
    }
}
