package io.containerfs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ExitCodeTest {
    /** Raw waitpid(2) statuses as Linux encodes them: exit code << 8, or the signal number. */
    @ParameterizedTest(name = "status {0} -> {1}")
    @CsvSource({
        "0, 0",        // exit 0
        "1792, 7",     // exit 7
        "65280, 255",  // exit 255
        "9, 137",      // SIGKILL
        "15, 143",     // SIGTERM
        "2, 130",      // SIGINT
        "139, 139",    // SIGSEGV with core dump bit (0x80): 128 + 11
    })
    void mapsWaitStatusLikeAShell(int status, int exit) {
        assertEquals(exit, ExitCode.fromWaitStatus(status));
    }

    @ParameterizedTest
    @CsvSource({"FAILED, 125", "CANNOT_RUN, 126", "NOT_FOUND, 127"})
    void dockerConventions(ExitCode code, int value) {
        assertEquals(value, code.code());
    }
}
