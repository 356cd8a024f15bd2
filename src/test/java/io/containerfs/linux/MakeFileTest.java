package io.containerfs.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.containerfs.testing.Privileged;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Native.createFile, writeFile, finishFile and setMetadata (nodes.c through jni_native.c), which
 * pull uses for every file, directory and symlink it extracts: what they make, and that they
 * never follow a symlink.
 */
class MakeFileTest {
    private static final long MTIME = 1_600_000_000L;

    @TempDir
    Path tmp;

    @BeforeAll
    static void load() {
        NativeLoader.load();
    }

    private static Map<String, Object> stat(Path path) throws IOException {
        return Files.readAttributes(path, "unix:*", LinkOption.NOFOLLOW_LINKS);
    }

    /** Contents in two writes, then the exact mode whatever the umask (0600 until then), and the mtime. */
    @Test
    void aFileGetsItsContentsExactModeAndMtime() throws IOException {
        Path file = tmp.resolve("motd");
        int fd = Native.createFile(file.toString());
        assertEquals(0100600, stat(file).get("mode"), "private until finished");
        byte[] hello = "..hello, world\n..".getBytes(StandardCharsets.US_ASCII);
        Native.writeFile(fd, file.toString(), hello, 2, 7);
        Native.writeFile(fd, file.toString(), hello, 9, 6);
        Native.finishFile(fd, file.toString(), 04755, -1, -1, MTIME, 250_000_000);
        assertArrayEquals("hello, world\n".getBytes(StandardCharsets.US_ASCII), Files.readAllBytes(file));
        Map<String, Object> a = stat(file);
        assertEquals(0104755, a.get("mode"), "setuid kept: the owner was not changed after it");
        assertEquals(FileTime.fromMillis(MTIME * 1000 + 250), a.get("lastModifiedTime"));
    }

    @Test
    @Privileged
    void asRootAFileGetsItsOwnerBeforeItsSetuidMode() throws IOException {
        Path file = tmp.resolve("su");
        int fd = Native.createFile(file.toString());
        Native.finishFile(fd, file.toString(), 06755, 42, 43, MTIME, 0);
        Map<String, Object> a = stat(file);
        assertEquals(42, a.get("uid"));
        assertEquals(43, a.get("gid"));
        assertEquals(0106755, a.get("mode"), "chown(2) would clear setuid and setgid set before it");
    }

    @Test
    void aSymlinkInTheWayIsEexistAndNotFollowed() throws IOException {
        Path link = Files.createSymbolicLink(tmp.resolve("link"), tmp.resolve("target"));
        NodeException e = assertThrows(NodeException.class, () -> Native.createFile(link.toString()));
        assertEquals(NodeException.Step.CREATE, e.step());
        assertEquals(NodeException.EEXIST, e.errno());
        assertEquals("create on `" + link + "`: File exists", e.getMessage());
        assertFalse(Files.exists(tmp.resolve("target"), LinkOption.NOFOLLOW_LINKS), "nothing made through it");
    }

    @Test
    void anExistingFileIsEexistAndKept() throws IOException {
        Path file = Files.writeString(tmp.resolve("kept"), "mine");
        NodeException e = assertThrows(NodeException.class, () -> Native.createFile(file.toString()));
        assertEquals(NodeException.EEXIST, e.errno());
        assertEquals("mine", Files.readString(file));
    }

    @Test
    void bytesOutsideTheArrayAreRefusedBeforeC() throws IOException {
        Path file = tmp.resolve("f");
        int fd = Native.createFile(file.toString());
        try {
            assertThrows(IndexOutOfBoundsException.class, () -> Native.writeFile(fd, file.toString(), new byte[4], 2, 3));
            assertThrows(IndexOutOfBoundsException.class, () -> Native.writeFile(fd, file.toString(), new byte[4], -1, 1));
        } finally {
            Native.closeFile(fd);
        }
        assertEquals(0L, Files.size(file));
    }

    /** A failed step still closes the descriptor. */
    @Test
    void aFailingFinishClosesTheFile() throws IOException {
        Path file = tmp.resolve("f");
        int fd = Native.createFile(file.toString());
        Path descriptor = Path.of("/proc/self/fd/" + fd);
        assertEquals(file, Files.readSymbolicLink(descriptor), "open until finished");
        NodeException e = assertThrows(NodeException.class,
                () -> Native.finishFile(fd, file.toString(), 0644, -1, -1, MTIME, 1_000_000_000));
        assertEquals(NodeException.Step.TIMES, e.step());
        assertEquals("set times on `" + file + "`: Invalid argument", e.getMessage());
        assertFalse(Files.exists(descriptor, LinkOption.NOFOLLOW_LINKS) && file.equals(Files.readSymbolicLink(descriptor)),
                "the failed file's descriptor is closed");
    }

    /** Whatever type the caller says, a symlink is never followed: open(2) refuses it. */
    @Test
    void aSymlinkWhereADirectoryWasSaidToBeIsEloopAndItsTargetKeepsItsMode() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("real"));
        Object modeBefore = stat(dir).get("mode");
        Path link = Files.createSymbolicLink(tmp.resolve("link"), dir);
        NodeException e = assertThrows(NodeException.class,
                () -> Native.setMetadata(link.toString(), Native.S_IFDIR | 0777, -1, -1, MTIME, 0));
        assertEquals(NodeException.Step.OPEN, e.step());
        // O_NOFOLLOW's ELOOP, or ENOTDIR where O_DIRECTORY is checked first, as Linux does.
        assertEquals("open on `" + link + "`: Not a directory", e.getMessage());
        assertEquals(modeBefore, stat(dir).get("mode"));
        assertFalse(FileTime.fromMillis(MTIME * 1000).equals(Files.getLastModifiedTime(dir)));
    }

    /** Directories and symlinks: by path, a symlink's own owner and mtime, never its target's. */
    @Test
    void metadataOfASymlinkIsItsOwnAndLeavesItsTargetAlone() throws IOException {
        Path target = Files.writeString(tmp.resolve("target"), "x");
        FileTime before = Files.getLastModifiedTime(target);
        Object modeBefore = stat(target).get("mode");
        Path link = Files.createSymbolicLink(tmp.resolve("link"), target);
        Native.setMetadata(link.toString(), Native.S_IFLNK | 0777, -1, -1, MTIME, 0);
        assertEquals(FileTime.fromMillis(MTIME * 1000), Files.getLastModifiedTime(link, LinkOption.NOFOLLOW_LINKS));
        assertEquals(before, Files.getLastModifiedTime(target));
        assertEquals(modeBefore, stat(target).get("mode"), "the target's mode untouched");

        Path dir = Files.createDirectory(tmp.resolve("dir"));
        Native.setMetadata(dir.toString(), Native.S_IFDIR | 01777, -1, -1, MTIME, 0);
        assertEquals(041777, stat(dir).get("mode"));
    }
}
