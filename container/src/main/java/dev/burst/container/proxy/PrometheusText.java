package dev.burst.container.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.burst.container.proxy.dispatch.Latency;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Prometheus text exposition format 0.0.4. Samples are collected per family and written family by
 * family — HELP and TYPE once, then every sample of that family — however the caller interleaves them
 * (the format requires a family's samples to be one group).
 */
final class PrometheusText {

    /** Bucket bounds: powers of two from 128 µs to about 8.4 s, exact edges of {@link Latency}. */
    private static final long[] BOUNDS_MICROS = new long[17];

    static {
        for (int i = 0; i < BOUNDS_MICROS.length; i++) {
            BOUNDS_MICROS[i] = 128L << i;
        }
    }

    private final List<Family> families = new ArrayList<>();

    /** One metric family: its name, type, help, and samples in the order given. */
    static final class Family {
        private final String name;
        private final String type;
        private final String help;
        private final StringBuilder samples = new StringBuilder();

        private Family(String name, String type, String help) {
            this.name = name;
            this.type = type;
            this.help = help;
        }

        /** A sample of the family's own name; labels are "" or {@code {k="v",...}}. */
        Family sample(String labels, double value) {
            return sample(name, labels, value);
        }

        private Family sample(String metric, String labels, double value) {
            samples.append(metric).append(labels).append(' ');
            if (value == Math.rint(value) && !Double.isInfinite(value)) {
                samples.append((long) value);
            } else {
                samples.append(value);
            }
            samples.append('\n');
            return this;
        }

        /** A histogram's buckets, sum and count, for labels written without braces ({@code k="v",...}). */
        Family histogram(String labels, Latency l) {
            for (long b : BOUNDS_MICROS) {
                sample(name + "_bucket", "{" + labels + ",le=\"" + (b / 1e6) + "\"}", l.countBelow(b));
            }
            sample(name + "_bucket", "{" + labels + ",le=\"+Inf\"}", l.count());
            sample(name + "_sum", "{" + labels + "}", l.sumSeconds());
            sample(name + "_count", "{" + labels + "}", l.count());
            return this;
        }
    }

    /** Declares a family; it is written in declaration order. */
    Family family(String name, String type, String help) {
        Family f = new Family(name, type, help);
        families.add(f);
        return f;
    }

    /**
     * The gateway's families, read from the same sections as stat, so the two always agree: users online,
     * open connections by protocol, logins, logouts, kicks, pushes and what became of them, and disconnect
     * events.
     *
     * @param users       stat's {@code users} section
     * @param connections stat's {@code connections} section: each member object with an {@code open} count
     *                    is a protocol ({@code box}, {@code ws})
     */
    void gateway(JsonNode users, JsonNode connections) {
        family("burst_users_online", "gauge", "Users with at least one logged-in connection.")
                .sample("", users.path("users_online").asLong());
        Family open = family("burst_connections", "gauge",
                "Open client connections that can log in and be pushed to, by protocol.");
        for (Iterator<Map.Entry<String, JsonNode>> it = connections.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> protocol = it.next();
            if (protocol.getValue().isObject() && protocol.getValue().has("open")) {
                open.sample("{protocol=\"" + protocol.getKey() + "\"}", protocol.getValue().path("open").asLong());
            }
        }
        family("burst_logins_total", "counter", "Logins: a handler bound its connection to a user.")
                .sample("", users.path("logins").asLong());
        family("burst_logouts_total", "counter", "Logouts: a handler unbound its connection.")
                .sample("", users.path("logouts").asLong());
        family("burst_kicks_total", "counter", "Connections closed because their user logged in elsewhere.")
                .sample("", users.path("kicks").asLong());
        JsonNode pushes = users.path("pushes");
        family("burst_pushes_total", "counter", "Pushes asked for, by handlers and the admin API.")
                .sample("", pushes.path("requested").asLong());
        family("burst_push_outcomes_total", "counter",
                "What became of pushes: connections delivered to, named users offline, connections dropped as "
                        + "slow consumers.")
                .sample("{outcome=\"delivered\"}", pushes.path("delivered").asLong())
                .sample("{outcome=\"offline\"}", pushes.path("offline").asLong())
                .sample("{outcome=\"dropped_slow\"}", pushes.path("dropped_slow").asLong());
        JsonNode events = users.path("disconnect_events");
        family("burst_user_disconnects_total", "counter", "Connections with a user that closed.")
                .sample("", events.path("closed_with_user").asLong());
        Family handlers = family("burst_disconnect_events_total", "counter",
                "Disconnect events for plugins' disconnect handlers, by state.");
        for (String state : List.of("queued", "run", "failed", "not_run")) {
            handlers.sample("{state=\"" + state + "\"}", events.path(state).asLong());
        }
    }

    /** @return the exposition text */
    String text() {
        StringBuilder out = new StringBuilder(8192);
        for (Family f : families) {
            out.append("# HELP ").append(f.name).append(' ').append(f.help).append('\n');
            out.append("# TYPE ").append(f.name).append(' ').append(f.type).append('\n');
            out.append(f.samples);
        }
        return out.toString();
    }
}
