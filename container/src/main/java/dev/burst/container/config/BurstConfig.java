package dev.burst.container.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.Config;

/**
 * The server's configuration, read and validated once at start by {@link ConfigLoader}; immutable. Every
 * key of the table ({@link ConfigKeys}) has a value here, read with {@link #value(ConfigKey)}; the named
 * accessors below are shorthands for the keys most code reads. What each key means, its default and
 * what is allowed are written once, in its table entry.
 *
 * <p>Immutable; any thread.
 */
public final class BurstConfig {

    private final Path home;
    private final Map<ConfigKey<?>, Object> values;
    private final List<GroupConfig> groups;
    private final ConnectionLimits limits;
    private final Config source;

    /**
     * @param home   burst.home
     * @param values every server-wide key of the table, read and checked
     * @param groups the groups, in configuration order
     * @param source the MicroProfile Config it was read from
     */
    BurstConfig(Path home, Map<ConfigKey<?>, Object> values, List<GroupConfig> groups, Config source) {
        this.home = home;
        this.values = Map.copyOf(values);
        this.groups = List.copyOf(groups);
        this.source = source;
        this.limits = new ConnectionLimits(
                value(ConfigKeys.HTTP_MAX_CONNECTIONS),
                value(ConfigKeys.BOX_MAX_CONNECTIONS),
                value(ConfigKeys.BOX_MAX_INBOUND_BYTES),
                value(ConfigKeys.BOX_FRAME_TIMEOUT),
                value(ConfigKeys.BOX_MAX_IN_FLIGHT),
                value(ConfigKeys.CONNECTION_MAX_OUTBOUND),
                value(ConfigKeys.ADMIN_MAX_CONNECTIONS),
                value(ConfigKeys.ADMIN_MAX_BODY));
    }

    /**
     * @param key a server-wide key of {@link ConfigKeys} (a group key is read from {@link GroupConfig#value})
     * @param <T> its value type
     * @return its value: the one configured, else the default
     * @throws IllegalArgumentException for a group key or a launcher key
     */
    public <T> T value(ConfigKey<T> key) {
        Object v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException(key.name() + " is not a server-wide key"
                    + (key.scope() == ConfigKey.Scope.GROUP ? ": read it from GroupConfig.value" : ""));
        }
        @SuppressWarnings("unchecked") // values holds, for each key, what that key's own value type returned
        T t = (T) v;
        return t;
    }

    /** @return burst.home: relative paths resolve against it */
    public Path home() {
        return home;
    }

    /** @return sockets, pid file, ports file, plugin cache (burst.run.dir) */
    public Path runDir() {
        return value(ConfigKeys.RUN_DIR);
    }

    /** @return where operators drop plugins (burst.plugins.dir) */
    public Path pluginsDir() {
        return value(ConfigKeys.PLUGINS_DIR);
    }

    /** @return HTTP listener address (burst.http.host) */
    public String httpHost() {
        return value(ConfigKeys.HTTP_HOST);
    }

    /** @return HTTP listener port, 0 = any free port (burst.http.port) */
    public int httpPort() {
        return value(ConfigKeys.HTTP_PORT);
    }

    /** @return largest HTTP request body (burst.http.max-body) */
    public int httpMaxBody() {
        return value(ConfigKeys.HTTP_MAX_BODY);
    }

    /** @return Box listener address (burst.box.host) */
    public String boxHost() {
        return value(ConfigKeys.BOX_HOST);
    }

    /** @return Box listener port, 0 = any free port (burst.box.port) */
    public int boxPort() {
        return value(ConfigKeys.BOX_PORT);
    }

    /** @return largest Box packet_len (burst.box.max-packet) */
    public int boxMaxPacket() {
        return value(ConfigKeys.BOX_MAX_PACKET);
    }

    /** @return admin listener address (burst.admin.host) */
    public String adminHost() {
        return value(ConfigKeys.ADMIN_HOST);
    }

    /** @return admin listener port, 0 = any free port (burst.admin.port) */
    public int adminPort() {
        return value(ConfigKeys.ADMIN_PORT);
    }

    /** @return the configured admin token; empty: one is generated into the run directory (burst.admin.token) */
    public Optional<String> adminToken() {
        return value(ConfigKeys.ADMIN_TOKEN);
    }

    /** @return worker groups, in configuration order (burst.groups) */
    public List<GroupConfig> groups() {
        return groups;
    }

    /**
     * @param name a group name
     * @return that group, if configured
     */
    public Optional<GroupConfig> group(String name) {
        return groups.stream().filter(g -> g.name().equals(name)).findFirst();
    }

    /** @return bound of a graceful stop (burst.stop.timeout) */
    public Duration stopTimeout() {
        return value(ConfigKeys.STOP_TIMEOUT);
    }

    /** @return how long the proxy waits for every group to have a ready worker (burst.start.timeout) */
    public Duration startTimeout() {
        return value(ConfigKeys.START_TIMEOUT);
    }

    /** @return consecutive boot failures before a worker slot is given up (burst.worker.boot-retries) */
    public int bootRetries() {
        return value(ConfigKeys.WORKER_BOOT_RETRIES);
    }

    /** @return JVM options of worker processes (burst.worker.jvm-options) */
    public List<String> workerJvmOptions() {
        return value(ConfigKeys.WORKER_JVM_OPTIONS);
    }

    /** @return JVM options of the proxy process (burst.proxy.jvm-options) */
    public List<String> proxyJvmOptions() {
        return value(ConfigKeys.PROXY_JVM_OPTIONS);
    }

    /** @return the workers' AOT cache file (built by {@code bin/burst aot}); empty = off (burst.worker.aot-cache) */
    public Optional<Path> workerAotCache() {
        return value(ConfigKeys.WORKER_AOT_CACHE);
    }

    /** @return the master's log file (children's output piped into it); empty = stderr (burst.log.file) */
    public Optional<Path> logFile() {
        return value(ConfigKeys.LOG_FILE);
    }

    /** @return what one client (or all of them) may make the proxy hold */
    public ConnectionLimits limits() {
        return limits;
    }

    /**
     * @return true: a cold start whose groups cannot boot serves what it can (and says it is degraded);
     *         false (the default): it fails, naming the plugin and its error (burst.start.degraded)
     */
    public boolean startDegraded() {
        return value(ConfigKeys.START_DEGRADED);
    }

    /**
     * @return true (the default): a second login of a user kicks the older connection; false: both stay
     *         (burst.users.duplicate-login)
     */
    public boolean kickOldLogin() {
        return value(ConfigKeys.USERS_KICK_OLD);
    }

    /** @return whether a reload follows symbolic links in the plugins folder (burst.plugins.follow-symlinks) */
    public boolean followSymlinks() {
        return value(ConfigKeys.PLUGINS_FOLLOW_SYMLINKS);
    }

    /** @return the MicroProfile Config it was read from, handed to plugins */
    public Config source() {
        return source;
    }

    /** @return the proxy's socket for workers */
    public Path proxySocket() {
        return runDir().resolve("proxy.sock");
    }

    /** @return the master's control socket */
    public Path controlSocket() {
        return runDir().resolve("control.sock");
    }

    /** @return where the proxy writes the ports it listens on */
    public Path portsFile() {
        return runDir().resolve("ports");
    }

    /** @return the master's pid file */
    public Path pidFile() {
        return runDir().resolve("master.pid");
    }

    /** @return the content-addressed plugin cache */
    public Path pluginCache() {
        return runDir().resolve("plugins");
    }
}
