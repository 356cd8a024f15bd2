package io.containerfs.pull;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Where image layers are kept, each unpacked once into a directory named by its diff_id (the
 * SHA-256 of its uncompressed tar, which the image's config lists): {@code STORE/sha256/HEX}.
 * Two images on the same base share its directories; nothing is unpacked twice. A layer is
 * unpacked into a private sibling and renamed into place only once every entry is written and
 * both digests are right (the blob's, as it streamed, and the tar's), so a directory in the
 * store is always a whole, verified layer. A registry's blob whose download stopped leaves what
 * came in {@code STORE/partial/HEX} (its digest), from which the next pull goes on
 * ({@link BlobDownload}); nothing else of a stopped pull stays. The store is
 * {@code /var/lib/container-fs/layers} (an ordinary user's:
 * {@code $XDG_DATA_HOME/container-fs/layers}, else {@code ~/.local/share/container-fs/layers}),
 * or {@code $CONTAINERFS_LAYER_STORE}, or pull's {@code --layer-store}. An ordinary user's layers get the image's owners from the user's
 * subordinate range, as {@code pull --file} gives them ({@link SafeTreeWriter#giveRecordedOwners}).
 */
public final class LayerStore {
    public static final String ENV = "CONTAINERFS_LAYER_STORE";
    public static final Path DEFAULT = Path.of("/var/lib/container-fs/layers");

    private final Path root;
    private final boolean allowDevices;
    /** Run by an ordinary user: the image's owners from the user's range, not chown(2) as root. */
    private final boolean ownersInRange;
    private boolean partialsSwept;
    private boolean layersPrivate;
    private static final Set<PosixFilePermission> OWNER_ONLY = Set.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);

    LayerStore(Path root, boolean allowDevices, boolean ownersInRange) {
        this.root = root.toAbsolutePath().normalize();
        this.allowDevices = allowDevices;
        this.ownersInRange = ownersInRange;
    }

    /** $CONTAINERFS_LAYER_STORE; else root's in /var/lib, an ordinary user's in its data directory (XDG). */
    static Path defaultRoot(Map<String, String> env, String userHome) {
        return defaultRoot(env, userHome, PullCommand.runningAsRoot());
    }

    static Path defaultRoot(Map<String, String> env, String userHome, boolean root) {
        String given = env.get(ENV);
        if (given != null && !given.isEmpty()) {
            return Path.of(given);
        }
        if (root) {
            return DEFAULT;
        }
        String data = env.get("XDG_DATA_HOME");
        Path dataHome = data != null && data.startsWith("/") ? Path.of(data) : Path.of(userHome, ".local", "share");
        return dataHome.resolve("container-fs").resolve("layers");
    }

    /** Where the layer with this diff_id is (or would be) unpacked. */
    Path directory(String diffId) {
        return root.resolve("sha256").resolve(Descriptor.hex(diffId));
    }

    /** What can be read again for a layer's blob: a file in an OCI layout, an entry of a docker archive. */
    interface Blob {
        /** @throws PullException when the source says why it cannot give the blob (a registry's answer) */
        InputStream open() throws IOException, PullException;
    }

    /**
     * The layer's directory: the one already stored, or {@code blob} unpacked.
     *
     * @param descriptor the blob's digest and size when the image names them (an OCI manifest);
     *     null when only the uncompressed tar's digest is known (a docker archive)
     * @param diffId the uncompressed tar's digest, from the image's config
     * @param what the layer, for messages
     */
    Path unpack(Blob blob, Descriptor descriptor, String diffId, long compressedSize, String what, Progress progress)
            throws PullException {
        Path dir = directory(diffId);
        makePrivateOnce(dir.getParent());
        if (Files.isDirectory(dir)) {
            return dir;
        }
        try {
            return unpackOnce(blob, descriptor, diffId, compressedSize, what, progress, false);
        } catch (ResumedBlobWrong e) {
            // A kept prefix or a resumed tail that does not add up to the blob: once more, all of it from byte 0.
            return unpackOnce(blob, descriptor, diffId, compressedSize, what, progress, true);
        }
    }

    /** The blob's digest was wrong, and part of it came from a partial file or a Range request. */
    private static final class ResumedBlobWrong extends PullException {
        private static final long serialVersionUID = 1L;

        ResumedBlobWrong(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Where partial downloads of registry blobs are kept until they are whole ({@link BlobDownload}). */
    Path partialDirectory() {
        return root.resolve("partial");
    }

    /** @param anew whether to ignore a partial download of the blob */
    private Path unpackOnce(Blob blob, Descriptor descriptor, String diffId, long compressedSize, String what,
            Progress progress, boolean anew) throws PullException {
        Path dir = directory(diffId);
        if (Files.isDirectory(dir)) {
            return dir;
        }
        TargetDirectory target = TargetDirectory.check(dir);
        Path sibling = target.createSibling();
        Interruption.Guard guard = Interruption.guard(sibling);
        boolean installed = false;
        try (BlobDownload download = download(blob, descriptor, what, anew)) {
            SafeTreeWriter writer = new SafeTreeWriter(sibling, !ownersInRange, allowDevices).withOverlayWhiteouts();
            if (ownersInRange) {
                writer.recordingOwners();
            }
            try {
                readInto(blob, download, descriptor, diffId, compressedSize, writer, what, progress);
            } catch (PullException e) {
                if (download != null && download.stopped() == null && !Interruption.requested()) {
                    download.refused(); // the layer's bytes are at fault, not the network: keep none of them
                }
                throw e;
            }
            writer.finishDirectories();
            writer.giveRecordedOwners();
            try {
                target.install(sibling);
            } catch (PullException e) {
                if (!Files.isDirectory(dir)) {
                    throw e;
                }
                // Another pull stored the same layer meanwhile: its copy is as good as ours.
                return dir;
            }
            installed = true;
            return dir;
        } finally {
            if (!installed) {
                TargetDirectory.deleteSibling(sibling);
            }
            guard.close();
        }
    }

    /** A registry's blob, resumable; null for a blob read from a file (an OCI layout, a docker archive). */
    private BlobDownload download(Blob blob, Descriptor descriptor, String what, boolean anew) throws PullException {
        if (!(blob instanceof BlobDownload.Source source) || descriptor == null) {
            return null;
        }
        sweepPartialsOnce();
        return BlobDownload.start(source, descriptor, what, partialDirectory(), anew);
    }

    /**
     * {@code STORE/sha256}, made or kept 0700, the runtime's alone (as Docker keeps its data
     * directory since CVE-2021-41091): a layer holds what the image says, setuid programs owned
     * by root and, with --allow-devices, device nodes; in a directory any user of the host could
     * walk into, any of them could run such a program as root, or open such a node. The container
     * is not hindered: overlayfs walks to its layers as the one who mounts them. A store that an
     * earlier pull left open is closed here.
     */
    private synchronized void makePrivateOnce(Path layers) throws PullException {
        if (layersPrivate) {
            return;
        }
        try {
            Files.createDirectories(layers);
            if (!Files.getPosixFilePermissions(layers).equals(OWNER_ONLY)) {
                Files.setPosixFilePermissions(layers, OWNER_ONLY);
            }
        } catch (IOException e) {
            throw new PullException("cannot create the layer store " + layers + ": " + e.getMessage()
                    + "; give another with --layer-store", e);
        }
        layersPrivate = true;
    }

    private synchronized void sweepPartialsOnce() {
        if (!partialsSwept) {
            BlobDownload.sweep(partialDirectory());
            partialsSwept = true;
        }
    }

    /** @param download the registry's blob, or null: then {@code blob} is read */
    private static void readInto(Blob blob, BlobDownload download, Descriptor descriptor, String diffId,
            long compressedSize, SafeTreeWriter writer, String what, Progress progress) throws PullException {
        ExtractionLimits limits = ExtractionLimits.forArchiveSize(compressedSize);
        String step = "unpacking " + what + (download != null && download.kept() > 0
                ? String.format(Locale.ROOT, ", resuming at %.1f MiB", download.kept() / (double) (1 << 20)) : "");
        try (Progress.Task task = progress.start(step, compressedSize);
                InputStream file = reporting(download != null ? download.stream() : blob.open(), task);
                VerifiedStream compressed = new VerifiedStream(file,
                        descriptor != null ? descriptor.digest() : diffId,
                        descriptor != null ? descriptor.size() : Long.MAX_VALUE, descriptor != null, what);
                BufferedInputStream raw = new BufferedInputStream(compressed, 1 << 16);
                // Buffered: the tar reader asks for 512 bytes at a time, each a call into zlib.
                VerifiedStream tarBytes = new VerifiedStream(new BufferedInputStream(decompressed(raw, descriptor, what),
                        1 << 16), diffId, limits.maxBytes(), false, what + " (uncompressed)");
                TarArchiveInputStream tar = new TarArchiveInputStream(tarBytes, StandardCharsets.UTF_8.name())) {
            try {
                writeEntries(tar, writer, limits, what);
            } catch (IOException | IllegalArgumentException unreadable) {
                // Damaged bytes usually break gzip, zstd or tar before the end: say that the blob is
                // not its digest's, when it is not, rather than what broke first.
                (descriptor != null ? compressed : tarBytes).verify();
                throw unreadable;
            }
            // Every byte counts for the digests: the tar's padding after its end, the gzip trailer,
            // zstd:chunked's skippable frames.
            tarBytes.verify();
            if (descriptor != null) {
                compressed.verify();
            }
        } catch (VerifiedStream.Tampered e) {
            String message = e.getMessage() + ": refusing the image, it was changed or damaged";
            throw download != null && download.resumed() ? new ResumedBlobWrong(message, e)
                    : new PullException(message, e);
        } catch (IOException | IllegalArgumentException e) {
            if (download != null && download.stopped() != null) {
                throw new PullException(download.stopped().getMessage(), e);
            }
            throw new PullException(what + " is not a readable layer (" + e.getMessage()
                    + "); the image is damaged", e);
        }
    }

    /**
     * Every entry, each file's bytes counted as they come out of the tar: a sparse file's take a
     * few bytes of the archive and come out whole, holes as zeros, which the tar's own cap does not see.
     */
    private static void writeEntries(TarArchiveInputStream tar, SafeTreeWriter writer, ExtractionLimits limits,
            String what) throws IOException, PullException {
        MeteredInputStream data = new MeteredInputStream(tar, limits.maxBytes());
        long entries = 0;
        TarArchiveEntry entry;
        while ((entry = tar.getNextEntry()) != null) {
            Interruption.check();
            if (!tar.canReadEntryData(entry)) {
                throw new PullException("refusing the entry '" + entry.getName() + "' of " + what
                        + ": its data is in a form Commons Compress cannot read");
            }
            if (data.count() + entry.getRealSize() > limits.maxBytes()) {
                throw tooLarge(what, limits);
            }
            try {
                writer.write(entry, data);
            } catch (MeteredInputStream.LimitExceeded e) {
                throw tooLarge(what, limits);
            }
            // Counted once written: a name may go through 2,000 directories, which count too.
            if (++entries + writer.impliedDirectories() > limits.maxEntries()) {
                throw new PullException(what + " has more than " + limits.maxEntries() + " entries (the directories"
                        + " its names go through included)");
            }
        }
    }

    private static PullException tooLarge(String what, ExtractionLimits limits) {
        return new PullException(what + " (uncompressed) is longer than " + limits.maxBytes() + " bytes, the most"
                + " pull unpacks from a layer of its size: refusing the image, a decompression bomb");
    }

    /** The blob's bytes as read, reported to the task: a registry's layer shows its download. */
    private static InputStream reporting(InputStream in, Progress.Task task) {
        return new FilterInputStream(in) {
            private long done;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = in.read(b, off, len);
                if (n > 0) {
                    done += n;
                    task.advanceTo(done);
                }
                return n;
            }
        };
    }

    /** The tar's bytes: gzip, zstd or plain tar, as the layer's media type says ({@link LayerCompression}). */
    private static InputStream decompressed(BufferedInputStream raw, Descriptor descriptor, String what)
            throws IOException, PullException {
        raw.mark(LayerCompression.MAGIC_BYTES);
        byte[] start = raw.readNBytes(LayerCompression.MAGIC_BYTES);
        raw.reset();
        return LayerCompression.of(descriptor != null ? descriptor.mediaType() : "", start, what).decompressing(raw);
    }
}
