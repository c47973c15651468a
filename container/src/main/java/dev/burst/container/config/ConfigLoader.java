package dev.burst.container.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.spi.ConfigProviderResolver;

/**
 * Reads burst's configuration through MicroProfile Config and validates every key once.
 *
 * <p>Sources, highest first: system properties, environment variables ({@code BURST_HTTP_PORT} for
 * {@code burst.http.port}, by MicroProfile's mapping), the file named by {@code burst.conf} (default
 * {@code conf/burst.properties} under {@code burst.home}), then the defaults written beside each key
 * below. Every error names the key, the value and what is allowed.
 */
public final class ConfigLoader {

    /** Group names: what a key segment and an environment variable can both carry. */
    private static final Pattern GROUP_NAME = Pattern.compile("[a-z0-9_-]{1,32}");
    private static final Pattern GROUP_KEY = Pattern.compile("burst\\.group\\.([^.]+)\\.(.+)");

    private static final Set<String> GLOBAL_KEYS = Set.of(
            "burst.home", "burst.conf", "burst.role", "burst.run.dir", "burst.plugins.dir",
            "burst.http.host", "burst.http.port", "burst.http.max-body", "burst.http.max-connections",
            "burst.box.host", "burst.box.port", "burst.box.max-packet", "burst.box.max-connections",
            "burst.box.max-inbound-bytes", "burst.box.frame-timeout", "burst.box.max-in-flight",
            "burst.connection.max-outbound",
            "burst.admin.host", "burst.admin.port", "burst.admin.token", "burst.admin.max-connections",
            "burst.admin.max-body", "burst.start.degraded", "burst.plugins.follow-symlinks",
            "burst.groups", "burst.stop.timeout", "burst.start.timeout",
            "burst.worker.boot-retries", "burst.worker.jvm-options", "burst.worker.aot-cache",
            "burst.proxy.jvm-options", "burst.log.file");
    private static final Set<String> GROUP_KEYS = Set.of("workers", "plugins", "max-pending", "queue-timeout",
            "task-timeout", "max-requests", "max-requests-jitter", "max-workers");

    /**
     * Every key an operator may set, group keys written {@code burst.group.<g>.<key>}; not the ones the
     * launcher sets (burst.home, burst.conf, burst.role) nor plugins' own (burst.plugin.*).
     *
     * @return the keys, sorted
     */
    public static List<String> operatorKeys() {
        List<String> keys = new ArrayList<>();
        GLOBAL_KEYS.stream().filter(k -> !Set.of("burst.home", "burst.conf", "burst.role").contains(k)).forEach(keys::add);
        GROUP_KEYS.forEach(k -> keys.add("burst.group.<g>." + k));
        keys.sort(null);
        return keys;
    }

    /** Largest worker count of a group. */
    public static final int MAX_WORKERS = 256;

    private final Config config;

    private ConfigLoader(Config config) {
        this.config = config;
    }

    /**
     * Loads from system properties, the environment and the config file.
     *
     * @return the validated configuration
     * @throws ConfigException naming the first bad key
     */
    public static BurstConfig load() {
        Path home = Path.of(System.getProperty("burst.home", "")).toAbsolutePath().normalize();
        String confSetting = Optional.ofNullable(System.getProperty("burst.conf"))
                .or(() -> Optional.ofNullable(System.getenv("BURST_CONF")))
                .orElse(null);
        Path conf = home.resolve(confSetting == null ? "conf/burst.properties" : confSetting);
        FileConfigSource file;
        if (Files.isRegularFile(conf)) {
            file = FileConfigSource.load(conf);
        } else if (confSetting != null) {
            throw new ConfigException("burst.conf", confSetting, "no such file: " + conf);
        } else {
            file = FileConfigSource.empty();
        }
        ConfigProviderResolver resolver = ConfigProviderResolver.instance();
        Config mp = resolver.getBuilder()
                .addDefaultSources()
                .withSources(file)
                .build();
        return new ConfigLoader(mp).read(home);
    }

    /**
     * Validates a MicroProfile Config (tests build one from a map).
     *
     * @param config the source
     * @param home   burst.home
     * @return the validated configuration
     * @throws ConfigException naming the first bad key
     */
    public static BurstConfig from(Config config, Path home) {
        return new ConfigLoader(config).read(home);
    }

