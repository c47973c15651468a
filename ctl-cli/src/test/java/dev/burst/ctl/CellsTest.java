package dev.burst.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class CellsTest {

    private static JsonNode json(String text) throws Exception {
        return new ObjectMapper().readTree(text);
    }

    @Test
    void uptimes_read_in_the_largest_fitting_units() throws Exception {
        assertEquals("12.5 s", Cells.seconds(json("12.5")));
        assertEquals("5m 03s", Cells.seconds(json("303.9")));
        assertEquals("1h 02m", Cells.seconds(json("3725")));
        assertEquals("3d 04h", Cells.seconds(json("273600")));
    }

    @Test
    void latencies_keep_two_decimals_below_ten_milliseconds_and_none_from_a_hundred() throws Exception {
        assertEquals("0.05", Cells.millis(json("0.05")));
        assertEquals("48.0", Cells.millis(json("48")));
        assertEquals("1200", Cells.millis(json("1200.4")));
    }

    @Test
    void missing_and_null_values_read_as_a_dash() throws Exception {
        JsonNode w = json("{\"rss_bytes\":null}");

        assertEquals("-", Cells.value(w.path("tasks")));
        assertEquals("-", Cells.mebibytes(w.path("rss_bytes")));
        assertEquals("-", Cells.millis(w.path("p50")));
        assertEquals("-", Cells.seconds(w.path("uptime_seconds")));
    }

    @Test
    void whole_numbers_sent_as_decimals_read_without_a_fraction_and_bytes_as_mebibytes() throws Exception {
        assertEquals("3", Cells.value(json("3.0")));
        assertEquals("READY", Cells.value(json("\"READY\"")));
        assertEquals("50.0", Cells.mebibytes(json("52428800")));
    }

    @Test
    void changes_are_always_signed() {
        assertEquals("+0", Cells.delta(0));
        assertEquals("+12", Cells.delta(12));
        assertEquals("-3", Cells.delta(-3));
    }
}
