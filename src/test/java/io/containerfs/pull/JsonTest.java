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
    void whatIsNotJsonIsOneLineNamingTheDocumentAndWhere() {
        assertEquals("the manifest m is not valid JSON (line 2, column 4: expected a member's name in quotes, found '}');"
                + " the image is damaged", refusal("{\"a\": 1,\n   }"));
        assertEquals("the manifest m is not valid JSON (line 1, column 10: expected a member not named before"
                + " (\"a\" is twice), found '\"'); the image is damaged", refusal("{\"a\": 1, \"a\": 2}"));
    }

    @Test
    void aMissingOrMistypedFieldIsNamed() throws PullException {
        Json manifest = Json.parse("{\"config\": {\"digest\": 7}, \"layers\": {}}", "the manifest m");
        assertEquals("the manifest m has no \"schemaVersion\"; the image is damaged or of a kind pull does not know",
                assertThrows(PullException.class, () -> manifest.get("schemaVersion")).getMessage());
        assertEquals("the manifest m .config .digest is not a string; the image is damaged",
                assertThrows(PullException.class, () -> manifest.get("config").get("digest").string()).getMessage());
        assertEquals("the manifest m .layers is not a JSON array; the image is damaged",
                assertThrows(PullException.class, () -> manifest.get("layers").list()).getMessage());
    }

    @Test
    void aSizeMustBeAWholeNumber() throws PullException {
        for (String size : List.of("1.5", "1e3", "1.0", "9223372036854775808", "18446744073709551615")) {
            Json json = Json.parse("{\"size\": " + size + "}", "the manifest m");
            String message = assertThrows(PullException.class, () -> json.get("size").number()).getMessage();
            assertEquals("the manifest m .size is not a whole number that fits 64 bits; the image is damaged", message);
        }
        assertEquals(-7, Json.parse("[-7]", "t").list().get(0).number());
        assertEquals(Long.MIN_VALUE, Json.parse("[-9223372036854775808]", "t").list().get(0).number());
    }
}
