package dev.burst.container.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * How one kind of value is parsed and checked, and what is allowed, in words that serve both the error
 * message ({@code key=value: <allowed>}) and the {@code # Allowed:} line of conf/burst.properties, so the
 * two cannot drift apart. The factories below are the value types the key table ({@link ConfigKeys}) uses.
 *
 * <p>Immutable; any thread. Reading runs on the thread that loads the configuration.
 *
 * @param <T> what a value reads as
 */
final class ValueType<T> {

    /** A value being read: its text (the one found, else the key's default) and what it may depend on. */
    interface Input {

        /** @return the value, trimmed */
        String text();

        /** @return burst.home, which relative paths resolve against */
        Path home();

        /**
         * @param key another key of the same scope (a group key's group)
         * @param <V> its value type
         * @return its value, read and checked first
         */
        <V> V other(ConfigKey<V> key);

        /**
         * @param allowed what would have been accepted, or what is wrong
         * @return the exception naming the key and the value (hidden for a secret)
         */
        ConfigException refused(String allowed);
    }

    /** Group names: what a key segment and an environment variable can both carry. */
    static final Pattern GROUP_NAME = Pattern.compile("[a-z0-9_-]{1,32}");

    private static final Pattern IPV4 = Pattern.compile("((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}"
            + "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])");
    /** RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens, at most 63 each. */
    private static final Pattern HOST_NAME = Pattern.compile(
            "([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.?");
    private static final Pattern DIGITS_AND_DOTS = Pattern.compile("[0-9.]+");

    private final String allowed;
    private final boolean secret;
    private final Function<Input, T> read;

    private ValueType(String allowed, boolean secret, Function<Input, T> read) {
        this.allowed = allowed;
        this.secret = secret;
        this.read = read;
    }

    private static <T> ValueType<T> of(String allowed, Function<Input, T> read) {
        return new ValueType<>(allowed, false, read);
    }

    /** @return what is allowed, lower-case, without a final full stop */
    String allowed() {
        return allowed;
    }

    /** @return whether a value must not be shown in messages */
    boolean secret() {
        return secret;
    }

    T read(Input in) {
        return read.apply(in);
    }

    /** Free text, not checked: the launcher's keys. */
    static ValueType<String> text() {
        return of("any text", Input::text);
    }

    static ValueType<Integer> integer(int min, int max) {
        String allowed = "an integer from " + min + " to " + max;
        return of(allowed, in -> within(in.text(), min, max).orElseThrow(() -> in.refused(allowed)).intValue());
    }

    /**
     * An integer from {@code min} to the value of another key of the same scope.
     *
     * @param bound the key whose value is the upper bound; declared before this one in the table
     */
    static ValueType<Integer> integerUpTo(int min, ConfigKey<Integer> bound) {
        Objects.requireNonNull(bound, "the bound's key is declared before the key it bounds");
        return of("an integer from " + min + " to the value of " + bound.name(), in -> {
            int limit = in.other(bound);
            return within(in.text(), min, limit).orElseThrow(
                    () -> in.refused("an integer from " + min + " to " + limit + " (its " + bound.shortName() + ")"))
                    .intValue();
        });
    }

    static ValueType<Long> longInteger(long min, long max) {
        String allowed = "an integer from " + min + " to " + max;
        return of(allowed, in -> within(in.text(), min, max).orElseThrow(() -> in.refused(allowed)));
    }

    /** @return the decimal integer {@code text}, if it is one from min to max */
    private static Optional<Long> within(String text, long min, long max) {
        try {
            long n = Long.parseLong(text);
            return n >= min && n <= max ? Optional.of(n) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty(); // the caller refuses it, naming the range
        }
    }

    static ValueType<Duration> duration(Duration min) {
        String allowed = "an ISO-8601 duration of at least " + min + " (for example PT5S, PT0.5S)";
        return of(allowed, in -> {
            try {
                Duration d = Duration.parse(in.text());
                if (d.compareTo(min) >= 0) {
                    return d;
                }
            } catch (DateTimeParseException e) {
                // refused below, with the minimum
            }
            throw in.refused(allowed);
        });
    }

    static ValueType<Boolean> bool() {
        return of("true or false", in -> switch (in.text()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw in.refused("true or false");
        });
    }

    /** @param choices each allowed word and what it reads as */
    static <V> ValueType<V> oneOf(Map<String, V> choices) {
        String allowed = "one of " + new TreeSet<>(choices.keySet());
        return of(allowed, in -> {
            V v = choices.get(in.text());
            if (v == null) {
                throw in.refused(allowed);
            }
            return v;
        });
    }

    static ValueType<Path> directory() {
        String allowed = "a directory path, absolute or relative to burst.home";
        return of(allowed, in -> {
            if (in.text().isEmpty()) {
                throw in.refused(allowed);
            }
            return in.home().resolve(in.text()).normalize();
        });
    }

    /** A file path, or nothing when empty (MicroProfile Config reads an empty value as no value). */
    static ValueType<Optional<Path>> optionalFile() {
        return of("a file path, absolute or relative to burst.home; empty = unset",
                in -> in.text().isEmpty() ? Optional.empty() : Optional.of(in.home().resolve(in.text()).normalize()));
    }

    /**
     * {@code auto}: {@code worker.aot} beside burst's own jar (the distribution's {@code lib/}); {@code off};
     * or a file path, relative to burst.home. An empty value is no value in MicroProfile Config: auto.
     */
    static ValueType<Optional<Path>> aotCache() {
        return of("auto, off, or a file path, absolute or relative to burst.home", in -> switch (in.text()) {
            case "off" -> Optional.empty();
            case "auto", "" -> ConfigLoader.libDir().map(lib -> lib.resolve("worker.aot"));
            default -> Optional.of(in.home().resolve(in.text()).normalize());
        });
    }

    /**
     * An address to listen on: an IP literal, or a host name that resolves. Checked here because the
     * listener would otherwise fail in the proxy, after the master has started, with a bare stack trace.
     */
    static ValueType<String> host() {
        String allowed = "an IP address (v4 such as 127.0.0.1, or v6 such as ::1) or a host name of letters,"
                + " digits, hyphens and dots that resolves; 0.0.0.0 or :: listens on every interface";
        return of(allowed, in -> {
            String v = in.text();
            boolean literal = IPV4.matcher(v).matches() || v.contains(":");
            boolean name = HOST_NAME.matcher(v).matches() && v.length() <= 253 && !DIGITS_AND_DOTS.matcher(v).matches();
            if (!literal && !name) {
                throw in.refused(allowed);
            }
            try {
                InetAddress.getByName(v);
            } catch (UnknownHostException e) {
                throw in.refused(literal ? allowed
                        : "the host name does not resolve (" + e.getMessage() + "); allowed: " + allowed);
            }
            return v;
        });
    }

    static ValueType<Optional<String>> token() {
        String allowed = "at least 16 characters without spaces, or unset to have one generated into run/admin.token";
        return new ValueType<>(allowed, true, in -> {
            String t = in.text();
            if (t.isEmpty()) {
                return Optional.empty();
            }
            if (t.length() < 16 || t.chars().anyMatch(Character::isWhitespace)) {
                throw in.refused(allowed);
            }
            return Optional.of(t);
        });
    }

    /** JVM options, split on white space; never refused (the JVM that gets them judges them). */
    static ValueType<List<String>> jvmOptions() {
        return of("JVM options separated by spaces; empty = none",
                in -> in.text().isBlank() ? List.of() : List.copyOf(Arrays.asList(in.text().split("\\s+"))));
    }

    /** {@code *}: every plugin (read as the empty set); else the names listed. */
    static ValueType<Set<String>> pluginSelection() {
        String allowed = "* or a comma-separated list of plugin names";
        return of(allowed, in -> {
            if (in.text().equals("*")) {
                return Set.of();
            }
            Set<String> names = new LinkedHashSet<>();
            for (String part : in.text().split(",")) {
                String p = part.trim();
                if (p.isEmpty() || p.contains("/") || p.equals("*")) {
                    throw in.refused(allowed);
                }
                names.add(p);
            }
            return Set.copyOf(names);
        });
    }

    static ValueType<List<String>> groupNames() {
        String allowed = "a comma-separated list of group names, each matching " + GROUP_NAME.pattern();
        return of(allowed, in -> {
            Set<String> names = new LinkedHashSet<>();
            for (String part : in.text().split(",")) {
                String g = part.trim();
                if (!GROUP_NAME.matcher(g).matches()) {
                    throw in.refused(allowed);
                }
                if (!names.add(g)) {
                    throw in.refused("group '" + g + "' is listed twice");
                }
            }
            return List.copyOf(names);
        });
    }
}
