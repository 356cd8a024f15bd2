package io.containerfs.cli;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Text that reaches the container, the kernel or a file name as the bytes the user gave, or not at
 * all (issue 23, #12). Java holds text as UTF-16: bytes are decoded in the system's character set
 * ({@code sun.jnu.encoding}, what the JVM decodes main's arguments with and the core's strings are
 * encoded in, {@code Native.encode}), and a sequence that is not valid there becomes U+FFFD, which
 * would go on as other bytes. So what does not decode exactly is refused, with one line that says
 * where and shows the bytes.
 */
final class ExactBytes {
    private ExactBytes() {}

    /** {@code sun.jnu.encoding}, as {@code Native} reads it; the JVM's default when it names none it knows. */
    static Charset charset() {
        String name = System.getProperty("sun.jnu.encoding");
        try {
            return name != null ? Charset.forName(name) : Charset.defaultCharset();
        } catch (IllegalArgumentException e) {
            return Charset.defaultCharset();
        }
    }

    /** The text of {@code bytes}, or where the first byte that is not valid in {@code charset} is. */
    record Decoded(String text, int invalidAt) {
        boolean isExact() {
            return invalidAt < 0;
        }
    }

    static Decoded decode(byte[] bytes, Charset charset) {
        CharsetDecoder decoder = decoder(charset);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate((int) Math.ceil(bytes.length * (double) decoder.maxCharsPerByte()) + 1);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            return new Decoded(null, in.position());
        }
        return new Decoded(out.flip().toString(), -1);
    }

    /**
     * The bytes as a message shows them: what is valid in {@code charset} as text, each byte that
     * is not as {@code \xNN}.
     */
    static String show(byte[] bytes, Charset charset) {
        CharsetDecoder decoder = decoder(charset);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(64);
        StringBuilder shown = new StringBuilder();
        while (true) {
            CoderResult result = decoder.decode(in, out, true);
            shown.append(out.flip());
            out.clear();
            if (result.isOverflow()) {
                continue;
            }
            if (!result.isError()) {
                break;
            }
            for (int i = 0; i < result.length(); i++) {
                int b = in.get() & 0xff;
                shown.append("\\x").append(Character.forDigit(b >> 4, 16)).append(Character.forDigit(b & 0xf, 16));
            }
        }
        decoder.flush(out);
        return shown.append(out.flip()).toString();
    }

    /** What the bytes are not, and what to do: the end of a refusal's line. */
    static String notValid(Charset charset) {
        if (charset.equals(StandardCharsets.UTF_8)) {
            return "bytes that are not valid UTF-8, which container-fs would change; give valid UTF-8";
        }
        return "bytes that are not valid in the system's character set " + charset
                + ", which container-fs would change; set a UTF-8 locale, e.g. LC_ALL=C.UTF-8";
    }

    private static CharsetDecoder decoder(Charset charset) {
        return charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
    }
}
