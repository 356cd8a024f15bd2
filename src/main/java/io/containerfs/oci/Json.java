package io.containerfs.oci;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The little JSON the OCI front end reads and writes, by hand: config.json and process.json in
 * (RFC 8259), the state's annotations out. A parser of its own because create pays for it on
 * every call: SnakeYAML's, in a JVM that has just started, took about 45 ms for our own spec's
 * 3 KB config.json, this one a few (docs/BENCHMARKS.md). It gives what SnakeYAML's JSON schema
 * gave: {@link LinkedHashMap} with String keys, {@link ArrayList}, String, Boolean, null,
 * Integer, Long or BigInteger for an integer (the smallest that holds it), Double for the rest.
 */
final class Json {
    private Json() {}

    /** Not JSON: where, and what was expected. */
    static final class ParseException extends Exception {
        private static final long serialVersionUID = 1L;

        ParseException(String message) {
            super(message);
        }
    }

    /** One JSON value, the whole text. */
    static Object parse(String text) throws ParseException {
        Parser p = new Parser(text);
        p.space();
        Object value = p.value(0);
        p.space();
        if (p.at < text.length()) {
            throw p.error("the end of the text");
        }
        return value;
    }

    /** {@code s} as a JSON string, quotes included. */
    static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    private static final class Parser {
        /** Deeper than any config.json: a bound, so a hostile file cannot overflow the stack. */
        private static final int MAX_DEPTH = 256;
        private final String text;
        private int at;

        Parser(String text) {
            this.text = text;
        }

        ParseException error(String expected) {
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
            char c = at < text.length() ? text.charAt(at) : 0;
            String found = at >= text.length() ? "the end" : c < 0x20 ? String.format("U+%04X", (int) c) : "'" + c + "'";
            return new ParseException("line " + line + ", column " + column + ": expected " + expected + ", found "
                    + found);
        }

        void space() {
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

        Object value(int depth) throws ParseException {
            if (depth > MAX_DEPTH) {
                throw error("at most " + MAX_DEPTH + " nested arrays and objects");
            }
            if (at >= text.length()) {
                throw error("a value");
            }
            char c = text.charAt(at);
            return switch (c) {
                case '{' -> object(depth);
                case '[' -> array(depth);
                case '"' -> string();
                case 't' -> word("true", Boolean.TRUE);
                case 'f' -> word("false", Boolean.FALSE);
                case 'n' -> word("null", null);
                default -> {
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        yield number();
                    }
                    throw error("a value");
                }
            };
        }

        private Object word(String word, Object value) throws ParseException {
            if (!text.startsWith(word, at)) {
                throw error(word);
            }
            at += word.length();
            return value;
        }

        private Map<String, Object> object(int depth) throws ParseException {
            Map<String, Object> map = new LinkedHashMap<>();
            at++;
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
                map.put(key, value(depth + 1));
                space();
            } while (take(','));
            if (!take('}')) {
                throw error("',' or '}'");
            }
            return map;
        }

        private List<Object> array(int depth) throws ParseException {
            List<Object> list = new ArrayList<>();
            at++;
            space();
            if (take(']')) {
                return list;
            }
            do {
                space();
                list.add(value(depth + 1));
                space();
            } while (take(','));
            if (!take(']')) {
                throw error("',' or ']'");
            }
            return list;
        }

        private String string() throws ParseException {
            StringBuilder out = new StringBuilder();
            at++;
            while (true) {
                if (at >= text.length()) {
                    throw error("'\"'");
                }
                char c = text.charAt(at++);
                if (c == '"') {
                    return out.toString();
                }
                if (c < 0x20) {
                    at--;
                    throw error("a control character escaped");
                }
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                if (at >= text.length()) {
                    throw error("an escape");
                }
                char e = text.charAt(at++);
                switch (e) {
                    case '"', '\\', '/' -> out.append(e);
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'u' -> {
                        if (at + 4 > text.length()) {
                            throw error("four hex digits");
                        }
                        try {
                            out.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
                        } catch (NumberFormatException x) {
                            throw error("four hex digits");
                        }
                        at += 4;
                    }
                    default -> {
                        at--;
                        throw error("an escape: \\\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX");
                    }
                }
            }
        }

        private Object number() throws ParseException {
            int start = at;
            take('-');
            if (!digits()) {
                throw error("a digit");
            }
            boolean integer = true;
            if (take('.')) {
                integer = false;
                if (!digits()) {
                    throw error("a digit");
                }
            }
            if (take('e') || take('E')) {
                integer = false;
                if (!take('+')) {
                    take('-');
                }
                if (!digits()) {
                    throw error("a digit");
                }
            }
            String n = text.substring(start, at);
            if (!integer) {
                return Double.valueOf(n);
            }
            BigInteger big = new BigInteger(n);
            if (big.bitLength() < 32) {
                return big.intValue();
            }
            return big.bitLength() < 64 ? (Object) big.longValue() : big;
        }

        private boolean digits() {
            int start = at;
            while (at < text.length() && text.charAt(at) >= '0' && text.charAt(at) <= '9') {
                at++;
            }
            return at > start;
        }
    }
}
