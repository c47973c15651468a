package dev.burst.container.config;

import static dev.burst.container.config.ValueType.aotCache;
import static dev.burst.container.config.ValueType.bool;
import static dev.burst.container.config.ValueType.directory;
import static dev.burst.container.config.ValueType.duration;
import static dev.burst.container.config.ValueType.groupNames;
import static dev.burst.container.config.ValueType.host;
import static dev.burst.container.config.ValueType.integer;
import static dev.burst.container.config.ValueType.integerUpTo;
import static dev.burst.container.config.ValueType.jvmOptions;
import static dev.burst.container.config.ValueType.longInteger;
import static dev.burst.container.config.ValueType.oneOf;
import static dev.burst.container.config.ValueType.optionalFile;
import static dev.burst.container.config.ValueType.pluginSelection;
import static dev.burst.container.config.ValueType.text;
import static dev.burst.container.config.ValueType.token;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The table of burst's configuration keys: each key's name, default, value type (how its value is parsed
 * and checked, and what is allowed) and documentation, in one entry. Everything else comes from this
 * table: the set of known keys (an unknown {@code burst.*} key stops start-up), the validation at start
 * ({@link ConfigLoader}), and the text of the shipped {@code conf/burst.properties} ({@link ConfigDoc}),
 * whose sections and key order are the order of the entries below.
 *
 * <h2>Adding a key</h2>
 * <ol>
 *   <li>Add one entry below, in the section an operator would look in: {@code global(...)} for a key of
 *       the whole server, {@code group(...)} for a key of each worker group ({@code burst.group.<g>.<name>},
 *       given here without the prefix). The default is written as in the properties file ({@code ""} =
 *       unset); the documentation says what the key does, not what is allowed (the value type's
 *       {@code # Allowed:} line says that). Pick or add a value type in {@link ValueType}.</li>
 *   <li>Use it: {@code config.value(ConfigKeys.YOUR_KEY)} on {@link BurstConfig}, or
 *       {@code group.value(ConfigKeys.YOUR_KEY)} on {@link GroupConfig} (a named accessor is optional).</li>
 *   <li>Regenerate the shipped file and add the key to README.md's configuration table; ConfigDocTest fails
 *       until both agree with the table and says how:
 *       {@code java -cp container/target/classes dev.burst.container.config.ConfigDoc
 *       dist/src/main/dist/conf/burst.properties}.</li>
 * </ol>
 *
 * <p>Keys a plugin reads ({@code burst.plugin.<name>.*}) are the plugin's own and are not listed here.
 *
 * <p>Threads: constants, built once when the class initializes; read from any thread.
 */
public final class ConfigKeys {

    /** The sections of conf/burst.properties, in order; the keys of one section are declared together. */
    enum Section {
        FILES("Files"),
        HTTP("HTTP client listener"),
        BOX("Box (TCP) client listener"),
        USERS("Users and push"),
        ADMIN("Admin listener"),
        GROUPS("Worker groups"),
        LIFECYCLE("Lifecycle"),
        JVMS("JVMs");

        private final String title;

        Section(String title) {
            this.title = title;
        }

        String title() {
            return title;
        }
    }

    /**
     * Every key, in declaration order, appended by the factories below while this class initializes (the
     * JVM runs that once, on one thread); read-only afterwards, through {@link #all()}.
     */
    private static final List<ConfigKey<?>> TABLE = new ArrayList<>();

    private ConfigKeys() {
    }

    /** Read from the system property only, before any other source exists. */
    public static final ConfigKey<String> HOME = launcher("burst.home", "", """
            The distribution's folder, which relative paths resolve against; set by bin/burst. Unset: the
            working directory.""");

    /** Read from the system property or BURST_CONF only, before the file it names is read. */
    public static final ConfigKey<String> CONF = launcher("burst.conf", "conf/burst.properties", """
            The configuration file, relative to burst.home. The default is read if it exists; a file named here
            must exist.""");

    public static final ConfigKey<String> ROLE = launcher("burst.role", "", """
            The role the master gives each child process it starts (proxy, worker); not passed on.""");

    public static final ConfigKey<Path> RUN_DIR = global(Section.FILES, "burst.run.dir", "run", directory(), """
            Run directory: Unix sockets (proxy.sock, control.sock), master.pid, the ports file, admin.token and
            the plugin cache (run/plugins/<sha256>.jar).""");

    public static final ConfigKey<Path> PLUGINS_DIR = global(Section.FILES, "burst.plugins.dir", "plugins",
            directory(), """
            Where plugins are deployed: one jar, or one folder holding the plugin jar and its own library jars,
            per plugin. Files may be replaced at any time: a reload snapshots this folder first.""");

    public static final ConfigKey<Boolean> PLUGINS_FOLLOW_SYMLINKS = global(Section.FILES,
            "burst.plugins.follow-symlinks", "false", bool(), """
            Whether a reload follows symbolic links in burst.plugins.dir. false (the default): a link is refused
            with a message naming it, so nothing outside the folder is loaded by accident. true: a link to a
            regular file or folder is followed (its target's bytes are copied into the cache).""");

    public static final ConfigKey<Optional<Path>> LOG_FILE = global(Section.FILES, "burst.log.file", "",
            optionalFile(), """
            The master's log file. Unset (the default, as in bin/burst run): every process logs to the master's
            stderr. Set (bin/burst start sets logs/burst.log): the master writes its own lines there and pipes
            every worker's and the proxy's output into it; SIGUSR1 reopens it, for logrotate.""");

    public static final ConfigKey<String> HTTP_HOST = global(Section.HTTP, "burst.http.host", "127.0.0.1", host(), """
            Interface the HTTP client API (POST /cmd/{cmd}) listens on. Loopback by default, like gunicorn; set
            0.0.0.0 (or ::) to serve every interface, or one address to serve one.""");

    public static final ConfigKey<Integer> HTTP_PORT = global(Section.HTTP, "burst.http.port", "8080",
            integer(0, 65535), """
            Port of the HTTP client API; 0 picks a free port, written to run/ports.""");

    public static final ConfigKey<Integer> HTTP_MAX_BODY = global(Section.HTTP, "burst.http.max-body", "1048576",
            integer(0, 1 << 30), """
            Largest HTTP request body accepted, in bytes; a larger one is refused.""");

    public static final ConfigKey<Integer> HTTP_MAX_CONNECTIONS = global(Section.HTTP, "burst.http.max-connections",
            "10000", integer(1, 10_000_000), """
            Most HTTP client connections open at once; one more is refused (closed at once), counted and logged
            (at most once a minute per peer address).""");

    public static final ConfigKey<String> BOX_HOST = global(Section.BOX, "burst.box.host", "127.0.0.1", host(), """
            Interface the Box protocol listener (netkit-compatible binary frames) listens on; 0.0.0.0 (or ::)
            serves every interface.""");

    public static final ConfigKey<Integer> BOX_PORT = global(Section.BOX, "burst.box.port", "9900",
            integer(0, 65535), """
            Port of the Box listener; 0 picks a free port, written to run/ports.""");

    public static final ConfigKey<Integer> BOX_MAX_PACKET = global(Section.BOX, "burst.box.max-packet", "1048576",
            integer(24, 1 << 30), """
            Largest Box packet_len (24-byte header + body) accepted, in bytes. A frame announcing more closes its
            connection, with a log line naming the peer. It bounds WebSocket (/ws) messages too: one carries one
            Box frame, and a larger one is closed with code 1009.""");

    public static final ConfigKey<Integer> BOX_MAX_CONNECTIONS = global(Section.BOX, "burst.box.max-connections",
            "100000", integer(1, 10_000_000), """
            Most Box connections open at once; one more is closed at once, counted and logged (at most once a
            minute per peer address). An idle connection costs the proxy about 1 KB of heap.""");

    public static final ConfigKey<Long> BOX_MAX_INBOUND_BYTES = global(Section.BOX, "burst.box.max-inbound-bytes",
            "67108864", longInteger(1L << 10, 1L << 40), """
            Bytes the proxy may hold, over every connection, in inbound frames that have not fully arrived. When
            it is spent, a connection whose frame needs more waits (is not read) until bytes are freed; other
            connections' complete frames are served meanwhile. WebSocket (/ws) connections have a budget of
            this size of their own, for their unfinished messages; the one that would take it past is closed.""");

    public static final ConfigKey<Duration> BOX_FRAME_TIMEOUT = global(Section.BOX, "burst.box.frame-timeout", "PT30S",
            duration(Duration.ofMillis(10)), """
            Longest a frame may take from its first byte to its last. A connection whose frame is still
            incomplete after it (a slow or stalled sender) is closed, counted and logged. A WebSocket (/ws)
            message is held to it too, from its first byte to its last.""");

    public static final ConfigKey<Integer> BOX_MAX_IN_FLIGHT = global(Section.BOX, "burst.box.max-in-flight", "128",
            integer(1, 1_000_000), """
            Requests of one connection accepted and not yet answered. Beyond it the proxy stops reading that
            connection until replies go out, so one pipelining client waits in its own socket and cannot take
            the whole queue. The same cap holds for each WebSocket (/ws) connection.""");

    public static final ConfigKey<Long> CONNECTION_MAX_OUTBOUND = global(Section.BOX, "burst.connection.max-outbound",
            "8388608", longInteger(1L << 10, 1L << 40), """
            Bytes queued for one client connection that it has not read yet (replies, and later pushes). A
            client that stops reading while more piles up is closed as a slow consumer, counted and logged;
            nothing else waits for it. One frame larger than this is still sent to a connection with nothing
            queued.""");

    public static final ConfigKey<Boolean> USERS_KICK_OLD = global(Section.USERS, "burst.users.duplicate-login",
            "kick-old", oneOf(Map.of("kick-old", true, "allow", false)), """
            What a second login of one user (request.login on another connection) does: kick-old = the older
            connection gets a frame with cmd 0 and ret -10005, then is closed, and its disconnect handlers run
            with KICKED; allow = both stay logged in, and pushes to the user reach both.""");

    public static final ConfigKey<String> ADMIN_HOST = global(Section.ADMIN, "burst.admin.host", "127.0.0.1", host(),
            """
            Interface of the admin REST API (/admin/*, /metrics, /health/*). Loopback by default: the API can
            stop and reshape the server.""");

    public static final ConfigKey<Integer> ADMIN_PORT = global(Section.ADMIN, "burst.admin.port", "9910",
            integer(0, 65535), """
            Port of the admin REST API; 0 picks a free port, written to run/ports as admin=.""");

    public static final ConfigKey<Optional<String>> ADMIN_TOKEN = global(Section.ADMIN, "burst.admin.token", "",
            token(), """
            Bearer token every /admin/* and /metrics call must carry (Authorization: Bearer <token>). Unset (the
            default): a random token is generated at each start into run/admin.token (mode 0600), where
            bin/burstctl finds it. /health/live and /health/ready need none.""");

    public static final ConfigKey<Integer> ADMIN_MAX_CONNECTIONS = global(Section.ADMIN, "burst.admin.max-connections",
            "100", integer(1, 100_000), """
            Most admin API connections open at once; one more is refused and logged.""");

    public static final ConfigKey<Integer> ADMIN_MAX_BODY = global(Section.ADMIN, "burst.admin.max-body", "65536",
            integer(16, 1 << 30), """
            Largest admin API request body, in bytes; a larger one gets 413.""");

    public static final ConfigKey<List<String>> GROUPS = global(Section.GROUPS, "burst.groups", "default",
            groupNames(), """
            The worker groups. Each group is a pool of worker processes with its own queue, configured by the
            burst.group.<g>.* keys below, shown here for the group named default.""");

    public static final ConfigKey<Integer> GROUP_MAX_WORKERS = group(Section.GROUPS, "max-workers", "64",
            integer(1, ConfigLoader.MAX_WORKERS), """
            The most workers group <g> may have: at start, and when change_group (admin API, burstctl, SIGTTIN)
            asks for more.""");

    public static final ConfigKey<Integer> GROUP_WORKERS = group(Section.GROUPS, "workers", "2",
            integerUpTo(0, GROUP_MAX_WORKERS), """
            Number of worker processes of group <g>.""");

    public static final ConfigKey<Set<String>> GROUP_PLUGINS = group(Section.GROUPS, "plugins", "*",
            pluginSelection(), """
            The plugins group <g> loads, by name (a jar's name without .jar, or a folder's name); * loads every
            plugin in burst.plugins.dir.""");

    public static final ConfigKey<Integer> GROUP_MAX_PENDING = group(Section.GROUPS, "max-pending", "1000",
            integer(0, 10_000_000), """
            Tasks that may wait in group <g>'s queue. When it is full, a new request is refused at once with ret
            -10002 (HTTP 503 with Retry-After).""");

    public static final ConfigKey<Duration> GROUP_QUEUE_TIMEOUT = group(Section.GROUPS, "queue-timeout", "PT5S",
            duration(Duration.ofMillis(1)), """
            Longest a task may wait in group <g>'s queue; a task that waited longer is answered -10002 (HTTP 503)
            instead of being dispatched.""");

    public static final ConfigKey<Duration> GROUP_TASK_TIMEOUT = group(Section.GROUPS, "task-timeout", "PT30S",
            duration(Duration.ofMillis(1)), """
            Longest a task may run in group <g>. A task that runs longer is answered -10003 (HTTP 504); its
            worker gets no more tasks, the master writes the worker's thread dump into the log (to show where it
            hung), kills it and spawns a replacement. A timer tick that runs longer gets the same, though no
            client waits on it.""");

    public static final ConfigKey<Integer> GROUP_MAX_REQUESTS = group(Section.GROUPS, "max-requests", "0",
            integer(0, Integer.MAX_VALUE), """
            Tasks after which a worker of group <g> is recycled: replaced spawn-first, like restart_workers, at
            most one worker at a time. 0 = never (like gunicorn's max_requests).""");

    public static final ConfigKey<Integer> GROUP_MAX_REQUESTS_JITTER = group(Section.GROUPS, "max-requests-jitter",
            "0", integer(0, Integer.MAX_VALUE), """
            Up to this many more tasks, drawn at random for each worker, are added to max-requests so workers do
            not all recycle at once (gunicorn's max_requests_jitter).""");

    public static final ConfigKey<GroupConfig.Route> GROUP_ROUTE = group(Section.GROUPS, "route", "any",
            oneOf(Map.of("any", GroupConfig.Route.ANY, "key", GroupConfig.Route.KEY)), """
            How group <g> picks a worker for a task. any = the next idle worker. key = by the task's key (the user
            its connection logged in as, else the HTTP header Burst-Key): each key belongs to one worker slot
            (rendezvous hashing over slots 1..workers) and its tasks run there one at a time, in arrival order;
            while that slot's worker restarts, recycles or swaps a generation, its keys wait (bounded by
            queue-timeout and max-pending) rather than run elsewhere. change_group moves about 1/N of the keys.""");

    public static final ConfigKey<GroupConfig.Keyless> GROUP_KEYLESS = group(Section.GROUPS, "keyless", "any",
            oneOf(Map.of("any", GroupConfig.Keyless.ANY, "reject", GroupConfig.Keyless.REJECT)), """
            With route=key, what group <g> does with a task that has no key (no logged-in user, no Burst-Key
            header): any = run it on any idle worker; reject = answer it at once with ret -10006 (HTTP 400).""");

    public static final ConfigKey<Integer> GROUP_PREFETCH = group(Section.GROUPS, "prefetch", "0",
            integer(0, 64), """
            Tasks a busy worker of group <g> may hold beside the one it runs, sent while it works when no worker of
            the group is idle and tasks wait (Celery's prefetch, RabbitMQ's qos), so it starts the next task
            without a round trip to the proxy. 0 = a task goes only to an idle worker. A held task starts once the
            tasks ahead of it end, and is timed (task-timeout) from then; queue-timeout no longer applies to it,
            and it waits behind the running task even if another worker becomes idle (head-of-line blocking):
            use it for groups of short, even tasks. If the worker dies, held tasks that had not started go back to
            the head of the queue, idempotent or not. route=key groups never prefetch.""");

    public static final ConfigKey<Duration> STOP_TIMEOUT = global(Section.LIFECYCLE, "burst.stop.timeout", "PT30S",
            duration(Duration.ZERO), """
            Bound of a graceful stop (SIGTERM, POST /admin/stop): queued and in-flight tasks are answered or
            finished within it, then whatever is left is stopped by force.""");

    public static final ConfigKey<Duration> START_TIMEOUT = global(Section.LIFECYCLE, "burst.start.timeout", "PT60S",
            duration(Duration.ofSeconds(1)), """
            How long the proxy waits, at start, for every group to have a ready worker before it opens the
            client ports anyway. It also bounds how long a replacement worker (restart_workers, recycling) may
            take to become ready, and how long a worker may take to load a new plugin generation in a reload.""");

    public static final ConfigKey<Integer> WORKER_BOOT_RETRIES = global(Section.LIFECYCLE, "burst.worker.boot-retries",
            "3", integer(1, 1000), """
            Consecutive boot failures (worker exit code 3: its plugins cannot start) after which a worker slot is
            no longer respawned and its group is reported degraded, instead of crash-looping. A given-up slot is
            tried again after a reload that succeeds, or a restart_workers.""");

    public static final ConfigKey<Boolean> START_DEGRADED = global(Section.LIFECYCLE, "burst.start.degraded", "fail",
            oneOf(Map.of("fail", false, "serve", true)), """
            What a cold start does when a group cannot boot (its workers' plugins fail to start): fail = stop
            with a non-zero exit, naming the plugin and its error; serve = open the client ports anyway and serve
            the groups that did boot, with bin/burst status, stat and /health/ready saying degraded and why.""");

    public static final ConfigKey<List<String>> WORKER_JVM_OPTIONS = global(Section.JVMS, "burst.worker.jvm-options",
            "-XX:+UseSerialGC -Xmx256m -XX:TieredStopAtLevel=1", jvmOptions(), """
            JVM options of every worker process. Workers run the master's own java. C1 only
            (TieredStopAtLevel=1) starts a worker faster and costs handlers nothing measurable in the benchmark.
            Changing them makes the AOT cache below stale until bin/burst aot rebuilds it; the log says so.""");

    public static final ConfigKey<Optional<Path>> WORKER_AOT_CACHE = global(Section.JVMS, "burst.worker.aot-cache",
            "auto", aotCache(), """
            The workers' ahead-of-time cache (JDK 25+): classes loaded and linked, and method profiles, from a
            training run, which every worker maps at start. From spawn to ready a worker takes 0.2-0.3 s with
            it, about 1 s without (bench/README.md). auto: lib/worker.aot, which the build trains and bin/burst
            aot rebuilds; off: none; a file path: the file bin/burst aot writes. A cache built for another JDK,
            other jars or other burst.worker.jvm-options is not used: workers start without it and the master's
            log says why, once.""");

    public static final ConfigKey<List<String>> PROXY_JVM_OPTIONS = global(Section.JVMS, "burst.proxy.jvm-options",
            "-XX:+UseSerialGC -Xmx512m -XX:+ExitOnOutOfMemoryError", jvmOptions(), """
            JVM options of the proxy process. SerialGC: in the benchmark the proxy kept 220 MB instead of 350 MB
            after load with G1, at the same throughput. ExitOnOutOfMemoryError: a proxy out of heap exits at
            once, and the master respawns it serving the same generation, rather than limping on with dead
            threads. (The master's own options: BURST_JAVA_OPTS in the environment of bin/burst.)""");

    /** @return every key, in the order of the table */
    static List<ConfigKey<?>> all() {
        return Collections.unmodifiableList(TABLE);
    }

    /** @return the keys of one scope, in the order of the table */
    static List<ConfigKey<?>> all(ConfigKey.Scope scope) {
        return TABLE.stream().filter(k -> k.scope() == scope).toList();
    }

    private static ConfigKey<String> launcher(String name, String dflt, String doc) {
        return add(new ConfigKey<>(name, ConfigKey.Scope.LAUNCHER, Optional.empty(), dflt, text(), doc));
    }

    private static <T> ConfigKey<T> global(Section section, String name, String dflt, ValueType<T> type, String doc) {
        return add(new ConfigKey<>(name, ConfigKey.Scope.GLOBAL, Optional.of(section), dflt, type, doc));
    }

    /** @param name the part after {@code burst.group.<g>.} */
    private static <T> ConfigKey<T> group(Section section, String name, String dflt, ValueType<T> type, String doc) {
        return add(new ConfigKey<>(name, ConfigKey.Scope.GROUP, Optional.of(section), dflt, type, doc));
    }

    private static <T> ConfigKey<T> add(ConfigKey<T> key) {
        if (TABLE.stream().anyMatch(k -> k.name().equals(key.name()))) {
            throw new IllegalStateException(key.name() + " is declared twice");
        }
        TABLE.add(key);
        return key;
    }
}
