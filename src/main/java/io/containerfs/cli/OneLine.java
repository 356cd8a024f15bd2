package io.containerfs.cli;

/**
 * A message as the one line container-fs prints on stderr. A value the user gave and a message
 * quotes (a hostname, a path, an env-file line) may hold a newline or another control character,
 * which would split the line that scripts and engines read, or move a terminal's cursor; each such
 * character is shown escaped instead, as {@code \n}, {@code \t} or {@code \xNN}, the way
 * {@code ls --quoting-style=escape} shows a name.
 */
public final class OneLine {
    private OneLine() {}

    /** The message with every control character escaped; the same string when it has none. */
    public static String of(String message) {
        int i = 0;
        while (i < message.length() && !isControl(message.charAt(i))) {
            i++;
        }
        if (i == message.length()) {
            return message;
        }
        StringBuilder out = new StringBuilder(message.length() + 8).append(message, 0, i);
        for (; i < message.length(); i++) {
            char c = message.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (!isControl(c)) {
                        out.append(c);
                    } else if (c < 0x100) {
                        out.append("\\x").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xf, 16));
                    } else {
                        out.append(String.format("\\u%04x", (int) c));
                    }
                }
            }
        }
        return out.toString();
    }

    /** C0, DEL and C1 controls, and the Unicode line and paragraph separators. */
    private static boolean isControl(char c) {
        return c < 0x20 || (c >= 0x7f && c < 0xa0) || c == '\u2028' || c == '\u2029';
    }
}
