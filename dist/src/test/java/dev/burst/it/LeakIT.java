package dev.burst.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retired generations are unloaded, also when a library of the plugin cached something per thread
 * (Jackson); one a plugin keeps alive (a thread it never stopped) is reported, and its worker recycled.
 */
class LeakIT {

    @Test
    void two_hundred_reloads_in_one_worker_leave_class_count_and_metaspace_near_their_baseline(@TempDir Path home)
            throws Exception {
        try (Burst burst = Burst.in(home).plugin("hello").set("burst.group.default.workers", "1").start()) {
            burst.awaitWorkers(1, Duration.ofSeconds(30));
            long worker = burst.workerPids().getFirst();
            int k = 0;
            for (; k < 10; k++) {
                burst.reload();
                burst.post("2", "");
            }
            Map<String, Long> base = counters(worker);
            for (; k < 210; k++) {
                String outcome = burst.reload();
                assertTrue(outcome.contains("generation " + (k + 2) + " serving on 1 worker(s)"), outcome);
                if (k % 20 == 0) {
                    assertEquals(200, burst.post("2", "").statusCode());
                }
            }
            assertEquals(worker, burst.workerPids().getFirst(), "the same worker did every swap");
            Map<String, Long> after = counters(worker);

            long liveBefore = base.get("java.cls.loadedClasses") - base.get("java.cls.unloadedClasses");
            long liveAfter = after.get("java.cls.loadedClasses") - after.get("java.cls.unloadedClasses");
            long loadedDuring = after.get("java.cls.loadedClasses") - base.get("java.cls.loadedClasses");
            assertTrue(loadedDuring >= 200, "each generation loaded its own classes: " + loadedDuring);
            assertTrue(liveAfter - liveBefore < 150, "live classes grew from " + liveBefore + " to " + liveAfter
                    + " over 200 reloads (" + loadedDuring + " loaded)");
            long metaBefore = base.get("sun.gc.metaspace.used");
            long metaAfter = after.get("sun.gc.metaspace.used");
            assertTrue(metaAfter - metaBefore < 4L << 20, "metaspace grew from " + metaBefore / 1024 + " KiB to "
                    + metaAfter / 1024 + " KiB over 200 reloads");
            assertEquals(0, burst.count("leaked"), "no generation was reported leaked");
        }
    }

    @Test
    void a_plugin_that_leaks_a_thread_is_reported_and_its_worker_recycled(@TempDir Path home) throws Exception {
        try (Burst burst = Burst.in(home).plugin("hello").plugin("leaky").set("burst.group.default.workers", "1").start()) {
            burst.awaitWorkers(1, Duration.ofSeconds(30));
            long worker = burst.workerPids().getFirst();
            assertTrue(burst.reload().contains("generation 2 serving on 1 worker(s)"));
            burst.awaitLog("generation 1 leaked", Duration.ofSeconds(60));
            String leak = burst.log().lines().filter(l -> l.contains("generation 1 leaked")).findFirst().orElseThrow();
            assertTrue(leak.contains("leaky-plugin-ticker"), "what holds it is named: " + leak);
            burst.awaitLog("worker default#1 replaced: pid " + worker, Duration.ofSeconds(60));
            assertNotEquals(worker, burst.workerPids().getFirst());
            assertEquals("leaking", new String(burst.post("40", "").body(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void reloading_a_plugin_that_bundles_jackson_unloads_every_generation_and_keeps_its_worker(@TempDir Path home)
            throws Exception {
        try (Burst burst = Burst.in(home)
                .folderPlugin("jackson", "jackson", "jackson-databind", "jackson-core", "jackson-annotations")
                .set("burst.group.default.workers", "1")
                .start()) {
            burst.awaitWorkers(1, Duration.ofSeconds(30));
            long worker = burst.workerPids().getFirst();
            assertEquals("{\"name\":\"ada\",\"total\":6}", json(burst), "generation 1 parses and writes JSON");
            int reloads = 5;
            for (int k = 1; k <= reloads; k++) {
                String outcome = burst.reload();
                assertTrue(outcome.contains("generation " + (k + 1) + " serving on 1 worker(s)"), outcome);
                assertEquals("{\"name\":\"ada\",\"total\":6}", json(burst), "generation " + (k + 1) + " too");
            }
            for (int g = 1; g <= reloads; g++) {
                awaitLeakCheck(burst, g);
            }
            assertEquals(0, burst.count(" leaked"), "no generation was reported leaked:\n" + burst.log());
            assertEquals(0, burst.count(" replaced: pid "), "no worker was recycled");
            assertEquals(List.of(worker), burst.workerPids(), "the same worker did every swap");
        }
    }

    private static String json(Burst burst) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = burst.post("json", "{\"name\":\"ada\",\"scores\":[1,2,3]}");
        assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    /** Waits until the worker has checked the retired generation (it logs it unloaded), or reported any leak. */
    private static void awaitLeakCheck(Burst burst, int generation) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (burst.count("generation " + generation + " unloaded") == 0 && burst.count(" leaked") == 0) {
            if (Instant.now().isAfter(deadline)) {
                fail("the worker never reported generation " + generation + " unloaded or leaked:\n" + burst.log());
            }
            Burst.pause(50);
        }
    }

    /** The worker JVM's own counters, after a full collection, through the JDK's jcmd. */
    private static Map<String, Long> counters(long pid) throws IOException, InterruptedException {
        jcmd(pid, "GC.run");
        Map<String, Long> values = new HashMap<>();
        for (String line : jcmd(pid, "PerfCounter.print").lines().toList()) {
            int eq = line.indexOf('=');
            if (eq > 0 && line.substring(eq + 1).matches("\\d+")) {
                values.put(line.substring(0, eq), Long.parseLong(line.substring(eq + 1)));
            }
        }
        for (String key : new String[] {"java.cls.loadedClasses", "java.cls.unloadedClasses", "sun.gc.metaspace.used"}) {
            assertTrue(values.containsKey(key), "jcmd PerfCounter.print has " + key);
        }
        return values;
    }

    private static String jcmd(long pid, String command) throws IOException, InterruptedException {
        Path jcmd = Path.of(ProcessHandle.current().info().command().orElseThrow()).resolveSibling("jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out;
    }
}
