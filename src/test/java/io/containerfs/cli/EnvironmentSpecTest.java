package io.containerfs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
