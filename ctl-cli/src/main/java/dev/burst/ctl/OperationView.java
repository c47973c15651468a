package dev.burst.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * The text of operation records ({@code GET /admin/operations} and {@code /admin/operations/{id}}): a table of
 * many, in the server's order (oldest first, so the newest is last), or one record with its details. Times
 * show in a given zone (burstctl's local one). A field the server did not send, or sent as null (a running
 * operation has no finish yet), reads "-". Runs on the caller's thread.
 */
final class OperationView {

    /** The states of an operation record. Only {@value #RUNNING} changes; the others are final. */
    static final String RUNNING = "running";
    static final String DONE = "done";
    static final String FAILED = "failed";
    static final String REFUSED = "refused";

    private static final DateTimeFormatter TABLE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final DateTimeFormatter RECORD_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");
    private static final String INDENT = "  ";

    private final ZoneId zone;

    OperationView(ZoneId zone) {
        this.zone = zone;
    }

    /** @return the table of {@code {"operations":[...]}}, or a line saying there are none */
    String table(JsonNode reply) {
        Table t = Table.withHeader("id", "kind", "trigger", "state", "started", "duration", "outcome")
                .text(4).text(6);
        for (JsonNode op : reply.path("operations")) {
            t.row(Cells.value(op.path("id")), Cells.value(op.path("kind")), Cells.value(op.path("trigger")),
                    Cells.value(op.path("state")), time(op.path("started"), TABLE_TIME), duration(op),
                    Cells.value(op.path("outcome")));
        }
        return t.isEmpty() ? "no operations yet\n" : t.render();
    }

    /** @return one record: its title, its fields one a line, then its details (subject and outcome) */
    String record(JsonNode op) {
        StringBuilder out = new StringBuilder(title(op)).append('\n');
        field(out, "trigger", Cells.value(op.path("trigger")));
        field(out, "started", time(op.path("started"), RECORD_TIME));
        field(out, "finished", time(op.path("finished"), RECORD_TIME));
        field(out, "duration", duration(op));
        field(out, "outcome", Cells.value(op.path("outcome")));
        String details = details(op);
        if (!details.isEmpty()) {
            out.append(INDENT).append("details\n");
            details.lines().forEach(l -> out.append(INDENT).append(l).append('\n'));
        }
        return out.toString();
    }

    /** @return "operation #3 reload_workers: done", as the server logs it */
    static String title(JsonNode op) {
        return "operation #" + Cells.value(op.path("id")) + " " + Cells.value(op.path("kind")) + ": "
                + Cells.value(op.path("state"));
    }

    /**
     * @return how a finished operation ended, in one line: "restart_workers #12 done in 1.3 s: 2 of 2
     *         worker(s) replaced"; a refused one took no time worth saying
     */
    static String ending(JsonNode op) {
        String state = Cells.value(op.path("state"));
        String duration = duration(op);
        String took = duration.equals(Cells.NONE) ? "" : switch (state) {
            case DONE -> " in " + duration;
            case FAILED -> " after " + duration;
            default -> "";
        };
        return Cells.value(op.path("kind")) + " #" + Cells.value(op.path("id")) + " " + state + took + ": "
                + Cells.value(op.path("outcome"));
    }

    /** @return the details of a record (what happened to each worker), indented, aligned; empty for none */
    static String details(JsonNode op) {
        Table details = Table.withoutHeader(2).text(0).text(1);
        for (JsonNode d : op.path("details")) {
            details.row(Cells.value(d.path("subject")), Cells.value(d.path("outcome")));
        }
        StringBuilder out = new StringBuilder();
        details.render().lines().forEach(l -> out.append(INDENT).append(l).append('\n'));
        return out.toString();
    }

    /** @return "812 ms" below a second, else as {@link Cells#seconds}: "1.3 s", "5m 03s" */
    static String duration(JsonNode op) {
        JsonNode ms = op.path("duration_ms");
        if (!ms.isNumber()) {
            return Cells.NONE;
        }
        if (ms.asLong() < 1000) {
            return ms.asLong() + " ms";
        }
        return Cells.seconds(JsonNodeFactory.instance.numberNode(ms.asLong() / 1000.0));
    }

    /** @return the instant in this view's zone; a text that is no ISO-8601 instant as the server sent it */
    private String time(JsonNode instant, DateTimeFormatter format) {
        if (!instant.isTextual()) {
            return Cells.NONE;
        }
        try {
            return Instant.parse(instant.asText()).atZone(zone).format(format);
        } catch (DateTimeParseException e) {
            return instant.asText();
        }
    }

    private static void field(StringBuilder out, String name, String value) {
        out.append(INDENT).append(String.format("%-9s", name)).append(value).append('\n');
    }
}
