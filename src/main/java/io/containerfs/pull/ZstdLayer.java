package io.containerfs.pull;

import io.airlift.compress.zstd.ZstdInputStream;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A zstd layer's tar (RFC 8878): its zstd frames decoded one after the other by aircompressor's
 * decoder, in plain Java, and its skippable frames left out, as every zstd decoder does. A
 * {@code zstd:chunked} layer is such a stream: each file's content in frames of its own, and its
 * table of contents in skippable frames at the end, which give nothing to the tar. This is the
 * only class that names aircompressor, so that its classes load only when a zstd layer is read.
 */
final class ZstdLayer {
    private ZstdLayer() {}

    /** The largest window aircompressor's stream decoder keeps (its ZstdIncrementalFrameDecompressor). */
    static final long MAX_WINDOW = 8L << 20;
    /** A window descriptor (RFC 8878 3.1.1.1.2) of exactly {@link #MAX_WINDOW}: exponent 23 - 10, no mantissa. */
    private static final byte MAX_WINDOW_DESCRIPTOR = (23 - 10) << 3;

    static InputStream decompressing(InputStream layer) {
        WithoutSkippableFrames frames = new WithoutSkippableFrames(layer);
        // The tar reader asks for 512 bytes at a time; aircompressor's stream pays a round of its
        // state machine per call, 5 times gzip's time for the Alpine layer on a cold JVM: it is
        // asked for 64 KiB at a time instead.
        return new Decoded(new BufferedInputStream(new ZstdInputStream(frames), 1 << 16), frames);
    }

    /** The decoder's answers, with its complaints about the bytes (unchecked there) as IOExceptions. */
    private static final class Decoded extends FilterInputStream {
        private final WithoutSkippableFrames frames;

        Decoded(InputStream in, WithoutSkippableFrames frames) {
            super(in);
            this.frames = frames;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return in.read(b, off, len);
            } catch (RuntimeException e) {
                // MalformedInputException and what a malformed frame may set off (an index out of bounds).
                throw new IOException("not valid zstd" + (frames.largestWindow > MAX_WINDOW ? ", or it reaches"
                        + " further back than the " + (MAX_WINDOW >> 20) + " MiB pull's decoder keeps (a frame asks for "
                        + (frames.largestWindow >> 20) + " MiB)" : "") + ": " + e.getMessage(), e);
            }
        }

