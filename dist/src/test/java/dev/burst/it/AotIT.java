package dev.burst.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The workers' AOT cache the build trains into lib/: mapped when it fits, left alone (and said why) when
 * not. The cache needs JDK 25; built with a JDK 21-24 (the toolchain takes the newest JDK 21+ it finds),
 * there is none, and what these tests check is that burst says so and serves without it.
 */
class AotIT {

    static final Path CACHE = Burst.DIST.resolve("lib/worker.aot");
    /** The JDK that built the distribution and runs these tests (the toolchain's) can make a cache. */
    static final boolean JDK_MAKES_CACHES = Runtime.version().feature() >= 25;
    /** What the master says about the cache on a JDK that cannot use one. */
    static final String NO_CACHE_ON_THIS_JDK = "an AOT cache needs JDK 25 or newer and this is JDK "
            + Runtime.version().feature();

    /** @return whether the process has the file mapped (the JVM maps an AOT cache it accepted, and only then) */
    static boolean maps(long pid, Path file) throws IOException {
        return Files.readString(Path.of("/proc/" + pid + "/maps"), StandardCharsets.UTF_8)
                .contains(file.toAbsolutePath().normalize().toString());
    }

    @Test
    void the_build_trains_a_cache_that_every_worker_maps(@TempDir Path home) throws Exception {
        if (!JDK_MAKES_CACHES) {
            assertFalse(Files.exists(CACHE), "no cache from a JDK older than 25");
            try (Burst burst = Burst.in(home).plugin("hello").set("burst.group.default.workers", "1").start()) {
                burst.awaitWorkers(1, Duration.ofSeconds(60));
                assertTrue(burst.log().contains(NO_CACHE_ON_THIS_JDK), burst.log());
                assertEquals("served", new String(burst.post("1", "served").body(), StandardCharsets.UTF_8));
            }
            return;
        }
        assertTrue(Files.isRegularFile(CACHE), "the build wrote " + CACHE);
        assertTrue(Files.readString(Burst.DIST.resolve("lib/worker.aot.id")).contains("jvm-options="));
        try (Burst burst = Burst.in(home).plugin("hello").set("burst.group.default.workers", "2").start()) {
            burst.awaitWorkers(2, Duration.ofSeconds(30));
            assertTrue(burst.log().contains("workers start with the AOT cache " + CACHE.toAbsolutePath().normalize()),
                    burst.log());
            for (long pid : burst.workerPids()) {
                assertTrue(maps(pid, CACHE), "worker pid " + pid + " mapped " + CACHE);
            }
            assertFalse(maps(burst.proxy().pid(), CACHE), "the cache is the workers'");
            assertEquals("mapped", new String(burst.post("1", "mapped").body(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void a_cache_built_for_other_worker_options_is_not_used_and_the_log_says_how_to_rebuild_it(@TempDir Path home)
            throws Exception {
        try (Burst burst = Burst.in(home).plugin("hello")
                .set("burst.group.default.workers", "1")
                .set("burst.worker.jvm-options", "-XX:+UseSerialGC -Xmx200m -XX:TieredStopAtLevel=1")
                .start()) {
            burst.awaitWorkers(1, Duration.ofSeconds(30));
            assertTrue(burst.log().contains("no AOT cache for workers, so they start slower: " + (JDK_MAKES_CACHES
                    ? CACHE.toAbsolutePath().normalize() + " was built for another burst.worker.jvm-options;"
                    + " rebuild it with bin/burst aot" : NO_CACHE_ON_THIS_JDK)), burst.log());
            long pid = burst.workerPids().getFirst();
            assertFalse(maps(pid, CACHE));
            assertFalse(ProcessHandle.of(pid).orElseThrow().info().arguments().map(a -> String.join(" ", a))
                    .orElse("").contains("AOTCache"), "the worker was started without -XX:AOTCache");
            assertEquals("served", new String(burst.post("1", "served").body(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void off_starts_workers_without_the_cache(@TempDir Path home) throws Exception {
        try (Burst burst = Burst.in(home).plugin("hello")
                .set("burst.group.default.workers", "1")
                .set("burst.worker.aot-cache", "off")
                .start()) {
            burst.awaitWorkers(1, Duration.ofSeconds(30));
            assertFalse(maps(burst.workerPids().getFirst(), CACHE));
            assertFalse(burst.log().contains("AOT cache"), "off is silent");
        }
    }
}
