package io.containerfs.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.PrivilegedCondition;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeLibraryCacheTest {
    private static final String SHA = "b96410619e877a39612483da91264f21b08605cfbe8aa646597891ac51af106a";
    private static final byte[] LIBRARY = "\177ELF pretend this is a shared library".getBytes(StandardCharsets.US_ASCII);
    private static final int NOBODY = 65534;

    @TempDir
    Path tmp;

    private Path cacheDir;
    private int uid;

    @BeforeEach
    void privateCacheRoot() throws IOException {
        // @TempDir is 0700 under /tmp (root's, sticky): a parent the cache may trust.
        cacheDir = tmp.resolve("container-fs");
        uid = NativeLibraryCache.effectiveUid();
    }

    private NativeLibraryCache cache() {
        return new NativeLibraryCache(cacheDir, uid);
    }

    @Test
    void theLibraryGoesIntoAPrivateDirectoryNamedByItsHash() throws IOException {
        Path file = cache().install(SHA, LIBRARY);

        assertEquals(cacheDir.resolve("native").resolve(SHA).resolve("libcontainer-fs.so").toRealPath(), file);
        assertArrayEquals(LIBRARY, Files.readAllBytes(file));
        assertEquals("rwx------", permissions(file.getParent()));
        assertEquals("rwx------", permissions(cacheDir.resolve("native")));
        assertEquals("r-x------", permissions(file));
        assertEquals(uid, attribute(file, "uid"));
        try (var names = Files.list(file.getParent())) {
            assertEquals(1, names.count(), "no temporary file left beside the library");
        }
    }

    @Test
    void aSecondRunReusesTheFileWithoutWritingIt() throws IOException {
        Path first = cache().install(SHA, LIBRARY);
        Object inode = attribute(first, "ino");
        Object changed = attribute(first, "ctime");

        Path second = cache().install(SHA, LIBRARY);

        assertEquals(first, second);
        assertEquals(inode, attribute(second, "ino"));
        assertEquals(changed, attribute(second, "ctime"));
    }

    @Test
    void aRunFindsTheCachedFileByItsSizeAndCrcWithoutTheBytes() throws IOException {
        long crc = NativeLibraryCache.crc32(LIBRARY);
        assertNull(cache().find(SHA, LIBRARY.length, crc), "nothing cached yet");
        assertFalse(Files.exists(cacheDir), "finding writes nothing");

        Path file = cache().install(SHA, LIBRARY);

        assertEquals(file, cache().find(SHA, LIBRARY.length, crc));
        assertNull(cache().find(SHA, LIBRARY.length + 1, crc), "another size");
        assertNull(cache().find(SHA, LIBRARY.length, crc ^ 1), "another CRC-32");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
        byte[] tampered = LIBRARY.clone();
        tampered[0] ^= 1;
        Files.write(file, tampered);
        assertNull(cache().find(SHA, LIBRARY.length, crc), "same size, other bytes");
        Files.setPosixFilePermissions(file.getParent(), PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThrows(IOException.class, () -> cache().find(SHA, LIBRARY.length, crc), "a directory others may write");
    }

    @Test
    void aTamperedFileIsReplacedNotReturned() throws IOException {
        Path file = cache().install(SHA, LIBRARY);
        Object inode = attribute(file, "ino");
        byte[] tampered = LIBRARY.clone();
        tampered[tampered.length - 1] ^= 1; // same size, one bit off
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
        Files.write(file, tampered);

        Path again = cache().install(SHA, LIBRARY);

        assertEquals(file, again);
        assertArrayEquals(LIBRARY, Files.readAllBytes(again));
        assertNotEquals(inode, attribute(again, "ino"), "renamed in, not rewritten in place");
    }

    @Test
    void aSymlinkInPlaceOfTheFileIsReplacedByTheFile() throws IOException {
        Path elsewhere = Files.write(tmp.resolve("elsewhere.so"), LIBRARY);
        Path file = cacheDir.resolve("native").resolve(SHA).resolve("libcontainer-fs.so");
        cache().install(SHA, LIBRARY);
        Files.delete(file);
        Files.createSymbolicLink(file, elsewhere);

        Path again = cache().install(SHA, LIBRARY);

        assertFalse(Files.isSymbolicLink(again));
        assertArrayEquals(LIBRARY, Files.readAllBytes(again));
    }

    @Test
    void aCacheOwnedBySomeoneElseIsNotUsed() throws IOException {
        cache().install(SHA, LIBRARY);
        NativeLibraryCache otherUsers = new NativeLibraryCache(cacheDir, uid + 1);

        IOException e = assertThrows(IOException.class, () -> otherUsers.install(SHA, LIBRARY));
        assertTrue(e.getMessage().contains("belongs to uid " + uid + ", not to uid " + (uid + 1)), e.getMessage());
    }

    @Test
    void aCacheChownedToNobodyIsNotUsed() throws IOException {
        PrivilegedCondition.requireInCi(uid == 0, "root (chown, for the test '" + "aCacheChownedToNobodyIsNotUsed')");
        Path file = cache().install(SHA, LIBRARY);
        Files.setAttribute(file.getParent(), "unix:uid", NOBODY, LinkOption.NOFOLLOW_LINKS);

        IOException e = assertThrows(IOException.class, () -> cache().install(SHA, LIBRARY));
        assertTrue(e.getMessage().contains("belongs to uid " + NOBODY), e.getMessage());
    }

    @Test
    void aGroupOrWorldWritableCacheIsNotUsed() throws IOException {
        Path file = cache().install(SHA, LIBRARY);
        for (Path dir : new Path[] {file.getParent(), cacheDir.resolve("native")}) {
            for (String mode : new String[] {"rwxrwx---", "rwx---rwx"}) {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(mode));
                IOException e = assertThrows(IOException.class, () -> cache().install(SHA, LIBRARY), dir + " " + mode);
                assertTrue(e.getMessage().contains("writable by its group or by others"), e.getMessage());
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            }
        }
    }

    @Test
    void aWritableFileInTheCacheIsNotTrusted() throws IOException {
        Path file = cache().install(SHA, LIBRARY);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxrwxrwx"));

        Path again = cache().install(SHA, LIBRARY);

        assertEquals("r-x------", permissions(again));
    }

    @Test
    void aParentOthersMayWriteWithoutTheStickyBitIsNotTrusted() throws IOException {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxrwxrwx"));
        try {
            IOException e = assertThrows(IOException.class, () -> cache().install(SHA, LIBRARY));
            assertTrue(e.getMessage().contains(tmp.toRealPath() + " is writable by its group or by others"),
                    e.getMessage());
        } finally {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx------"));
        }
    }

    @Test
    void aStickyWorldWritableParentIsFineAsTmpIs() throws IOException {
        Files.setAttribute(tmp, "unix:mode", 01777);
        try {
            assertArrayEquals(LIBRARY, Files.readAllBytes(cache().install(SHA, LIBRARY)));
        } finally {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx------"));
        }
    }

    @Test
    void aNameThatIsNoSha256IsRefused() {
        assertThrows(IOException.class, () -> cache().install("../../evil", LIBRARY));
        assertThrows(IOException.class, () -> cache().install(SHA.toUpperCase(java.util.Locale.ROOT), LIBRARY));
        assertFalse(Files.exists(cacheDir.resolve("native").resolve("../../evil")));
    }

    @Test
    void theCacheDirectoryFollowsXdgThenTheHomeFromThePasswordDatabase() {
        assertEquals(Path.of("/x/container-fs"),
                NativeLibraryCache.userCacheDir(Map.of("XDG_CACHE_HOME", "/x"), "/home/u"));
        assertEquals(Path.of("/home/u/.cache/container-fs"),
                NativeLibraryCache.userCacheDir(Map.of("XDG_CACHE_HOME", "relative"), "/home/u"));
        assertEquals(Path.of("/home/u/.cache/container-fs"), NativeLibraryCache.userCacheDir(Map.of(), "/home/u"));
    }

    @Test
    void theEffectiveUidIsTheOwnerOfWhatThisProcessCreates() throws IOException {
        Path made = Files.createFile(tmp.resolve("mine"));
        assertEquals(attribute(made, "uid"), NativeLibraryCache.effectiveUid());
    }

    private static String permissions(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    private static Object attribute(Path p, String name) throws IOException {
        return Files.getAttribute(p, "unix:" + name, LinkOption.NOFOLLOW_LINKS);
    }
}
