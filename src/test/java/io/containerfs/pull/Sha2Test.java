package io.containerfs.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Commands;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Sha2: libcrypto's digests (digest.c through JNI) are the JDK's, however the bytes are fed. */
class Sha2Test {
    private static final String ABC_SHA256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    private static final String ABC_SHA512 = "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
            + "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f";

    private static String hex(Sha2 sha, byte[] bytes) {
        sha.update(bytes, 0, bytes.length);
        return HexFormat.of().formatHex(sha.digest());
    }

    /**
     * Wherever a libcrypto digest.c opens is installed (every Debian and Ubuntu has one: systemd,
     * OpenSSH and Python need it; test.sh installs libssl3 otherwise), the native digest must be
     * the one that runs, or the comparisons below would compare the JDK with itself.
     */
    @Test
    void libcryptoComputesTheDigestsWhereItIsInstalled() {
        String libraries = Commands.run("ldconfig", "-p").stdout();
        boolean installed = libraries.contains("libcrypto.so.3 ") || libraries.contains("libcrypto.so.1.1 ");
        assertTrue(installed || !"true".equals(System.getenv("CI")), "under CI test.sh installs libcrypto");
        assertEquals(installed, Sha2.sha256().isNative(), "libcrypto installed: " + installed);
        assertEquals(installed, Sha2.sha512().isNative());
    }

    @Test
    void knownAnswers() {
        byte[] abc = "abc".getBytes(StandardCharsets.US_ASCII);
        assertEquals(ABC_SHA256, hex(Sha2.sha256(), abc));
        assertEquals(ABC_SHA512, hex(Sha2.sha512(), abc));
        assertEquals(ABC_SHA256, hex(Sha2.jdk(256), abc));
        assertEquals(ABC_SHA512, hex(Sha2.jdk(512), abc));
    }

    /** Lengths around SHA-2's blocks (64 and 128 bytes) and its padding, in pieces of every size. */
    @Test
    void libcryptoAndTheJdkAgreeHoweverTheBytesArrive() {
        Random random = new Random(42);
        for (int length : new int[] {0, 1, 55, 56, 63, 64, 65, 111, 112, 127, 128, 129, 1000, (1 << 17) + 3}) {
            byte[] data = new byte[length + 10];
            random.nextBytes(data);
            for (int piece : new int[] {1, 7, 64, 4096, 1 << 20}) {
                for (int bits : new int[] {256, 512}) {
                    Sha2 ours = bits == 256 ? Sha2.sha256() : Sha2.sha512();
                    Sha2 jdk = Sha2.jdk(bits);
                    for (int offset = 5; offset < 5 + length; offset += piece) {
                        int n = Math.min(piece, 5 + length - offset);
                        ours.update(data, offset, n);
                        jdk.update(data, offset, n);
                    }
                    assertEquals(HexFormat.of().formatHex(jdk.digest()), HexFormat.of().formatHex(ours.digest()),
                            "SHA-" + bits + " of " + length + " bytes in pieces of " + piece);
                }
            }
        }
    }

    /** The array's bounds are checked before C reads it; a finished digest's memory is libcrypto's again. */
    @Test
    void refusesBytesOutsideTheArrayAndAFinishedDigest() {
        Sha2 sha = Sha2.sha256();
        byte[] data = new byte[8];
        assertThrows(IndexOutOfBoundsException.class, () -> sha.update(data, 4, 5));
        assertThrows(IndexOutOfBoundsException.class, () -> sha.update(data, -1, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> sha.update(data, 2, -1));
        sha.update(data, 0, 8);
        sha.digest();
        assertThrows(IllegalStateException.class, () -> sha.update(data, 0, 1));
        assertThrows(IllegalStateException.class, sha::digest);
    }
}
