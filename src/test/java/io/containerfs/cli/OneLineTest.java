package io.containerfs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Every error is one line on stderr, whatever the value it quotes holds. */
class OneLineTest {
    @Test
    void controlCharactersAreShownEscaped() {
        String plain = "invalid --hostname 'web-1': use letters";
        assertSame(plain, OneLine.of(plain));
        assertEquals("'a\\nb\\r\\tc\\x1b[2J\\x7f\\x85\\u2028é'", OneLine.of("'a\nb\r\tc\u001b[2J\u007f\u0085\u2028é'"));
    }

    /** Issue 23, #17: a hostname with a newline gave a message of two lines. */
    @Test
    void aHostnameWithANewlineIsRefusedInOneLine() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = new Main(new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true))
                .run(new String[] {"-h", "a\nb", "rootfs", "w", "--", "true"});
        assertEquals(125, status);
        assertEquals("container-fs: invalid --hostname 'a\\nb': use 1 to 64 letters, digits, '-' and '.', starting"
                + " with a letter or digit\n", err.toString(StandardCharsets.UTF_8));
    }
}
