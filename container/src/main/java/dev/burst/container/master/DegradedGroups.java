package dev.burst.container.master;

import dev.burst.container.protocol.WireMessage.GroupHealth;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Which groups are degraded (a slot given up after boot failures, until a worker of it is ready again),
 * as told to the proxy (GROUP_HEALTH, so stat and /health/ready can say so) and written to
 * {@code run/degraded}: one line per degraded group, {@code group: why}, so {@code bin/burst status} can
 * say it without asking burst; the file is absent while every group is healthy.
 *
 * <p>Only the master's loop thread uses it.
 */
final class DegradedGroups {

    private static final System.Logger LOG = System.getLogger(DegradedGroups.class.getName());

    private final Path file;
    private Map<String, String> published = Map.of();

    DegradedGroups(Path runDir) {
        this.file = runDir.resolve("degraded");
    }

    /**
     * Tells the proxy and the file what changed.
     *
     * @param groups every group
     * @param now    the degraded ones now, and why
     * @param link   the proxy
     */
    void publish(Set<String> groups, Map<String, String> now, ProxyLink link) {
        if (now.equals(published)) {
            return;
        }
        for (String group : groups) {
            String was = published.get(group);
            String is = now.get(group);
            if (is != null && !is.equals(was)) {
                link.send(new GroupHealth(group, true, is));
            } else if (is == null && was != null) {
                LOG.log(System.Logger.Level.INFO, "group " + group + " is healthy again");
                link.send(new GroupHealth(group, false, ""));
            }
        }
        published = Map.copyOf(now);
        write(now);
    }

    /** Tells a proxy that just connected which groups are degraded. */
    void tell(ProxyLink link) {
        published.forEach((group, why) -> link.send(new GroupHealth(group, true, why)));
    }

    /** Removes the file (at start: a stale one; at exit: burst is no longer running). */
    void clear() {
        write(Map.of());
    }

    private void write(Map<String, String> degraded) {
        try {
            if (degraded.isEmpty()) {
                Files.deleteIfExists(file);
                return;
            }
            StringBuilder text = new StringBuilder();
            new TreeMap<>(degraded).forEach((group, why) -> text.append(group).append(": ")
                    .append(why.replaceAll("[\\r\\n]+", " ")).append('\n'));
            Path tmp = file.resolveSibling("degraded.tmp");
            Files.writeString(tmp, text);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot write " + file + ": " + e);
        }
    }
}
