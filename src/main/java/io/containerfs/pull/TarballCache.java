package io.containerfs.pull;

import io.containerfs.linux.NativeLibraryCache;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.Optional;

/**
 * Verified tarballs, kept so that a second pull needs no download, and the index that named
 * them, so that pull still works when the mirror cannot be reached.
 *
 * <pre>
 * CACHE/alpine-minirootfs-3.20.3-x86_64.tar.gz          only ever renamed in once verified,
 *                                                       and checked again as each pull extracts it
 * CACHE/index/v3.20/x86_64/latest-releases.yaml         the index of the last successful pull
 * </pre>
 */
public final class TarballCache {
    private final Path dir;

    public TarballCache(Path dir) {
        this.dir = dir;
    }

    /**
     * {@code $XDG_CACHE_HOME/container-fs}, else {@code ~/.cache/container-fs} with {@code ~} from
     * the password database ({@code user.home}), not {@code $HOME}: under sudo that is root's home,
     * even with {@code sudo -E}, so root never leaves root-owned files in the user's home.
     */
    public static Path defaultDir(Map<String, String> env, String userHome) {
        return NativeLibraryCache.userCacheDir(env, userHome);
    }

    public Path dir() {
        return dir;
    }

    /**
     * The cached tarball of {@code release}, if a file of its size is there. Its bytes are checked
     * as it is extracted ({@link RootfsExtractor}), not read once more before: in a cold JVM
     * hashing it first cost a pull from the cache 36 ms (888 against 852 ms, docs/BENCHMARKS.md).
     */
    public Optional<Path> find(Release release) throws PullException {
        Path file = dir.resolve(release.file());
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return attributes.isRegularFile() && attributes.size() == release.size()
                    ? Optional.of(file) : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw unreadable(file, e);
        }
    }

    /**
     * Whether the cached tarball of {@code release} has exactly its bytes: after extracting it
     * failed, this tells a damaged copy (downloaded again) from an archive that is itself at fault.
     */
    public boolean isIntact(Release release) throws PullException {
        Path file = dir.resolve(release.file());
        try {
            release.verify(Fingerprint.of(file), file.toString());
            return true;
        } catch (NoSuchFileException e) {
            return false;
        } catch (PullException e) {
            return false;
        } catch (IOException e) {
            throw unreadable(file, e);
        }
    }

    /** Removes the cached tarball of {@code release}, found damaged. */
    public void discard(Release release) throws PullException {
        Path file = dir.resolve(release.file());
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new PullException("the cached " + file + " is damaged and cannot be removed: " + e.getMessage()
                    + "; remove it, or give another --cache-dir", e);
        }
    }

    private static PullException unreadable(Path file, IOException e) {
        return new PullException("cannot read the cached " + file + ": " + e.getMessage()
                + "; remove it, or give another --cache-dir", e);
    }

    /**
     * Downloads into a {@code .part} file beside its final name, renamed only once verified; one a
     * killed pull left is removed first ({@link Leftovers}).
     */
    public Path download(Release release, MirrorClient mirror, Progress progress) throws PullException {
        createDir();
        Path target = dir.resolve(release.file());
        Path part = null;
        Interruption.Guard guard = null;
        try {
            Leftovers.sweep(dir, release.file() + ".", ".part");
            part = Files.createTempFile(dir, release.file() + "." + Leftovers.ownerTag(), ".part");
            guard = Interruption.guard(part);
            mirror.download(release, part, progress);
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException e) {
            throw new PullException("cannot write " + target + " in the cache: " + e.getMessage()
                    + "; give another --cache-dir", e);
        } finally {
            deletePart(part);
            if (guard != null) {
                guard.close();
            }
        }
    }

    /** Keeps the index that named a verified tarball, for pulls when the mirror is unreachable. */
    public void saveIndex(String branch, String arch, String yaml) throws PullException {
        Path index = indexFile(branch, arch);
        Path temp = null;
        try {
            Files.createDirectories(index.getParent());
            temp = Files.createTempFile(index.getParent(), "latest-releases.yaml.", ".part");
            Files.writeString(temp, yaml, StandardCharsets.UTF_8);
            Files.move(temp, index, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new PullException("cannot write " + index + " in the cache: " + e.getMessage()
                    + "; give another --cache-dir", e);
        } finally {
            deletePart(temp);
        }
    }

    public Optional<String> savedIndex(String branch, String arch) {
        try {
            return Optional.of(Files.readString(indexFile(branch, arch), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private Path indexFile(String branch, String arch) {
        return dir.resolve("index").resolve(branch).resolve(arch).resolve("latest-releases.yaml");
    }

    private void createDir() throws PullException {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new PullException("cannot create the cache directory " + dir + ": " + e.getMessage()
                    + "; give another with --cache-dir DIR", e);
        }
    }

    private static void deletePart(Path part) {
        try {
            if (part != null) {
                Files.deleteIfExists(part);
            }
        } catch (IOException e) {
            // Leaves a .part file the next pull ignores; the error that matters is already thrown.
        }
    }
}
