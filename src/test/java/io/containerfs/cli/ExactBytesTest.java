package io.containerfs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 23, #12: a byte sequence the JVM could not decode became U+FFFD in an option's value and
 * went on as other bytes, exit 0. In this JVM the words are not its own argv, so their bytes
 * cannot be read back and every U+FFFD is refused; the jar's own (BadInputIT, InputIT) reads them.
 */
class ExactBytesTest {
    private final CommandLineSpec spec = new CommandLineSpec();

    private String refusal(String... args) {
        return assertThrows(UsageException.class, () -> spec.parseRun(args, spec.parseOptions(args))).getMessage();
    }

    private static final String NOT_UTF8 = "' holds bytes that are not valid UTF-8, which container-fs would change;"
            + " give valid UTF-8";

    @Test
    void aValueTheJvmRewroteIsRefusedNamingItsOption() {
        assertEquals("--env 'A=\uFFFD" + NOT_UTF8, refusal("-e", "A=\uFFFD", "r", "w", "--", "sh"));
        assertEquals("--env 'A=\uFFFD" + NOT_UTF8, refusal("--env=A=\uFFFD", "r", "w", "--", "sh"));
        assertEquals("--workdir '/\uFFFD" + NOT_UTF8, refusal("-w", "/\uFFFD", "r", "w", "--", "sh"));
        assertEquals("--tmpfs '/t\uFFFD" + NOT_UTF8, refusal("--tmpfs", "/t\uFFFD", "r", "w", "--", "sh"));
        assertEquals("--volume '/h\uFFFD:/c" + NOT_UTF8, refusal("-v", "/h\uFFFD:/c", "r", "w", "--", "sh"));
        assertEquals("--env-file '/e\uFFFD" + NOT_UTF8, refusal("--env-file", "/e\uFFFD", "r", "w", "--", "sh"));
        assertEquals("layer 'r\uFFFD" + NOT_UTF8, refusal("r\uFFFD", "w", "--", "sh"));
        assertEquals("layer 'r\uFFFD" + NOT_UTF8, refusal("--init", "r\uFFFD", "w", "--", "sh"));
    }

    @Test
    void theCommandKeepsItsBytesAndIsNotRefusedHere() throws UsageException {
        String[] args = {"r", "w", "--", "printf", "\uFFFD"};
        assertEquals(List.of("printf", "\uFFFD"), spec.parseRun(args, spec.parseOptions(args)).command());
    }

    @Test
    void invalidBytesAreShownAsEscapesAndTheRestAsText() {
        byte[] bytes = {'A', '=', (byte) 0xc3, (byte) 0xa9, (byte) 0xff, 'x', (byte) 0xc3};
        assertEquals("A=é\\xffx\\xc3", ExactBytes.show(bytes, StandardCharsets.UTF_8));
        assertEquals(4, ExactBytes.decode(bytes, StandardCharsets.UTF_8).invalidAt());
        assertEquals("é\uFFFD", ExactBytes.decode("é\uFFFD".getBytes(StandardCharsets.UTF_8),
                StandardCharsets.UTF_8).text(), "U+FFFD written as itself is valid UTF-8");
        assertEquals("A=\\xc3\\xa9", ExactBytes.show(new byte[] {'A', '=', (byte) 0xc3, (byte) 0xa9},
                StandardCharsets.US_ASCII));
    }

    @Test
    void aHostValueTheJvmMayHaveRewrittenIsRefused() {
        assertEquals("the host's X, asked for in -e, holds U+FFFD: its bytes may not be valid in UTF-8, and"
                + " container-fs would pass them on changed; give X=VALUE", assertThrows(UsageException.class,
                        () -> EnvironmentSpec.entries(List.of(), List.of("X"), Map.of("X", "a\uFFFD"))).getMessage());
    }
}
