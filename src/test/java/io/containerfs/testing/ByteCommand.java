package io.containerfs.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs a command whose arguments are bytes, not text. ProcessBuilder encodes each String in the
 * JVM's charset, so a byte sequence that is not valid there (\xff under UTF-8) can never be passed
 * through it; here the words are written NUL-separated to a file, which bash's mapfile reads back
 * and execs as they are.
 */
public final class ByteCommand {
    private ByteCommand() {}

    /** A word of text, as its UTF-8 bytes. */
    public static byte[] word(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    public static List<byte[]> words(List<String> text) {
        List<byte[]> out = new ArrayList<>();
        for (String w : text) {
            out.add(word(w));
        }
        return out;
    }

    /** Runs {@code argv} with {@code env} added; {@code scratch} is a directory for the words' file. */
    public static Commands.Result run(List<byte[]> argv, Map<String, String> env, Path scratch) {
        PrivilegedCondition.requireInCi(Fixtures.onPath("bash"), "bash");
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] w : argv) {
            all.writeBytes(w);
            all.write(0);
        }
        try {
            Path file = Files.createTempFile(scratch, "argv-", "");
            try {
                Files.write(file, all.toByteArray());
                return Commands.run(null, null,
                        List.of("bash", "-c", "mapfile -d '' -t w < \"$0\" && exec \"${w[@]}\"", file.toString()), env);
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
