package io.containerfs.pull;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The DIR that pull fills: absent or empty before, the whole root filesystem after, and never
 * anything in between. The tree is built in a hidden sibling (same filesystem, so rename(2) is
 * atomic) and renamed onto DIR, which rename(2) allows when DIR is an empty directory.
 */
public final class TargetDirectory {
    /**
     * rwx------, as a plain set: PosixFilePermissions.fromString builds an EnumSet, whose first use
     * reflects on the enum (~1-2 ms to a JVM that has just started, docs/BENCHMARKS.md).
     */
    private static final Set<PosixFilePermission> OWNER_ONLY = Set.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);

    private final Path dir;

    private TargetDirectory(Path dir) {
        this.dir = dir;
    }

    public static TargetDirectory check(Path dir) throws PullException {
        Path absolute = dir.toAbsolutePath().normalize();
        Path parent = absolute.getParent();
        if (parent == null) {
            throw new PullException("cannot pull into '/'; give a new directory such as ./rootfs");
        }
        if (!Files.isDirectory(parent)) {
            throw new PullException("the parent of '" + dir + "', " + parent + ", is not a directory;"
                    + " create it first (mkdir -p " + parent + ")");
        }
        BasicFileAttributes attributes = attributes(absolute);
        if (attributes == null) {
            return new TargetDirectory(absolute);
        }
        if (attributes.isSymbolicLink()) {
            throw new PullException("'" + dir + "' is a symlink; give the directory itself");
        }
        if (!attributes.isDirectory()) {
            throw new PullException("'" + dir + "' exists and is not a directory; give a new or empty directory");
        }
        if (!isEmpty(absolute)) {
            throw new PullException("'" + dir + "' is not empty; pull into a new or empty directory"
                    + " (or remove this one first)");
        }
        return new TargetDirectory(absolute);
    }

    public Path path() {
        return dir;
    }

    /**
     * A new, private (0700) directory beside DIR to extract into, {@code .DIR.pull-OWNER-N}, named
     * with its owner ({@link Leftovers}), whose leftovers from a killed pull are removed first.
     * mkdir(2) fails on any existing name, so it is never someone else's; the name comes from the
     * owner and the clock, not from Files.createTempDirectory, whose SecureRandom costs ~15 ms.
     */
    public Path createSibling() throws PullException {
        try {
            String prefix = "." + dir.getFileName() + ".pull-";
            Leftovers.sweep(dir.getParent(), prefix, "");
            FileAlreadyExistsException taken = null;
            for (int attempt = 0; attempt < 100; attempt++) {
                Path sibling = dir.resolveSibling(prefix + Leftovers.ownerTag()
                        + Long.toUnsignedString(System.nanoTime() + attempt, 36));
                try {
                    return Files.createDirectory(sibling, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
                } catch (FileAlreadyExistsException e) {
                    taken = e;
                }
            }
            throw taken;
        } catch (IOException e) {
            throw new PullException("cannot create a directory beside '" + dir + "': " + e.getMessage()
                    + "; check that you may write to " + dir.getParent(), e);
        }
    }

    /** Renames the finished tree onto DIR in one step. */
    public void install(Path sibling) throws PullException {
        try {
            Files.move(sibling, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (DirectoryNotEmptyException | FileAlreadyExistsException e) {
            throw new PullException("'" + dir + "' was filled by something else while pulling;"
                    + " pull into a new or empty directory", e);
        } catch (AtomicMoveNotSupportedException e) {
            throw new PullException("cannot rename into '" + dir + "': " + e.getMessage()
                    + " (is it a mount point? pull into a directory inside it)", e);
        } catch (IOException e) {
            throw new PullException("cannot rename the extracted tree into '" + dir + "': " + e.getMessage()
                    + " (is it a mount point? pull into a directory inside it)", e);
        }
    }

    /** Removes a sibling after a failure, without following any link in it. */
    public static void deleteSibling(Path sibling) {
        try {
            Leftovers.removeTree(sibling);
        } catch (IOException e) {
            // Reported by the caller's own error; a hidden .DIR.pull-* directory may remain.
        }
    }

    /** The entry's own attributes (a link is not followed), or null when there is none. */
    static BasicFileAttributes attributes(Path path) throws PullException {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new PullException("cannot inspect '" + path + "': " + e.getMessage(), e);
        }
    }

    private static boolean isEmpty(Path dir) throws PullException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            return !entries.iterator().hasNext();
        } catch (IOException e) {
            throw new PullException("cannot list '" + dir + "': " + e.getMessage(), e);
        }
    }
}
