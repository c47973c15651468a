package dev.burst.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void doubles_keep_four_decimals_without_trailing_zeros_and_what_is_not_a_number_is_null() {
        assertEquals("[ 0.1265, 6, 6.5, 100, 3, 0, null, null ]\n",
                Json.write(List.of(0.12654, 6.00001, 6.5, 100.0, 3L, 0.00001, Double.NaN, Double.POSITIVE_INFINITY)));
    }

    @Test
    void nested_objects_are_indented_in_order_and_read_back_the_same() {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("t", 1);
        inner.put("p99_ms", 1.25);
        Map<String, Object> outer = new LinkedHashMap<>();
        outer.put("name", "box \"c1\"\n");
        outer.put("timeline", List.of(inner, inner));
        outer.put("empty", List.of());
        outer.put("none", null);
        String text = Json.write(outer);
        assertEquals("""
                {
                  "name": "box \\"c1\\"\\n",
                  "timeline": [ {
                    "t": 1,
                    "p99_ms": 1.25
                  }, {
                    "t": 1,
                    "p99_ms": 1.25
                  } ],
                  "empty": [ ],
                  "none": null
                }
                """, text);
        Map<String, Object> back = new LinkedHashMap<>();
        back.put("name", "box \"c1\"\n");
        back.put("timeline", List.of(Map.of("t", 1, "p99_ms", 1.25), Map.of("t", 1, "p99_ms", 1.25)));
        back.put("empty", List.of());
        back.put("none", null);
        assertEquals(back, Json.readValue(text));
    }

    @Test
    void text_that_is_not_json_is_refused_with_what_was_wrong() {
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> Json.read("{\"a\": }"));
        assertEquals(true, e.getMessage().startsWith("not JSON: Unexpected character"), e.getMessage());
    }
}
