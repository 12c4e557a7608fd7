package dlc.checkpoint;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class JsonTest {
    @Test void parsesAndWritesTheHeaderSubset() {
        String text = " {\"a\": {\"dtype\": \"F32\", \"shape\": [2, 3], \"data_offsets\": [0, 24]}, \"__metadata__\": {\"k\": \"v\\\"\\u00e9\\n\"},"
                + " \"n\": [-1, 2.5, 1e3, true, false, null]}  ";
        Object v = Json.parse(text);
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("a", Map.of("dtype", "F32", "shape", List.of(2L, 3L), "data_offsets", List.of(0L, 24L)));
        expected.put("__metadata__", Map.of("k", "v\"é\n"));
        expected.put("n", java.util.Arrays.asList(-1L, 2.5, 1000.0, true, false, null));
        assertEquals(expected, v);
        assertEquals(v, Json.parse(Json.write(v)));
        assertEquals(List.of("a", "__metadata__", "n"), List.copyOf(((Map<?, ?>) v).keySet()), "key order is kept");
    }

    @Test void escapesControlCharacters() {
        assertEquals("\"a\\u0001\\t\\\\\"", Json.write("a\u0001\t\\"));
        assertEquals("a\u0001\t\\", Json.parse(Json.write("a\u0001\t\\")));
    }

    @Test void rejectsMalformedJsonWithAnOffset() {
        for (String bad : List.of("{\"a\":1,\"a\":2}", "{\"a\":1} x", "{\"a\":}", "[1,]", "\"abc", "{\"a\":01}", "\"\\x\"", "{a:1}", "",
                "99999999999999999999", "[" .repeat(100) + "]".repeat(100), "\"\u0001\"")) {
            Json.SyntaxError e = assertThrows(Json.SyntaxError.class, () -> Json.parse(bad), bad);
            assertTrue(e.getMessage().contains("at offset"), e.getMessage());
        }
        assertTrue(assertThrows(Json.SyntaxError.class, () -> Json.parse("{\"a\":1,\"a\":2}")).getMessage().contains("duplicate key \"a\""));
    }
}
