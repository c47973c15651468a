package dev.burst.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/** How stat values read in a table cell. A value the server did not send reads "-". */
final class Cells {

    static final String NONE = "-";

    private Cells() {
    }

    /** @return a count or other plain value as the server sent it */
    static String value(JsonNode node) {
        if (absent(node)) {
            return NONE;
        }
        if (node.isFloatingPointNumber() && node.asDouble() == Math.rint(node.asDouble())) {
            return Long.toString(node.asLong());
        }
        return node.asText();
    }

    /** @return milliseconds with two decimals below 10, one below 100, none above */
    static String millis(JsonNode node) {
        if (absent(node) || !node.isNumber()) {
            return NONE;
        }
        double ms = node.asDouble();
        String format = ms < 10 ? "%.2f" : ms < 100 ? "%.1f" : "%.0f";
        return String.format(Locale.ROOT, format, ms);
    }

    /** @return a duration in seconds as "12.5 s", "5m 03s", "2h 05m" or "3d 04h" */
    static String seconds(JsonNode node) {
        if (absent(node) || !node.isNumber()) {
            return NONE;
        }
        double s = node.asDouble();
        long whole = (long) s;
        if (s < 60) {
            return String.format(Locale.ROOT, "%.1f s", s);
        } else if (whole < 3600) {
            return String.format(Locale.ROOT, "%dm %02ds", whole / 60, whole % 60);
        } else if (whole < 86400) {
            return String.format(Locale.ROOT, "%dh %02dm", whole / 3600, whole % 3600 / 60);
        }
        return String.format(Locale.ROOT, "%dd %02dh", whole / 86400, whole % 86400 / 3600);
    }

    /** @return bytes as MiB with one decimal */
    static String mebibytes(JsonNode node) {
        if (absent(node) || !node.isNumber() || node.asLong() < 0) {
            return NONE;
        }
        return String.format(Locale.ROOT, "%.1f", node.asLong() / (1024.0 * 1024.0));
    }

    /** @return a change of a counter, always signed: "+12", "+0", "-3" */
    static String delta(long change) {
        return change < 0 ? Long.toString(change) : "+" + change;
    }

    private static boolean absent(JsonNode node) {
        return node == null || node.isMissingNode() || node.isNull();
    }
}
