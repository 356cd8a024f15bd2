package io.containerfs.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Json: what an image's JSON holds is read as written; what is not JSON is refused in one line that says where. */
class JsonTest {
    private static String refusal(String text) {
        return assertThrows(PullException.class, () -> Json.parse(text, "the manifest m")).getMessage();
    }

    @Test
    void readsAManifestAsWritten() throws PullException {
        Json manifest = Json.parse("""
                {"schemaVersion": 2, "mediaType":"application/vnd.oci.image.manifest.v1+json",
                 "config": {"digest": "sha256:ab", "size": 1185},
                 "layers": [ {"size": 3490290, "annotations": {"a": null, "b": true, "c": false, "d": -1.5e3}} ],
                 "empty": {}, "none": []}
                """, "the manifest m");
        assertEquals(2, manifest.get("schemaVersion").number());
        assertEquals("sha256:ab", manifest.get("config").get("digest").string());
        assertEquals(1185, manifest.get("config").get("size").number());
        assertEquals(3490290, manifest.get("layers").list().get(0).get("size").number());
        assertTrue(manifest.get("layers").list().get(0).get("annotations").optional("a").isEmpty(), "null is absent");
        assertEquals(List.of(), manifest.get("none").list());
        assertTrue(manifest.get("empty").optional("x").isEmpty());
        assertEquals(Long.MAX_VALUE, Json.parse("[9223372036854775807]", "t").list().get(0).number());
    }

    @Test
    void readsEveryEscape() throws PullException {
        Json json = Json.parse("{\"s\": \"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t \\u00e9 \\ud83d\\ude00 é\"}", "t");
        assertEquals("q\" b\\ s/ \b\f\n\r\t é \ud83d\ude00 é", json.get("s").string());
    }

    /** As Go's encoding/json, which registries and containerd read manifests with. */
    @Test
    void aRepeatedNamesLastValueWins() throws PullException {
        assertEquals("second", Json.parse("{\"a\": \"first\", \"a\": \"second\"}", "t").get("a").string());
    }

    @Test
    void refusesWhatIsNotJson() {
        for (String bad : List.of("", "{", "{\"a\": 1,}", "[1,]", "[1 2]", "{\"a\" 1}", "{a: 1}", "'a'", "[01]",
                "[1.]", "[.5]", "[-]", "[+1]", "[1e]", "[tru]", "[nul]", "{\"a\": 1} x", "\"a\tb\"", "\"\\x\"",
                "\"\\u12g4\"", "\"\\u12\"", "\"open", "# comment", "a: 1", "[NaN]", "\ufeff{}")) {
            String message = refusal(bad);
            assertTrue(message.startsWith("the manifest m is not valid JSON ("), bad + ": " + message);
            assertTrue(message.contains(" at character ") && message.endsWith("; the image is damaged"), message);
        }
    }

    @Test
    void saysWhereTheTextGoesWrong() {
        assertEquals("the manifest m is not valid JSON (a member's name missing at character 9); the image is damaged",
                refusal("{\"a\": 1, }"));
    }

    @Test
    void refusesNestingTooDeepForTheStack() throws PullException {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        assertTrue(refusal(deep).contains("nested deeper than " + Json.Reader.MAX_DEPTH), "a refusal, no StackOverflowError");
        String deepest = "[".repeat(Json.Reader.MAX_DEPTH) + "]".repeat(Json.Reader.MAX_DEPTH);
        assertEquals(1, Json.parse(deepest, "t").list().size());
        assertThrows(PullException.class, () -> Json.parse("[" + deepest + "]", "t"));
    }

    @Test
    void aSizeMustBeAWholeNumber() throws PullException {
        for (String size : List.of("1.5", "1e3", "92233720368547758070")) {
            Json json = Json.parse("{\"size\": " + size + "}", "the manifest m");
            String message = assertThrows(PullException.class, () -> json.get("size").number()).getMessage();
            assertEquals("the manifest m .size is not a whole number that fits 64 bits; the image is damaged", message);
        }
        assertEquals(-7, Json.parse("[-7]", "t").list().get(0).number());
    }
}
