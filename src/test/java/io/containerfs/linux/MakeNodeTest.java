package io.containerfs.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Privileged;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Native.makeNode (nodes.c through jni_native.c): what it makes, and each way it fails. */
class MakeNodeTest {
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

    private static void assertFailure(
            NodeException e, NodeException.Step step, String name, int errno, Path path, String reason) {
        assertEquals(step, e.step(), e.getMessage());
        assertEquals(errno, e.errno(), e.getMessage());
        assertEquals(path.toString(), e.path());
        assertEquals(name + " on `" + path + "`: " + reason, e.getMessage());
    }

    @Test
    @Privileged
    void makesACharacterDeviceWithItsOwnerExactModeAndMtime() throws IOException {
        Path node = tmp.resolve("null");
        Native.makeNode(node.toString(), Native.S_IFCHR | 0666, 1, 3, 42, 43, MTIME, 500_000_000);
        Map<String, Object> a = stat(node);
        assertEquals(Native.S_IFCHR | 0666, a.get("mode"), "0666 whatever the umask");
        assertEquals((1L << 8) | 3, a.get("rdev"), "makedev(1, 3)");
        assertEquals(42, a.get("uid"));
        assertEquals(43, a.get("gid"));
        assertEquals(FileTime.fromMillis(MTIME * 1000 + 500), a.get("lastModifiedTime"));
    }

    @Test
    @Privileged
    void keepsSetuidAndSetgidThatChownWouldClear() throws IOException {
        Path block = tmp.resolve("loop0");
        Native.makeNode(block.toString(), Native.S_IFBLK | 06640, 7, 0, 1000, 6, MTIME, 0);
        assertEquals(Native.S_IFBLK | 06640, stat(block).get("mode"));
        assertEquals((7L << 8), stat(block).get("rdev"));
    }

    @Test
    void makesAFifoWithoutOpeningIt() throws IOException {
        Path fifo = tmp.resolve("fifo");
        Native.makeNode(fifo.toString(), Native.S_IFIFO | 0600, 99, 99, -1, -1, MTIME, 0);
        Map<String, Object> a = stat(fifo);
        assertEquals(Native.S_IFIFO | 0600, a.get("mode"));
        assertEquals(0L, a.get("rdev"), "a FIFO has no device number");
        assertEquals(FileTime.fromMillis(MTIME * 1000), a.get("lastModifiedTime"));
    }

    @Test
    void aMissingDirectoryIsEnoent() {
        Path node = tmp.resolve("missing/null");
        NodeException e = assertThrows(NodeException.class,
                () -> Native.makeNode(node.toString(), Native.S_IFIFO | 0644, 0, 0, -1, -1, MTIME, 0));
        assertFailure(e, NodeException.Step.MKNOD, "mknod", 2, node, "No such file or directory");
    }

    @Test
    void aSymlinkInTheWayIsEexistAndNotFollowed() throws IOException {
        Path link = Files.createSymbolicLink(tmp.resolve("link"), tmp.resolve("target"));
        NodeException e = assertThrows(NodeException.class,
                () -> Native.makeNode(link.toString(), Native.S_IFIFO | 0644, 0, 0, -1, -1, MTIME, 0));
        assertFailure(e, NodeException.Step.MKNOD, "mknod", 17, link, "File exists");
        assertFalse(Files.exists(tmp.resolve("target"), LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void aModeThatIsNoNodeIsEinval() {
        Path file = tmp.resolve("file");
        NodeException e = assertThrows(NodeException.class,
                () -> Native.makeNode(file.toString(), 0100644, 0, 0, -1, -1, MTIME, 0));
        assertFailure(e, NodeException.Step.MKNOD, "mknod", 22, file, "Invalid argument");
        assertFalse(Files.exists(file, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void nanosecondsOutOfRangeFailAtTheTimesStep() {
        Path fifo = tmp.resolve("fifo");
        NodeException e = assertThrows(NodeException.class,
                () -> Native.makeNode(fifo.toString(), Native.S_IFIFO | 0644, 0, 0, -1, -1, MTIME, 1_000_000_000));
        assertFailure(e, NodeException.Step.TIMES, "set times", 22, fifo, "Invalid argument");
    }

    @Test
    void aNullPathIsANullPointerExceptionNotACrash() {
        NullPointerException e = assertThrows(NullPointerException.class,
                () -> Native.makeNode(null, Native.S_IFIFO | 0644, 0, 0, -1, -1, MTIME, 0));
        assertTrue(e.getMessage().contains("path is null"), e.getMessage());
    }
}
