package io.containerfs.pull;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Digests the bytes read through it on a thread of its own, so that SHA-256 (50 to 200 ms of a
 * cold JVM's time for the Alpine tarball, more than tar needs to extract it, and 15 to 40 ms more
 * to initialise the security providers) runs beside the extraction instead of before each block. The digest is of exactly the bytes the reader
 * got: each block is copied and queued in order, never read from the file a second time. At
 * most {@link #IN_FLIGHT} blocks wait, so a slow digest slows the reader instead of filling
 * memory.
 */
final class BackgroundDigestInputStream extends FilterInputStream {
    static final int IN_FLIGHT = 16;
    private static final byte[] END = new byte[0];

    private final String algorithm;
    private final BlockingQueue<byte[]> blocks = new ArrayBlockingQueue<>(IN_FLIGHT);
    private final Thread worker;
    /** Written by the worker before it ends; read after join(). */
    private byte[] result;
    private boolean finished;

    /** @param algorithm a MessageDigest algorithm every Java platform has, such as SHA-256 */
    BackgroundDigestInputStream(InputStream in, String algorithm) {
        super(in);
        this.algorithm = algorithm;
        this.worker = new Thread(this::digestBlocks, "container-fs " + algorithm);
        worker.setDaemon(true);
        worker.start();
    }

    private void digestBlocks() {
        try {
            MessageDigest digest = MessageDigest.getInstance(algorithm);
            for (byte[] block = blocks.take(); block != END; block = blocks.take()) {
                digest.update(block);
            }
            result = digest.digest();
        } catch (InterruptedException e) {
            // close() before digest(): nobody wants the result.
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has " + algorithm, e);
        }
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            hand(new byte[] {(byte) b});
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
            hand(Arrays.copyOfRange(buffer, offset, offset + n));
        }
        return n;
    }

    /** Skipped bytes are read too: they are part of what is digested. */
    @Override
    public long skip(long n) throws IOException {
        byte[] discard = new byte[(int) Math.min(n, 1 << 16)];
        int read = read(discard, 0, discard.length);
        return Math.max(read, 0);
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    private void hand(byte[] block) throws IOException {
        try {
            blocks.put(block);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while digesting");
        }
    }

    /** The digest of every byte read; waits for the worker. Call it at the end, before close(). */
    byte[] digest() throws IOException {
        if (!finished) {
            hand(END);
            try {
                worker.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while digesting");
            }
            finished = true;
        }
        return result.clone();
    }

    @Override
    public void close() throws IOException {
        try {
            super.close();
        } finally {
            if (!finished) {
                worker.interrupt();
            }
        }
    }
}
