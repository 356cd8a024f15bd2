package io.containerfs.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 23, #17: two pulls into one DIR both extracted, then one failed at the rename. */
class TargetDirectoryLockTest {
    @TempDir
    Path tmp;

    private Path dir() {
        return tmp.resolve("rootfs");
    }

    private List<String> names() throws IOException {
        try (var list = Files.list(tmp)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aSecondPullOfTheSameDirRefusesAtOnceAndTheLockIsRemovedAfter() throws Exception {
        TargetDirectory target = TargetDirectory.check(dir());
        try (TargetDirectory.Lock held = target.lock()) {
            assertEquals(List.of(".rootfs.pull.lock"), names());
            PullException e = assertThrows(PullException.class, () -> TargetDirectory.check(dir()).lock());
            assertEquals("another pull is writing '" + dir() + "' (it holds " + tmp.resolve(".rootfs.pull.lock")
                    + "); wait for it to end, or pull into another directory", e.getMessage());
            try (TargetDirectory.Lock other = TargetDirectory.check(tmp.resolve("other")).lock()) {
                assertTrue(Files.exists(tmp.resolve(".other.pull.lock")), "another DIR beside it is not held");
            }
        }
        assertEquals(List.of(), names(), "closing removes the lock file");
        target.lock().close();
    }

    /** What SIGKILL leaves: the file, with no lock on it, which the kernel dropped with its owner. */
    @Test
    void aLockFileNobodyHoldsIsTakenOver() throws Exception {
        Files.writeString(tmp.resolve(".rootfs.pull.lock"), "12345-67890-1\n");
        try (TargetDirectory.Lock held = TargetDirectory.check(dir()).lock()) {
            assertEquals(List.of(".rootfs.pull.lock"), names());
        }
        assertEquals(List.of(), names());
    }

    @Test
    void aDirFilledWhileWaitingIsRefusedAndNothingIsLeft() throws Exception {
        TargetDirectory target = TargetDirectory.check(dir());
        Files.createDirectories(dir().resolve("etc"));
        PullException e = assertThrows(PullException.class, target::lock);
        assertTrue(e.getMessage().contains("is not empty"), e.getMessage());
        assertEquals(List.of("rootfs"), names());
    }

    @Test
    void aLockThatIsNoFileIsNamed() throws Exception {
        Files.createSymbolicLink(tmp.resolve(".rootfs.pull.lock"), Path.of("/etc/passwd"));
        PullException e = assertThrows(PullException.class, () -> TargetDirectory.check(dir()).lock());
        assertEquals("'" + tmp.resolve(".rootfs.pull.lock") + "', pull's lock for '" + dir()
                + "', is not a regular file; remove it", e.getMessage());
        assertFalse(Files.isRegularFile(tmp.resolve(".rootfs.pull.lock"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
    }
}
