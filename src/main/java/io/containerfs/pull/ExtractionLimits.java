package io.containerfs.pull;

/**
 * Caps against decompression bombs: bytes of tar stream (headers included) and entries. The
 * Alpine mini root filesystem unpacks to under 3 times its compressed size and about 500
 * entries; the defaults leave a wide margin yet stop a bomb long before the disk fills.
 */
public record ExtractionLimits(long maxBytes, long maxEntries) {
    public static final long BYTES_FACTOR = 20;
    public static final long MIN_BYTES = 32L << 20;
    public static final long MIN_ENTRIES = 10_000;
    /** Compressed bytes per entry that the default entry cap allows for (a tar header alone is 512). */
    public static final long COMPRESSED_BYTES_PER_ENTRY = 64;

    /** The defaults for an archive of {@code compressedSize} bytes. */
    public static ExtractionLimits forArchiveSize(long compressedSize) {
        return new ExtractionLimits(
                Math.max(MIN_BYTES, BYTES_FACTOR * compressedSize),
                Math.max(MIN_ENTRIES, compressedSize / COMPRESSED_BYTES_PER_ENTRY));
    }

    public ExtractionLimits withMaxBytes(long bytes) {
        return new ExtractionLimits(bytes, maxEntries);
    }

    public ExtractionLimits withMaxEntries(long entries) {
        return new ExtractionLimits(maxBytes, entries);
    }
}
