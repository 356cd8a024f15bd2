package io.containerfs.json;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every JSON text container-fs reads (RFC 8259 and nothing more): the OCI front end's config.json
 * and process.json, an image's index, manifest and config, a docker archive's manifest.json, an
 * auth file, a registry's token answer. Objects come as {@link LinkedHashMap}s in their order,
 * arrays as {@link ArrayList}s, then String, Boolean, null, and for a number Integer, Long or
 * BigInteger when it is whole (the smallest that holds it, so config.json's 2^64-1 limits stay
 * exact), Double for the rest. Refused, in one line that says where: anything else (a trailing
 * comma, a comment, a leading zero, a control character in a string), a name twice in one object
 * (parsers disagree on which value wins: Go's encoding/json takes the last, others the first),
 * and nesting deeper than {@link #MAX_DEPTH}, before it could exhaust the stack.
 *
 * <p>By hand, not a library, because each {@code create} and each pull pays for it in a JVM that
 * has just started. Measured on JDK 17 with the launcher's options and a class-data archive
 * trained on each (docs/BENCHMARKS.md, medians of 25 fresh JVMs): the first config.json (3 KB)
 * and manifest parsed took 2.6 ms with this reader and 9.5 ms with jackson-core 2.22's streaming
 * parser and a tree built from its tokens, 6 ms of it the JsonFactory's set-up; in the jar with
 * the launcher's OCI archive, BundleConfig.read took 15.7 ms against 22.9 ms. snakeyaml-engine,
 * used before, took 40-48 ms for the config.json alone. Should jackson-core's start-up cost fall
 * under ~5 ms, it is the one to use: it would be a library we need not maintain.
 */
public final class JsonReader {
    /** Deeper than any config.json or image's JSON: a bound, so a hostile file cannot overflow the stack. */
    public static final int MAX_DEPTH = 256;

    private final String text;
    private int at;

    private JsonReader(String text) {
        this.text = text;
    }

    /** One JSON value, the whole text. */
    public static Object parse(String text) throws JsonException {
        JsonReader reader = new JsonReader(text);
        reader.space();
        Object value = reader.value(0);
        reader.space();
        if (reader.at < text.length()) {
            throw reader.error("the end of the text");
        }
        return value;
    }

    /** What was expected at {@link #at}, and where that is: line and column, both from 1. */
    private JsonException error(String expected) {
        int line = 1;
        int column = 1;
        for (int i = 0; i < at && i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                line++;
                column = 1;
            } else {
                column++;
            }
        }
        String found = at >= text.length() ? "the end" : printable(text.charAt(at));
        return new JsonException("line " + line + ", column " + column + ": expected " + expected + ", found "
                + found);
    }

    private static String printable(char c) {
        return c < 0x20 || c == 0x7f || c == 0xfeff ? String.format("U+%04X", (int) c) : "'" + c + "'";
    }

    private void space() {
        while (at < text.length()) {
            char c = text.charAt(at);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            at++;
        }
    }

    private boolean take(char c) {
        if (at < text.length() && text.charAt(at) == c) {
            at++;
            return true;
        }
        return false;
    }

    /** The value at {@link #at}, inside {@code depth} arrays and objects. */
    private Object value(int depth) throws JsonException {
        if (at >= text.length()) {
            throw error("a value");
        }
        char c = text.charAt(at);
        if ((c == '{' || c == '[') && depth >= MAX_DEPTH) {
            throw error("at most " + MAX_DEPTH + " nested arrays and objects");
        }
        return switch (c) {
            case '{' -> object(depth + 1);
            case '[' -> array(depth + 1);
            case '"' -> string();
            case 't' -> word("true", Boolean.TRUE);
            case 'f' -> word("false", Boolean.FALSE);
            case 'n' -> word("null", null);
            default -> {
                if (c == '-' || isDigit(c)) {
                    yield number();
                }
                throw error("a value");
            }
        };
    }

    private Object word(String word, Object value) throws JsonException {
        if (!text.startsWith(word, at)) {
            throw error(word);
        }
        at += word.length();
        return value;
    }

    private Map<String, Object> object(int depth) throws JsonException {
        Map<String, Object> map = new LinkedHashMap<>();
        at++; // {
        space();
        if (take('}')) {
            return map;
        }
        do {
            space();
            if (at >= text.length() || text.charAt(at) != '"') {
                throw error("a member's name in quotes");
            }
            int name = at;
            String key = string();
            if (map.containsKey(key)) {
                at = name;
                throw error("a member not named before (\"" + key + "\" is twice)");
            }
            space();
            if (!take(':')) {
                throw error("':'");
            }
            space();
            map.put(key, value(depth));
            space();
        } while (take(','));
        if (!take('}')) {
            throw error("',' or '}'");
        }
        return map;
    }

    private List<Object> array(int depth) throws JsonException {
        List<Object> list = new ArrayList<>();
        at++; // [
        space();
        if (take(']')) {
            return list;
        }
        do {
            space();
            list.add(value(depth));
            space();
        } while (take(','));
        if (!take(']')) {
            throw error("',' or ']'");
        }
        return list;
    }

    /** The string at {@link #at}: its unescaped characters copied in runs, not one by one. */
    private String string() throws JsonException {
        at++; // "
        StringBuilder out = null;
        int start = at;
        while (true) {
            if (at >= text.length()) {
                throw error("'\"'");
            }
            char c = text.charAt(at);
            if (c == '"') {
                String s = out == null ? text.substring(start, at) : out.append(text, start, at).toString();
                at++;
                return s;
            }
            if (c < 0x20) {
                throw error("a control character escaped");
            }
            if (c != '\\') {
                at++;
                continue;
            }
            if (out == null) {
                out = new StringBuilder();
            }
            out.append(text, start, at);
            at++;
            out.append(escaped());
            start = at;
        }
    }

    /** The character of the escape after a backslash, at {@link #at}, which it moves past. */
    private char escaped() throws JsonException {
        if (at >= text.length()) {
            throw error("an escape");
        }
        char e = text.charAt(at);
        char c = switch (e) {
            case '"', '\\', '/' -> e;
            case 'b' -> '\b';
            case 'f' -> '\f';
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 't' -> '\t';
            case 'u' -> {
                at++;
                yield hex();
            }
            default -> throw error("an escape: \\\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX");
        };
        if (e != 'u') {
            at++;
        }
        return c;
    }

    /** A \\u escape's four hex digits; a surrogate pair comes as two escapes, each one char. */
    private char hex() throws JsonException {
        int code = 0;
        for (int i = 0; i < 4; i++) {
            int digit = at < text.length() ? Character.digit(text.charAt(at), 16) : -1;
            if (digit < 0) {
                throw error("four hex digits");
            }
            code = code * 16 + digit;
            at++;
        }
        return (char) code;
    }

    /** -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
    private Object number() throws JsonException {
        int start = at;
        take('-');
        if (take('0')) {
            if (at < text.length() && isDigit(text.charAt(at))) {
                throw error("no digit after a leading 0");
            }
        } else {
            digits();
        }
        boolean whole = true;
        if (take('.')) {
            whole = false;
            digits();
        }
        if (take('e') || take('E')) {
            whole = false;
            if (!take('+')) {
                take('-');
            }
            digits();
        }
        String n = text.substring(start, at);
        if (!whole) {
            return Double.valueOf(n);
        }
        if (n.length() > 18) { // may not fit a long
            BigInteger big = new BigInteger(n);
            if (big.bitLength() >= 64) {
                return big;
            }
            return big.longValue();
        }
        long number = Long.parseLong(n);
        return number == (int) number ? (Object) (int) number : (Object) number;
    }

    private void digits() throws JsonException {
        int start = at;
        while (at < text.length() && isDigit(text.charAt(at))) {
            at++;
        }
        if (at == start) {
            throw error("a digit");
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
