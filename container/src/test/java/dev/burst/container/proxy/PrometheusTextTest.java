package dev.burst.container.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.burst.container.proxy.dispatch.Latency;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {

    /** @return the metric family of each sample line, in the order written */
    private static List<String> familyOfEachLine(String text) {
        List<String> families = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("# TYPE ")) {
                families.add("TYPE " + line.split(" ")[2]);
            } else if (!line.startsWith("#")) {
                families.add(line.replaceAll("[{ ].*", "").replaceAll("_(bucket|sum|count)$", ""));
            }
        }
        return families;
    }

    @Test
    void samples_given_group_by_group_are_written_family_by_family() {
        PrometheusText p = new PrometheusText();
        PrometheusText.Family requests = p.family("burst_requests_total", "counter", "Answered requests.");
        PrometheusText.Family depth = p.family("burst_queue_depth", "gauge", "Queued tasks.");
        for (String group : List.of("a", "b", "c")) {
            requests.sample("{group=\"" + group + "\"}", 1);
            depth.sample("{group=\"" + group + "\"}", 2);
        }

        assertEquals(List.of("TYPE burst_requests_total", "burst_requests_total", "burst_requests_total",
                "burst_requests_total", "TYPE burst_queue_depth", "burst_queue_depth", "burst_queue_depth",
                "burst_queue_depth"), familyOfEachLine(p.text()));
    }

    @Test
    void a_histogram_writes_cumulative_buckets_then_sum_and_count_under_one_type_line() {
        PrometheusText p = new PrometheusText();
        Latency l = new Latency();
        l.record(1_000_000);
        l.record(3_000_000_000L);
        p.family("burst_request_duration_seconds", "histogram", "Time.").histogram("group=\"a\"", l);

        String text = p.text();
        assertEquals(1, text.lines().filter(s -> s.startsWith("# TYPE burst_request_duration_seconds histogram")).count());
        assertTrue(text.contains("burst_request_duration_seconds_bucket{group=\"a\",le=\"+Inf\"} 2"), text);
        assertTrue(text.contains("burst_request_duration_seconds_count{group=\"a\"} 2"), text);
        long previous = 0;
        for (String line : text.lines().filter(s -> s.contains("_bucket{")).toList()) {
            long v = Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
            assertTrue(v >= previous, "cumulative: " + line);
            previous = v;
        }
    }

    @Test
    void the_gateway_families_read_stats_users_and_every_protocol_of_its_connections() throws Exception {
        JsonNode users = StatReport.JSON.readTree("""
                {"users_online":3,"connections":5,"logins":7,"logouts":1,"kicks":2,
                 "pushes":{"requested":4,"delivered":9,"offline":1,"dropped_slow":1},
                 "disconnect_events":{"closed_with_user":4,"queued":4,"run":3,"failed":1,"not_run":0}}""");
        JsonNode connections = StatReport.JSON.readTree("""
                {"http_in_progress":2,"workers_refused":0,
                 "box":{"open":4,"accepted":10,"refused":0},"ws":{"open":1,"accepted":1}}""");
        PrometheusText p = new PrometheusText();

        p.gateway(users, connections);

        String text = p.text();
        for (String sample : List.of("burst_users_online 3", "burst_connections{protocol=\"box\"} 4",
                "burst_connections{protocol=\"ws\"} 1", "burst_logins_total 7", "burst_logouts_total 1",
                "burst_kicks_total 2", "burst_pushes_total 4", "burst_push_outcomes_total{outcome=\"delivered\"} 9",
                "burst_push_outcomes_total{outcome=\"offline\"} 1",
                "burst_push_outcomes_total{outcome=\"dropped_slow\"} 1", "burst_user_disconnects_total 4",
                "burst_disconnect_events_total{state=\"queued\"} 4", "burst_disconnect_events_total{state=\"run\"} 3",
                "burst_disconnect_events_total{state=\"failed\"} 1",
                "burst_disconnect_events_total{state=\"not_run\"} 0")) {
            assertTrue(text.lines().anyMatch(sample::equals), "'" + sample + "' in\n" + text);
        }
        assertEquals(2, text.lines().filter(l -> l.startsWith("burst_connections{")).count(),
                "only the members with an open count are protocols:\n" + text);
        assertTrue(text.contains("# TYPE burst_users_online gauge\n"), text);
        assertTrue(text.contains("# TYPE burst_push_outcomes_total counter\n"), text);
    }
}
