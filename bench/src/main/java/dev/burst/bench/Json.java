package dev.burst.bench;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Writes maps, lists, strings, numbers and booleans as JSON: objects indented, an object or array of
 * scalars on one line (timeline entries stay readable). Doubles are rounded to 4 decimals; NaN and
 * infinities become null.
 */
final class Json {

    private Json() {
    }

    static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, 0);
        return sb.append('\n').toString();
    }

    private static void write(StringBuilder sb, Object v, int depth) {
        switch (v) {
            case null -> sb.append("null");
            case Optional<?> o -> write(sb, o.orElse(null), depth);
            case String s -> string(sb, s);
            case Boolean b -> sb.append(b);
            case Double d -> number(sb, d);
            case Float f -> number(sb, f.doubleValue());
            case Number n -> sb.append(n.longValue());
            case Map<?, ?> m -> object(sb, m, depth);
            case Collection<?> c -> array(sb, List.copyOf(c), depth);
            default -> string(sb, v.toString());
        }
    }

    private static void number(StringBuilder sb, double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            sb.append("null");
        } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            sb.append((long) d);
        } else {
            // 4 decimals, trailing zeros dropped: 0.1265, 6.5, and 6.00001 -> "6" (never "6.").
            sb.append(String.format(Locale.ROOT, "%.4f", d).replaceAll("\\.?0+$", ""));
        }
    }

    private static boolean flat(Collection<?> values) {
        return values.stream().noneMatch(x -> x instanceof Map<?, ?> || x instanceof Collection<?>);
    }

    private static void object(StringBuilder sb, Map<?, ?> m, int depth) {
        if (m.isEmpty()) {
            sb.append("{}");
            return;
        }
        boolean oneLine = flat(m.values());
        sb.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (oneLine) {
                sb.append(first ? "" : ", ");
            } else {
                sb.append(first ? "" : ",");
                newline(sb, depth + 1);
            }
            first = false;
            string(sb, String.valueOf(e.getKey()));
            sb.append(": ");
            write(sb, e.getValue(), depth + 1);
        }
        if (!oneLine) {
            newline(sb, depth);
        }
        sb.append('}');
    }

    private static void array(StringBuilder sb, List<?> list, int depth) {
        if (list.isEmpty()) {
            sb.append("[]");
            return;
        }
        boolean oneLine = flat(list);
        sb.append('[');
        for (int i = 0; i < list.size(); i++) {
            sb.append(i == 0 ? "" : oneLine ? ", " : ",");
            if (!oneLine) {
                newline(sb, depth + 1);
            }
            write(sb, list.get(i), depth + 1);
        }
        if (!oneLine) {
            newline(sb, depth);
        }
        sb.append(']');
    }

    private static void newline(StringBuilder sb, int depth) {
        sb.append('\n').append("  ".repeat(depth));
    }

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
