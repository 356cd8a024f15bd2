package io.containerfs.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.PrivilegedCondition;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/**
 * Issue 28: one jar for amd64 and arm64 machines. The jar carries a JNI library per architecture,
 * each built for its machine (src/main/c/Makefile; arm64's with Debian's gcc-aarch64-linux-gnu),
 * and NativeLoader takes the one the JVM's os.arch names.
 */
class BundledArchitecturesTest {
    /** e_machine in the ELF header (elf(5)). */
    private static final int EM_X86_64 = 62;
    private static final int EM_AARCH64 = 183;

    @Test
    void theJarHoldsAnAmd64LibraryForX86_64() throws IOException {
        assertEquals(EM_X86_64, machineOf(NativeLoader.resourceName("amd64")));
    }

    @Test
    void theJarHoldsAnAarch64LibraryForArm64() throws IOException {
        PrivilegedCondition.requireInCi(NativeLoader.class.getResource("/native/aarch64-Linux/libcontainer-fs.so") != null,
                "the aarch64 library (cross compiler: Debian packages gcc-aarch64-linux-gnu, libc6-dev-arm64-cross)");
        assertEquals(EM_AARCH64, machineOf(NativeLoader.resourceName("aarch64")));
        assertNotNull(NativeLoader.bundledAs("/native/aarch64-Linux/libcontainer-fs.so"), "BundledLibrary records it");
    }

    @Test
    void theLoaderTakesTheLibraryOfTheJvmsArchitecture() {
        assertEquals("/native/amd64-Linux/libcontainer-fs.so", NativeLoader.resourceName("amd64"));
        assertEquals("/native/amd64-Linux/libcontainer-fs.so", NativeLoader.resourceName("x86_64"));
        assertEquals("/native/aarch64-Linux/libcontainer-fs.so", NativeLoader.resourceName("aarch64"));
        assertEquals("/native/aarch64-Linux/libcontainer-fs.so", NativeLoader.resourceName("arm64"));
    }

    @Test
    void anotherArchitectureGetsOneLineNamingThoseTheJarHas() {
        UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class,
                () -> NativeLoader.bundledAs(NativeLoader.resourceName("riscv64")));
        assertTrue(e.getMessage().contains("/native/riscv64-Linux/libcontainer-fs.so is not in the jar"), e.getMessage());
        assertTrue(e.getMessage().contains("the jar has ") && e.getMessage().contains("amd64"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    /** e_machine of a 64-bit little-endian ELF file in the jar. */
    private static int machineOf(String resource) throws IOException {
        try (InputStream in = NativeLoader.class.getResourceAsStream(resource)) {
            assertNotNull(in, resource + " is not in the jar");
            byte[] header = in.readNBytes(20);
            assertEquals(20, header.length, resource);
            assertTrue(header[0] == 0x7f && header[1] == 'E' && header[2] == 'L' && header[3] == 'F', resource + " is not ELF");
            assertEquals(2, header[4], resource + " is 64-bit (ELFCLASS64)");
            assertEquals(1, header[5], resource + " is little-endian (ELFDATA2LSB)");
            return (header[18] & 0xff) | (header[19] & 0xff) << 8;
        }
    }
}
