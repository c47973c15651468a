package dev.burst.container.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
