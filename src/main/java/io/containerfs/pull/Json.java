package io.containerfs.pull;

import io.containerfs.json.JsonException;
import io.containerfs.json.JsonReader;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The JSON documents of an image (OCI index, manifest and config; a docker archive's
 * manifest.json; an auth file; a token answer), read by {@link JsonReader}. Each value is looked up with the document's name, so a missing or mistyped field says
 * which file and which field in one line.
 */
final class Json {
    private final Object value;
    private final String where;

    private Json(Object value, String where) {
        this.value = value;
        this.where = where;
    }

    /** @param source what the text is, for messages (a file, a digest) */
    static Json parse(String text, String source) throws PullException {
        try {
            return new Json(JsonReader.parse(text), source);
        } catch (JsonException e) {
            throw new PullException(source + " is not valid JSON (" + e.getMessage() + "); the image is damaged");
        }
    }

    /** The member {@code name} of this object; it must be there. */
    Json get(String name) throws PullException {
        Optional<Json> member = optional(name);
        if (member.isEmpty()) {
            throw new PullException(where + " has no \"" + name + "\"; the image is damaged or of a kind pull does not know");
        }
        return member.get();
    }

    /** The member {@code name} of this object, empty when absent or null. */
    Optional<Json> optional(String name) throws PullException {
        if (!(value instanceof Map<?, ?> map)) {
            throw new PullException(where + " is not a JSON object; the image is damaged");
        }
        Object member = map.get(name);
        return member == null ? Optional.empty() : Optional.of(new Json(member, where + " ." + name));
    }

    String string() throws PullException {
        if (!(value instanceof String s)) {
            throw new PullException(where + " is not a string; the image is damaged");
        }
        return s;
    }

    long number() throws PullException {
        if (!(value instanceof Number n)) {
            throw new PullException(where + " is not a number; the image is damaged");
        }
        if (!(n instanceof Integer) && !(n instanceof Long)) {
            throw new PullException(where + " is not a whole number that fits 64 bits; the image is damaged");
        }
        return n.longValue();
    }

    List<Json> list() throws PullException {
        if (!(value instanceof List<?> items)) {
            throw new PullException(where + " is not a JSON array; the image is damaged");
        }
        Json[] all = new Json[items.size()];
        for (int i = 0; i < all.length; i++) {
            all[i] = new Json(items.get(i), where + "[" + i + "]");
        }
        return List.of(all);
    }

    /** An array of strings; an absent or null one is empty. */
    static List<String> strings(Optional<Json> array) throws PullException {
        if (array.isEmpty()) {
            return List.of();
        }
        List<Json> items = array.get().list();
        String[] all = new String[items.size()];
        for (int i = 0; i < all.length; i++) {
            all[i] = items.get(i).string();
        }
        return List.of(all);
    }

    /** A string member, empty when absent, null or "". */
    Optional<String> optionalString(String name) throws PullException {
        Optional<Json> member = optional(name);
        if (member.isEmpty() || member.get().string().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(member.get().string());
    }
}
