package io.containerfs.pull;

import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/**
 * How a layer's tar is compressed. The layer's media type says so (OCI's {@code tar},
 * {@code tar+gzip}, {@code tar+zstd}; Docker's {@code tar}, {@code tar.gzip}, {@code tar.zstd});
 * where the source names none (a docker archive) or one of no known compression, the first bytes
 * do. A compressed layer must start with its format's magic number: a blob whose media type and
 * bytes disagree is refused in one line, before the decompressor makes something else of it.
 */
enum LayerCompression {
    NONE("uncompressed tar", new byte[0]),
    GZIP("gzip", new byte[] {0x1f, (byte) 0x8b}),
    ZSTD("zstd", new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd});

    /** Bytes of a layer's start that {@link #of} looks at. */
    static final int MAGIC_BYTES = 4;

    private final String name;
    private final byte[] magic;

    LayerCompression(String name, byte[] magic) {
        this.name = name;
        this.magic = magic;
    }

    /**
     * @param mediaType the layer's media type, empty when the source gives none
     * @param start the layer's first bytes (up to {@link #MAGIC_BYTES}; fewer for a shorter blob)
     * @param what the layer, for messages
     */
    static LayerCompression of(String mediaType, byte[] start, String what) throws PullException {
        LayerCompression named = named(mediaType);
        if (named == null) {
            return startsWith(start, ZSTD.magic) ? ZSTD : startsWith(start, GZIP.magic) ? GZIP : NONE;
        }
        if (!startsWith(start, named.magic)) {
            throw new PullException(what + " is not " + named.name + " as its media type " + mediaType
                    + " says: it does not start with " + named.name + "'s magic number; the image is damaged");
        }
        return named;
    }

    /** The compression a media type names, or null if it names none that pull knows. */
    static LayerCompression named(String mediaType) {
        if (mediaType.endsWith("+zstd") || mediaType.endsWith(".tar.zstd")) {
            return ZSTD;
        }
        if (mediaType.endsWith("+gzip") || mediaType.endsWith(".tar.gzip")) {
            return GZIP;
        }
        if (mediaType.endsWith(".v1.tar") || mediaType.equals("application/vnd.docker.image.rootfs.diff.tar")) {
            return NONE;
        }
        return null;
    }

    private static boolean startsWith(byte[] start, byte[] magic) {
        if (start.length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if (start[i] != magic[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * The tar's bytes from the layer's: gzip by the JDK's zlib, zstd by the system's libzstd
     * ({@link ZstdLayer}, loaded only here, for a zstd layer).
     *
     * @throws PullException for a zstd layer where libzstd.so.1 cannot be opened
     */
    InputStream decompressing(InputStream layer) throws IOException, PullException {
        if (this == GZIP) {
            // The JDK's reads concatenated members and checks each trailer's CRC and length.
            return new GZIPInputStream(layer, 1 << 16);
        }
        return this == ZSTD ? ZstdLayer.decompressing(layer) : layer;
    }
}
