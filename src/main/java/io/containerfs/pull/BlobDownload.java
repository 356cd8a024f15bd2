package io.containerfs.pull;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * A registry's layer blob as one stream from its first byte to its last, however often the
 * connection is cut. Every byte received is also written to a partial file in the layer store,
 * {@code STORE/partial/HEX} (the blob's digest), so that a pull stopped in the middle (the network,
 * Ctrl-C, SIGKILL) leaves what it had: the next pull reads that prefix back (SHA-256's state cannot
 * be saved, so the prefix goes through the digest again) and asks the registry for the rest with
 * {@code Range: bytes=N-}. Within one pull a connection cut mid-stream is taken up again the same
 * way, up to {@link #RETRIES} times. Nothing here is trusted: the caller checks the whole blob's
 * digest and size as it would for a download in one piece, and a kept prefix that turns out wrong
 * costs one download from byte 0 ({@link #resumed}).
 *
 * <p>The partial file is held with an fcntl(2) lock for as long as the download runs, so two pulls
 * of the same blob at once never write it both: the second downloads without keeping anything (as
 * does a second layer of one pull with the same blob). It is removed once the blob was read to its
 * end, whatever came of it (unpacked, or refused), or refused before its end for what it holds,
 * and kept when the download stopped before (the network, Ctrl-C, SIGKILL).
 */
final class BlobDownload implements AutoCloseable {
    /** Cuts within one pull taken up again before it gives up. */
    static final int RETRIES = 3;
    /** A partial file not written for this long is not resumed (and swept): the pull it was for is long given up. */
    static final Duration MAX_AGE = Duration.ofDays(7);
    /** The pause before the first retry; the second waits twice as long, the third three times. */
    private static final long PAUSE_MILLIS = 1_000;

    private static final Set<PosixFilePermission> OWNER_RWX = Set.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);
    private static final Set<PosixFilePermission> OWNER_RW = Set.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE);
    /**
     * The partial files this JVM has open: a second descriptor of a file, once closed, would drop
     * the fcntl(2) lock the first one holds (and the JDK refuses a second lock in one process).
     */
    private static final Set<Path> openHere = new HashSet<>();

    /** A registry's blob, read from an offset on. */
    interface Source {
        /**
         * The blob from byte {@code offset} on (an HTTP Range request), or whole, from byte 0, when
         * the server sends it so: {@link Ranged#start} says which.
         */
        Ranged openAt(long offset) throws PullException;
    }

    /** A response's body and the offset of the blob at which it starts. */
    record Ranged(InputStream body, long start) {}

    /** The download stopped before the blob's end: cut once more after RETRIES retries. */
    static final class Stopped extends IOException {
        private static final long serialVersionUID = 1L;

        Stopped(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final Source source;
    private final Descriptor blob;
    private final String what;
    private final long pauseMillis;
    private final Path partial;
    /** The partial file, locked; null when another pull (or layer) keeps this blob's. */
    private final FileChannel file;
    /** The bytes that come from the partial file. */
    private long kept;
    private boolean resumed;
    private long position;
    private InputStream body;
    private int cuts;
    private Stopped stopped;
    /** The blob was refused for what it holds: nothing of it is worth keeping. */
    private boolean refused;

    private BlobDownload(Source source, Descriptor blob, String what, Path partial, FileChannel file, long kept,
            long pauseMillis) {
        this.pauseMillis = pauseMillis;
        this.source = source;
        this.blob = blob;
        this.what = what;
        this.partial = partial;
        this.file = file;
        this.kept = kept;
        this.resumed = kept > 0;
    }

    /**
     * Starts the download: the partial file taken and its prefix kept when it can be, and the rest
     * asked for. A server that sends the whole blob instead of the range starts it anew.
     *
     * @param partialDir the store's directory of partial files
     * @param anew whether to ignore a partial file (a resumed download whose digest was wrong)
     */
    static BlobDownload start(Source source, Descriptor blob, String what, Path partialDir, boolean anew)
            throws PullException {
        return start(source, blob, what, partialDir, anew, PAUSE_MILLIS);
    }

    /** @param pauseMillis the pause before the first retry (a test's registry needs none) */
    static BlobDownload start(Source source, Descriptor blob, String what, Path partialDir, boolean anew,
            long pauseMillis) throws PullException {
        Path partial = partialDir.resolve(blob.hex());
        FileChannel file = take(partial);
        boolean started = false;
        try {
            long kept = file == null ? 0 : keptPrefix(partial, file, blob, anew);
            BlobDownload download = new BlobDownload(source, blob, what, partial, file, kept, pauseMillis);
            download.openFirst();
            started = true;
            return download;
        } catch (IOException e) {
            throw new PullException("cannot keep the download of " + what + " in " + partial + ": "
                    + e.getMessage(), e);
        } finally {
            if (!started) {
                release(partial, file);
            }
        }
    }

    /** The blob, from byte 0. */
    InputStream stream() {
        return new Whole();
    }

    /** How many bytes came from a partial file a stopped pull left. */
    long kept() {
        return kept;
    }

    /** Whether any of the blob came from a partial file or a Range request: a wrong digest may then be ours. */
    boolean resumed() {
        return resumed;
    }

    /** Why the download stopped before the blob's end, or null. */
    Stopped stopped() {
        return stopped;
    }

    /**
     * Says the blob was refused for its content (a layer that cannot be unpacked, a zstd layer
     * without libzstd): the partial file goes, as it would once read to its end.
     */
    void refused() {
        refused = true;
    }

    /** Removes the partial file if the blob was read to its end or refused; else keeps it for the next pull. */
    @Override
    public void close() {
        closeBody();
        if (file != null) {
            if (position >= blob.size() || refused) {
                try {
                    Files.deleteIfExists(partial);
                } catch (IOException e) {
                    // Left; its blob is stored, and the next pull of it finds the layer first.
                }
            }
            release(partial, file);
        }
    }

    /** Removes partial files not written for {@link #MAX_AGE}: no pull will take them up. */
    static void sweep(Path partialDir) {
        Instant oldest = Instant.now().minus(MAX_AGE);
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(partialDir)) {
            for (Path entry : entries) {
                FileTime modified = Files.getLastModifiedTime(entry, LinkOption.NOFOLLOW_LINKS);
                if (modified.toInstant().isBefore(oldest)) {
                    Files.deleteIfExists(entry);
                }
            }
        } catch (IOException | RuntimeException e) {
            // Sweeping is a courtesy: the pull itself goes on.
        }
    }

    /** The partial file, created if need be, private and locked; null when another download holds it. */
    private static FileChannel take(Path partial) throws PullException {
        synchronized (openHere) {
            if (!openHere.add(partial)) {
                return null;
            }
        }
        FileChannel file = null;
        try {
            Files.createDirectories(partial.getParent(), PosixFilePermissions.asFileAttribute(OWNER_RWX));
            file = FileChannel.open(partial, Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                    PosixFilePermissions.asFileAttribute(OWNER_RW));
            FileLock lock = file.tryLock();
            if (lock != null) {
                return file;
            }
        } catch (OverlappingFileLockException e) {
            // held in this JVM: only openHere should let that happen
        } catch (IOException e) {
            release(partial, file);
            throw new PullException("cannot keep the download in " + partial + ": " + e.getMessage()
                    + "; check that you may write to the layer store, or give another with --layer-store", e);
        }
        release(partial, file);
        return null;
    }

    /** The prefix worth resuming from: none if asked anew, too old, or longer than the blob. */
    private static long keptPrefix(Path partial, FileChannel file, Descriptor blob, boolean anew) throws IOException {
        long size = file.size();
        Instant written = Files.getLastModifiedTime(partial, LinkOption.NOFOLLOW_LINKS).toInstant();
        if (anew || size > blob.size() || written.isBefore(Instant.now().minus(MAX_AGE))) {
            file.truncate(0);
            return 0;
        }
        return size;
    }

    private static void release(Path partial, FileChannel file) {
        if (file != null) {
            try {
                file.close(); // drops the lock
            } catch (IOException e) {
                // closed all the same
            }
        }
        synchronized (openHere) {
            openHere.remove(partial);
        }
    }

    /** The first request: for the rest after the kept prefix, or nothing when the prefix is the whole blob. */
    private void openFirst() throws IOException, PullException {
        position = 0;
        if (kept == blob.size()) {
            return;
        }
        Ranged answer = source.openAt(kept);
        body = answer.body();
        if (answer.start() != kept && file != null) {
            // The server ignores Range and sends the whole blob: it is written anew.
            file.truncate(0);
            kept = 0;
            resumed = false;
        }
    }

    private void closeBody() {
        if (body != null) {
            try {
                body.close();
            } catch (IOException e) {
                // the connection is dropped all the same
            }
            body = null;
        }
    }

    /** The blob from byte 0: the kept prefix, then what the registry sends, taken up again after a cut. */
    private final class Whole extends InputStream {
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
            if (position < kept) {
                return readKept(b, off, len);
            }
            return readReceived(b, off, len);
        }
    }

    private int readKept(byte[] b, int off, int len) throws IOException {
        int n = file.read(ByteBuffer.wrap(b, off, (int) Math.min(len, kept - position)), position);
        if (n <= 0) {
            throw new EOFException(partial + " is shorter than when this pull began");
        }
        position += n;
        return n;
    }

    private int readReceived(byte[] b, int off, int len) throws IOException {
        if (stopped != null) {
            throw stopped;
        }
        while (true) {
            if (body == null) {
                if (position >= blob.size()) {
                    return -1;
                }
                reopen();
                continue;
            }
            int n;
            try {
                n = body.read(b, off, len);
            } catch (IOException e) {
                cut(e);
                continue;
            }
            if (n == -1) {
                if (position < blob.size()) {
                    cut(new EOFException("the connection ended early"));
                    continue;
                }
                return -1;
            }
            if (file != null) {
                ByteBuffer received = ByteBuffer.wrap(b, off, n);
                while (received.hasRemaining()) {
                    file.write(received, position + received.position() - off);
                }
            }
            position += n;
            return n;
        }
    }

    /** A cut: taken up again after a pause, unless the pull is being stopped or it is the RETRIES-th. */
    private void cut(IOException e) throws IOException {
        closeBody();
        if (Thread.currentThread().isInterrupted() || Interruption.requested()) {
            throw e;
        }
        if (++cuts > RETRIES) {
            stopped = new Stopped("the download of " + what + " stopped at " + mib(position) + " of "
                    + mib(blob.size()) + " MiB after " + RETRIES + " retries (" + MirrorClient.describe(e)
                    + "); run the same pull again" + (file != null ? " to continue where it stopped" : ""), e);
            throw stopped;
        }
        try {
            Thread.sleep(pauseMillis * cuts);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to resume " + what);
        }
    }

    /** Asks for the rest from {@code position}; a whole blob sent instead is read up to there. */
    private void reopen() throws IOException {
        Ranged answer;
        try {
            answer = source.openAt(position);
        } catch (PullException e) {
            // cannot reach the registry (its IOException), or an HTTP status
            cut(e.getCause() instanceof IOException io ? io : new IOException(e.getMessage(), e));
            return;
        }
        body = answer.body();
        resumed = true;
        if (answer.start() != position) {
            // The server ignores Range: what this stream gave already is read past (the digest is of what it gave).
            try {
                body.skipNBytes(position);
            } catch (IOException e) {
                cut(e);
            }
        }
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f", bytes / (double) (1 << 20));
    }
}
