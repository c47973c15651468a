package dev.burst.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * State that survives a reload, end to end with the counter example ({@code plugins/counter}) in a group
 * of two workers routing by key: clients add to counts over HTTP ({@code Burst-Key}) and Box (logged-in
 * users) while reloads swap the jar, and every count must equal exactly what its adds acknowledged.
 * Each key belongs to one client, so each reply is checked too: it must be the key's acknowledged total
 * plus the amount just added, the moment a generation loses or doubles a count. The income timer is off
 * ({@code burst.plugin.counter.income=0}) where counts are compared, so they have no other source.
 */
class HandoffIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final int LOGIN = 110;
    private static final int ADD = 111;
    private static final int GET = 112;

    @Test
    void counts_survive_twenty_reloads_under_concurrent_load_each_equal_to_the_adds_acknowledged(@TempDir Path home)
            throws Exception {
        try (Burst burst = counter(home, "0"); Adders adders = new Adders(burst, 4, 4, 5)) {
            adders.awaitAcks(100);
            for (int k = 1; k <= 20; k++) {
                burst.deploy(k % 2 == 1 ? "counter-v2" : "counter", "counter");
                String outcome = burst.reload();
                assertTrue(outcome.contains("generation " + (k + 1) + " serving on 2 worker(s)"), outcome);
            }
            adders.awaitAcks(adders.ok() + 100);
            adders.close();

            assertEquals(List.of(), adders.firstFailures(), adders.failed() + " adds failed, the first shown");
            assertTrue(adders.ok() > 500, "the load ran: " + adders.ok() + " adds acknowledged");
            for (Map.Entry<String, Long> key : adders.acknowledged().entrySet()) {
                assertEquals(Long.toString(key.getValue()), get(burst, key.getKey()), "count of " + key.getKey());
            }
            assertEquals(40, burst.count("took over the state of generation"),
                    "each reload handed off on both workers");
            List<Integer> last = entriesTakenOver(burst, 21);
            assertEquals(2, last.size(), last.toString());
            assertTrue(last.get(0) > 0 && last.get(1) > 0, "both workers held counts: " + last);
            assertEquals(adders.acknowledged().size(), last.get(0) + last.get(1),
                    "every key's count is on exactly one worker");
        }
    }

    @Test
    void a_next_version_that_refuses_the_counts_fails_the_reload_and_the_old_one_keeps_them_and_serves_on(
            @TempDir Path home) throws Exception {
        try (Burst burst = counter(home, "0"); Adders adders = new Adders(burst, 2, 2, 5)) {
            adders.awaitAcks(100);
            List<Long> pids = burst.workerPids();

            burst.deploy("counter-refuse", "counter");
            String outcome = burst.reload();
            adders.awaitAcks(adders.ok() + 100);

            assertTrue(outcome.contains("generation 2 refused, generation 1 still serving"), outcome);
            assertTrue(outcome.contains("plugin counter: takeOver() refused the state generation 1 handed off ("),
                    "the outcome names the plugin: " + outcome);
            assertTrue(outcome.contains("counter-refuse cannot read the"), "and its reason: " + outcome);
            assertEquals(1, burst.count("cannot start generation 2"), "only the canary tried generation 2");
            assertEquals(pids, burst.workerPids(), "no worker died or was replaced");

            burst.deploy("counter", "counter");
            assertTrue(burst.reload().contains("generation 3 serving on 2 worker(s)"));
            adders.awaitAcks(adders.ok() + 100);
            adders.close();

            assertEquals(List.of(), adders.firstFailures(), adders.failed() + " adds failed, the first shown");
            for (Map.Entry<String, Long> key : adders.acknowledged().entrySet()) {
                assertEquals(Long.toString(key.getValue()), get(burst, key.getKey()), "count of " + key.getKey());
            }
        }
    }

    @Test
    void income_is_added_each_second_and_goes_on_from_the_count_after_a_reload(@TempDir Path home) throws Exception {
        try (Burst burst = counter(home, "1")) {
            assertEquals("1000", add(burst, "ann", "1000"));
            burst.await(() -> count(burst, "ann") >= 1002, "income reached ann's count", WAIT);
            long before = count(burst, "ann");

            burst.deploy("counter-v2", "counter");
            assertTrue(burst.reload().contains("generation 2 serving on 2 worker(s)"));
            long after = count(burst, "ann");

            assertTrue(after >= before, "the count went on from " + before + ", not from 0: " + after);
            burst.await(() -> count(burst, "ann") > after, "the new generation's income timer ticks", WAIT);
        }
    }

    @Test
    void in_a_group_that_routes_to_any_worker_the_counter_answers_that_it_needs_route_key(@TempDir Path home)
            throws Exception {
        try (Burst burst = Burst.in(home).plugin("counter").set("burst.group.default.workers", "2").start()) {
            burst.awaitWorkers(2, WAIT);

            HttpResponse<String> r = call(burst, ADD, "ann", "1");

            assertEquals("3", r.headers().firstValue("Burst-Ret").orElse("none"));
            assertEquals("counter needs burst.group.default.route=key: with any other routing each worker keeps "
                    + "counts of its own", r.body());
            assertEquals(2, burst.count("counter needs burst.group.default.route=key"), "each worker logged it");
        }
    }

    // ---- helpers ----

    /** A burst serving the counter in the default group: two workers, routing by key, with this income. */
    private static Burst counter(Path home, String income) throws IOException {
        Burst burst = Burst.in(home).plugin("counter")
                .set("burst.group.default.workers", "2")
                .set("burst.group.default.route", "key")
                .set("burst.plugin.counter.income", income)
                .start();
        burst.awaitWorkers(2, WAIT);
        return burst;
    }

    /** @return how many entries each worker's counter took over into this generation, from the log */
    private static List<Integer> entriesTakenOver(Burst burst, int generation) {
        Pattern line = Pattern.compile("plugin counter of generation " + generation + " took over the state of "
                + "generation " + (generation - 1) + " \\((\\d+) entries");
        List<Integer> entries = new ArrayList<>();
        burst.log().lines().forEach(l -> {
            Matcher m = line.matcher(l);
            if (m.find()) {
                entries.add(Integer.parseInt(m.group(1)));
            }
        });
        return entries;
    }

    private static HttpResponse<String> call(Burst burst, int cmd, String key, String body)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + burst.httpPort + "/cmd/" + cmd))
                .timeout(WAIT)
                .header("Burst-Key", key)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** @return the reply to add, which must succeed */
    private static String add(Burst burst, String key, String amount) throws IOException, InterruptedException {
        HttpResponse<String> r = call(burst, ADD, key, amount);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("0", r.headers().firstValue("Burst-Ret").orElse("none"), r.body());
        return r.body();
    }

    /** @return the reply to get, which must succeed */
    private static String get(Burst burst, String key) throws IOException, InterruptedException {
        HttpResponse<String> r = call(burst, GET, key, "");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("0", r.headers().firstValue("Burst-Ret").orElse("none"), r.body());
        return r.body();
    }

    private static long count(Burst burst, String key) {
        try {
            return Long.parseLong(get(burst, key));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Clients adding to counts until closed (and at most 100,000 adds each): HTTP clients, each with keys of
     * its own sent as {@code Burst-Key}, and Box clients, each logged in as a user of its own (its key).
     * Each client checks every reply against its own tally of the key, and tallies only what was acknowledged.
     */
    private static final class Adders implements AutoCloseable {

        private static final int MAX_ADDS = 100_000;

        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicLong ok = new AtomicLong();
        private final List<String> failures = new CopyOnWriteArrayList<>();
        private final Map<String, Long> acknowledged = new ConcurrentHashMap<>();
        private final List<Thread> threads = new ArrayList<>();

        /**
         * @param httpClients   clients over HTTP
         * @param boxClients    clients over Box
         * @param keysPerClient keys each HTTP client adds to, in turn
         */
        Adders(Burst burst, int httpClients, int boxClients, int keysPerClient) {
            for (int i = 0; i < httpClients; i++) {
                List<String> keys = new ArrayList<>();
                for (int j = 0; j < keysPerClient; j++) {
                    keys.add("http-" + i + "-" + j);
                }
                threads.add(Thread.ofPlatform().name("adder-http-" + i).start(() -> addOverHttp(burst, keys)));
            }
            for (int i = 0; i < boxClients; i++) {
                String user = "box-" + i;
                int client = i;
                threads.add(Thread.ofPlatform().name("adder-box-" + i).start(() -> addOverBox(burst, client, user)));
            }
        }

        private void addOverHttp(Burst burst, List<String> keys) {
            try {
                for (int n = 0; n < MAX_ADDS && running.get(); n++) {
                    String key = keys.get(n % keys.size());
                    long amount = 1 + n % 3;
                    HttpResponse<String> r = call(burst, ADD, key, Long.toString(amount));
                    String ret = r.headers().firstValue("Burst-Ret").orElse("none");
                    if (r.statusCode() != 200 || !ret.equals("0")) {
                        failures.add("http " + key + ": status " + r.statusCode() + " ret " + ret + " " + r.body());
                        continue;
                    }
                    tally(key, amount, r.body());
                }
            } catch (IOException | InterruptedException | RuntimeException e) {
                failures.add("http client: " + e);
            }
        }

        private void addOverBox(Burst burst, int client, String user) {
            try (BoxClient box = burst.box()) {
                BoxClient.Reply login = box.call(LOGIN, client * 1_000_000 + 1, user); // keyless: any worker
                if (login.ret() != 0) {
                    failures.add("box login " + user + ": ret " + login.ret() + " " + login.text());
                    return;
                }
                for (int n = 2; n < MAX_ADDS && running.get(); n++) {
                    long amount = 1 + n % 3;
                    BoxClient.Reply r = box.call(ADD, client * 1_000_000 + n, Long.toString(amount));
                    if (r.ret() != 0) {
                        failures.add("box " + user + ": ret " + r.ret() + " " + r.text());
                        continue;
                    }
                    tally(user, amount, r.text());
                }
            } catch (IOException | RuntimeException e) {
                failures.add("box client " + user + ": " + e);
            }
        }

        /** Checks a reply against the key's tally (this thread's alone) and counts the add in. */
        private void tally(String key, long amount, String reply) {
            long expected = acknowledged.getOrDefault(key, 0L) + amount;
            if (!reply.equals(Long.toString(expected))) {
                failures.add(key + ": add " + amount + " answered " + reply + ", expected " + expected);
                acknowledged.put(key, Long.parseLong(reply)); // go on from what the server says, the failure stands
                return;
            }
            acknowledged.put(key, expected);
            ok.incrementAndGet();
        }

        /** Waits until this many adds were acknowledged in all, at most a minute. */
        void awaitAcks(long n) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (ok.get() < n && failures.isEmpty()) {
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("only " + ok.get() + " of " + n + " adds acknowledged within " + WAIT);
                }
                Thread.sleep(10);
            }
        }

        long ok() {
            return ok.get();
        }

        /** @return the first 20 failures */
        List<String> firstFailures() {
            return failures.stream().limit(20).toList();
        }

        int failed() {
            return failures.size();
        }

        /** @return per key, the sum of its acknowledged adds; read once the clients stopped */
        Map<String, Long> acknowledged() {
            return acknowledged;
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join(WAIT.toMillis());
            }
        }
    }
}
