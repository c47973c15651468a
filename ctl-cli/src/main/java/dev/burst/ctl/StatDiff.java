package dev.burst.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The change of each counter of {@code GET /admin/stat} between two samples, for {@code stat --diff}.
 *
 * <p>Counters are the fields that only grow: requests, answers, rejects, timeouts, losses, the tasks_time
 * buckets, per cmd requests and errors, per worker tasks and restarts. Gauges (clients, workers, pending
 * tasks) are not counters. A counter is named by a key of its place, like {@code client_req},
 * {@code groups/default/tasks_time/50}, {@code cmds/1/errors} or {@code workers/default#1/tasks}.
 * A counter that is new, or smaller than before (its worker or the server restarted), changed by its value.
 */
final class StatDiff {

    static final List<String> TOTALS = List.of("client_req", "client_rsp", "worker_req", "worker_rsp",
            "discard_tasks", "rejects", "timeouts", "workers_lost", "admin_auth_failures");
    static final List<String> GROUP = List.of("client_req", "client_rsp", "discard_tasks", "rejects", "timeouts",
            "workers_lost");
    static final List<String> CMD = List.of("requests", "errors");
    static final List<String> WORKER = List.of("tasks", "restarts");

    private StatDiff() {
    }

    /** @return the key of a counter: its scope and field, slash-separated */
    static String key(String... parts) {
        return String.join("/", parts);
    }

    /** @return every counter of a stat sample by key, in the order of the sample */
    static Map<String, Long> counters(JsonNode stat) {
        Map<String, Long> counters = new LinkedHashMap<>();
        fields(counters, "", stat, TOTALS);
        fields(counters, "tasks_time", stat.path("tasks_time"), names(stat.path("tasks_time")));
        for (var group : stat.path("groups").properties()) {
            String scope = key("groups", group.getKey());
            JsonNode tasksTime = group.getValue().path("tasks_time");
            fields(counters, scope, group.getValue(), GROUP);
            fields(counters, key(scope, "tasks_time"), tasksTime, names(tasksTime));
        }
        for (var cmd : stat.path("cmds").properties()) {
            fields(counters, key("cmds", cmd.getKey()), cmd.getValue(), CMD);
        }
        for (JsonNode worker : stat.path("workers_detail")) {
            fields(counters, key("workers", worker.path("id").asText()), worker, WORKER);
        }
        return counters;
    }

    /** @return the change of every counter of {@code after} since {@code before}, by key */
    static Map<String, Long> between(JsonNode before, JsonNode after) {
        Map<String, Long> was = counters(before);
        Map<String, Long> changes = new LinkedHashMap<>();
        counters(after).forEach((key, now) -> {
            Long then = was.get(key);
            changes.put(key, then == null || now < then ? now : now - then);
        });
        return changes;
    }

    private static void fields(Map<String, Long> counters, String scope, JsonNode node, List<String> names) {
        for (String name : names) {
            JsonNode value = node.path(name);
            if (value.isNumber()) {
                counters.put(scope.isEmpty() ? name : key(scope, name), value.asLong());
            }
        }
    }

    private static List<String> names(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
