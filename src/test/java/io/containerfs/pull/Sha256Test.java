package io.containerfs.pull;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** pull's own SHA-256 gives the FIPS 180-4 examples' digests and the JDK's on any input, however it is fed. */
class Sha256Test {
    private static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }

    @Test
    void theFipsExamples() {
        Sha256 sha = new Sha256();
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", hex(sha.digest()));
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                hex(sha.digest("abc".getBytes(StandardCharsets.US_ASCII))));
        assertEquals("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
                hex(sha.digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
                        .getBytes(StandardCharsets.US_ASCII))));
        byte[] a = new byte[1_000_000];
        Arrays.fill(a, (byte) 'a');
        assertEquals("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", hex(sha.digest(a)));
        assertEquals(32, sha.getDigestLength());
        assertEquals("SHA-256", sha.getAlgorithm());
    }

    @Test
    void theJdksDigestForEveryLengthAroundTheBlocksAndAnySplit() throws Exception {
        MessageDigest jdk = MessageDigest.getInstance("SHA-256");
        Sha256 ours = new Sha256();
        Random random = new Random(13);
        for (int length = 0; length <= 300; length++) {
            byte[] input = new byte[length];
            random.nextBytes(input);
            byte[] expected = jdk.digest(input);
            assertArrayEquals(expected, ours.digest(input), "length " + length);
            // the same bytes in random pieces, one byte at a time now and then
            for (int at = 0; at < length;) {
                int piece = random.nextInt(Math.min(length - at, 130) + 1);
                if (piece == 1) {
                    ours.update(input[at]);
                } else {
                    ours.update(input, at, piece);
                }
                at += piece;
            }
            assertArrayEquals(expected, ours.digest(), "length " + length + " in pieces");
        }
        byte[] big = new byte[3 << 20];
        random.nextBytes(big);
        ours.update(new byte[] {1, 2, 3});
        ours.reset();
        for (int at = 0; at < big.length; at += 65_536 - 7) {
            ours.update(big, at, Math.min(65_536 - 7, big.length - at));
        }
        assertArrayEquals(jdk.digest(big), ours.digest(), "3 MiB in 64 KiB reads, after a reset");
    }
}
