package io.containerfs.pull;

import io.containerfs.linux.NativeLoader;
import java.io.BufferedInputStream;
import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Extracts a root filesystem tarball (gzip'd or plain tar, told apart by its first bytes) into
 * a {@link TargetDirectory}: into a private sibling first, renamed onto DIR only when every
 * entry is written and the archive's checksum is right, so DIR is all or nothing.
 */
public final class RootfsExtractor {
    private final ExtractionLimits limits;
    private final boolean preserveOwnership;
    private final boolean makeNodes;
    private final Progress progress;
    /** Not root, with a subordinate range: the archive's owners given from a user namespace. */
    private boolean ownersInRange;

    /**
     * @param preserveOwnership set the archive's uid/gid numbers (needs root)
     * @param makeNodes make the archive's device nodes and FIFOs instead of refusing them (needs
     *     root, which the caller checks, and the native library, which {@link #extract} loads)
     */
    public RootfsExtractor(ExtractionLimits limits, boolean preserveOwnership, boolean makeNodes, Progress progress) {
        this.limits = limits;
        this.preserveOwnership = preserveOwnership;
        this.makeNodes = makeNodes;
        this.progress = progress;
    }

    /**
     * Run by an ordinary user with a range in /etc/subuid and /etc/subgid: each file gets the
     * archive's owner as a container run by that user sees it (0 the user, n the range's n-th).
     */
    public RootfsExtractor ownersInRange() {
        this.ownersInRange = true;
        return this;
    }

    /**
     * @param check what the archive's bytes must be, checked as they are read; unless they pass,
     *     nothing is installed
     */
    public Extracted extract(Path archive, TargetDirectory target, ArchiveCheck check) throws PullException {
        if (makeNodes) {
            loadNativeLibrary("making device nodes");
        }
        Path sibling = target.createSibling();
        Interruption.Guard guard = Interruption.guard(sibling);
        boolean installed = false;
        try {
            SafeTreeWriter writer = new SafeTreeWriter(sibling, preserveOwnership, makeNodes);
            if (ownersInRange) {
                writer.recordingOwners();
            }
            Fingerprint.Builder fingerprint = new Fingerprint.Builder(check.needsSha512());
            long entries = readInto(archive, fingerprint, writer, target.path());
            Fingerprint got = fingerprint.get();
            check.verify(got, archive.toString());
            writer.finishDirectories();
            writer.giveRecordedOwners();
            target.install(sibling);
            installed = true;
            return new Extracted(target.path(), entries, writer.fileBytes(), got.sha256());
        } finally {
            if (!installed) {
                TargetDirectory.deleteSibling(sibling);
            }
            guard.close();
        }
    }

    /**
     * Nodes are made by the C core; say so before anything is written if it cannot be loaded.
     *
     * @param what what needs it, the start of the message
     */
    static void loadNativeLibrary(String what) throws PullException {
        try {
            NativeLoader.load();
        } catch (UnsatisfiedLinkError e) {
            throw new PullException(what + " needs the native library, which cannot be loaded: " + e.getMessage());
        }
    }

    /** Writes every entry; returns how many. fingerprint sees every byte of the archive. */
    private long readInto(Path archive, Fingerprint.Builder fingerprint, SafeTreeWriter writer, Path dir)
            throws PullException {
        long entries = 0;
        // FileInputStream, not Files.newInputStream: the latter's available() fails on a pipe
        // ("Illegal seek" in JDK 17), and GZIPInputStream asks at the end of every member.
        try (InputStream file = new FileInputStream(archive.toFile());
                MeteredInputStream counted = new MeteredInputStream(fingerprint.reading(file), Long.MAX_VALUE);
                InputStream raw = new BufferedInputStream(counted, 1 << 16);
                MeteredInputStream tarStream = new MeteredInputStream(decompressed(raw), limits.maxBytes());
                TarArchiveInputStream tar = new TarArchiveInputStream(tarStream, StandardCharsets.UTF_8.name());
                // The files' bytes as they come out: a sparse file's holes are in no byte of tarStream.
                MeteredInputStream data = new MeteredInputStream(tar, limits.maxBytes());
                Progress.Task task = progress.start("extracting " + archive.getFileName(), Files.size(archive))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                Interruption.check();
                // Refuse a bomb by its header, before writing any of it.
                if (Math.max(tarStream.count(), data.count()) + entry.getRealSize() > limits.maxBytes()) {
                    throw new MeteredInputStream.LimitExceeded();
                }
                if (!tar.canReadEntryData(entry)) {
                    throw new PullException("refusing the entry '" + entry.getName() + "': its data is in a"
                            + " form Commons Compress cannot read (an old GNU sparse file?)");
                }
                writer.write(entry, data);
                // Counted once written: a name may go through 2,000 directories, which count too.
                if (++entries + writer.impliedDirectories() > limits.maxEntries()) {
                    throw new PullException(archive + " has more than " + limits.maxEntries() + " entries (the"
                            + " directories its names go through included);"
                            + " if you trust it, raise the cap with --max-entries");
                }
                task.advanceTo(counted.count());
            }
            // Read to the very end: the gzip trailer's CRC and length are checked only there.
            tarStream.transferTo(OutputStream.nullOutputStream());
            raw.transferTo(OutputStream.nullOutputStream());
            task.advanceTo(counted.count());
        } catch (FileNotFoundException e) {
            throw new PullException("cannot open " + archive + " (" + e.getMessage() + "); check the --file path", e);
        } catch (MeteredInputStream.LimitExceeded e) {
            throw new PullException(archive + " unpacks to more than " + limits.maxBytes() + " bytes, a"
                    + " decompression bomb or not a root filesystem; if you trust it, raise the cap with --max-bytes");
        } catch (IOException e) {
            throw new PullException(archive + " is not a readable tar or tar.gz archive (" + e.getMessage()
                    + "); it is corrupt or truncated: get it again", e);
        } catch (IllegalArgumentException e) {
            // Commons Compress's header parsers (TarUtils.parseOctal and the like) throw this for
            // bytes no tar header holds: a damaged archive, not a bug of ours.
            throw new PullException(archive + " is not a readable tar or tar.gz archive (" + e.getMessage()
                    + "); it is corrupt or truncated: get it again", e);
        } catch (PullException e) {
            throw new PullException(archive + ": " + e.getMessage() + "; '" + dir + "' was left untouched", e);
        }
        return entries;
    }

    /**
     * gzip when the stream starts with gzip's magic number, plain tar otherwise. The JDK's
     * GZIPInputStream reads concatenated members and checks each trailer's CRC and length.
     */
    private static InputStream decompressed(InputStream raw) throws IOException {
        byte[] magic = new byte[2];
        raw.mark(magic.length);
        int n = raw.readNBytes(magic, 0, magic.length);
        raw.reset();
        boolean gzip = n == 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b;
        return gzip ? new GZIPInputStream(raw, 1 << 16) : raw;
    }
}
