package io.containerfs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvironmentSpecTest {
    @TempDir
    Path tmp;

    @Test
    void envFileThenEachEInOrderBareNamesFromTheHost() throws IOException, UsageException {
        Path file = Files.writeString(tmp.resolve("env"), "# a comment\n\n  A=from file\nB=\"kept quoted\"\nHOSTONLY\nUNSET\n");
        List<String> env = EnvironmentSpec.entries(List.of(file), List.of("A=from -e", "C=", "HOSTONLY"),
                Map.of("HOSTONLY", "host value"));
        assertEquals(List.of("A=from file", "B=\"kept quoted\"", "HOSTONLY=host value", "A=from -e", "C=",
                "HOSTONLY=host value"), env);
    }

    @Test
    void badNamesAndMissingFilesAreOneLine() {
        assertTrue(assertThrows(UsageException.class,
                () -> EnvironmentSpec.entries(List.of(), List.of("=x"), Map.of())).getMessage().startsWith("invalid variable"));
        assertTrue(assertThrows(UsageException.class,
                () -> EnvironmentSpec.entries(List.of(), List.of("A B=x"), Map.of())).getMessage().contains("in -e"));
        assertEquals("--env-file '" + tmp.resolve("none") + "' does not exist", assertThrows(UsageException.class,
                () -> EnvironmentSpec.entries(List.of(tmp.resolve("none")), List.of(), Map.of())).getMessage());
    }

    private String refusal(Path file) {
        return assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThrows(UsageException.class,
                () -> EnvironmentSpec.entries(List.of(file), List.of(), Map.of())).getMessage());
    }

    /** Issue 23, #17: a FIFO hung the run, /dev/zero ran out of memory with a stack trace. */
    @Test
    void onlyARegularFileIsRead() throws Exception {
        Path fifo = tmp.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        assertEquals("--env-file '" + fifo + "' is not a regular file (a FIFO, socket or device); give a file of"
                + " NAME=VALUE lines", refusal(fifo));
        assertEquals("--env-file '/dev/zero' is not a regular file (a FIFO, socket or device); give a file of"
                + " NAME=VALUE lines", refusal(Path.of("/dev/zero")));
        assertEquals("--env-file '" + tmp + "' is not a regular file (a directory); give a file of NAME=VALUE lines",
                refusal(tmp));
    }

    @Test
    void atMostOneMebibyteIsRead() throws IOException, UsageException {
        byte[] line = "A=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd\n".getBytes(StandardCharsets.US_ASCII);
        byte[] full = new byte[EnvironmentSpec.MAX_ENV_FILE_BYTES];
        for (int i = 0; i < full.length; i++) {
            full[i] = line[i % line.length];
        }
        Path file = Files.write(tmp.resolve("full"), full);
        assertEquals((full.length + line.length - 1) / line.length,
                EnvironmentSpec.entries(List.of(file), List.of(), Map.of()).size(), "exactly 1 MiB is read");
        Files.write(file, new byte[] {'\n'}, StandardOpenOption.APPEND);
        assertEquals("--env-file '" + file + "' is larger than 1 MiB, the most container-fs reads; an environment must"
                + " fit in what execve(2) takes", refusal(file));
    }

    /** Issue 23, #12: a byte that is not UTF-8 became U+FFFD, and went on as other bytes. */
    @Test
    void theBytesGoOnExactlyOrTheLineIsNamed() throws IOException, UsageException {
        Path file = Files.write(tmp.resolve("env"), "A=é\r\nB=\uFFFD\n".getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of("A=é", "B=\uFFFD"), EnvironmentSpec.entries(List.of(file), List.of(), Map.of()),
                "valid UTF-8, U+FFFD itself included, is kept; CRLF is a line end, as docker run reads it");
        Files.write(file, new byte[] {'A', '=', '1', '\n', '#', '\n', 'B', '=', (byte) 0xff, '\n'});
        assertEquals("--env-file '" + file + "' line 3 holds bytes that are not valid UTF-8, which container-fs would"
                + " change; give valid UTF-8", refusal(file));
        Files.write(file, new byte[] {'A', '=', '1', 0, '2', '\n'});
        assertEquals("--env-file '" + file + "' line 1 holds a NUL byte, which no variable can hold", refusal(file));
    }
}