    private BurstConfig read(Path home) {
        List<String> groupNames = groups();
        checkKeys(groupNames);
        List<GroupConfig> groups = new ArrayList<>();
        for (String g : groupNames) {
            String prefix = "burst.group." + g + ".";
            int maxWorkers = integer(prefix + "max-workers", 64, 1, MAX_WORKERS);
            groups.add(new GroupConfig(g,
                    integer(prefix + "workers", 2, 0, maxWorkers),
                    pluginSelection(prefix + "plugins"),
                    integer(prefix + "max-pending", 1000, 0, 10_000_000),
                    duration(prefix + "queue-timeout", "PT5S", Duration.ofMillis(1)),
                    duration(prefix + "task-timeout", "PT30S", Duration.ofMillis(1)),
                    integer(prefix + "max-requests", 0, 0, Integer.MAX_VALUE),
                    integer(prefix + "max-requests-jitter", 0, 0, Integer.MAX_VALUE),
                    maxWorkers));
        }
        return new BurstConfig(home,
                path(home, "burst.run.dir", "run"),
                path(home, "burst.plugins.dir", "plugins"),
                host("burst.http.host"),
                integer("burst.http.port", 8080, 0, 65535),
                integer("burst.http.max-body", 1 << 20, 0, 1 << 30),
                host("burst.box.host"),
                integer("burst.box.port", 9900, 0, 65535),
                integer("burst.box.max-packet", 1 << 20, 24, 1 << 30),
                host("burst.admin.host"),
                integer("burst.admin.port", 9910, 0, 65535),
                token(),
                List.copyOf(groups),
                duration("burst.stop.timeout", "PT30S", Duration.ZERO),
                duration("burst.start.timeout", "PT60S", Duration.ofSeconds(1)),
                integer("burst.worker.boot-retries", 3, 1, 1000),
                options("burst.worker.jvm-options", "-XX:+UseSerialGC -Xmx256m -XX:TieredStopAtLevel=1"),
                options("burst.proxy.jvm-options", "-XX:+UseSerialGC -Xmx512m"),
                aotCache(home),
                value("burst.log.file").filter(v -> !v.isEmpty()).map(v -> home.resolve(v).normalize()),
                new ConnectionLimits(
                        integer("burst.http.max-connections", 10_000, 1, 10_000_000),
                        integer("burst.box.max-connections", 100_000, 1, 10_000_000),
                        longValue("burst.box.max-inbound-bytes", 64L << 20, 1L << 10, 1L << 40),
                        duration("burst.box.frame-timeout", "PT30S", Duration.ofMillis(10)),
                        integer("burst.box.max-in-flight", 128, 1, 1_000_000),
                        longValue("burst.connection.max-outbound", 8L << 20, 1L << 10, 1L << 40),
                        integer("burst.admin.max-connections", 100, 1, 100_000),
                        integer("burst.admin.max-body", 64 << 10, 16, 1 << 30)),
                choice("burst.start.degraded", "fail", Set.of("fail", "serve")).equals("serve"),
                bool("burst.plugins.follow-symlinks", false),
                config);
    }

    private List<String> groups() {
        String raw = value("burst.groups").orElse("default");
        Set<String> names = new LinkedHashSet<>();
        for (String part : raw.split(",")) {
            String g = part.trim();
            if (!GROUP_NAME.matcher(g).matches()) {
                throw new ConfigException("burst.groups", raw,
                        "a comma-separated list of group names, each matching " + GROUP_NAME.pattern());
            }
            if (!names.add(g)) {
                throw new ConfigException("burst.groups", raw, "group '" + g + "' is listed twice");
            }
        }
        return List.copyOf(names);
    }

    /** Refuses keys under burst. that nothing reads: a typo must not silently fall back to a default. */
    private void checkKeys(List<String> groups) {
        for (String key : config.getPropertyNames()) {
            if (!key.startsWith("burst.") || key.startsWith("burst.plugin.") || key.startsWith("burst.it.")
                    || GLOBAL_KEYS.contains(key)) {
                continue;
            }
            Matcher m = GROUP_KEY.matcher(key);
            if (m.matches()) {
                if (!groups.contains(m.group(1))) {
                    throw new ConfigException(key, raw(key),
                            "group '" + m.group(1) + "' is not in burst.groups " + groups);
                }
                if (!GROUP_KEYS.contains(m.group(2))) {
                    throw new ConfigException(key, raw(key), "unknown group key; known: " + GROUP_KEYS);
                }
                continue;
            }
            throw new ConfigException(key, raw(key), "unknown key (plugin keys go under burst.plugin.<name>.)");
        }
    }

    private String raw(String key) {
        return value(key).orElse("");
    }

    private Optional<String> value(String key) {
        return config.getOptionalValue(key, String.class).map(String::trim);
    }

