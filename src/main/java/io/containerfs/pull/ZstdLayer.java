package io.containerfs.pull;

import io.containerfs.linux.Native;
import io.containerfs.linux.NativeLoader;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A zstd layer's tar (RFC 8878), decoded by the system's libzstd through the native library
 * ({@code src/main/c/pull/zstd.c}): its frames one after the other, its skippable frames left out,
 * as every zstd decoder does. A {@code zstd:chunked} layer is such a stream: each file's content in
 * frames of its own, and its table of contents in skippable frames at the end, which give nothing
 * to the tar. The compressed bytes are read here from the layer's stream, so its caller digests and
 * counts them as they stream; the tar's bytes it counts too, so a zstd bomb stops where a gzip one
 * does. A frame may ask for a window of up to 128 MiB (zstd.c says why).
 */
final class ZstdLayer extends InputStream {
    /** The Debian and Ubuntu package that has libzstd.so.1. */
    static final String PACKAGE = "libzstd1";

    private final InputStream compressed;
    private final byte[] input = new byte[1 << 16];
    private int inputStart;
    private int inputEnd;
    private boolean inputEnded;
    private long used;
    private long decoder;

    private ZstdLayer(InputStream compressed, long decoder) {
        this.compressed = compressed;
        this.decoder = decoder;
    }

    /**
     * The tar's bytes of {@code layer}. The tar reader asks for 512 bytes at a time: libzstd is
     * asked for 64 KiB at a time instead, one call into C for many of its reads.
     *
     * @throws PullException when libzstd.so.1 or the native library cannot be loaded
     */
    static InputStream decompressing(InputStream layer) throws PullException {
        return new BufferedInputStream(new ZstdLayer(layer, newDecoder()), 1 << 16);
    }

    private static long newDecoder() throws PullException {
        if (!NativeLoader.isAvailable()) {
            throw new PullException("cannot unpack a zstd layer: container-fs's native library did not load ("
                    + NativeLoader.unavailabilityCause().getMessage() + ")");
        }
        long decoder;
        try {
            decoder = Native.zstdNew();
        } catch (UnsatisfiedLinkError olderLibrary) {
            throw new PullException("cannot unpack a zstd layer: the native library (from java.library.path or -D"
                    + NativeLoader.PATH_PROPERTY + ") was built before zstd decoding: " + olderLibrary.getMessage());
        }
        if (decoder == 0) {
            throw new PullException("cannot unpack a zstd layer: libzstd.so.1 (zstd 1.4 or later) cannot be opened;"
                    + " install the " + PACKAGE + " package");
        }
        return decoder;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (decoder == 0) {
            throw new IOException("the zstd decoder is closed");
        }
        if (len == 0) {
            return 0;
        }
        while (true) {
            if (inputStart == inputEnd && !inputEnded) {
                int n = compressed.read(input, 0, input.length);
                inputEnded = n < 0;
                inputStart = 0;
                inputEnd = Math.max(n, 0);
            }
            long result = Native.zstdDecode(decoder, input, inputStart, inputEnd - inputStart, b, off, len);
            if (result < 0) {
                byte[] words = Native.zstdError(decoder);
                // libzstd's words: "Restored data doesn't match checksum", "Unknown frame descriptor"...
                throw new IOException("not valid zstd: " + (words == null ? "libzstd gives no reason"
                        : new String(words, StandardCharsets.US_ASCII)));
            }
            int usedNow = (int) (result >>> 32);
            int made = (int) ((result & 0xffffffffL) >>> 1);
            boolean insideFrame = (result & 1) != 0;
            inputStart += usedNow;
            used += usedNow;
            if (made > 0) {
                return made;
            }
            if (inputEnded && inputStart == inputEnd) {
                if (insideFrame) {
                    throw new EOFException("not valid zstd: the stream ends inside a frame, at byte " + used);
                }
                return -1;
            }
        }
    }

    /** Frees libzstd's decoder and closes the layer's stream. */
    @Override
    public void close() throws IOException {
        if (decoder != 0) {
            Native.zstdFree(decoder);
            decoder = 0;
        }
        compressed.close();
    }
}
