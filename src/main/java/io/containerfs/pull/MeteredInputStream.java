package io.containerfs.pull;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Counts the bytes read through it and refuses to pass more than a cap. (Commons IO's
 * BoundedInputStream does the same, but its builder machinery adds tens of milliseconds of class
 * loading to every pull; see docs/BENCHMARKS.md.)
 */
final class MeteredInputStream extends FilterInputStream {
    /** Thrown past the cap; an IOException so that it passes through Commons Compress untouched. */
    static final class LimitExceeded extends IOException {
        private static final long serialVersionUID = 1L;
    }

    private final long cap;
    private long count;

    MeteredInputStream(InputStream in, long cap) {
        super(in);
        this.cap = cap;
    }

    long count() {
        return count;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        long room = cap - count; // reading one byte past the cap is how it is noticed
        int n = in.read(buffer, offset, room >= length ? length : (int) room + 1);
        if (n > 0) {
            count += n;
            if (count > cap) {
                throw new LimitExceeded();
            }
        }
        return n;
    }

    /** Skipped bytes are read, so that they count against the cap too. */
    @Override
    public long skip(long n) throws IOException {
        byte[] buffer = new byte[8192];
        long skipped = 0;
        while (skipped < n) {
            int r = read(buffer, 0, (int) Math.min(buffer.length, n - skipped));
            if (r == -1) {
                break;
            }
            skipped += r;
        }
        return skipped;
    }

    @Override
    public boolean markSupported() {
        return false;
    }
}
