package dev.burst.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WrkTest {

    /** What wrk-report.lua's done() hook writes, in the shape wrk 4.1 writes it (with failures of every kind). */
    private static final String REPORT = """
            {"duration_us": 5090312, "requests": 6702, "bytes": 790836, \
            "errors": {"connect": 0, "read": 2, "write": 0, "status": 5, "timeout": 1}, \
            "latency_us": {"min": 41, "max": 1020417, "mean": 17650.212, "stdev": 21610.004, \
            "p50": 114, "p75": 22220, "p90": 44783, "p99": 108041, "p99_9": 512003}}
            """;

    @Test
    void the_report_gives_exact_percentiles_maximum_and_failures_in_milliseconds() {
        LoadStats s = Wrk.read(REPORT);
        assertEquals(0.114, s.p50Ms(), 1e-9);
        assertEquals(44.783, s.p90Ms(), 1e-9);
        assertEquals(108.041, s.p99Ms(), 1e-9);
        assertEquals(1020.417, s.maxMs(), 1e-9);
        assertEquals(6697, s.requests(), "non-2xx responses are not answers");
        assertEquals(8, s.errors(), "non-2xx plus socket errors");
        assertEquals(5.090312, s.seconds(), 1e-9);
        assertEquals("socket errors: connect 0, read 2, write 0, timeout 1; non-2xx or 3xx responses: 5", s.note());
    }

    @Test
    void a_report_without_a_field_is_refused_naming_it() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Wrk.read(REPORT.replace("\"status\": 5, ", "")));
        assertTrue(e.getMessage().contains("'status'"), e.getMessage());
    }

    @Test
    void the_script_posts_the_body_from_the_environment_and_writes_its_report_from_done(@TempDir Path dir) throws Exception {
        String lua = Files.readString(Wrk.script(dir));
        assertTrue(lua.contains("wrk.method = \"POST\""), lua);
        assertTrue(lua.contains("os.getenv(\"BENCH_WRK_BODY\")"), lua);
        assertTrue(lua.contains("function done(summary, latency, requests)"), lua);
        for (String field : new String[] {"\"duration_us\"", "\"requests\"", "\"status\"", "\"p50\"", "\"p90\"", "\"p99\"", "\"max\""}) {
            assertTrue(lua.contains(field), field + " is not written by the script");
        }
    }

    @Test
    void the_script_draws_a_burst_key_per_request_from_the_keys_the_environment_asks_for(@TempDir Path dir) throws Exception {
        String lua = Files.readString(Wrk.script(dir));
        assertTrue(lua.contains("os.getenv(\"BENCH_WRK_KEYS\")"), lua);
        assertTrue(lua.contains("[\"Burst-Key\"] = \"k\" .. i"), lua);
        assertTrue(lua.contains("function request()") && lua.contains("return keyed[math.random(keys)]"), lua);
        assertThrows(IllegalArgumentException.class, () -> Wrk.run(Path.of("wrk"), Path.of("x.lua"), "", "http://127.0.0.1:1/", 1,
                Duration.ofSeconds(1), -1));
    }
}
