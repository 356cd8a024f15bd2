package io.containerfs.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the caller gave, read from /proc: the parts that need no root and no container. */
class CallerTest {
    @TempDir
    Path tmp;

    @Test
    void readsTheOpenFilesLineOfALimitsFile() throws IOException {
        Path limits = Files.writeString(tmp.resolve("limits"),
                "Limit                     Soft Limit           Hard Limit           Units     \n"
                        + "Max processes             63387                63387                processes \n"
                        + "Max open files            1024                 20000                files     \n");
        assertArrayEquals(new long[] {1024, 20000}, Caller.openFiles(limits));
        Files.writeString(limits, "Max open files            unlimited            unlimited            files\n");
        assertArrayEquals(new long[] {-1, -1}, Caller.openFiles(limits));
        assertNull(Caller.openFiles(tmp.resolve("missing")));
    }

    @Test
    void theLastWordsOfACommandLineAreReadFromItsEnd() {
        byte[] cmdline = "java\0-jar\0r\0w\0--\0sh\0\0".getBytes(StandardCharsets.US_ASCII);
        assertArrayEquals(new byte[][] {{'s', 'h'}, {}}, Caller.lastWords(cmdline, 2));
        assertArrayEquals(new byte[][] {{'j', 'a', 'v', 'a'}, {'-', 'j', 'a', 'r'}, {'r'}, {'w'}, {'-', '-'},
                {'s', 'h'}, {}}, Caller.lastWords(cmdline, 7));
        assertNull(Caller.lastWords(cmdline, 8), "fewer words than asked for");
        assertArrayEquals(new byte[][] {{'a'}}, Caller.lastWords("a\0b".getBytes(StandardCharsets.US_ASCII), 1),
                "a tail without its NUL is not a word");
        assertNull(Caller.lastWords(new byte[0], 1));
    }

    @Test
    void wordsThatAreNotTheEndOfThisJvmsArgvAreEncodedAndAReplacementCharacterIsRefused() {
        NativeLoader.load();
        assertNull(Caller.commandBytes(new String[] {"no-such-word-" + System.nanoTime()}, StandardCharsets.UTF_8));
        assertArrayEquals(new byte[][] {{'l', 's'}}, Native.encodeCommand(new String[] {"ls"}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Native.encodeCommand(new String[] {"a\uFFFDb"}));
        assertTrue(e.getMessage().contains("not valid in the system's character set"), e.getMessage());
    }
}
