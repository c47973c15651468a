package dev.burst.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sticky routing ({@code burst.group.<g>.route=key}) with real processes: four workers running the
 * sticky-probe fixture, whose handler replies its pid and slot, {@code request.key()}, when it entered and
 * left ({@code System.nanoTime()}: one monotonic clock for every process of the machine) and how many
 * requests of the key its process has run. 200 keys: 100 HTTP keys ({@code Burst-Key}), each sent by two
 * clients at once, and 100 Box users, each one connection that logs in and pipelines its requests.
 *
 * <p>The checks ({@link Runs}) read the replies only: one key on one pid, never two runs of one key at once,
 * a connection's requests run in the order it sent them, and a worker's per-key count going 1, 2, 3 (it
 * saw every request of the key, in order). The same checks under {@code route=any} do find keys on
 * several workers and one key's requests running at once, so they can fail.
 *
 * <p>Threads: the test thread drives burst; each client is a virtual thread of {@link Traffic}.
 */
class StickyIT {

    private static final int LOGIN = 1100;
    private static final int PROBE = 1101;
    private static final int PROBE_IDEMPOTENT = 1102;
    private static final int HTTP_KEYS = 100;
    private static final int BOX_KEYS = 100;
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** Four workers routing by key; a long queue-timeout, since a killed slot's keys wait for its respawn. */
    private static Burst.Builder keyed(Path home, String route) {
        return Burst.in(home).plugin("sticky-probe")
                .set("burst.group.default.workers", "4")
                .set("burst.group.default.route", route)
                .set("burst.group.default.queue-timeout", "PT60S");
    }

    @Test
    void every_request_of_a_key_runs_on_one_worker_one_at_a_time_and_in_the_order_its_connection_sent_it(
            @TempDir Path home) throws Exception {
        try (Burst burst = keyed(home, "key").start()) {
            burst.awaitWorkers(4, WAIT);
            try (Keys keys = Keys.open(burst); Traffic traffic = new Traffic(burst, keys, PROBE, 2, 4, 4)) {
                traffic.await(WAIT);
                List<Run> runs = traffic.runs();

                assertEquals(List.of(), traffic.failures());
                assertEquals(HTTP_KEYS * 2 * 4 + BOX_KEYS * 4 * 4, runs.size(), "every request was answered");
                Runs.assertNone("keys on several workers", Runs.onSeveralPids(runs));
                Runs.assertNone("runs of one key at once", Runs.overlaps(runs));
                Runs.assertNone("a connection's requests run out of order", Runs.outOfOrder(runs));
                Runs.assertNone("a worker missed or reordered a key's requests", Runs.countGaps(runs));
                assertEquals(Set.of(1, 2, 3, 4), runs.stream().map(Run::slot).collect(Collectors.toSet()),
                        "the 200 keys spread over the four slots");
            }
        }
    }

