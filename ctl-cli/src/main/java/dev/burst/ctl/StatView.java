package dev.burst.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The text of a stat sample ({@code GET /admin/stat}) or a worker list: titled, aligned tables. Fields it does
 * not know are ignored, fields missing read "-". With changes ({@code stat --diff}), counters show their
 * change since the previous sample ("+12") and gauges their value.
 */
final class StatView {

    private static final String INDENT = "  ";
    private static final List<String> LATENCY = List.of("p50", "p90", "p99", "max");

    private final Optional<Map<String, Long>> changes;

    private StatView(Optional<Map<String, Long>> changes) {
        this.changes = changes;
    }

    /** @return a view showing every counter's value */
    static StatView values() {
        return new StatView(Optional.empty());
    }

    /** @return a view showing each counter's change, from {@link StatDiff#between} */
    static StatView changes(Map<String, Long> changes) {
        return new StatView(Optional.of(changes));
    }

    String render(JsonNode stat) {
        StringBuilder out = new StringBuilder();
        section(out, "totals", totals(stat));
        section(out, "groups (latency in ms)", groups(stat.path("groups")));
        section(out, "cmds (latency in ms)", cmds(stat.path("cmds")));
        section(out, "tasks_time (tasks by duration, up to N ms)", tasksTime(stat));
        List<String> groupOrder = new ArrayList<>();
        stat.path("groups").fieldNames().forEachRemaining(groupOrder::add);
        section(out, "workers", workers(stat.path("workers_detail"), groupOrder));
        out.append(plugins(stat.path("plugins"))).append('\n');
        out.append(lastReload(stat.path("last_reload")));
        return out.toString();
    }

    /**
     * @return the workers table of {@code GET /admin/workers}: by group in the order the server lists them
     *         (its configuration order), then by slot
     */
    String renderWorkers(JsonNode workers) {
        return indent(workers(workers, List.of()).render());
    }

    /** @return the lines of a reload's failures, each indented, whatever their shape (text or object) */
    static String failures(JsonNode failures) {
        StringBuilder out = new StringBuilder();
        for (JsonNode f : failures) {
            String text = f.isObject()
                    ? String.join(", ", f.properties().stream()
                            .map(e -> e.getKey() + ": " + Cells.value(e.getValue())).toList())
                    : Cells.value(f);
            out.append(INDENT).append(text).append('\n');
        }
        return out.toString();
    }

    private Table totals(JsonNode s) {
        return Table.withoutHeader(6)
                .row("uptime", Cells.seconds(s.path("uptime_seconds")), "generation", Cells.value(s.path("generation")),
                        "clients", Cells.value(s.path("clients")))
                .row("client_req", counter(s, "client_req"), "client_rsp", counter(s, "client_rsp"),
                        "pending_tasks", Cells.value(s.path("pending_tasks")))
                .row("worker_req", counter(s, "worker_req"), "worker_rsp", counter(s, "worker_rsp"),
                        "discard_tasks", counter(s, "discard_tasks"))
                .row("workers", Cells.value(s.path("workers")), "idle_workers", Cells.value(s.path("idle_workers")),
                        "busy_workers", Cells.value(s.path("busy_workers")))
                .row("rejects", counter(s, "rejects"), "timeouts", counter(s, "timeouts"),
                        "workers_lost", counter(s, "workers_lost"))
                .row("admin_auth_failures", counter(s, "admin_auth_failures"), "", "", "", "");
    }

    private Table groups(JsonNode groups) {
        Table t = Table.withHeader("group", "workers", "idle", "busy", "pending", "discard", "req", "rsp", "rejects",
                "timeouts", "lost", "p50", "p90", "p99", "max");
        for (var e : groups.properties()) {
            String scope = StatDiff.key("groups", e.getKey());
            JsonNode g = e.getValue();
            List<String> row = new ArrayList<>(List.of(e.getKey(), Cells.value(g.path("workers")),
                    Cells.value(g.path("idle_workers")), Cells.value(g.path("busy_workers")),
                    Cells.value(g.path("pending_tasks")), counter(g, scope, "discard_tasks"),
                    counter(g, scope, "client_req"), counter(g, scope, "client_rsp"), counter(g, scope, "rejects"),
                    counter(g, scope, "timeouts"), counter(g, scope, "workers_lost")));
            LATENCY.forEach(p -> row.add(Cells.millis(g.path("latency_ms").path(p))));
            t.row(row);
        }
        return t;
    }

    private Table cmds(JsonNode cmds) {
        Table t = Table.withHeader("cmd", "group", "name", "requests", "errors", "p50", "p90", "p99", "max");
        List<Map.Entry<String, JsonNode>> sorted = new ArrayList<>(cmds.properties());
        sorted.sort(Comparator.comparing(Map.Entry::getKey, StatView::numbersFirst));
        for (var e : sorted) {
            String scope = StatDiff.key("cmds", e.getKey());
            JsonNode c = e.getValue();
            List<String> row = new ArrayList<>(List.of(e.getKey(), Cells.value(c.path("group")),
                    Cells.value(c.path("name")), counter(c, scope, "requests"), counter(c, scope, "errors")));
            LATENCY.forEach(p -> row.add(Cells.millis(c.path("latency_ms").path(p))));
            t.row(row);
        }
        return t;
    }

