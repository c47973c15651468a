package dev.burst.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatViewTest {

    private static JsonNode json(String text) throws Exception {
        return new ObjectMapper().readTree(text);
    }

    private static List<String> lines(String text) {
        return text.lines().toList();
    }

    private static void assertHasLine(String text, String line) {
        assertTrue(lines(text).contains(line), () -> "no line '" + line + "' in:\n" + text);
    }

    @Test
    void the_totals_block_pairs_names_with_right_aligned_values() throws Exception {
        String text = StatView.values().render(json(AdminStub.stat(0)));

        assertEquals("totals", lines(text).getFirst());
        assertHasLine(text, "  uptime               12.5 s  generation      3  clients        4");
        assertHasLine(text, "  client_req             1000  client_rsp    998  pending_tasks  3");
        assertHasLine(text, "  worker_req              990  worker_rsp    988  discard_tasks  2");
        assertHasLine(text, "  workers                   4  idle_workers    2  busy_workers   2");
        assertHasLine(text, "  rejects                   2  timeouts        0  workers_lost   0");
        assertHasLine(text, "  admin_auth_failures       0");
    }

    @Test
    void each_group_is_a_row_with_its_counts_and_latency_percentiles() throws Exception {
        String text = StatView.values().render(json(AdminStub.stat(0)));

        assertHasLine(text, "groups (latency in ms)");
        assertHasLine(text, "  group    workers  idle  busy  pending  discard  req  rsp  rejects  timeouts  lost"
                + "   p50   p90   p99   max");
        assertHasLine(text, "  default        2     1     1        0        0  500  499        0         0     0"
                + "  0.20  0.50  1.20  3.40");
        assertHasLine(text, "  game           2     1     1        3        2  500  499        2         0     0"
                + "  12.3  48.0   250  1200");
    }

    @Test
    void cmds_are_listed_by_number_and_tasks_time_buckets_in_order_with_more_last() throws Exception {
        String text = StatView.values().render(json(AdminStub.stat(0)));

        List<String> l = lines(text);
        int echo = l.indexOf("    1  default  echo       400       0  0.20  0.50  1.20  3.40");
        int time = l.indexOf("    2  default  time       100       0  0.10  0.30  0.90  2.00");
        int move = l.indexOf("   10  game     move       500       3  12.3  48.0   250  1200");
        assertTrue(echo > 0 && echo < time && time < move, text);
        assertHasLine(text, "  group     10  50  100  500  1000  5000  more");
        assertHasLine(text, "  all      900  50   10    3     0     0     0");
        assertHasLine(text, "  game     450  10    2    2     0     0     0");
    }

    @Test
    void workers_show_pid_state_generation_uptime_tasks_restarts_and_rss_in_mebibytes() throws Exception {
        String text = StatView.values().render(json(AdminStub.stat(0)));

        assertHasLine(text, "  worker      pid  state     gen  uptime  tasks  restarts  rss_mib");
        assertHasLine(text, "  default#1  4121  READY       3  30.1 s    250         0     50.0");
        assertHasLine(text, "  game#1     4123  SWAPPING    3  1h 02m    300         1    100.0");
        assertHasLine(text, "  game#2     4124  STARTING    3   0.4 s      0         2        -");
    }

    @Test
    void workers_follow_the_order_of_the_groups_then_their_slots() throws Exception {
        String text = StatView.values().render(json("""
                {"groups":{"game":{},"default":{}},"workers_detail":[
                 {"id":"default#1","group":"default","slot":1},{"id":"game#2","group":"game","slot":2},
                 {"id":"game#1","group":"game","slot":1},{"id":"default#2","group":"default","slot":2}]}"""));

        List<String> ids = lines(text).stream().filter(l -> l.matches("  \\w+#\\d+ .*"))
                .map(l -> l.strip().split(" ")[0]).toList();
        assertEquals(List.of("game#1", "game#2", "default#1", "default#2"), ids, text);
    }

    @Test
    void the_plugin_generation_and_the_last_reload_end_the_text() throws Exception {
        List<String> l = lines(StatView.values().render(json(AdminStub.stat(0))));

        assertEquals(List.of("plugins: generation 3, hello, game",
                "last reload: ok, generation 3 serving on 2 worker(s) in 150 ms"), l.subList(l.size() - 2, l.size()));
    }

    @Test
    void a_failed_reload_lists_its_failures_whatever_their_shape() throws Exception {
        String text = StatView.values().render(json("""
                {"last_reload":{"ok":false,"summary":"generation 4 failed; generation 3 keeps serving",
                 "failures":["broken.jar: no plugin class",{"worker":"default#1","error":"boot failed"}]}}"""));

        assertTrue(text.endsWith("""
                last reload: FAILED, generation 4 failed; generation 3 keeps serving
                  broken.jar: no plugin class
                  worker: default#1, error: boot failed
                """), text);
    }

    @Test
    void a_sparse_stat_renders_dashes_and_leaves_out_empty_tables() throws Exception {
        String text = StatView.values().render(json("{\"uptime_seconds\":1.0,\"last_reload\":null,\"groups\":{}}"));

        assertHasLine(text, "  client_req               -  client_rsp    -  pending_tasks  -");
        assertFalse(text.contains("groups ("), text);
        assertFalse(text.contains("workers\n"), text);
        assertTrue(text.endsWith("plugins: -\nlast reload: none\n"), text);
    }

    @Test
    void with_changes_counters_show_their_growth_and_gauges_their_value() throws Exception {
        JsonNode before = json(AdminStub.stat(0));
        JsonNode after = json(AdminStub.stat(2));

        String text = StatView.changes(StatDiff.between(before, after)).render(after);

        assertHasLine(text, "  client_req              +20  client_rsp    +0  pending_tasks   3");
        assertHasLine(text, "  workers                   4  idle_workers   2  busy_workers    2");
        assertHasLine(text, "  default        2     1     1        0       +0   +0   +0       +0        +0    +0"
                + "  0.20  0.50  1.20  3.40");
        assertHasLine(text, "  default#1  4121  READY       3  30.1 s    +10        +0     50.0");
        assertHasLine(text, "  all      +0  +0   +0   +0    +0    +0    +0");
    }
}
