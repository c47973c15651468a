package dev.burst.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Timers on the task thread, end to end, with the timer-probe fixture: every generation's plugin starts an
 * {@code every(100 ms)} timer at once. Its rate under load and its never running beside a handler, the end
 * of a generation's ticks at a reload, a throwing timer that goes on and is counted in stat, and a tick past
 * task-timeout, whose worker is dumped, killed and replaced like one with a stuck task.
 */
class TimersIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int STATUS = 1200;
    private static final int WORK = 1201;
    private static final int THROW = 1202;
    private static final int HANG = 1203;
    private static final int PID_ONCE = 1204;
    private static final int PID_IDEMPOTENT = 1205;

    @Test
    void an_every_100_ms_timer_ticks_about_ten_times_a_second_under_load_and_never_while_a_handler_runs(
            @TempDir Path home) throws Exception {
        try (Burst burst = Burst.in(home).plugin("timer-probe").set("burst.group.default.workers", "1").start()) {
            burst.awaitWorkers(1, WAIT);
            // Four clients keep the one worker busy: a handler holds the task thread 5 ms with its counter up.
            try (Load load = new Load(burst, 4, WORK, "5", Set.of("ok"), 5_000)) {
                burst.await(() -> load.ok() > 20, "the load runs", WAIT);
                Map<String, Long> before = status(burst);
                long servedBefore = load.ok();
                Burst.pause(2_000);
                Map<String, Long> after = status(burst);
                long served = load.ok() - servedBefore;
                load.close();

                long windowMs = after.get("ms") - before.get("ms");
                long ticks = after.get("ticks") - before.get("ticks");
                long expected = windowMs / 100;
                assertTrue(served > 20, "the load ran during the window: " + served);
                assertTrue(ticks >= expected * 3 / 4 && ticks <= expected * 5 / 4 + 1,
                        ticks + " ticks in " + windowMs + " ms of the worker's clock; about " + expected + " expected");
                assertEquals(0, after.get("overlaps"), "a tick found a handler running");
                assertEquals(List.of(), load.failures());
            }
        }
    }

    @Test
    void a_reload_ends_the_old_generation_s_ticks_and_the_new_generation_ticks_on(@TempDir Path home)
            throws Exception {
        Path ticks = Files.createDirectories(home.resolve("ticks"));
        try (Burst burst = Burst.in(home).plugin("timer-probe").set("burst.group.default.workers", "2")
                .set("burst.plugin.timer-probe.dir", ticks.toString()).start()) {
            burst.awaitWorkers(2, WAIT);
            List<Long> pids = burst.workerPids();
            for (long pid : pids) {
                awaitTicks(burst, ticks.resolve("ticks-g1-" + pid), 3);
            }

            String outcome = burst.reload();

            assertTrue(outcome.contains("generation 2 serving on 2 worker(s)"), outcome);
            assertEquals(pids, burst.workerPids(), "the generations swapped inside the same processes");
            Map<Long, Long> oldTicks = new HashMap<>();
            for (long pid : pids) {
                oldTicks.put(pid, count(ticks.resolve("ticks-g1-" + pid)));
            }
            for (long pid : pids) {
                // five periods of generation 2 after the reload was done ...
                Path fresh = ticks.resolve("ticks-g2-" + pid);
                awaitTicks(burst, fresh, (Files.exists(fresh) ? count(fresh) : 0) + 5);
            }
            for (long pid : pids) {
                // ... and not one more of generation 1
                assertEquals(oldTicks.get(pid), count(ticks.resolve("ticks-g1-" + pid)),
                        "generation 1 of pid " + pid + " ticked after the reload was done");
            }
        }
    }

    @Test
    void a_timer_that_throws_keeps_ticking_and_its_failures_are_counted_in_stat(@TempDir Path home) throws Exception {
        try (Burst burst = Burst.in(home).plugin("timer-probe").set("burst.group.default.workers", "1").start()) {
            burst.awaitWorkers(1, WAIT);
            long pid = burst.workerPids().getFirst();

            assertEquals(200, burst.post(Integer.toString(THROW), "").statusCode());

            long first = awaitTimerFailures(burst, pid, 3);
            awaitTimerFailures(burst, pid, first + 3);
            JsonNode counts = timerCounts(burst, pid);
            assertEquals(1, counts.get("generation").asInt());
            assertTrue(counts.get("runs").asLong() > counts.get("failures").asLong(),
                    "the every(100 ms) timer of start() runs beside the failing one: " + counts);
            assertTrue(burst.log().contains("a timer of plugin timer-probe (generation 1, every 100 ms) threw; it keeps"
                    + " its plan"), "the failure is logged with the plugin's name");
            assertEquals(List.of(pid), burst.workerPids(), "the worker serves on");
            assertTrue(status(burst).get("failing") >= first + 3);
        }
    }

    @Test
    void a_tick_past_task_timeout_has_its_worker_dumped_killed_and_replaced_while_the_other_worker_serves_on(
            @TempDir Path home) throws Exception {
        try (Burst burst = Burst.in(home).plugin("timer-probe").set("burst.group.default.workers", "2")
                .set("burst.group.default.task-timeout", "PT1S").start()) {
            burst.awaitWorkers(2, WAIT);
            try (Load load = new Load(burst, 4, WORK, "5", Set.of("ok"), 20_000)) {
                burst.await(() -> load.ok() > 20, "the load runs", WAIT);

                List<Long> before = burst.workerPids();
                long stuck = Long.parseLong(text(burst.post(Integer.toString(HANG), "120000")));
                long servedWhenArmed = load.ok();

                burst.awaitLog("pid " + stuck + ": a timer of plugin timer-probe (generation 1, after) ran ", WAIT);
                burst.awaitLog("(pid " + stuck + ") before it is killed", WAIT);
                long servedMeanwhile = load.ok() - servedWhenArmed;
                burst.awaitLog("TimerProbePlugin.hangInTick", WAIT);
                burst.await(() -> !burst.workerPids().contains(stuck), "pid " + stuck + " is killed", WAIT);
                burst.awaitWorkers(2, WAIT);
                long fresh = awaitServedByANewWorker(burst, before);
                load.close();

                assertEquals(1, burst.count("(pid " + stuck + ") before it is killed"),
                        "the master dumped pid " + stuck + " once");
                assertTrue(burst.log().contains("a timer of plugin timer-probe (generation 1, after) has run for "),
                        "the worker says which timer runs long");
                assertTrue(servedMeanwhile > 0, "the other worker served while the stuck one waited for its kill");
                assertEquals(List.of(), load.failures(), "a task handed to the stuck worker ran again elsewhere");
                assertNotEquals(stuck, fresh);
                assertEquals(1, burst.stat().path("groups").path("default").path("stuck_ticks").asLong(),
                        "stat counts the stuck tick");
            }
        }
    }

    @Test
    void a_task_handed_to_a_worker_stuck_in_a_tick_is_answered_as_for_a_lost_worker(@TempDir Path home)
            throws Exception {
        try (Burst burst = Burst.in(home).plugin("timer-probe").set("burst.group.default.workers", "1")
                .set("burst.group.default.task-timeout", "PT4S")
                .set("burst.group.default.queue-timeout", "PT60S").start();
             BoxClient box = burst.box()) {
            burst.awaitWorkers(1, WAIT);

            // The worker looks idle to the proxy once it answered, until its LONG_TICK (a quarter of
            // task-timeout, at most 1 s, into the tick): a task sent at once goes to it and waits.
            long first = Long.parseLong(box.call(HANG, 1, "120000").text());
            box.send(PID_ONCE, 2, "");
            BoxClient.Reply lost = box.read();
            assertEquals(2, lost.sn());
            assertEquals(-10004, lost.ret(), "a cmd that is not idempotent is not run twice");

            burst.await(() -> burst.workerPids().size() == 1 && !burst.workerPids().contains(first),
                    "pid " + first + " is replaced", WAIT);
            burst.awaitWorkers(1, WAIT);
            long second = Long.parseLong(box.call(HANG, 3, "120000").text());
            box.send(PID_IDEMPOTENT, 4, "");
            BoxClient.Reply retried = box.read();

            assertEquals(4, retried.sn());
            assertEquals(0, retried.ret(), "an idempotent cmd runs once more, on the replacement");
            long third = Long.parseLong(retried.text());
            assertNotEquals(second, third);
            assertNotEquals(first, second);
            assertTrue(burst.log().contains("died while running idempotent cmd " + PID_IDEMPOTENT), burst.log());
        }
    }

    // ---- helpers ----

    /** @return the probe's status line as numbers: gen, pid, ticks, overlaps, failing, ms */
    private static Map<String, Long> status(Burst burst) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = burst.post(Integer.toString(STATUS), "");
        assertEquals(200, r.statusCode(), text(r));
        Map<String, Long> m = new HashMap<>();
        for (String pair : text(r).split(" ")) {
            String[] kv = pair.split("=", 2);
            m.put(kv[0], Long.parseLong(kv[1]));
        }
        return m;
    }

    private static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    private static long count(Path file) throws IOException {
        return Long.parseLong(Files.readString(file).trim());
    }

    /** Waits until a ticks file the probe writes (atomically) says at least n. */
    private static void awaitTicks(Burst burst, Path file, long n) {
        burst.await(() -> {
            try {
                return Files.exists(file) && count(file) >= n;
            } catch (IOException e) {
                return false;
            }
        }, file.getFileName() + " reaches " + n, WAIT);
    }

    /** @return the worker's timer counts of the timer-probe plugin in stat, or null when none is reported yet */
    private static JsonNode timerCounts(Burst burst, long pid) throws IOException, InterruptedException {
        for (JsonNode w : burst.stat().get("workers_detail")) {
            if (w.get("pid").asLong() == pid && w.has("timers")) {
                for (JsonNode t : w.get("timers")) {
                    if (t.get("plugin").asText().equals("timer-probe")) {
                        return t;
                    }
                }
            }
        }
        return null;
    }

    /** Polls stat until the worker's timer failures reach n; @return the count seen */
    private static long awaitTimerFailures(Burst burst, long pid, long n) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(WAIT);
        while (true) {
            JsonNode counts = timerCounts(burst, pid);
            if (counts != null && counts.get("failures").asLong() >= n) {
                return counts.get("failures").asLong();
            }
            if (Instant.now().isAfter(deadline)) {
                fail("stat did not count " + n + " timer failures within " + WAIT + ": " + counts + "\n" + burst.log());
            }
            Burst.pause(100);
        }
    }

    /** Asks for pids until one comes from none of the workers there before (bounded); @return it */
    private static long awaitServedByANewWorker(Burst burst, List<Long> before)
            throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(WAIT);
        while (Instant.now().isBefore(deadline)) {
            HttpResponse<byte[]> r = burst.post(Integer.toString(PID_IDEMPOTENT), "");
            assertEquals(200, r.statusCode(), text(r));
            long pid = Long.parseLong(text(r));
            if (!before.contains(pid)) {
                return pid;
            }
            Burst.pause(20);
        }
        fail("no request was served by the replacement within " + WAIT + ":\n" + burst.log());
        return 0;
    }
}