    private Table tasksTime(JsonNode stat) {
        Set<String> buckets = new LinkedHashSet<>();
        stat.path("tasks_time").fieldNames().forEachRemaining(buckets::add);
        stat.path("groups").forEach(g -> g.path("tasks_time").fieldNames().forEachRemaining(buckets::add));
        List<String> order = buckets.stream().sorted(StatView::numbersFirst).toList();
        List<String> header = new ArrayList<>(List.of("group"));
        header.addAll(order);
        Table t = Table.withHeader(header.toArray(String[]::new));
        if (order.isEmpty()) {
            return t;
        }
        t.row(bucketRow("all", "tasks_time", stat.path("tasks_time"), order));
        for (var e : stat.path("groups").properties()) {
            String scope = StatDiff.key("groups", e.getKey(), "tasks_time");
            t.row(bucketRow(e.getKey(), scope, e.getValue().path("tasks_time"), order));
        }
        return t;
    }

    private List<String> bucketRow(String label, String scope, JsonNode tasksTime, List<String> order) {
        List<String> row = new ArrayList<>(List.of(label));
        for (String bucket : order) {
            row.add(counter(tasksTime, scope, bucket));
        }
        return row;
    }

    /** A row per worker, by group (those of groupOrder first, the others as they first appear), then slot. */
    private Table workers(JsonNode workers, List<String> groupOrder) {
        Table t = Table.withHeader("worker", "pid", "state", "gen", "uptime", "tasks", "restarts", "rss_mib");
        for (JsonNode w : bySlot(workers, groupOrder)) {
            String scope = StatDiff.key("workers", w.path("id").asText());
            t.row(Cells.value(w.path("id")), Cells.value(w.path("pid")), Cells.value(w.path("state")),
                    Cells.value(w.path("generation")), Cells.seconds(w.path("uptime_seconds")),
                    counter(w, scope, "tasks"), counter(w, scope, "restarts"), Cells.mebibytes(w.path("rss_bytes")));
        }
        return t;
    }

    /** The workers by group, in the given order and then as the list first names them, then by slot number. */
    static List<JsonNode> bySlot(JsonNode workers, List<String> groupOrder) {
        List<String> groups = new ArrayList<>(groupOrder);
        List<JsonNode> sorted = new ArrayList<>();
        for (JsonNode w : workers) {
            if (!groups.contains(group(w))) {
                groups.add(group(w));
            }
            sorted.add(w);
        }
        sorted.sort(Comparator.<JsonNode>comparingInt(w -> groups.indexOf(group(w))).thenComparingLong(StatView::slot));
        return sorted;
    }

    /** The worker's group; from its id ("game#2") when the server did not send it. */
    private static String group(JsonNode worker) {
        String id = worker.path("id").asText("");
        return worker.path("group").asText(id.contains("#") ? id.substring(0, id.lastIndexOf('#')) : "");
    }

    /** The worker's slot; from its id ("game#2") when the server did not send it; unknown sorts last. */
    private static long slot(JsonNode worker) {
        if (worker.path("slot").canConvertToLong()) {
            return worker.path("slot").asLong();
        }
        String id = worker.path("id").asText("");
        try {
            return Long.parseLong(id.substring(id.lastIndexOf('#') + 1));
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    private static String plugins(JsonNode plugins) {
        if (plugins.isMissingNode() || plugins.isNull()) {
            return "plugins: -";
        }
        Set<String> names = new LinkedHashSet<>();
        plugins.path("files").forEach(f -> names.add(f.path("plugin").asText("?")));
        return "plugins: generation " + Cells.value(plugins.path("generation")) + ", "
                + (names.isEmpty() ? "none" : String.join(", ", names));
    }

    private static String lastReload(JsonNode reload) {
        if (reload.isMissingNode() || reload.isNull()) {
            return "last reload: none\n";
        }
        String outcome = reload.path("ok").asBoolean(false) ? "ok" : "FAILED";
        String summary = reload.path("summary").asText("");
        return "last reload: " + outcome + (summary.isEmpty() ? "" : ", " + summary) + "\n"
                + failures(reload.path("failures"));
    }

    /** A counter at the top level of the sample. */
    private String counter(JsonNode owner, String field) {
        return counter(owner, "", field);
    }

    /** A counter of a scope (a group, cmd, worker): its change when this view shows changes, else its value. */
    private String counter(JsonNode owner, String scope, String field) {
        String key = scope.isEmpty() ? field : StatDiff.key(scope, field);
        return changes.map(c -> c.get(key)).map(Cells::delta).orElseGet(() -> Cells.value(owner.path(field)));
    }

    private static void section(StringBuilder out, String title, Table table) {
        if (!table.isEmpty()) {
            out.append(title).append('\n').append(indent(table.render())).append('\n');
        }
    }

    private static String indent(String lines) {
        return lines.lines().map(l -> INDENT + l + "\n").reduce("", String::concat);
    }

    /** Orders "10" before "50" before "500" before "more": numbers by value, then words. */
    private static int numbersFirst(String a, String b) {
        boolean na = a.chars().allMatch(Character::isDigit) && !a.isEmpty();
        boolean nb = b.chars().allMatch(Character::isDigit) && !b.isEmpty();
        if (na && nb) {
            return a.length() != b.length() ? Integer.compare(a.length(), b.length()) : a.compareTo(b);
        }
        return na ? -1 : nb ? 1 : a.compareTo(b);
    }
}
