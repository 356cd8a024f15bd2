package io.containerfs.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /proc/PID/stat read by hand gives what ProcessHandle gives. */
class ProcessStatTest {
    @TempDir
    Path tmp;

    @Test
    void readsTheParentPidAfterACommandNameWithSpacesAndParentheses() throws IOException {
        Path stat = Files.writeString(tmp.resolve("stat"), "4242 (a) b (c d) S 17 4242 17 0 -1 4194560\n");
        assertEquals(17, ProcessStat.parentPid(stat));
        assertEquals(ProcessHandle.current().parent().orElseThrow().pid(),
                ProcessStat.parentPid(Path.of("/proc/self/stat")));
        assertEquals(-1, ProcessStat.parentPid(tmp.resolve("missing")));
    }

    @Test
    void thePidAndStartTimeAreProcessHandlesToTheMillisecond() throws Exception {
        ProcessHandle self = ProcessHandle.current();
        assertArrayEquals(new long[] {self.pid(), self.info().startInstant().orElseThrow().toEpochMilli()},
                ProcessStat.self());
        Process child = new ProcessBuilder("sleep", "5").start();
        try {
            Instant started = child.toHandle().info().startInstant().orElseThrow();
            assertEquals(started.toEpochMilli(), ProcessStat.startMillis(child.pid()));
        } finally {
            child.destroy();
            child.waitFor();
        }
        assertEquals(-1, ProcessStat.startMillis(child.pid()), "a reaped child has no stat file");
    }

    @Test
    void wordsAreSplitAtRunsOfBlanks() {
        assertArrayEquals(new String[] {"a", "b", "c"}, ProcessStat.words("  a \t b\nc\n"));
        assertArrayEquals(new String[] {}, ProcessStat.words(" "));
    }
}