    private int integer(String key, int dflt, int min, int max) {
        Optional<String> v = value(key);
        if (v.isEmpty()) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v.get());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below with the allowed range
        }
        throw new ConfigException(key, v.get(), "an integer from " + min + " to " + max);
    }

    private long longValue(String key, long dflt, long min, long max) {
        Optional<String> v = value(key);
        if (v.isEmpty()) {
            return dflt;
        }
        try {
            long n = Long.parseLong(v.get());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below with the allowed range
        }
        throw new ConfigException(key, v.get(), "an integer from " + min + " to " + max);
    }

    private String choice(String key, String dflt, Set<String> allowed) {
        String v = value(key).orElse(dflt);
        if (!allowed.contains(v)) {
            throw new ConfigException(key, v, "one of " + new java.util.TreeSet<>(allowed));
        }
        return v;
    }

    private boolean bool(String key, boolean dflt) {
        String v = value(key).orElse(Boolean.toString(dflt));
        return switch (v) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new ConfigException(key, v, "true or false");
        };
    }

    private Duration duration(String key, String dflt, Duration min) {
        String v = value(key).orElse(dflt);
        try {
            Duration d = Duration.parse(v);
            if (d.compareTo(min) >= 0) {
                return d;
            }
        } catch (DateTimeParseException e) {
            // reported below
        }
        throw new ConfigException(key, v, "an ISO-8601 duration of at least " + min + " (for example PT5S, PT0.5S)");
    }

    private Path path(Path home, String key, String dflt) {
        String v = value(key).orElse(dflt);
        if (v.isEmpty()) {
            throw new ConfigException(key, v, "a directory path");
        }
        return home.resolve(v).normalize();
    }

    /**
     * {@code auto}: {@code worker.aot} beside burst's own jar (the distribution's {@code lib/}); {@code off};
     * or a file path, relative to burst.home. (An empty value is no value in MicroProfile Config: auto.)
     */
    private Optional<Path> aotCache(Path home) {
        String v = value("burst.worker.aot-cache").orElse("auto");
        return switch (v) {
            case "off" -> Optional.empty();
            case "auto" -> libDir().map(lib -> lib.resolve("worker.aot"));
            default -> Optional.of(home.resolve(v).normalize());
        };
    }

    /** @return the directory of the jar burst's classes are in; empty when they are not in a jar (a build tree) */
    public static Optional<Path> libDir() {
        try {
            var source = ConfigLoader.class.getProtectionDomain().getCodeSource();
            if (source == null) {
                return Optional.empty();
            }
            Path p = Path.of(source.getLocation().toURI());
            return Files.isRegularFile(p) ? Optional.of(p.toAbsolutePath().getParent()) : Optional.empty();
        } catch (java.net.URISyntaxException | IllegalArgumentException | SecurityException e) {
            return Optional.empty();
        }
    }

    private Optional<String> token() {
        Optional<String> t = value("burst.admin.token").filter(v -> !v.isEmpty());
        if (t.isPresent() && (t.get().length() < 16 || t.get().chars().anyMatch(Character::isWhitespace))) {
            throw new ConfigException("burst.admin.token", "(hidden)",
                    "at least 16 characters without spaces, or unset to have one generated into run/admin.token");
        }
        return t;
    }

    private String host(String key) {
        String v = value(key).orElse("127.0.0.1");
        if (v.isEmpty() || v.chars().anyMatch(Character::isWhitespace)) {
            throw new ConfigException(key, v, "an IP address or host name to listen on (0.0.0.0 = every interface)");
        }
        return v;
    }

    private Set<String> pluginSelection(String key) {
        String v = value(key).orElse("*");
        if (v.equals("*")) {
            return Set.of();
        }
        Set<String> names = new LinkedHashSet<>();
        for (String part : v.split(",")) {
            String p = part.trim();
            if (p.isEmpty() || p.contains("/") || p.equals("*")) {
                throw new ConfigException(key, v, "* or a comma-separated list of plugin names");
            }
            names.add(p);
        }
        return Set.copyOf(names);
    }

    private List<String> options(String key, String dflt) {
        String v = value(key).orElse(dflt);
        return v.isBlank() ? List.of() : List.copyOf(Arrays.asList(v.trim().split("\\s+")));
    }

    /**
     * The system properties a child process must be given so it reads the same configuration.
     *
     * @return {@code -Dkey=value} for every burst.* system property of this JVM
     */
    public static List<String> propagatedProperties() {
        List<String> out = new ArrayList<>();
        for (Map.Entry<Object, Object> e : System.getProperties().entrySet()) {
            String k = e.getKey().toString();
            if (k.startsWith("burst.") && !k.equals("burst.role")) {
                out.add("-D" + k + "=" + e.getValue());
            }
        }
        out.sort(null);
        return out;
    }
}
