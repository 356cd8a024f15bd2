package io.containerfs.pull;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.HexFormat;

/**
 * The bytes of a blob, hashed with SHA-256 as they stream: more than {@code maxSize} bytes fail
 * at once ({@link Tampered}), and {@link #verify} at the end compares the digest (and, when
 * {@code exactSize}, the count). Nothing read from it counts as good until verify passes.
 * The digest is {@link Sha2}'s: libcrypto's where the native library is loaded, which hashes a
 * layer's 8 MB in a few milliseconds where the JDK's, in a JVM that has just started, takes about
 * 100 (docs/BENCHMARKS.md).
 */
final class VerifiedStream extends FilterInputStream {
    /** The blob is not the one its digest names: too long, too short, or other bytes. */
    static final class Tampered extends IOException {
        private static final long serialVersionUID = 1L;

        Tampered(String message) {
            super(message);
        }
    }

    private final Sha2 sha256 = Sha2.sha256();
    private boolean digested;
    private final String expected;
    private final long maxSize;
    private final boolean exactSize;
    private final String what;
    private long count;

    /**
     * @param expected the digest, {@code sha256:HEX}
     * @param what the blob, for messages
     */
    VerifiedStream(InputStream in, String expected, long maxSize, boolean exactSize, String what) {
        super(in);
        this.expected = expected;
        this.maxSize = maxSize;
        this.exactSize = exactSize;
        this.what = what;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0) {
            count += n;
            if (count > maxSize) {
                throw new Tampered(what + " is longer than " + maxSize + " bytes, " + (exactSize
                        ? "the size its descriptor says" : "the most pull unpacks from a layer of its size"));
            }
            sha256.update(b, off, n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        int chunk = (int) Math.max(0, Math.min(n, 1 << 16));
        return Math.max(0, read(new byte[chunk], 0, chunk));
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    /** Reads what is left and checks size and digest. */
    void verify() throws IOException {
        byte[] rest = new byte[1 << 16];
        while (read(rest, 0, rest.length) != -1) {
            // to the end: the digest covers every byte
        }
        if (exactSize && count != maxSize) {
            throw new Tampered(what + " has " + count + " bytes, not the " + maxSize + " its descriptor says");
        }
        digested = true;
        String got = "sha256:" + HexFormat.of().formatHex(sha256.digest());
        if (!got.equals(expected)) {
            throw new Tampered(what + " has the digest " + got + ", not " + expected);
        }
    }

    /** Also frees libcrypto's digest of a stream left before {@link #verify}. */
    @Override
    public void close() throws IOException {
        try {
            super.close();
        } finally {
            if (!digested) {
                digested = true;
                sha256.digest();
            }
        }
    }

    /** Reads a whole small blob (a manifest, a config) and checks it. */
    static byte[] readAll(InputStream in, Descriptor descriptor, String what) throws IOException {
        try (VerifiedStream verified = new VerifiedStream(in, descriptor.digest(), descriptor.size(), true, what)) {
            byte[] bytes = verified.readNBytes((int) Math.min(descriptor.size(), Integer.MAX_VALUE - 8));
            verified.verify();
            return bytes;
        }
    }
}
