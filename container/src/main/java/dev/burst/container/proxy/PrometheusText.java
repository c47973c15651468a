package dev.burst.container.proxy;

import dev.burst.container.proxy.dispatch.Latency;
import java.util.ArrayList;
import java.util.List;

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