        /** Skipped bytes are decoded through read, so that the decoder's complaints are IOExceptions here too. */
        @Override
        public long skip(long n) throws IOException {
            int chunk = (int) Math.max(0, Math.min(n, 1 << 16));
            return Math.max(0, read(new byte[chunk], 0, chunk));
        }
    }

    /**
     * The zstd frames of a stream, as they are, without its skippable frames: a frame's header
     * and block headers are read to find where it ends (each block's size is in its header), so
     * that what follows can be told apart. Anything that is neither kind of frame is refused.
     *
     * <p>One change: a frame that asks for a window larger than {@link #MAX_WINDOW}, which
     * aircompressor refuses outright, is given that window. zstd:chunked's encoder asks for 32
     * MiB in every frame, however small, and a frame never reaches back past its own start, so
     * most such frames need far less. One that does reach further fails to decode; were it
     * decoded wrong, its tar would not be its diff_id and the layer would be refused anyway.
     */
    static final class WithoutSkippableFrames extends FilterInputStream {
        private static final int ZSTD_MAGIC = 0xfd2fb528;
        /** 0x184D2A50 to 0x184D2A5F: the low 4 bits are free. */
        private static final int SKIPPABLE_MAGIC = 0x184d2a50;
        private static final int CHECKSUM_BYTES = 4;

        /** Header bytes read and not yet given out. */
        private final byte[] header = new byte[18];
        private int headerStart;
        private int headerEnd;
        /** Bytes of the current block (or checksum) to pass through as they are. */
        private long passThrough;
        private boolean inFrame;
        private boolean lastBlock;
        private boolean checksum;
        private boolean checksumDone;
        private long offset;
        /** The largest window a frame asked for, in bytes. */
        long largestWindow;

        WithoutSkippableFrames(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (headerStart == headerEnd && passThrough == 0) {
                if (!next()) {
                    return -1;
                }
            }
            if (headerStart < headerEnd) {
                int n = Math.min(len, headerEnd - headerStart);
                System.arraycopy(header, headerStart, b, off, n);
                headerStart += n;
                return n;
            }
            int n = in.read(b, off, (int) Math.min(len, passThrough));
            if (n < 0) {
                throw new EOFException("the zstd stream ends inside a frame, at byte " + offset);
            }
            passThrough -= n;
            offset += n;
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

        /** Reads the next header (a frame's, a block's) or checksum; false at the end of the stream. */
        private boolean next() throws IOException {
            headerStart = 0;
            headerEnd = 0;
            if (!inFrame) {
                return nextFrame();
            }
            if (!lastBlock) {
                nextBlock();
                return true;
            }
            // After the last block: the frame's checksum, if it has one, then the next frame.
            if (checksum && !checksumDone) {
                checksumDone = true;
                passThrough = CHECKSUM_BYTES;
                return true;
            }
            inFrame = false;
            return nextFrame();
        }

        private boolean nextFrame() throws IOException {
            while (true) {
                long frameStart = offset;
                int got = fill(4, false);
                if (got == 0) {
                    return false;
                }
                if (got < 4) {
                    throw new EOFException("the zstd stream ends inside a frame's magic number, at byte " + frameStart);
                }
                int magic = littleEndian(0, 4);
                if ((magic & 0xfffffff0) == SKIPPABLE_MAGIC) {
                    headerEnd = 0;
                    fill(4, true);
                    long size = littleEndian(0, 4) & 0xffffffffL;
                    headerEnd = 0;
                    skipExactly(size);
                    continue;
                }
                if (magic != ZSTD_MAGIC) {
                    throw new IOException(String.format("not valid zstd: the bytes at %d are neither a zstd frame nor"
                            + " a skippable one (magic number 0x%08x)", frameStart, magic));
                }
                fill(1, true);
                int descriptor = header[4] & 0xff;
                boolean singleSegment = (descriptor & 0x20) != 0;
                int contentSizeBytes = new int[] {singleSegment ? 1 : 0, 2, 4, 8}[descriptor >>> 6];
                int dictionaryIdBytes = new int[] {0, 1, 2, 4}[descriptor & 0x03];
                fill((singleSegment ? 0 : 1) + dictionaryIdBytes + contentSizeBytes, true);
                long window = singleSegment
                        ? contentSize(5 + dictionaryIdBytes, contentSizeBytes)
                        : windowSize(header[5] & 0xff);
                largestWindow = Math.max(largestWindow, window);
                if (window > MAX_WINDOW) {
                    limitWindow(singleSegment);
                }
                inFrame = true;
                lastBlock = false;
                checksum = (descriptor & 0x04) != 0;
                checksumDone = false;
                return true;
            }
        }

        /** RFC 8878 3.1.1.1.2: 2^(10 + exponent), plus eighths of that by the mantissa. */
        private static long windowSize(int descriptor) {
            long base = 1L << (10 + (descriptor >>> 3));
            return base + (base / 8) * (descriptor & 7);
        }

        /** RFC 8878 3.1.1.1.4: little-endian; its 2-byte form counts from 256. */
        private long contentSize(int from, int n) {
            long size = 0;
            for (int i = n - 1; i >= 0; i--) {
                size = (size << 8) | (header[from + i] & 0xff);
            }
            return n == 2 ? size + 256 : size;
        }

        /**
         * The frame's window, in the header the decoder gets, made {@link #MAX_WINDOW}. A single
         * segment frame (its window is its content size) gets a window descriptor: the flag is
         * cleared and the descriptor put after the frame header descriptor; a content size
         * over 8 MiB is 4 or 8 bytes in either form, so the rest of the header means the same.
         */
        private void limitWindow(boolean singleSegment) {
            if (singleSegment) {
                System.arraycopy(header, 5, header, 6, headerEnd - 5);
                headerEnd++;
                header[4] &= ~0x20;
            }
            header[5] = MAX_WINDOW_DESCRIPTOR;
        }

        private void nextBlock() throws IOException {
            fill(3, true);
            int blockHeader = littleEndian(0, 3);
            lastBlock = (blockHeader & 1) != 0;
            int type = (blockHeader >>> 1) & 3;
            int size = blockHeader >>> 3;
            if (type == 3) {
                throw new IOException("not valid zstd: a block of the reserved type, at byte " + (offset - 3));
            }
            // An RLE block (type 1) holds one byte, repeated size times.
            passThrough = type == 1 ? 1 : size;
        }

        /** Reads n more header bytes; at the end of the stream, fewer (if !required) or EOFException. */
        private int fill(int n, boolean required) throws IOException {
            int got = in.readNBytes(header, headerEnd, n);
            headerEnd += got;
            offset += got;
            if (required && got < n) {
                throw new EOFException("the zstd stream ends inside a frame, at byte " + offset);
            }
            return got;
        }

        private int littleEndian(int from, int n) {
            int value = 0;
            for (int i = n - 1; i >= 0; i--) {
                value = (value << 8) | (header[from + i] & 0xff);
            }
            return value;
        }

        private void skipExactly(long n) throws IOException {
            byte[] discard = new byte[(int) Math.min(n, 1 << 16)];
            long left = n;
            while (left > 0) {
                int got = in.read(discard, 0, (int) Math.min(left, discard.length));
                if (got < 0) {
                    throw new EOFException("the zstd stream ends inside a skippable frame, at byte " + offset);
                }
                left -= got;
                offset += got;
            }
        }
    }
}
