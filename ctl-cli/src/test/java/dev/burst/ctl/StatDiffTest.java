package dev.burst.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatDiffTest {

    private static JsonNode json(String text) throws Exception {
        return new ObjectMapper().readTree(text);
    }

    @Test
    void each_counter_changes_by_its_growth_since_the_previous_sample() throws Exception {
        Map<String, Long> changes = StatDiff.between(json(AdminStub.stat(0)), json(AdminStub.stat(3)));

        assertEquals(30, changes.get("client_req"));
        assertEquals(0, changes.get("client_rsp"));
        assertEquals(15, changes.get("workers/default#1/tasks"));
        assertEquals(0, changes.get("workers/game#1/restarts"));
        assertEquals(0, changes.get("groups/game/rejects"));
        assertEquals(0, changes.get("cmds/10/errors"));
        assertEquals(0, changes.get("tasks_time/more"));
        assertEquals(0, changes.get("groups/default/tasks_time/50"));
    }

    @Test
    void gauges_and_latencies_are_not_counters() throws Exception {
        Map<String, Long> counters = StatDiff.counters(json(AdminStub.stat(0)));

        for (String gauge : new String[] {"clients", "workers", "idle_workers", "busy_workers", "pending_tasks",
                "generation", "uptime_seconds", "groups/default/workers", "groups/default/pending_tasks",
                "groups/default/latency_ms/p50", "workers/default#1/pid", "workers/default#1/rss_bytes"}) {
            assertFalse(counters.containsKey(gauge), gauge + " is not a counter");
        }
        assertEquals(1000, counters.get("client_req"));
        assertEquals(900, counters.get("tasks_time/10"));
        assertEquals(500, counters.get("cmds/10/requests"));
    }

    @Test
    void a_counter_that_shrank_was_restarted_and_changed_by_its_whole_value() throws Exception {
        JsonNode before = json("""
                {"client_req":1000,"workers_detail":[{"id":"game#1","pid":10,"tasks":300,"restarts":0}]}""");
        JsonNode after = json("""
                {"client_req":40,"workers_detail":[{"id":"game#1","pid":11,"tasks":7,"restarts":1}]}""");

        Map<String, Long> changes = StatDiff.between(before, after);

        assertEquals(40, changes.get("client_req"));
        assertEquals(7, changes.get("workers/game#1/tasks"));
        assertEquals(1, changes.get("workers/game#1/restarts"));
    }

    @Test
    void a_new_group_cmd_or_worker_changed_by_its_whole_value_and_a_gone_one_is_not_listed() throws Exception {
        JsonNode before = json("""
                {"groups":{"old":{"client_req":5}},"cmds":{}}""");
        JsonNode after = json("""
                {"groups":{"new":{"client_req":3,"tasks_time":{"10":3}}},"cmds":{"7":{"requests":2,"errors":1}}}""");

        Map<String, Long> changes = StatDiff.between(before, after);

        assertEquals(3, changes.get("groups/new/client_req"));
        assertEquals(3, changes.get("groups/new/tasks_time/10"));
        assertEquals(2, changes.get("cmds/7/requests"));
        assertEquals(1, changes.get("cmds/7/errors"));
        assertTrue(changes.keySet().stream().noneMatch(k -> k.startsWith("groups/old")));
    }

    @Test
    void fields_the_client_does_not_know_are_ignored() throws Exception {
        Map<String, Long> changes = StatDiff.between(json("{\"client_req\":1,\"novel\":5}"),
                json("{\"client_req\":2,\"novel\":9,\"tasks_time\":{\"more\":\"n/a\"}}"));

        assertEquals(Map.of("client_req", 1L), changes);
    }
}
