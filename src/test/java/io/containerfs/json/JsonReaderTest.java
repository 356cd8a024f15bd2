package io.containerfs.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** JsonReader: JSON read as written, numbers exact; what is not JSON refused in one line that says where. */
class JsonReaderTest {
    private static String refusal(String text) {
        return assertThrows(JsonException.class, () -> JsonReader.parse(text)).getMessage();
    }

    @Test
    void readsEachKindOfValueAsTheRecordsExpectIt() throws Exception {
        Object v = JsonReader.parse(" {\"a\": [1, -2, 4294967296, 18446744073709551615, 1.5, 2e3, -0, -1.5e3],\n\t\"b\":"
                + " {\"c\": true, \"d\": false, \"e\": null}, \"s\": \"tab\\there \\u00e9 \\\"q\\\" \\/\", \"o\": {},"
                + " \"l\": []} ");
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("c", true);
        inner.put("d", false);
        inner.put("e", null);
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("a", Arrays.asList(1, -2, 4294967296L, new BigInteger("18446744073709551615"), 1.5, 2000.0, 0,
                -1500.0));
        expected.put("b", inner);
        expected.put("s", "tab\there \u00e9 \"q\" /");
        expected.put("o", Map.of());
        expected.put("l", List.of());
        assertEquals(expected, v);
        assertEquals(List.of("c", "d", "e"), List.copyOf(((Map<?, ?>) ((Map<?, ?>) v).get("b")).keySet()), "in order");
        assertEquals(Integer.class, ((List<?>) ((Map<?, ?>) v).get("a")).get(0).getClass());
    }

    /** The smallest of Integer, Long, BigInteger that holds a whole number, at each edge. */
    @Test
    void keepsWholeNumbersExact() throws Exception {
        assertEquals(List.of(Integer.MAX_VALUE, Integer.MIN_VALUE, 2147483648L, Long.MAX_VALUE, Long.MIN_VALUE,
                new BigInteger("9223372036854775808"), new BigInteger("-9223372036854775809"),
                new BigInteger("18446744073709551615"), 999999999999999999L, -999999999999999999L),
                JsonReader.parse("[2147483647, -2147483648, 2147483648, 9223372036854775807, -9223372036854775808,"
                        + " 9223372036854775808, -9223372036854775809, 18446744073709551615, 999999999999999999,"
                        + " -999999999999999999]"));
    }

    @Test
    void readsEveryEscape() throws Exception {
        assertEquals(List.of("q\" b\\ s/ \b\f\n\r\t é \ud83d\ude00 é"),
                JsonReader.parse("[\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t \\u00e9 \\ud83d\\ude00 é\"]"));
    }

    @Test
    void whatIsNotJsonIsOneLineSayingWhere() {
        assertEquals("line 2, column 9: expected ',' or '}', found '\"'", refusal("{\"a\": 1,\n \"b\": 2 \"c\": 3}"));
        assertEquals("line 1, column 10: expected a member's name in quotes, found '}'", refusal("{\"a\": 1, }"));
        assertEquals("line 1, column 6: expected the end of the text, found 'x'", refusal("true x"));
        assertEquals("line 1, column 3: expected a control character escaped, found U+000A", refusal("[\"\n\"]"));
        assertEquals("line 1, column 3: expected no digit after a leading 0, found '1'", refusal("[01]"));
        assertEquals("line 1, column 1: expected a value, found the end", refusal(""));
        for (String bad : List.of("{", "{\"a\": 1,}", "[1,]", "[1 2]", "{\"a\" 1}", "{a: 1}", "'a'", "[1.]", "[.5]",
                "[-]", "[+1]", "[1e]", "[tru]", "[nul]", "\"a\tb\"", "\"\\x\"", "\"\\u12g4\"", "\"\\u12\"",
                "\"\\u-123\"", "\"open", "# comment", "a: 1", "[NaN]", "\ufeff{}", "[1] // c")) {
            String message = refusal(bad);
            assertTrue(message.matches("line 1, column [0-9]+: expected [^\n]+, found [^\n]+"), bad + ": " + message);
        }
    }

    /** Parsers disagree on which of the two wins (Go's encoding/json the last, others the first): neither does. */
    @Test
    void refusesANameTwiceInOneObject() throws Exception {
        assertEquals("line 1, column 10: expected a member not named before (\"a\" is twice), found '\"'",
                refusal("{\"a\": 1, \"a\": 2}"));
        assertEquals(Map.of("a", Map.of("a", 1)), JsonReader.parse("{\"a\": {\"a\": 1}}"), "the same name, nested");
    }

    @Test
    void refusesNestingTooDeepForTheStack() throws Exception {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        assertEquals("line 1, column " + (JsonReader.MAX_DEPTH + 1) + ": expected at most " + JsonReader.MAX_DEPTH
                + " nested arrays and objects, found '['", refusal(deep), "a refusal, no StackOverflowError");
        String deepest = "[".repeat(JsonReader.MAX_DEPTH - 1) + "{\"a\": 1}" + "]".repeat(JsonReader.MAX_DEPTH - 1);
        assertEquals(1, ((List<?>) JsonReader.parse(deepest)).size());
        refusal("[" + deepest + "]");
        refusal("{\"a\": " + deepest + "}");
    }
}
