package dev.burst.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Issue 15's same-run comparison: one wrk load ({@code wrk -t1 -c16}, the wording) against burst,
 * the plain Helidon baseline and the {@link GunicornNginx} peer, one after the other, each after its own
 * warm-up, with the CPU and system calls of each one's processes per request beside it.
 *
 * @param threads     wrk's threads (1)
 * @param connections wrk's connections (16)
 * @param peer        what the peer runs ({@link GunicornNginx#description()})
 * @param burst       burst's side (proxy, workers, master; client = wrk)
 * @param helidon     the Helidon baseline's side (baseline; client)
 * @param gunicornNginx the peer's side (gunicorn = its master and workers, nginx = its master and workers; client)
 */
record PeerComparison(int threads, int connections, String peer, Scenario.Side burst, Scenario.Side helidon,
                      Scenario.Side gunicornNginx) {

    /** @return the scenario's name in the table and the JSON: "wrk-t1-c16" */
    String name() {
        return "wrk-t" + threads + "-c" + connections;
    }

    /** @return burst's throughput over gunicorn+nginx's (issue 15: at least 3.5) */
    double overPeer() {
        return ratio(burst, gunicornNginx);
    }

    /** @return burst's throughput over plain Helidon's (issue 15: at least 0.55) */
    double overHelidon() {
        return ratio(burst, helidon);
    }

    static double ratio(Scenario.Side a, Scenario.Side b) {
        double d = b.stats().throughput();
        return d == 0 ? 0 : a.stats().throughput() / d;
    }

    Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name());
        m.put("tool", "wrk");
        m.put("threads", threads);
        m.put("connections", connections);
        m.put("peer", peer);
        m.put("burst", burst.json());
        m.put("helidon", helidon.json());
        m.put("gunicorn_nginx", gunicornNginx.json());
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("burst_over_gunicorn_nginx", overPeer());
        r.put("burst_over_helidon", overHelidon());
        m.put("throughput_ratios", r);
        return m;
    }
}
