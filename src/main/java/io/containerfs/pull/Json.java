package io.containerfs.pull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The JSON documents of an image (OCI index, manifest and config; a docker archive's
 * manifest.json; an auth file; a token answer), read by {@link Reader}, RFC 8259 and nothing
 * more. Each value is looked up with the document's name, so a missing or mistyped field says
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
        Reader reader = new Reader(text);
        try {
            return new Json(reader.document(), source);
        } catch (IllegalArgumentException e) {
            throw new PullException(source + " is not valid JSON (" + e.getMessage() + " at character "
                    + reader.at + "); the image is damaged");
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
        if (!(n instanceof Long whole)) {
            throw new PullException(where + " is not a whole number that fits 64 bits; the image is damaged");
        }
        return whole;
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

    /**
     * A JSON text (RFC 8259) as Java values: objects as maps in their order (a repeated name's last
     * value wins, as Go's encoding/json, which registries and containerd use, reads it), arrays as
     * lists, strings, whole numbers that fit as Long, other numbers as Double, true, false, null.
     * Anything else, a trailing comma or a control character in a string, is refused; so is
     * nesting deeper than {@link #MAX_DEPTH}, before it could exhaust the stack. By hand rather than
     * through snakeyaml-engine (JSON is YAML 1.2), whose parser a freshly started JVM runs
     * interpreted: about 20 ms for a manifest, against about 1 (docs/BENCHMARKS.md).
     */
    static final class Reader {
        static final int MAX_DEPTH = 256;

        private final String text;
        private int at;

        Reader(String text) {
            this.text = text;
        }

        /** @throws IllegalArgumentException saying what is wrong; {@link #at} says where */
        Object document() {
            Object value = value(0);
            skipSpace();
            if (at < text.length()) {
                throw new IllegalArgumentException("more after the value");
            }
            return value;
        }

        private Object value(int depth) {
            skipSpace();
            if (at >= text.length()) {
                throw new IllegalArgumentException("a value missing");
            }
            char c = text.charAt(at);
            switch (c) {
                case '{':
                    return object(depth + 1);
                case '[':
                    return array(depth + 1);
                case '"':
                    return string();
                case 't':
                    return literal("true", Boolean.TRUE);
                case 'f':
                    return literal("false", Boolean.FALSE);
                case 'n':
                    return literal("null", null);
                default:
                    if (c == '-' || c >= '0' && c <= '9') {
                        return number();
                    }
                    throw new IllegalArgumentException("unexpected '" + printable(c) + "'");
            }
        }

        private Map<String, Object> object(int depth) {
            requireDepth(depth);
            at++; // {
            Map<String, Object> members = new LinkedHashMap<>();
            skipSpace();
            if (consume('}')) {
                return members;
            }
            do {
                skipSpace();
                if (at >= text.length() || text.charAt(at) != '"') {
                    throw new IllegalArgumentException("a member's name missing");
                }
                String name = string();
                skipSpace();
                expect(':');
                members.put(name, value(depth));
                skipSpace();
            } while (consume(','));
            expect('}');
            return members;
        }

        private List<Object> array(int depth) {
            requireDepth(depth);
            at++; // [
            List<Object> items = new ArrayList<>();
            skipSpace();
            if (consume(']')) {
                return items;
            }
            do {
                items.add(value(depth));
                skipSpace();
            } while (consume(','));
            expect(']');
            return items;
        }

        private String string() {
            at++; // "
            StringBuilder out = null;
            int start = at;
            while (true) {
                if (at >= text.length()) {
                    throw new IllegalArgumentException("a string not ended");
                }
                char c = text.charAt(at);
                if (c == '"') {
                    String s = out == null ? text.substring(start, at) : out.append(text, start, at).toString();
                    at++;
                    return s;
                }
                if (c < 0x20) {
                    throw new IllegalArgumentException("a control character in a string");
                }
                if (c != '\\') {
                    at++;
                    continue;
                }
                if (out == null) {
                    out = new StringBuilder();
                }
                out.append(text, start, at);
                out.append(escaped());
                start = at;
            }
        }

        /** The character of the escape at {@link #at} (a backslash), which it moves past. */
        private char escaped() {
            if (at + 1 >= text.length()) {
                throw new IllegalArgumentException("a string not ended");
            }
            char c = text.charAt(at + 1);
            at += 2;
            switch (c) {
                case '"':
                case '\\':
                case '/':
                    return c;
                case 'b':
                    return '\b';
                case 'f':
                    return '\f';
                case 'n':
                    return '\n';
                case 'r':
                    return '\r';
                case 't':
                    return '\t';
                case 'u':
                    if (at + 4 > text.length()) {
                        throw new IllegalArgumentException("a \\u escape cut short");
                    }
                    int code = 0;
                    for (int i = 0; i < 4; i++) {
                        int digit = Character.digit(text.charAt(at + i), 16);
                        if (digit < 0) {
                            throw new IllegalArgumentException("a \\u escape with no 4 hex digits");
                        }
                        code = code * 16 + digit;
                    }
                    at += 4;
                    return (char) code; // a surrogate pair comes as two escapes, each one char
                default:
                    at -= 1;
                    throw new IllegalArgumentException("the escape '\\" + printable(c) + "'");
            }
        }

        /** -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
        private Object number() {
            int start = at;
            consume('-');
            if (consume('0')) {
                if (at < text.length() && isDigit(text.charAt(at))) {
                    throw new IllegalArgumentException("a number with a leading zero");
                }
            } else {
                digits();
            }
            boolean whole = true;
            if (consume('.')) {
                whole = false;
                digits();
            }
            if (consume('e') || consume('E')) {
                whole = false;
                if (!consume('+')) {
                    consume('-');
                }
                digits();
            }
            String literal = text.substring(start, at);
            if (whole) {
                try {
                    return Long.parseLong(literal);
                } catch (NumberFormatException tooLarge) {
                    // a whole number beyond 64 bits: kept as a Double, which number() refuses
                }
            }
            return Double.parseDouble(literal);
        }

        private void digits() {
            int start = at;
            while (at < text.length() && isDigit(text.charAt(at))) {
                at++;
            }
            if (at == start) {
                throw new IllegalArgumentException("a number without digits");
            }
        }

        private static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }

        private Object literal(String word, Object value) {
            if (!text.startsWith(word, at)) {
                throw new IllegalArgumentException("unexpected '" + printable(text.charAt(at)) + "'");
            }
            at += word.length();
            return value;
        }

        private void skipSpace() {
            while (at < text.length()) {
                char c = text.charAt(at);
                if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                    return;
                }
                at++;
            }
        }

        private boolean consume(char c) {
            if (at < text.length() && text.charAt(at) == c) {
                at++;
                return true;
            }
            return false;
        }

        private void expect(char c) {
            if (!consume(c)) {
                throw new IllegalArgumentException(at < text.length()
                        ? "'" + printable(text.charAt(at)) + "' where '" + c + "' belongs" : "'" + c + "' missing");
            }
        }

        private static void requireDepth(int depth) {
            if (depth > MAX_DEPTH) {
                throw new IllegalArgumentException("nested deeper than " + MAX_DEPTH);
            }
        }

        private static String printable(char c) {
            return c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c);
        }
    }
}
