package io.containerfs.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Only what a pull that is gone left behind is swept: never a live pull's, never another name. */
class LeftoversTest {
    @TempDir
    Path tmp;

    @Test
    void sweepsWhatAGoneOwnerLeftAndKeepsTheRest() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        String goneTag = gone.pid() + "-" + gone.info().startInstant().map(Instant::toEpochMilli).orElse(1L) + "-";
        Path deadSibling = Files.createDirectories(tmp.resolve(".rootfs.pull-" + goneTag + "123/etc"));
        Files.writeString(deadSibling.resolve("passwd"), "root:x:0:0\n");
        Path deadPart = Files.writeString(tmp.resolve("a.tar.gz." + goneTag + "9.part"), "half");
        Path liveSibling = Files.createDirectory(tmp.resolve(".rootfs.pull-" + Leftovers.ownerTag() + "456"));
        Path reusedPid = Files.createDirectory(tmp.resolve(".rootfs.pull-" + ProcessHandle.current().pid() + "-1-7"));
        Path oldUnowned = Files.createDirectory(tmp.resolve(".rootfs.pull-1234567"));
        Files.setLastModifiedTime(oldUnowned, FileTime.from(Instant.now().minus(Leftovers.UNOWNED_AGE).minusSeconds(60)));
        Path freshUnowned = Files.createDirectory(tmp.resolve(".rootfs.pull-7654321"));
        Path other = Files.createDirectory(tmp.resolve(".other.pull-" + goneTag + "1"));
        Path rootfs = Files.createDirectory(tmp.resolve("rootfs"));

        Leftovers.sweep(tmp, ".rootfs.pull-", "");
        Leftovers.sweep(tmp, "a.tar.gz.", ".part");

        assertEquals(List.of(liveSibling, freshUnowned, other, rootfs).stream().sorted().toList(), list(tmp));
        assertEquals(false, Files.exists(deadSibling.getParent()));
        assertEquals(false, Files.exists(deadPart));
        assertEquals(false, Files.exists(reusedPid), "same pid, another start time: another process");
    }

    /**
     * /tmp is 1777 and a group's shared directory 2775: sweeping a leftover in it must not change
     * it (issue 23, item 4: a sweep left /tmp 0777, without its sticky bit). The leftover holds a
     * read-only directory, as a tarball's tree may, so removing it needs write access somewhere.
     */
    @Test
    void aSweepNeverChangesTheParentsMode() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        String goneTag = gone.pid() + "-" + gone.info().startInstant().map(Instant::toEpochMilli).orElse(1L) + "-";
        for (String mode : List.of("1777", "2775", "3755")) {
            Path parent = Files.createDirectory(tmp.resolve("parent-" + mode));
            Path leftover = Files.createDirectories(parent.resolve(".rootfs.pull-" + goneTag + "1/usr/lib"));
            Files.writeString(leftover.resolve("libc.so"), "elf");
            Files.setPosixFilePermissions(leftover, PosixFilePermissions.fromString("r-xr-xr-x"));
            chmod(mode, parent);

            Leftovers.sweep(parent, ".rootfs.pull-", "");

            assertEquals(mode, stat("%04a", parent), "the parent's mode, sticky and setgid bits included");
            chmod("0755", parent);
            assertEquals(List.of(), list(parent), "the leftover, read-only directory and all, is gone");
        }
    }

    private static void chmod(String mode, Path path) throws IOException, InterruptedException {
        assertEquals(0, new ProcessBuilder("chmod", mode, path.toString()).start().waitFor());
    }

    private static String stat(String format, Path path) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("stat", "-c", format, path.toString()).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        assertEquals(0, p.waitFor());
        return out;
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.sorted().toList();
        }
    }
}
