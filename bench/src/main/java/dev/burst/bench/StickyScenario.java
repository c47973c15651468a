package dev.burst.bench;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Sticky keys (issue 13): the echo over HTTP, every request with a header {@code Burst-Key} drawn at random
 * from N keys ({@code k1 .. kN}, wrk's {@code wrk-report.lua}), against two bursts started for it, alike
 * but for their group's route: {@code route=any} (which carries the key to the handler but routes as
 * ever) and {@code route=key} (with {@code keyless=reject}, so a request that lost its key would fail
 * instead of running anywhere). Besides throughput and latency, how evenly the tasks of the measured
 * window spread: over the worker slots (stat's {@code groups.<g>.keys.slots[].ran}, route=key only) and
 * over the workers ({@code workers_detail[].tasks}), each as max / mean.
 *
 * <p>HTTP, not Box: a Box task's key is the user its connection logged in as, so 16 Box connections carry
 * 16 keys; a header per request gives 10,000 keys over 16 connections.
 *
 * <p>Threads: the caller's (the benchmark's main thread); wrk runs in its own process.
 */
final class StickyScenario {

    private StickyScenario() {
    }

    /**
     * One route's run.
     *
     * @param route          "any" or "key"
     * @param load           what wrk measured, with the CPU per request
     * @param tasksPerWorker tasks each worker was given in the measured window, by worker id
     * @param tasksPerSlot   tasks each slot ran in it (route=key), by slot; empty for route=any
     */
    record Side(String route, Scenario.Side load, Map<String, Long> tasksPerWorker, Map<Integer, Long> tasksPerSlot) {

        Optional<Double> workerImbalance() {
            return imbalance(tasksPerWorker.values());
        }

        Optional<Double> slotImbalance() {
            return imbalance(tasksPerSlot.values());
        }

        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("route", route);
            m.putAll(load.json());
            m.put("tasks_per_worker", new LinkedHashMap<>(tasksPerWorker));
            m.put("worker_imbalance", workerImbalance().orElse(null));
            if (!tasksPerSlot.isEmpty()) {
                Map<String, Long> slots = new LinkedHashMap<>();
                tasksPerSlot.forEach((slot, n) -> slots.put(Integer.toString(slot), n));
                m.put("tasks_per_slot", slots);
                m.put("slot_imbalance", slotImbalance().orElse(null));
            }
            return m;
        }
    }

    /**
     * The scenario's result.
     *
     * @param name        "sticky-c16"
     * @param keys        keys drawn from
     * @param connections wrk's connections
     * @param any         route=any
     * @param key         route=key
     * @param plain       the plain HTTP scenario of the same run at that connection count (no key header), if it ran
     * @param logs        the files beside the results holding the two bursts' logs, by route
     */
    record Result(String name, int keys, int connections, Side any, Side key, Optional<Scenario.Result> plain, Map<String, String> logs) {

        /** @return route=key's throughput over route=any's; 0 when route=any served nothing */
        double keyOverAny() {
            double a = any.load().stats().throughput();
            return a == 0 ? 0 : key.load().stats().throughput() / a;
        }

        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", name);
            m.put("protocol", "http");
            m.put("keys", keys);
            m.put("connections", connections);
            m.put("key_header", "Burst-Key: k1 .. k" + keys + ", drawn at random (uniform) per request by wrk");
            m.put("route_any", any.json());
            m.put("route_key", key.json());
            m.put("key_over_any", keyOverAny());
            plain.ifPresent(p -> {
                Map<String, Object> n = new LinkedHashMap<>();
                n.put("scenario", p.scenario().name());
                n.put("throughput", p.burst().stats().throughput());
                n.put("p50_ms", p.burst().stats().p50Ms());
                n.put("p99_ms", p.burst().stats().p99Ms());
                m.put("plain", n);
            });
            m.put("burst_logs", new TreeMap<>(logs));
            return m;
        }
    }

    /** @return the largest count over the mean; empty without counts or when they sum to 0 */
    static Optional<Double> imbalance(Collection<Long> counts) {
        long sum = counts.stream().mapToLong(Long::longValue).sum();
        if (counts.isEmpty() || sum == 0) {
            return Optional.empty();
        }
        long max = counts.stream().mapToLong(Long::longValue).max().orElseThrow();
        return Optional.of(max / ((double) sum / counts.size()));
    }
}
