package io.containerfs.pull;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * The size and digests of a stream of bytes, as lower-case hex; {@code sha512} is null when it was
 * not asked for ({@link Builder#Builder(boolean)}).
 */
public record Fingerprint(long size, String sha256, String sha512) {

    /** Reads the whole file. */
    public static Fingerprint of(Path file) throws IOException {
        Builder builder = new Builder();
        try (InputStream in = builder.reading(Files.newInputStream(file))) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return builder.get();
    }

    /** Accumulates bytes as they stream past, so a download is checked without reading it twice. */
    public static final class Builder {
        private final Sha2 sha256 = Sha2.sha256();
        private final Sha2 sha512;
        private long size;

        /** Size, SHA-256 and SHA-512. */
        public Builder() {
            this(true);
        }

        /** Size and SHA-256, and SHA-512 only when asked: a second pass over every byte, in the JDK a slow one. */
        public Builder(boolean withSha512) {
            this.sha512 = withSha512 ? Sha2.sha512() : null;
        }

        public void update(byte[] bytes, int offset, int length) {
            sha256.update(bytes, offset, length);
            if (sha512 != null) {
                sha512.update(bytes, offset, length);
            }
            size += length;
        }

        public long size() {
            return size;
        }

        /** in, with every byte read through it added to this fingerprint. */
        public InputStream reading(InputStream in) {
            return new Reading(in, this);
        }

        public Fingerprint get() {
            HexFormat hex = HexFormat.of();
            return new Fingerprint(size, hex.formatHex(sha256.digest()),
                    sha512 == null ? null : hex.formatHex(sha512.digest()));
        }
    }

    /** A stream that adds what is read from it to a {@link Builder}; it skips by reading. */
    private static final class Reading extends FilterInputStream {
        private final Builder builder;
        private final byte[] one = new byte[1];

        Reading(InputStream in, Builder builder) {
            super(in);
            this.builder = builder;
        }

        @Override
        public int read() throws IOException {
            return read(one, 0, 1) == 1 ? one[0] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                builder.update(b, off, n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] discard = new byte[(int) Math.min(n, 8192)];
            long skipped = 0;
            int got;
            while (skipped < n && (got = read(discard, 0, (int) Math.min(n - skipped, discard.length))) > 0) {
                skipped += got;
            }
            return skipped;
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }
}
