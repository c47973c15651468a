package dev.burst.container.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.Config;

/**
 * The server's configuration, read and validated once at start ({@link ConfigLoader}); immutable.
 *
 * @param home             burst.home: relative paths resolve against it
 * @param runDir           sockets, pid file, ports file, plugin cache
 * @param pluginsDir       where operators drop plugins
 * @param httpHost         HTTP listener address
 * @param httpPort         HTTP listener port (0 = any free port)
 * @param httpMaxBody      largest HTTP request body
 * @param boxHost          Box listener address
 * @param boxPort          Box listener port (0 = any free port)
 * @param boxMaxPacket     largest Box packet_len
 * @param adminHost        admin listener address
 * @param adminPort        admin listener port (0 = any free port)
 * @param adminToken       the configured admin token; else one is generated into the run directory
 * @param groups           worker groups, in configuration order
 * @param stopTimeout      bound of a graceful stop
 * @param startTimeout     how long the proxy waits for every group to have a ready worker
 * @param bootRetries      consecutive boot failures before a worker slot is given up
 * @param workerJvmOptions JVM options of worker processes
 * @param proxyJvmOptions  JVM options of the proxy process
 * @param workerAotCache   the workers' AOT cache file (built by {@code bin/burst aot}); empty = off
 * @param logFile          the master's log file (children's output piped into it); empty = stderr
 * @param limits           what one client (or all of them) may make the proxy hold
 * @param startDegraded    true: a cold start whose groups cannot boot serves what it can (and says it is
 *                         degraded); false (the default): it fails, naming the plugin and its error
 * @param followSymlinks   whether a reload follows symbolic links in the plugins folder
 * @param source           the MicroProfile Config it was read from, handed to plugins
 */
public record BurstConfig(Path home, Path runDir, Path pluginsDir,
                          String httpHost, int httpPort, int httpMaxBody,
                          String boxHost, int boxPort, int boxMaxPacket,
                          String adminHost, int adminPort, Optional<String> adminToken,
                          List<GroupConfig> groups,
                          Duration stopTimeout, Duration startTimeout, int bootRetries,
                          List<String> workerJvmOptions, List<String> proxyJvmOptions,
                          Optional<Path> workerAotCache, Optional<Path> logFile, ConnectionLimits limits,
                          boolean startDegraded, boolean followSymlinks, Config source) {

    /**
     * @param name a group name
     * @return that group, if configured
     */
    public Optional<GroupConfig> group(String name) {
        return groups.stream().filter(g -> g.name().equals(name)).findFirst();
    }

    /** @return the proxy's socket for workers */
    public Path proxySocket() {
        return runDir.resolve("proxy.sock");
    }

    /** @return the master's control socket */
    public Path controlSocket() {
        return runDir.resolve("control.sock");
    }

    /** @return where the proxy writes the ports it listens on */
    public Path portsFile() {
        return runDir.resolve("ports");
    }

    /** @return the master's pid file */
    public Path pidFile() {
        return runDir.resolve("master.pid");
    }

    /** @return the content-addressed plugin cache */
    public Path pluginCache() {
        return runDir.resolve("plugins");
    }
}
