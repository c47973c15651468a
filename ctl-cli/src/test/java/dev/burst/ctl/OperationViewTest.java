package dev.burst.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/** Operation records as text, in a zone without summer time (Tokyo, UTC+9) so the local times are fixed. */
class OperationViewTest {

    private static final OperationView TOKYO = new OperationView(ZoneId.of("Asia/Tokyo"));

    private static JsonNode json(String text) throws Exception {
        return new ObjectMapper().readTree(text);
    }

    private static JsonNode list() throws Exception {
        return new ObjectMapper().createObjectNode().set("operations",
                new ObjectMapper().valueToTree(AdminStub.OPERATIONS));
    }

    @Test
    void the_table_has_a_row_per_operation_newest_last_with_local_start_times_and_readable_durations()
            throws Exception {
        assertEquals("""
                id  kind             trigger       state    started              duration  outcome
                 3  reload_workers   SIGHUP        done     2026-12-01 00:00:00     1.3 s  generation 2 serving on 2 worker(s)
                 4  restart_workers  SIGUSR2       failed   2026-12-01 00:10:00    1m 05s  1 of 2 worker(s) replaced
                 5  reload_workers   admin API     refused  2026-12-01 00:12:00      0 ms  a reload is running (operation #4)
                 6  recycle          max-requests  running  2026-12-01 00:20:00         -  -
                """, TOKYO.table(list()));
    }

    @Test
    void an_empty_list_says_there_are_no_operations_yet() throws Exception {
        assertEquals("no operations yet\n", TOKYO.table(json("{\"operations\":[]}")));
    }

    @Test
    void a_record_shows_its_fields_with_milliseconds_and_its_details_aligned() throws Exception {
        assertEquals("""
                operation #3 reload_workers: done
                  trigger  SIGHUP
                  started  2026-12-01 00:00:00.123
                  finished 2026-12-01 00:00:01.456
                  duration 1.3 s
                  outcome  generation 2 serving on 2 worker(s)
                  details
                    worker default#1 pid 4121  swapped to generation 2
                    worker default#2 pid 4122  swapped to generation 2
                """, TOKYO.record(AdminStub.OPERATIONS.getFirst()));
    }

    @Test
    void a_running_record_has_no_finish_duration_outcome_or_details_yet() throws Exception {
        assertEquals("""
                operation #6 recycle: running
                  trigger  max-requests
                  started  2026-12-01 00:20:00.000
                  finished -
                  duration -
                  outcome  -
                """, TOKYO.record(AdminStub.OPERATIONS.getLast()));
    }

    @Test
    void a_time_that_is_no_iso_instant_is_shown_as_sent() throws Exception {
        String text = TOKYO.record(json("{\"id\":1,\"kind\":\"stop\",\"state\":\"running\",\"started\":\"soon\"}"));

        assertEquals("  started  soon", text.lines().filter(l -> l.contains("started")).findFirst().orElseThrow());
    }

    @Test
    void durations_read_in_milliseconds_below_a_second_and_in_seconds_or_minutes_above() throws Exception {
        assertEquals("812 ms", OperationView.duration(json("{\"duration_ms\":812}")));
        assertEquals("1.0 s", OperationView.duration(json("{\"duration_ms\":1000}")));
        assertEquals("5m 03s", OperationView.duration(json("{\"duration_ms\":303000}")));
        assertEquals("-", OperationView.duration(json("{\"duration_ms\":null}")));
    }

    @Test
    void the_ending_of_an_operation_says_how_long_it_took_unless_it_was_refused() throws Exception {
        assertEquals("reload_workers #3 done in 1.3 s: generation 2 serving on 2 worker(s)",
                OperationView.ending(AdminStub.OPERATIONS.get(0)));
        assertEquals("restart_workers #4 failed after 1m 05s: 1 of 2 worker(s) replaced",
                OperationView.ending(AdminStub.OPERATIONS.get(1)));
        assertEquals("reload_workers #5 refused: a reload is running (operation #4)",
                OperationView.ending(AdminStub.OPERATIONS.get(2)));
    }
}