    @Test
    void the_same_checks_under_route_any_find_keys_on_several_workers_and_one_keys_requests_at_once(
            @TempDir Path home) throws Exception {
        try (Burst burst = keyed(home, "any").start()) {
            burst.awaitWorkers(4, WAIT);
            try (Keys keys = Keys.open(burst); Traffic traffic = new Traffic(burst, keys, PROBE, 2, 4, 4)) {
                traffic.await(WAIT);
                assertEquals(List.of(), traffic.failures());
                int spread = Runs.onSeveralPids(traffic.runs()).size();
                assertTrue(spread > (HTTP_KEYS + BOX_KEYS) / 2,
                        "with route=any most keys run on several workers, found " + spread);
            }
            // One connection pipelines eight long requests while the four workers are idle.
            try (BoxClient solo = burst.box()) {
                assertEquals("ok", solo.call(LOGIN, 1, "solo").text());
                for (int sn = 2; sn < 10; sn++) {
                    solo.send(PROBE, sn, "200");
                }
                List<Run> runs = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    BoxClient.Reply r = solo.read();
                    assertEquals(0, r.ret(), r.text());
                    runs.add(Run.parse("solo", r.sn(), r.text()));
                }
                assertFalse(Runs.overlaps(runs).isEmpty(), "with route=any one key's requests run at once: " + runs);
            }
        }
    }

    @Test
    void a_slots_keys_wait_through_restart_workers_and_kill_9_then_run_on_its_replacement_and_no_request_is_lost(
            @TempDir Path home) throws Exception {
        try (Burst burst = keyed(home, "key").start()) {
            burst.awaitWorkers(4, WAIT);
            List<Run> all = new ArrayList<>();
            try (Keys keys = Keys.open(burst)) {
                // restart_workers (every slot's worker replaced, spawn-first, one at a time) while slot 1's
                // worker holds one key's request: the key's later requests wait for it, then run on the
                // replacement, which meanwhile serves the slot's other keys.
                Map<Integer, Long> before = pidsBySlot(burst);
                Run probed = keyOnSlot(burst, 1, "restart-");
                all.add(probed);
                long fresh;
                try (Held held = Held.open(burst, probed.key(), home.resolve("release-restart"));
                     Traffic traffic = new Traffic(burst, keys, PROBE, 2, 100_000, 2)) {
                    traffic.awaitRuns(r -> true, 300, WAIT);
                    held.send(PROBE, 0, 3);
                    burst.awaitLog("sticky-probe: key " + probed.key() + " holds on pid " + before.get(1), WAIT);
                    HttpResponse<String> asked = burst.admin("POST", "/admin/restart", null);
                    assertEquals(202, asked.statusCode(), asked.body());
                    fresh = awaitReady(burst, 1, before.get(1));
                    traffic.awaitRuns(r -> r.pid() == fresh, 50, WAIT);
                    held.release();
                    List<Run> heldRuns = held.replies();
                    all.addAll(heldRuns);
                    assertEquals(before.get(1), heldRuns.getFirst().pid(), "the held request ran on the old worker");
                    for (Run r : heldRuns.subList(1, heldRuns.size())) {
                        assertEquals(fresh, r.pid(), "the key's later requests waited, then ran on the replacement: " + heldRuns);
                    }

                    JsonNode restart = burst.awaitOperation("restart_workers", 1, Duration.ofSeconds(240));
                    assertEquals("done", restart.get("state").asText(), restart.toString());
                    burst.awaitWorkers(4, WAIT);
                    traffic.awaitRuns(r -> true, traffic.runs().size() + 500, WAIT);
                    traffic.close();
                    assertEquals(List.of(), traffic.failures());
                    all.addAll(traffic.runs());
                }
                Map<Integer, Long> after = pidsBySlot(burst);
                assertEquals(fresh, after.get(1));
                for (int slot = 1; slot <= 4; slot++) {
                    assertNotEquals(before.get(slot), after.get(slot), "slot " + slot + " got a new worker");
                    int s = slot;
                    assertTrue(all.stream().anyMatch(r -> r.slot() == s && r.pid() == after.get(s)),
                            "slot " + slot + "'s keys ran on its replacement " + after.get(slot));
                }
                for (Run r : all) {
                    assertTrue(r.pid() == before.get(r.slot()) || r.pid() == after.get(r.slot()),
                            "a run on a pid that was never its slot's: " + r + ", slots before " + before + ", after " + after);
                }

                // kill -9 of slot 1's worker while it runs an idempotent request of a key with more queued
                // behind it: the request runs again on the replacement, before the key's later ones.
                long victim = after.get(1);
                Run probedKill = keyOnSlot(burst, 1, "kill-");
                all.add(probedKill);
                try (Held held = Held.open(burst, probedKill.key(), home.resolve("release-kill"));
                     Traffic traffic = new Traffic(burst, keys, PROBE_IDEMPOTENT, 2, 100_000, 2)) {
                    traffic.awaitRuns(r -> true, 300, WAIT);
                    held.send(PROBE_IDEMPOTENT, 0, 3);
                    burst.awaitLog("sticky-probe: key " + probedKill.key() + " holds on pid " + victim, WAIT);
                    long killedAt = System.nanoTime();
                    ProcessHandle.of(victim).orElseThrow().destroyForcibly();
                    long replacement = awaitReady(burst, 1, victim);
                    burst.awaitLog("sticky-probe: key " + probedKill.key() + " holds on pid " + replacement, WAIT);
                    traffic.awaitRuns(r -> r.slot() != 1 && r.enter() > killedAt, 300, WAIT);
                    held.release();
                    List<Run> heldRuns = held.replies();
                    all.addAll(heldRuns);
                    for (Run r : heldRuns) {
                        assertEquals(replacement, r.pid(), "the cut-short request and the later ones ran on the replacement: " + heldRuns);
                        assertTrue(r.enter() > killedAt, "after the kill: " + r);
                    }
                    assertTrue(burst.log().contains("pid " + victim + " died while running idempotent cmd " + PROBE_IDEMPOTENT
                            + "; running it again on another worker"), "the proxy says it retried the request");

                    traffic.awaitRuns(r -> r.pid() == replacement && r.enter() > heldRuns.getLast().exit(), 50, WAIT);
                    traffic.awaitRuns(r -> true, traffic.runs().size() + 300, WAIT);
                    traffic.close();
                    assertEquals(List.of(), traffic.failures(), "no request of the killed slot's keys failed");
                    for (Run r : traffic.runs()) {
                        if (r.slot() == 1 && r.enter() > killedAt) {
                            assertEquals(replacement, r.pid(), "after the kill, slot 1's keys run on its replacement: " + r);
                        }
                    }
                    all.addAll(traffic.runs());
                }
            }
            Runs.assertStickyThroughReplacements(all);
        }
    }

    @Test
    void recycling_by_max_requests_moves_each_slots_keys_to_its_replacement_without_a_failed_request(
            @TempDir Path home) throws Exception {
        try (Burst burst = keyed(home, "key").set("burst.group.default.max-requests", "100").start()) {
            burst.awaitWorkers(4, WAIT);
            List<Run> all = new ArrayList<>();
            // Slot 1's worker reaches max-requests just before it takes a request that holds it: the key's
            // later requests wait for that one, then run on the worker that replaced it.
            Run probed = keyOnSlot(burst, 1, "recycle-");
            Run other = keyOnSlot(burst, 1, "recycle-other-");
            all.add(probed);
            all.add(other);
            try (Held held = Held.open(burst, probed.key(), home.resolve("release-recycle"))) {
                long old = pidsBySlot(burst).get(1);
                int quick = (int) (100 - tasks(burst, old));
                assertTrue(quick > 0, "slot 1's worker has not served 100 tasks yet");
                held.send(PROBE, quick, 3);
                burst.awaitLog("sticky-probe: key " + probed.key() + " holds on pid " + old, WAIT);
                long fresh = awaitReady(burst, 1, old);
                Run meanwhile = probe(burst, other.key());
                all.add(meanwhile);
                assertEquals(fresh, meanwhile.pid(), "another key of slot 1 runs on the replacement while the held key waits");
                held.release();
                List<Run> heldRuns = held.replies();
                all.addAll(heldRuns);
                for (int i = 0; i < heldRuns.size(); i++) {
                    assertEquals(i <= quick ? old : fresh, heldRuns.get(i).pid(),
                            "run " + i + " of the key (the hold is " + quick + "): " + heldRuns);
                }
                assertTrue(burst.log().contains("worker default#1 pid " + old + " served 100 requests (max-requests 100)"));
            }
            try (Keys keys = Keys.open(burst); Traffic traffic = new Traffic(burst, keys, PROBE, 2, 100_000, 2)) {
                burst.awaitCount(" replaced: pid ", 5, Duration.ofSeconds(300));
                traffic.awaitRuns(r -> true, traffic.runs().size() + 500, WAIT);
                traffic.close();
                assertEquals(List.of(), traffic.failures());
                all.addAll(traffic.runs());
            }
            long pids = all.stream().map(Run::pid).distinct().count();
            assertTrue(pids >= 9, "the four first workers and at least five replacements served, pids: " + pids);
            Runs.assertStickyThroughReplacements(all);
        }
    }

    @Test
    void change_group_4_to_5_moves_about_a_fifth_of_the_keys_all_to_the_new_slot_and_5_to_4_moves_them_back(
            @TempDir Path home) throws Exception {
        try (Burst burst = keyed(home, "key").start()) {
            burst.awaitWorkers(4, WAIT);
            List<Run> all = new ArrayList<>();
            Map<String, Run> four;
            Map<String, Run> five;
            Map<String, Run> fourAgain;
            try (Keys keys = Keys.open(burst)) {
                four = probeAll(burst, keys, all);
                try (Traffic traffic = new Traffic(burst, keys, PROBE, 2, 100_000, 2)) {
                    traffic.awaitRuns(r -> true, 300, WAIT);
                    JsonNode grown = changeGroup(burst, 5, 1);
                    assertTrue(grown.get("outcome").asText().startsWith("default 4 -> 5: done"), grown.toString());
                    assertTrue(grown.get("details").toString().contains("the key ranges of 5 slot(s) change"),
                            "the operation record reports the moved key ranges: " + grown);
                    burst.awaitLog("change_group default: keys spread over 5 slot(s), was 4; the key ranges of 5 slot(s) changed",
                            WAIT);
                    traffic.awaitRuns(r -> r.slot() == 5, 100, WAIT);
                    traffic.awaitRuns(r -> true, traffic.runs().size() + 300, WAIT);
                    traffic.close();
                    assertEquals(List.of(), traffic.failures(), "no request failed while the keys moved");
                    all.addAll(traffic.runs());
                }
                five = probeAll(burst, keys, all);
                JsonNode slots = burst.stat().get("groups").get("default").get("keys").get("slots");
                assertEquals(5, slots.size(), "stat shows five slots: " + slots);

                try (Traffic traffic = new Traffic(burst, keys, PROBE, 2, 100_000, 2)) {
                    traffic.awaitRuns(r -> true, 300, WAIT);
                    JsonNode shrunk = changeGroup(burst, 4, 2);
                    assertTrue(shrunk.get("outcome").asText().startsWith("default 5 -> 4: done"), shrunk.toString());
                    burst.awaitLog("change_group default: keys spread over 4 slot(s), was 5; the key ranges of 5 slot(s) changed",
                            WAIT);
                    burst.awaitWorkers(4, WAIT);
                    traffic.awaitRuns(r -> true, traffic.runs().size() + 300, WAIT);
                    traffic.close();
                    assertEquals(List.of(), traffic.failures(), "no request failed while the keys moved back");
                    all.addAll(traffic.runs());
                }
                fourAgain = probeAll(burst, keys, all);
            }
            List<String> moved = four.keySet().stream().filter(k -> four.get(k).pid() != five.get(k).pid()).sorted().toList();
            for (String key : moved) {
                assertEquals(5, five.get(key).slot(), "a key that moved went to the new slot: " + four.get(key) + " -> " + five.get(key));
            }
            assertTrue(moved.size() >= 16 && moved.size() <= 70,
                    "about 1/5 of the 200 keys moved (8% to 35%), moved " + moved.size() + ": " + moved);
            for (String key : four.keySet()) {
                assertEquals(four.get(key).pid(), fourAgain.get(key).pid(),
                        key + " is back on the worker it had before the group grew");
            }

            // Grown again while a key that moves holds its old worker: its later requests wait for that
            // request, then run on slot 5's new worker. The key is an HTTP key's string as a user: the same key.
            List<String> movedHttp = moved.stream().filter(k -> k.startsWith("h-")).toList();
            String key = movedHttp.get(0);
            String otherMoved = movedHttp.get(1);
            long old = four.get(key).pid();
            try (Held held = Held.open(burst, key, home.resolve("release-grow"))) {
                held.send(PROBE, 0, 3);
                burst.awaitLog("sticky-probe: key " + key + " holds on pid " + old, WAIT);
                changeGroup(burst, 5, 3);
                burst.awaitCount("keys spread over 5 slot(s), was 4", 2, WAIT);
                long fifth = awaitReady(burst, 5, five.get(key).pid());
                Run meanwhile = probe(burst, otherMoved);
                all.add(meanwhile);
                assertEquals(fifth, meanwhile.pid(), "another key of slot 5 runs there while the held key waits");
                held.release();
                List<Run> heldRuns = held.replies();
                all.addAll(heldRuns);
                assertEquals(old, heldRuns.getFirst().pid());
                for (Run r : heldRuns.subList(1, heldRuns.size())) {
                    assertEquals(fifth, r.pid(), "the key's later requests waited, then ran on slot 5: " + heldRuns);
                }
            }
            Runs.assertOneAtATimeInOrder(all);
        }
    }

    @Test
    void a_keyless_request_to_a_group_with_keyless_reject_gets_minus_10006_over_box_and_400_over_http(
            @TempDir Path home) throws Exception {
        try (Burst burst = Burst.in(home).plugin("sticky-probe").plugin("push-probe")
                .set("burst.groups", "lobby,game")
                .set("burst.group.lobby.plugins", "push-probe")
                .set("burst.group.lobby.workers", "1")
                .set("burst.group.game.plugins", "sticky-probe")
                .set("burst.group.game.workers", "4")
                .set("burst.group.game.route", "key")
                .set("burst.group.game.keyless", "reject")
                .start()) {
            burst.awaitWorkers(5, WAIT);

            HttpResponse<String> keyless = post(burst, PROBE, Optional.empty(), "0");
            assertEquals(400, keyless.statusCode(), keyless.body());
            assertEquals("-10006", keyless.headers().firstValue("Burst-Ret").orElseThrow());
            JsonNode error = JSON.readTree(keyless.body());
            assertEquals(-10006, error.get("ret").asInt());
            assertTrue(error.get("error").asText().contains("Burst-Key"), keyless.body());
            assertTrue(error.get("error").asText().contains("keyless=reject"), keyless.body());

            HttpResponse<String> keyed = post(burst, PROBE, Optional.of("h-1"), "0");
            assertEquals(200, keyed.statusCode(), keyed.body());
            assertEquals("h-1", Run.parse("h-1", 0, keyed.body()).key());

            try (BoxClient box = burst.box()) {
                assertEquals(-10006, box.call(PROBE, 1, "0").ret(), "a connection nobody logged in has no key");
                assertEquals(-10006, box.call(LOGIN, 2, "ann").ret(),
                        "the game group's own login is keyless too, so it cannot be reached before a login");
                assertEquals("ok", box.call(900, 3, "ann").text(), "the lobby (route=any) logs the connection in");
                BoxClient.Reply served = box.call(PROBE, 4, "0");
                assertEquals(0, served.ret(), served.text());
                assertEquals("ann", Run.parse("ann", 4, served.text()).key(), "the user is the key");
            }
            assertEquals(3, burst.stat().get("groups").get("game").get("rejects").asLong(),
                    "the three keyless requests were counted as rejects");
        }
    }

    @Test
    void a_burst_key_header_that_is_empty_or_over_128_bytes_gets_400_naming_the_header(@TempDir Path home)
            throws Exception {
        try (Burst burst = keyed(home, "key").start()) {
            burst.awaitWorkers(4, WAIT);
            for (String bad : List.of("", "k".repeat(129), "k".repeat(1000))) {
                HttpResponse<String> r = post(burst, PROBE, Optional.of(bad), "0");
                assertEquals(400, r.statusCode(), "a key of " + bad.length() + " bytes: " + r.body());
                String error = JSON.readTree(r.body()).get("error").asText();
                assertTrue(error.startsWith("header Burst-Key is "), error);
                assertTrue(bad.isEmpty() ? error.contains("empty") : error.contains(bad.length() + " bytes"), error);
            }
            String longest = "k".repeat(128);
            HttpResponse<String> ok = post(burst, PROBE, Optional.of(longest), "0");
            assertEquals(200, ok.statusCode(), ok.body());
            assertEquals(longest, Run.parse(longest, 0, ok.body()).key());
            assertEquals(1, burst.stat().get("groups").get("default").get("client_req").asLong(),
                    "the refused requests never became tasks");
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------

    /** POST /cmd/{cmd} with a Burst-Key header, or none. */
    static HttpResponse<String> post(Burst burst, int cmd, Optional<String> key, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + burst.httpPort + "/cmd/" + cmd))
                .timeout(Duration.ofSeconds(90))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        key.ifPresent(k -> b.header("Burst-Key", k));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** @return the READY workers of group default, by slot, from GET /admin/workers */
    private static Map<Integer, Long> pidsBySlot(Burst burst) throws IOException, InterruptedException {
        Map<Integer, Long> bySlot = new TreeMap<>();
        for (JsonNode w : workers(burst)) {
            if (w.get("state").asText().equals("READY")) {
                Long was = bySlot.put(w.get("slot").asInt(), w.get("pid").asLong());
                assertEquals(null, was, "two READY workers in slot " + w.get("slot"));
            }
        }
        assertEquals(Set.of(1, 2, 3, 4), bySlot.keySet(), "READY workers by slot");
        return bySlot;
    }

    /** @return the workers of group default, as GET /admin/workers lists them */
    private static List<JsonNode> workers(Burst burst) throws IOException, InterruptedException {
        HttpResponse<String> r = burst.admin("GET", "/admin/workers", null);
        assertEquals(200, r.statusCode(), r.body());
        List<JsonNode> workers = new ArrayList<>();
        JSON.readTree(r.body()).get("workers").forEach(w -> {
            if (w.get("group").asText().equals("default")) {
                workers.add(w);
            }
        });
        return workers;
    }

    /** @return the tasks the worker with this pid has served */
    private static long tasks(Burst burst, long pid) throws IOException, InterruptedException {
        return workers(burst).stream().filter(w -> w.get("pid").asLong() == pid).findFirst()
                .orElseThrow(() -> new AssertionError("no worker with pid " + pid)).get("tasks").asLong();
    }

    /** Waits until the slot has a READY worker other than the given pid; returns its pid. */
    private static long awaitReady(Burst burst, int slot, long other) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(WAIT);
        while (true) {
            for (JsonNode w : workers(burst)) {
                if (w.get("slot").asInt() == slot && w.get("state").asText().equals("READY") && w.get("pid").asLong() != other) {
                    return w.get("pid").asLong();
                }
            }
            if (Instant.now().isAfter(deadline)) {
                fail("slot " + slot + " had no READY worker but pid " + other + " within " + WAIT + ":\n" + burst.log());
            }
            Burst.pause(20);
        }
    }

    /** change_group of default through the admin API; waits for the n-th change_group to finish, done. */
    private static JsonNode changeGroup(Burst burst, int workers, int n) throws IOException, InterruptedException {
        HttpResponse<String> asked = burst.admin("PUT", "/admin/groups/default", "{\"workers\":" + workers + "}");
        assertEquals(202, asked.statusCode(), asked.body());
        JsonNode op = burst.awaitOperation("change_group", n, WAIT);
        assertEquals("done", op.get("state").asText(), op.toString());
        return op;
    }

    /** Two requests of every key, one at a time per client: where each key runs now. */
    private static Map<String, Run> probeAll(Burst burst, Keys keys, List<Run> all) throws InterruptedException {
        try (Traffic traffic = new Traffic(burst, keys, PROBE, 1, 2, 1)) {
            traffic.await(WAIT);
            assertEquals(List.of(), traffic.failures());
            all.addAll(traffic.runs());
            Map<String, Run> last = Runs.last(traffic.runs());
            assertEquals(HTTP_KEYS + BOX_KEYS, last.size());
            return last;
        }
    }

    /** @return the probe's run of one request of the key over HTTP, 0 ms */
    private static Run probe(Burst burst, String key) throws IOException, InterruptedException {
        HttpResponse<String> r = post(burst, PROBE, Optional.of(key), "0");
        assertEquals(200, r.statusCode(), r.body());
        return Run.parse(key, 0, r.body());
    }

    /** @return the probe's run of the first key with this prefix (at most 200 tried) that belongs to the slot */
    private static Run keyOnSlot(Burst burst, int slot, String prefix) throws IOException, InterruptedException {
        for (int i = 0; i < 200; i++) {
            Run run = probe(burst, prefix + i);
            if (run.slot() == slot) {
                return run;
            }
        }
        throw new AssertionError("none of 200 keys belongs to slot " + slot);
    }

    /**
     * One request as the probe reported it.
     *
     * @param key   the key the client sent it with
     * @param seq   its Box sn (a connection's order of sending); 0 over HTTP
     * @param pid   the worker that ran it
     * @param slot  that worker's slot
     * @param enter System.nanoTime() when the handler started
     * @param exit  System.nanoTime() when the handler returned
     * @param seen  how many requests of the key that worker process had run, this one included
     */
    record Run(String key, int seq, long pid, int slot, long enter, long exit, long seen) {

        /** Parses {@code <pid> <slot> <enter> <exit> <seen> <key>}; fails unless the handler saw this key. */
        static Run parse(String key, int seq, String reply) {
            String[] f = reply.split(" ", 6);
            if (f.length != 6 || !f[5].equals(key)) {
                throw new AssertionError("a request of key '" + key + "' was answered '" + reply + "'");
            }
            return new Run(key, seq, Long.parseLong(f[0]), Integer.parseInt(f[1]), Long.parseLong(f[2]),
                    Long.parseLong(f[3]), Long.parseLong(f[4]));
        }
    }

    /**
     * The checks over a set of runs. Each returns its violations, one line each, so that a test may
     * assert there are none, or (under route=any) that there are some.
     */
    static final class Runs {

        private Runs() {
        }

        /** No key ran twice at once, each connection's requests ran in order, and no worker missed one. */
        static void assertOneAtATimeInOrder(Collection<Run> runs) {
            assertNone("runs of one key at once", overlaps(runs));
            assertNone("a connection's requests run out of order", outOfOrder(runs));
            assertNone("a worker missed or reordered a key's requests", countGaps(runs));
        }

        /** The same, and through replacements every key stayed on its slot and never went back to a worker it left. */
        static void assertStickyThroughReplacements(Collection<Run> runs) {
            assertOneAtATimeInOrder(runs);
            assertNone("keys on two slots", onSeveralSlots(runs));
            assertNone("keys back on a worker they had left", movedBack(runs));
        }

        static void assertNone(String what, List<String> violations) {
            if (!violations.isEmpty()) {
                fail(what + ": " + violations.size() + ", e.g.\n" + String.join("\n",
                        violations.subList(0, Math.min(20, violations.size()))));
            }
        }

        /** @return each key's runs, in the order they started */
        static Map<String, List<Run>> byKey(Collection<Run> runs) {
            Map<String, List<Run>> byKey = new TreeMap<>();
            runs.forEach(r -> byKey.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r));
            byKey.values().forEach(l -> l.sort(Comparator.comparingLong(Run::enter)));
            return byKey;
        }

        /** @return each key's last run */
        static Map<String, Run> last(Collection<Run> runs) {
            Map<String, Run> last = new TreeMap<>();
            byKey(runs).forEach((k, l) -> last.put(k, l.getLast()));
            return last;
        }

        /** Keys that ran on more than one worker process. */
        static List<String> onSeveralPids(Collection<Run> runs) {
            return onSeveral(runs, Run::pid, "pids");
        }

        /** Keys that ran on more than one slot. */
        static List<String> onSeveralSlots(Collection<Run> runs) {
            return onSeveral(runs, Run::slot, "slots");
        }

        private static <T extends Comparable<T>> List<String> onSeveral(Collection<Run> runs, Function<Run, T> where,
                                                                         String what) {
            List<String> v = new ArrayList<>();
            byKey(runs).forEach((k, l) -> {
                Set<T> seen = l.stream().map(where).collect(Collectors.toCollection(TreeSet::new));
                if (seen.size() > 1) {
                    v.add(k + " ran on " + what + " " + seen);
                }
            });
            return v;
        }

        /** A run of a key that started before the key's previous run ended. */
        static List<String> overlaps(Collection<Run> runs) {
            List<String> v = new ArrayList<>();
            byKey(runs).forEach((k, l) -> {
                long origin = l.getFirst().enter();
                for (int i = 1; i < l.size(); i++) {
                    Run a = l.get(i - 1);
                    Run b = l.get(i);
                    if (b.enter() <= a.exit()) {
                        v.add(k + ": ran " + span(a, origin) + " on pid " + a.pid() + " and " + span(b, origin)
                                + " on pid " + b.pid());
                    }
                }
            });
            return v;
        }

        private static String span(Run r, long origin) {
            return "[" + (r.enter() - origin) / 1000 + " us, " + (r.exit() - origin) / 1000 + " us]";
        }

        /** A connection's request that started before one it had sent earlier (Box runs, by sn). */
        static List<String> outOfOrder(Collection<Run> runs) {
            List<String> v = new ArrayList<>();
            byKey(runs).forEach((k, l) -> {
                List<Run> sent = l.stream().filter(r -> r.seq() > 0).sorted(Comparator.comparingInt(Run::seq)).toList();
                for (int i = 1; i < sent.size(); i++) {
                    if (sent.get(i).enter() < sent.get(i - 1).enter()) {
                        v.add(k + ": sn " + sent.get(i).seq() + " started before sn " + sent.get(i - 1).seq());
                    }
                }
            });
            return v;
        }

        /** A key's runs on one process that did not count 1, 2, 3 ... in the order they started. */
        static List<String> countGaps(Collection<Run> runs) {
            List<String> v = new ArrayList<>();
            byKey(runs).forEach((k, l) -> {
                Map<Long, List<Long>> counts = new LinkedHashMap<>();
                l.forEach(r -> counts.computeIfAbsent(r.pid(), p -> new ArrayList<>()).add(r.seen()));
                counts.forEach((pid, seen) -> {
                    for (int i = 0; i < seen.size(); i++) {
                        if (seen.get(i) != i + 1) {
                            v.add(k + " on pid " + pid + " counted " + seen);
                            return;
                        }
                    }
                });
            });
            return v;
        }

        /** A key that ran on a process, then another, then the first again. */
        static List<String> movedBack(Collection<Run> runs) {
            List<String> v = new ArrayList<>();
            byKey(runs).forEach((k, l) -> {
                List<Long> visits = new ArrayList<>();
                l.forEach(r -> {
                    if (visits.isEmpty() || visits.getLast() != r.pid()) {
                        visits.add(r.pid());
                    }
                });
                if (visits.stream().distinct().count() < visits.size()) {
                    v.add(k + " went through pids " + visits);
                }
            });
            return v;
        }
    }

    /**
     * The 200 keys' clients: the HTTP keys {@code h-0 .. h-99}, and a Box connection per user
     * {@code b-0 .. b-99}, logged in through the probe's login cmd (keyless: any worker runs it) before
     * any keyed traffic.
     */
    static final class Keys implements AutoCloseable {

        final List<String> http = new ArrayList<>();
        final Map<String, BoxClient> boxes = new LinkedHashMap<>();
        /** Each connection's next sn; kept across traffic runs, so a connection's sns grow with time. */
        final Map<String, AtomicInteger> nextSn = new LinkedHashMap<>();

        static Keys open(Burst burst) throws IOException {
            Keys keys = new Keys();
            try {
                for (int i = 0; i < HTTP_KEYS; i++) {
                    keys.http.add("h-" + i);
                }
                for (int i = 0; i < BOX_KEYS; i++) {
                    String user = "b-" + i;
                    BoxClient box = burst.box();
                    keys.boxes.put(user, box);
                    BoxClient.Reply r = box.call(LOGIN, 1, user);
                    assertEquals("ok", r.text(), "login of " + user + ": ret " + r.ret());
                    keys.nextSn.put(user, new AtomicInteger(2));
                }
                return keys;
            } catch (IOException | RuntimeException | Error e) {
                keys.close();
                throw e;
            }
        }

        @Override
        public void close() throws IOException {
            for (BoxClient b : boxes.values()) {
                b.close();
            }
        }
    }

    /**
     * A connection logged in as one key, whose requests hold its slot's worker (the probe's
     * {@code hold <file>}) while more of the key's requests wait behind, until the test releases it.
     */
    static final class Held implements AutoCloseable {

        private final String key;
        private final BoxClient box;
        private final Path release;
        private int nextSn = 2;
        private int unanswered;

        private Held(String key, BoxClient box, Path release) {
            this.key = key;
            this.box = box;
            this.release = release;
        }

        static Held open(Burst burst, String key, Path release) throws IOException {
            BoxClient box = burst.box();
            BoxClient.Reply r = box.call(LOGIN, 1, key);
            if (!r.text().equals("ok")) {
                box.close();
                fail("login of " + key + ": ret " + r.ret() + " " + r.text());
            }
            return new Held(key, box, release);
        }

        /** Sends, at once, {@code before} requests of 0 ms, the one that holds, and {@code after} of 0 ms. */
        void send(int cmd, int before, int after) throws IOException {
            for (int i = 0; i < before + 1 + after; i++) {
                box.send(cmd, nextSn++, i == before ? "hold " + release : "0");
            }
            unanswered += before + 1 + after;
        }

        /** Lets the holding request end. */
        void release() throws IOException {
            Files.createFile(release);
        }

        /** @return the runs of everything sent, in the order sent; each must have succeeded */
        List<Run> replies() throws IOException {
            List<Run> runs = new ArrayList<>();
            for (; unanswered > 0; unanswered--) {
                BoxClient.Reply r = box.read();
                assertEquals(0, r.ret(), "a request of the held key " + key + " failed: " + r.text());
                runs.add(Run.parse(key, r.sn(), r.text()));
            }
            runs.sort(Comparator.comparingInt(Run::seq));
            return runs;
        }

        /** Releases the hold if the test did not (a failed test), and closes the connection. */
        @Override
        public void close() throws IOException {
            if (!Files.exists(release)) {
                release();
            }
            box.close();
        }
    }

    /**
     * Concurrent clients of the 200 keys, one virtual thread each: two per HTTP key, each sending its
     * requests one after another; one per Box connection, sending {@code pipeline} requests at a time
     * and reading their replies. Bounded by {@code rounds} per client, and stopped by {@link #close()}.
     * A reply that is not a success is a failure.
     */
    static final class Traffic implements AutoCloseable {

        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Queue<Run> runs = new ConcurrentLinkedQueue<>();
        private final List<String> failures = new CopyOnWriteArrayList<>();
        private final List<Thread> clients = new ArrayList<>();

        /**
         * @param cmd      the probe cmd to send
         * @param millis   how long each request sleeps in its handler
         * @param rounds   requests per HTTP client, batches per Box connection, at most
         * @param pipeline requests per batch of a Box connection
         */
        Traffic(Burst burst, Keys keys, int cmd, int millis, int rounds, int pipeline) {
            String body = Integer.toString(millis);
            for (String key : keys.http) {
                for (int c = 0; c < 2; c++) {
                    clients.add(Thread.ofVirtual().name("http-" + key + "-" + c).start(() -> {
                        for (int n = 0; n < rounds && running.get(); n++) {
                            try {
                                HttpResponse<String> r = post(burst, cmd, Optional.of(key), body);
                                if (r.statusCode() == 200) {
                                    runs.add(Run.parse(key, 0, r.body()));
                                } else {
                                    failures.add("http " + key + ": " + r.statusCode() + " "
                                            + r.headers().firstValue("Burst-Ret").orElse("") + " " + r.body());
                                }
                            } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
                                failures.add("http " + key + ": " + e);
                                return;
                            }
                        }
                    }));
                }
            }
            keys.boxes.forEach((user, box) -> {
                AtomicInteger sn = keys.nextSn.get(user);
                clients.add(Thread.ofVirtual().name("box-" + user).start(() -> {
                    try {
                        for (int n = 0; n < rounds && running.get(); n++) {
                            int first = sn.getAndAdd(pipeline);
                            for (int i = 0; i < pipeline; i++) {
                                box.send(cmd, first + i, body);
                            }
                            for (int i = 0; i < pipeline; i++) {
                                BoxClient.Reply r = box.read();
                                if (r.ret() == 0 && r.sn() >= first && r.sn() < first + pipeline) {
                                    runs.add(Run.parse(user, r.sn(), r.text()));
                                } else {
                                    failures.add("box " + user + " sn " + r.sn() + ": ret " + r.ret() + " " + r.text());
                                }
                            }
                        }
                    } catch (IOException | RuntimeException | AssertionError e) {
                        failures.add("box " + user + ": " + e);
                    }
                }));
            });
        }

        /** Waits until every client has sent its rounds. */
        void await(Duration within) throws InterruptedException {
            Instant deadline = Instant.now().plus(within);
            for (Thread t : clients) {
                if (!t.join(Duration.between(Instant.now(), deadline).plusMillis(1))) {
                    fail("the clients did not finish within " + within + "; failures: " + failures);
                }
            }
        }

        /** Waits until n runs match. */
        void awaitRuns(Predicate<Run> which, long n, Duration within) {
            Instant deadline = Instant.now().plus(within);
            while (runs.stream().filter(which).count() < n) {
                if (Instant.now().isAfter(deadline)) {
                    fail("fewer than " + n + " matching runs within " + within + " (" + runs.size()
                            + " runs in all); failures: " + failures);
                }
                if (!failures.isEmpty() && clients.stream().noneMatch(Thread::isAlive)) {
                    fail("every client stopped; failures: " + failures);
                }
                Burst.pause(20);
            }
        }

        /** @return the runs so far */
        List<Run> runs() {
            return List.copyOf(runs);
        }

        /** @return the failures so far */
        List<String> failures() {
            return List.copyOf(failures);
        }

        /** Stops the clients after their current request or batch, and waits for them. */
        @Override
        public void close() throws InterruptedException {
            running.set(false);
            await(WAIT);
        }
    }
}
