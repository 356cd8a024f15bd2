package io.containerfs.pull;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FingerprintTest {
    // sha256sum and sha512sum of "abc"
    private static final String ABC_SHA256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    private static final String ABC_SHA512 = "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
            + "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f";

    @TempDir
    Path tmp;

    @Test
    void aFileHasItsSizeAndBothDigests() throws IOException {
        Path file = Files.writeString(tmp.resolve("abc"), "abc");
        assertEquals(new Fingerprint(3, ABC_SHA256, ABC_SHA512), Fingerprint.of(file));
    }

    @Test
    void whatIsReadThroughAStreamIsCountedAsItPasses() throws IOException {
        Fingerprint.Builder builder = new Fingerprint.Builder(false);
        byte[] read;
        try (InputStream in = builder.reading(new ByteArrayInputStream("abc".getBytes(StandardCharsets.US_ASCII)))) {
            read = new byte[] {(byte) in.read(), 0, 0};
            assertEquals(2, in.read(read, 1, 2));
            assertEquals(-1, in.read());
        }
        assertArrayEquals("abc".getBytes(StandardCharsets.US_ASCII), read, "the bytes pass unchanged");
        Fingerprint got = builder.get();
        assertEquals(3, got.size());
        assertEquals(ABC_SHA256, got.sha256());
        assertNull(got.sha512(), "SHA-512 only when asked for");
    }

    /** A skip must not let bytes past the digests: a checked archive is every byte of it. */
    @Test
    void skippedBytesAreDigestedToo() throws IOException {
        Fingerprint.Builder builder = new Fingerprint.Builder(true);
        try (InputStream in = builder.reading(new ByteArrayInputStream("abc".getBytes(StandardCharsets.US_ASCII)))) {
            assertEquals(2, in.skip(2));
            assertEquals('c', in.read());
        }
        assertEquals(new Fingerprint(3, ABC_SHA256, ABC_SHA512), builder.get());
    }
}
