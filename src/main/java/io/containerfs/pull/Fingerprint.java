package io.containerfs.pull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The size and digests of a stream of bytes, as lower-case hex. */
public record Fingerprint(long size, String sha256, String sha512) {

    /** Reads the whole file. */
    public static Fingerprint of(Path file) throws IOException {
        Builder builder = new Builder();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) != -1) {
                builder.update(buffer, 0, n);
            }
        }
        return builder.get();
    }

    /** Accumulates bytes as they stream past, so a download is checked without reading it twice. */
    public static final class Builder {
        private final MessageDigest sha256 = digest("SHA-256");
        private final MessageDigest sha512 = digest("SHA-512");
        private long size;

        public void update(byte[] bytes, int offset, int length) {
            sha256.update(bytes, offset, length);
            sha512.update(bytes, offset, length);
            size += length;
        }

        public long size() {
            return size;
        }

        public Fingerprint get() {
            HexFormat hex = HexFormat.of();
            return new Fingerprint(size, hex.formatHex(sha256.digest()), hex.formatHex(sha512.digest()));
        }

        private static MessageDigest digest(String algorithm) {
            try {
                return MessageDigest.getInstance(algorithm);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java platform has " + algorithm, e);
            }
        }
    }
}
