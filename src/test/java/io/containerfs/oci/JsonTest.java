package io.containerfs.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** config.json's parser: the values SnakeYAML's JSON schema gave, and one line for what is not JSON. */
class JsonTest {
    @Test
    void readsEachKindOfValueAsTheRecordsExpectIt() throws Exception {
        Object v = Json.parse(" {\"a\": [1, -2, 4294967296, 18446744073709551615, 1.5, 2e3],\n\t\"b\": {\"c\": true,"
                + " \"d\": false, \"e\": null}, \"s\": \"tab\\there \\u00e9 \\\"q\\\" \\/\"} ");
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("c", true);
        inner.put("d", false);
        inner.put("e", null);
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("a", Arrays.asList(1, -2, 4294967296L, new BigInteger("18446744073709551615"), 1.5, 2000.0));
        expected.put("b", inner);
        expected.put("s", "tab\there \u00e9 \"q\" /");
        assertEquals(expected, v);
        assertEquals(List.of("c", "d", "e"), List.copyOf(((Map<?, ?>) ((Map<?, ?>) v).get("b")).keySet()), "in order");
        assertEquals(Integer.class, ((List<?>) ((Map<?, ?>) v).get("a")).get(0).getClass());
    }

    @Test
    void whatIsNotJsonIsOneLineSayingWhere() {
        assertEquals("line 2, column 9: expected ',' or '}', found '\"'",
                assertThrows(Json.ParseException.class, () -> Json.parse("{\"a\": 1,\n \"b\": 2 \"c\": 3}"))
                        .getMessage());
        assertEquals("line 1, column 10: expected a member not named before (\"a\" is twice), found '\"'",
                assertThrows(Json.ParseException.class, () -> Json.parse("{\"a\": 1, \"a\": 2}")).getMessage());
        assertEquals("line 1, column 6: expected the end of the text, found 'x'",
                assertThrows(Json.ParseException.class, () -> Json.parse("true x")).getMessage());
        assertEquals("line 1, column 3: expected a control character escaped, found U+000A",
                assertThrows(Json.ParseException.class, () -> Json.parse("[\"\n\"]")).getMessage());
        assertThrows(Json.ParseException.class, () -> Json.parse("[01x]"));
        assertThrows(Json.ParseException.class, () -> Json.parse("[1,]"));
        assertThrows(Json.ParseException.class, () -> Json.parse(""));
        assertThrows(Json.ParseException.class, () -> Json.parse("[".repeat(100_000)), "bounded, not a stack overflow");
    }
}
