package dev.burst.container.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.spi.ConfigProviderResolver;

/**
 * Reads burst's configuration through MicroProfile Config and validates every key once, as the key table
 * ({@link ConfigKeys}) says: which keys exist, their defaults, and what each allows.
 *
 * <p>Sources, highest first: system properties, environment variables ({@code BURST_HTTP_PORT} for
 * {@code burst.http.port}, by MicroProfile's mapping), the file named by {@code burst.conf} (default
 * {@code conf/burst.properties} under {@code burst.home}), then the table's defaults. Every error names the
 * key, the value and what is allowed.
 *
 * <p>Runs once, on the main thread of each process (master, proxy, worker), before anything else starts.
 */
public final class ConfigLoader {

    private static final Pattern GROUP_KEY = Pattern.compile("burst\\.group\\.([^.]+)\\.(.+)");

    /** Largest worker count of a group. */
    public static final int MAX_WORKERS = 256;

    private final Config config;

    private ConfigLoader(Config config) {
        this.config = config;
    }

    /**
     * Every key an operator may set, group keys written {@code burst.group.<g>.<key>}; not the ones the
     * launcher sets (burst.home, burst.conf, burst.role) nor plugins' own (burst.plugin.*).
     *
     * @return the keys, sorted
     */
    public static List<String> operatorKeys() {
        return ConfigKeys.all().stream()
                .filter(k -> k.scope() != ConfigKey.Scope.LAUNCHER)
                .map(ConfigKey::name)
                .sorted()
                .toList();
    }

    /**
     * Loads from system properties, the environment and the config file.
     *
     * @return the validated configuration
     * @throws ConfigException naming the first bad key
     */
    public static BurstConfig load() {
        Path home = home();
        return new ConfigLoader(sources(home)).read(home);
    }

    /**
     * Reads and checks the sources again, as {@link #load()} does: what a new plugin generation sees, so
     * that a reload picks up a changed {@code conf/burst.properties}. burst's own keys keep, in the running
     * processes, the values they started with; they are checked here all the same, since a worker
     * respawned later reads the same file.
     *
     * @return the configuration over the sources as they are now
     * @throws ConfigException naming the first bad key, or the file named by burst.conf when it is gone
     */
    public static Config reread() {
        return load().source();
    }

    private static Path home() {
        return Path.of(System.getProperty(ConfigKeys.HOME.name(), "")).toAbsolutePath().normalize();
    }

    private static Config sources(Path home) {
        String confSetting = Optional.ofNullable(System.getProperty(ConfigKeys.CONF.name()))
                .or(() -> Optional.ofNullable(System.getenv("BURST_CONF")))
                .orElse(null);
        Path conf = home.resolve(confSetting == null ? ConfigKeys.CONF.defaultValue() : confSetting);
        FileConfigSource file;
        if (Files.isRegularFile(conf)) {
            file = FileConfigSource.load(conf);
        } else if (confSetting != null) {
            throw new ConfigException(ConfigKeys.CONF.name(), confSetting, "no such file: " + conf);
        } else {
            file = FileConfigSource.empty();
        }
        ConfigProviderResolver resolver = ConfigProviderResolver.instance();
        return resolver.getBuilder()
                .addDefaultSources()
                .withSources(file)
                .build();
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
        Settings global = Settings.global(this::value, home);
        List<String> groupNames = global.value(ConfigKeys.GROUPS);
        checkKeys(groupNames);
        List<GroupConfig> groups = new ArrayList<>();
        for (String g : groupNames) {
            groups.add(new GroupConfig(g, Settings.group(this::value, home, g).readAll()));
        }
        return new BurstConfig(home, global.readAll(), groups, config);
    }

    /** Refuses keys under burst. that nothing reads: a typo must not silently fall back to a default. */
    private void checkKeys(List<String> groups) {
        Set<String> known = names(ConfigKey.Scope.GLOBAL);
        known.addAll(names(ConfigKey.Scope.LAUNCHER));
        Set<String> groupKeys = names(ConfigKey.Scope.GROUP);
        for (String key : config.getPropertyNames()) {
            if (!key.startsWith("burst.") || key.startsWith("burst.plugin.") || key.startsWith("burst.it.")
                    || known.contains(key)) {
                continue;
            }
            Matcher m = GROUP_KEY.matcher(key);
            if (m.matches()) {
                if (!groups.contains(m.group(1))) {
                    throw new ConfigException(key, raw(key),
                            "group '" + m.group(1) + "' is not in burst.groups " + groups);
                }
                if (!groupKeys.contains(m.group(2))) {
                    throw new ConfigException(key, raw(key), "unknown group key; known: " + groupKeys);
                }
                continue;
            }
            throw new ConfigException(key, raw(key), "unknown key (plugin keys go under burst.plugin.<name>.)");
        }
    }

    /** @return the names of a scope's keys, a group key's without its prefix, sorted */
    private static Set<String> names(ConfigKey.Scope scope) {
        return ConfigKeys.all(scope).stream().map(ConfigKey::shortName).collect(Collectors.toCollection(TreeSet::new));
    }

    private String raw(String key) {
        return value(key).orElse("");
    }

    private Optional<String> value(String key) {
        return config.getOptionalValue(key, String.class).map(String::trim);
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

    /**
     * The system properties a child process must be given so it reads the same configuration.
     *
     * @return {@code -Dkey=value} for every burst.* system property of this JVM
     */
    public static List<String> propagatedProperties() {
        List<String> out = new ArrayList<>();
        for (Map.Entry<Object, Object> e : System.getProperties().entrySet()) {
            String k = e.getKey().toString();
            if (k.startsWith("burst.") && !k.equals(ConfigKeys.ROLE.name())) {
                out.add("-D" + k + "=" + e.getValue());
            }
        }
        out.sort(null);
        return out;
    }
}
