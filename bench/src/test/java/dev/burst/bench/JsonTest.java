package dev.burst.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void numbers_keep_four_decimals_without_trailing_zeros_or_a_bare_point() {
        assertEquals("[0.1265, 6, 6.5, 100, 3, null]\n", Json.write(List.of(0.12654, 6.00001, 6.5, 100.0, 3L, Double.NaN)));
    }

    @Test
    void nested_objects_are_indented_and_read_back_the_same() {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("t", 1);
        inner.put("p99_ms", 1.25);
        Map<String, Object> outer = new LinkedHashMap<>();
        outer.put("name", "box \"c1\"\n");
        outer.put("timeline", List.of(inner, inner));
        outer.put("empty", List.of());
        String text = Json.write(outer);
        assertEquals("{\n  \"name\": \"box \\\"c1\\\"\\n\",\n  \"timeline\": [\n    {\"t\": 1, \"p99_ms\": 1.25},\n"
                + "    {\"t\": 1, \"p99_ms\": 1.25}\n  ],\n  \"empty\": []\n}\n", text);
        assertEquals(Map.of("name", "box \"c1\"\n", "timeline", List.of(Map.of("t", 1L, "p99_ms", 1.25), Map.of("t", 1L, "p99_ms", 1.25)),
                "empty", List.of()), MiniJson.parse(text));
    }
}
