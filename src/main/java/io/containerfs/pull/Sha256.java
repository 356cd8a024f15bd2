package io.containerfs.pull;

import java.security.MessageDigest;

/**
 * SHA-256 (FIPS 180-4) as a plain {@link MessageDigest} subclass, for the archive pull extracts.
 *
 * <p>Why not {@code MessageDigest.getInstance("SHA-256")}: on a JVM that has just started, the
 * look-up initialises the security providers (the java.security file, the SUN provider's service
 * table, its SecureRandom, the OID table), 15 to 25 ms, and the JDK's SHA-256 reads the message
 * through VarHandles, whose method handles run slowly until compiled; the JDK's fast path, the
 * SHA-NI intrinsic, is only reached once C2 compiles it, late in a pull and never under the
 * launcher's C1-only JIT. This class is the same algorithm in plain int arithmetic, which the
 * interpreter and C1 run faster: a cold pull of the Alpine tarball ended 15 ms sooner with it
 * under java -jar and 32 ms sooner with the launcher's JIT options (docs/BENCHMARKS.md). It only
 * computes a checksum, compared with the one the user or the mirror gave; Sha256Test checks it
 * against the JDK's on the FIPS examples and on random inputs split at random points.
 */
final class Sha256 extends MessageDigest {
    private static final int[] K = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    };

    private static final int[] INITIAL = {
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    };

    private final int[] state = INITIAL.clone();
    private final int[] schedule = new int[64];
    /** The bytes of a block not yet complete: {@code pending} of them. */
    private final byte[] block = new byte[64];
    private int pending;
    private long length;

    Sha256() {
        super("SHA-256");
    }

    @Override
    protected int engineGetDigestLength() {
        return 32;
    }

    @Override
    protected void engineUpdate(byte input) {
        engineUpdate(new byte[] {input}, 0, 1);
    }

    @Override
    protected void engineUpdate(byte[] input, int offset, int len) {
        length += len;
        if (pending > 0) {
            int n = Math.min(64 - pending, len);
            System.arraycopy(input, offset, block, pending, n);
            pending += n;
            offset += n;
            len -= n;
            if (pending < 64) {
                return;
            }
            compress(block, 0);
            pending = 0;
        }
        for (; len >= 64; offset += 64, len -= 64) {
            compress(input, offset);
        }
        System.arraycopy(input, offset, block, 0, len);
        pending = len;
    }

    @Override
    protected byte[] engineDigest() {
        long bits = length << 3;
        // 0x80, zeros up to 56 bytes into a block, then the length in bits, big-endian
        byte[] padding = new byte[(pending < 56 ? 64 : 128) - pending];
        padding[0] = (byte) 0x80;
        for (int i = 0; i < 8; i++) {
            padding[padding.length - 1 - i] = (byte) (bits >>> (8 * i));
        }
        engineUpdate(padding, 0, padding.length);
        byte[] digest = new byte[32];
        for (int i = 0; i < 8; i++) {
            int word = state[i];
            digest[4 * i] = (byte) (word >>> 24);
            digest[4 * i + 1] = (byte) (word >>> 16);
            digest[4 * i + 2] = (byte) (word >>> 8);
            digest[4 * i + 3] = (byte) word;
        }
        engineReset();
        return digest;
    }

    @Override
    protected void engineReset() {
        System.arraycopy(INITIAL, 0, state, 0, 8);
        pending = 0;
        length = 0;
    }

    /** One 64-byte block at {@code offset}: FIPS 180-4, section 6.2.2. */
    private void compress(byte[] input, int offset) {
        int[] w = schedule;
        for (int t = 0; t < 16; t++, offset += 4) {
            w[t] = (input[offset] << 24) | ((input[offset + 1] & 0xff) << 16) | ((input[offset + 2] & 0xff) << 8)
                    | (input[offset + 3] & 0xff);
        }
        for (int t = 16; t < 64; t++) {
            int x = w[t - 15];
            int y = w[t - 2];
            int sigma0 = Integer.rotateRight(x, 7) ^ Integer.rotateRight(x, 18) ^ (x >>> 3);
            int sigma1 = Integer.rotateRight(y, 17) ^ Integer.rotateRight(y, 19) ^ (y >>> 10);
            w[t] = w[t - 16] + sigma0 + w[t - 7] + sigma1;
        }
        int a = state[0];
        int b = state[1];
        int c = state[2];
        int d = state[3];
        int e = state[4];
        int f = state[5];
        int g = state[6];
        int h = state[7];
        for (int t = 0; t < 64; t++) {
            int t1 = h + (Integer.rotateRight(e, 6) ^ Integer.rotateRight(e, 11) ^ Integer.rotateRight(e, 25))
                    + ((e & f) ^ (~e & g)) + K[t] + w[t];
            int t2 = (Integer.rotateRight(a, 2) ^ Integer.rotateRight(a, 13) ^ Integer.rotateRight(a, 22))
                    + ((a & b) ^ (a & c) ^ (b & c));
            h = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }
        state[0] += a;
        state[1] += b;
        state[2] += c;
        state[3] += d;
        state[4] += e;
        state[5] += f;
        state[6] += g;
        state[7] += h;
    }
}
