package io.containerfs.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

class NativeLoaderTest {
    @Test
    void resourceIsNamedByArchitecture() {
        assertEquals("/native/amd64-Linux/libcontainer-fs.so", NativeLoader.resourceName("amd64"));
        assertEquals("/native/aarch64-Linux/libcontainer-fs.so", NativeLoader.resourceName("AARCH64"));
    }

    @Test
    void aMissingResourceSaysWhatToDo() {
        UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class,
                () -> NativeLoader.loadFromResource("/native/sparc-Linux/libcontainer-fs.so"));
        assertTrue(e.getMessage().contains("/native/sparc-Linux/libcontainer-fs.so is not in the jar"), e.getMessage());
        assertTrue(e.getMessage().contains("mvn package"), e.getMessage());
    }

    @Test
    void theBundledLibraryLoads() {
        assertTrue(NativeLoader.isAvailable(), () -> String.valueOf(NativeLoader.unavailabilityCause()));
        assertNull(NativeLoader.unavailabilityCause());
    }

    /** What the build recorded in BundledLibrary is what the jar holds: a run trusts it to find its copy. */
    @Test
    void theBuildRecordsTheBundledLibrarysSha256SizeAndCrc32() throws Exception {
        String resource = NativeLoader.resourceName(System.getProperty("os.arch"));
        byte[] library;
        try (InputStream in = NativeLoader.class.getResourceAsStream(resource)) {
            library = in.readAllBytes();
        }
        CRC32 crc = new CRC32();
        crc.update(library);

        NativeLoader.Bundled bundled = NativeLoader.bundledAs(resource);

        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(library)), bundled.sha256);
        assertEquals(library.length, bundled.size);
        assertEquals(crc.getValue(), bundled.crc32);
        assertArrayEquals(library, bundled.bytes());
    }

    @Test
    void theBuildRecordsEachLibraryUnderItsOwnResource() {
        assertEquals(NativeLoader.resourceName("amd64"), NativeLoader.bundledAs(NativeLoader.resourceName("amd64")).resource);
        UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class,
                () -> NativeLoader.bundledAs(NativeLoader.resourceName("sparc")));
        assertTrue(e.getMessage().contains("is not in the jar"), e.getMessage());
    }

    /** A jar whose library is not the one the build recorded writes no copy of it. */
    @Test
    void aLibraryOtherThanTheRecordedOneIsNotWritten() {
        NativeLoader.Bundled recorded = NativeLoader.bundledAs(NativeLoader.resourceName("amd64"));
        NativeLoader.Bundled otherCrc = new NativeLoader.Bundled(recorded.resource, recorded.sha256, recorded.size,
                recorded.crc32 ^ 1);
        NativeLoader.Bundled otherSize = new NativeLoader.Bundled(recorded.resource, recorded.sha256,
                recorded.size + 1, recorded.crc32);

        for (NativeLoader.Bundled other : java.util.List.of(otherCrc, otherSize)) {
            IOException e = assertThrows(IOException.class, other::bytes);
            assertTrue(e.getMessage().contains("does not match the size and CRC-32"), e.getMessage());
        }
    }

    private static final java.util.List<String> MOUNTINFO = java.util.List.of(
            "22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw",
            "23 22 0:21 / /tmp rw,nosuid,nodev,noexec shared:2 - tmpfs tmpfs rw",
            "24 23 0:22 / /tmp/exec\\040dir rw,relatime shared:3 - tmpfs tmpfs rw");

    @Test
    void theLongestMountPointAboveTheDirectoryDecides() {
        assertTrue(NativeLoader.isNoexec(Path.of("/tmp/x"), MOUNTINFO));
        assertFalse(NativeLoader.isNoexec(Path.of("/tmp/exec dir/x"), MOUNTINFO));
        assertFalse(NativeLoader.isNoexec(Path.of("/home"), MOUNTINFO));
    }

    @Test
    void aNormalDirectoryGetsNoHint() {
        assertFalse(NativeLoader.isNoexec(Path.of(System.getProperty("java.home"))));
        assertEquals("", NativeLoader.noexecHint(null));
    }
}
