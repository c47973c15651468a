package dev.burst.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PeerComparisonTest {

    /** Made-up: burst 33,800 req/s, Helidon 74,200, gunicorn+nginx 12,300 (the figures). */
    private static PeerComparison comparison() {
        return new PeerComparison(1, 16, "gunicorn 2 sync workers behind nginx", side(33_800, ordered("proxy", 29.0, "workers", 10.0)),
                side(74_200, Map.of("baseline", 14.0)), side(12_300, ordered("gunicorn", 75.0, "nginx", 50.0)));
    }

    private static Map<String, Double> ordered(String k1, double v1, String k2, double v2) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put(k1, v1);
        m.put(k2, v2);
        return m;
    }

    private static Scenario.Side side(double perSecond, Map<String, Double> cpu) {
        LoadStats stats = new LoadStats("wrk", Math.round(perSecond * 10), 0, 10, 0.5, 0.9, 2.0, 9.0, List.of(), Optional.empty(), "");
        return new Scenario.Side(stats, new LinkedHashMap<>(cpu), Map.of(), 99, 3);
    }

    @Test
    void burst_is_set_against_gunicorn_nginx_and_plain_helidon_by_throughput() {
        PeerComparison p = comparison();
        assertEquals("wrk-t1-c16", p.name());
        assertEquals(33_800.0 / 12_300, p.overPeer(), 1e-9);
        assertEquals(33_800.0 / 74_200, p.overHelidon(), 1e-9);
        assertEquals(0, PeerComparison.ratio(p.burst(), side(0, Map.of())), "no division by a peer that answered nothing");
    }

    @Test
    @SuppressWarnings("unchecked")
    void the_json_has_the_three_sides_and_both_ratios() {
        Map<String, Object> json = comparison().json();
        assertEquals(1, json.get("threads"));
        assertEquals(16, json.get("connections"));
        for (String side : List.of("burst", "helidon", "gunicorn_nginx")) {
            assertTrue(((Map<String, Object>) json.get(side)).containsKey("cpu_us_per_request"), side);
        }
        Map<String, Object> ratios = (Map<String, Object>) json.get("throughput_ratios");
        assertEquals(33_800.0 / 12_300, (Double) ratios.get("burst_over_gunicorn_nginx"), 1e-9);
        assertEquals(33_800.0 / 74_200, (Double) ratios.get("burst_over_helidon"), 1e-9);
    }

    @Test
    void the_targets_are_three_and_a_half_times_gunicorn_nginx_and_half_of_helidon_and_a_bit() {
        List<Map<String, Object>> t = new ArrayList<>();
        Report.speedTargets(List.of(), Startup.firstOnly(100, List.of()), new Report.Peer(Optional.of(comparison()), Optional.empty()), t);
        assertEquals(2, t.size(), t.toString());
        assertEquals("wrk-t1-c16: burst / gunicorn+nginx req/s", t.get(0).get("name"));
        assertEquals(">= 3.5", t.get(0).get("target"));
        assertEquals(false, t.get(0).get("met"));
        assertEquals("issue 15; 33800 against 12300 req/s", t.get(0).get("why"));
        assertEquals("wrk-t1-c16: burst / plain Helidon req/s", t.get(1).get("name"));
        assertEquals(">= 0.55", t.get(1).get("target"));
        assertEquals(false, t.get(1).get("met"));
    }

    @Test
    void the_table_has_a_row_per_server_and_the_ratios_or_why_the_peer_was_skipped() {
        StringBuilder sb = new StringBuilder();
        Report.peerTable(sb, new Report.Peer(Optional.of(comparison()), Optional.empty()));
        String table = sb.toString();
        assertTrue(table.contains("same-run comparison, wrk -t1 -c16"), table);
        assertTrue(table.lines().anyMatch(l -> l.startsWith("wrk-t1-c16   burst         33800    0.500    2.000")), table);
        assertTrue(table.lines().anyMatch(l -> l.startsWith("             helidon       74200")), table);
        assertTrue(table.lines().anyMatch(l -> l.startsWith("             peer          12300") && l.contains("gunicorn 75 nginx 50")),
                table);
        assertTrue(table.contains("2.75x   burst / gunicorn+nginx (target >= 3.5x)"), table);
        assertTrue(table.contains("0.46x   burst / plain Helidon (target >= 0.55x)"), table);

        StringBuilder skipped = new StringBuilder();
        Report.peerTable(skipped, new Report.Peer(Optional.empty(), Optional.of("gunicorn is not installed")));
        assertEquals("\ngunicorn+nginx comparison skipped: gunicorn is not installed\n", skipped.toString());
        StringBuilder none = new StringBuilder();
        Report.peerTable(none, Report.Peer.none());
        assertEquals("", none.toString());
    }
}
