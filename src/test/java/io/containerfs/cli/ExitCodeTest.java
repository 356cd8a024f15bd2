package io.containerfs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ExitCodeTest {
    @Test
    void helpLinesPutTheMeaningsInOneColumn() {
        assertEquals("  0    done\n", ExitCode.SUCCESS.helpLine("done"));
        assertEquals("  125  failed\n", ExitCode.FAILED.helpLine("failed"));
    }

    @Test
    void theNumbersAreDockerRunsAndTheShells() {
        assertEquals(0, ExitCode.SUCCESS.code());
        assertEquals(125, ExitCode.FAILED.code());
        assertEquals(126, ExitCode.CANNOT_RUN.code());
        assertEquals(127, ExitCode.NOT_FOUND.code());
    }
}
