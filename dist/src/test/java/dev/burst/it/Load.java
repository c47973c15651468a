package dev.burst.it;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Concurrent clients, half over HTTP and half over Box, each sending one cmd in a loop until stopped
 * (bounded by a request count too). Every answer that is not a success with an allowed body is a failure.
 */
final class Load implements AutoCloseable {

    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong ok = new AtomicLong();
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final Set<String> bodies = ConcurrentHashMap.newKeySet();
    private final List<Thread> threads = new ArrayList<>();

    /**
     * @param burst   the server
     * @param clients how many clients (even: half HTTP, half Box)
     * @param cmd     the cmd every client sends
     * @param body    the request body
     * @param allowed the reply bodies that count as success; empty = the request body echoed
     * @param max     requests per client at most
     */
    Load(Burst burst, int clients, int cmd, String body, Set<String> allowed, int max) {
        for (int i = 0; i < clients; i++) {
            boolean http = i % 2 == 0;
            int client = i;
            threads.add(Thread.ofPlatform().name("load-" + i).start(() -> {
                try (BoxClient box = http ? null : burst.box()) {
                    for (int n = 0; n < max && running.get(); n++) {
                        String got;
                        if (http) {
                            HttpResponse<byte[]> r = burst.post(Integer.toString(cmd), body);
                            got = new String(r.body(), StandardCharsets.UTF_8);
                            if (r.statusCode() != 200) {
                                failures.add("http " + r.statusCode() + " " + got);
                                continue;
                            }
                        } else {
                            BoxClient.Reply r = box.call(cmd, client * 1_000_000 + n, body);
                            got = r.text();
                            if (r.ret() != 0) {
                                failures.add("box ret " + r.ret());
                                continue;
                            }
                        }
                        if (allowed.isEmpty() ? !got.equals(body) : !allowed.contains(got)) {
                            failures.add("unexpected reply '" + got + "'");
                            continue;
                        }
                        bodies.add(got);
                        ok.incrementAndGet();
                    }
                } catch (Exception e) {
                    failures.add("client " + client + ": " + e);
                }
            }));
        }
    }

    long ok() {
        return ok.get();
    }

    List<String> failures() {
        return List.copyOf(failures);
    }

    Set<String> bodies() {
        return Set.copyOf(bodies);
    }

    /** Stops the clients and waits for them. */
    @Override
    public void close() throws InterruptedException {
        running.set(false);
        for (Thread t : threads) {
            t.join(60_000);
        }
    }
}
