package io.containerfs.pull;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Set;

/**
 * The DIR that pull fills: absent or empty before, the whole root filesystem after, and never
 * anything in between. The tree is built in a hidden sibling (same filesystem, so rename(2) is
 * atomic) and renamed onto DIR, which rename(2) allows when DIR is an empty directory; one pull at
 * a time, which holds DIR's lock ({@link #lock}).
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
     * DIR held for this pull until {@link Lock#close}: a second pull into the same DIR refuses at
     * once, rather than extract beside this one and fail at the rename. The lock is fcntl(2)'s
     * ({@link FileChannel#tryLock}) on {@code .DIR.pull.lock} beside DIR, which the kernel drops when
     * the process ends, however it ends: a lock file that a pull killed with SIGKILL left is taken
     * over, and its owner proven gone by the kernel, not guessed from a pid. Closing removes the file;
     * as it can be removed and made again between another pull's open(2) and its lock, a pull that
     * got a lock checks that the name still holds its own file, by a token it wrote there, and tries
     * again if not. DIR is checked again once held: a pull that finished meanwhile filled it.
     */
    public Lock lock() throws PullException {
        Path file = dir.resolveSibling("." + dir.getFileName() + ".pull.lock");
        for (int attempt = 0; attempt < 10; attempt++) {
            BasicFileAttributes attributes = attributes(file);
            if (attributes != null && !attributes.isRegularFile()) {
                throw new PullException("'" + file + "', pull's lock for '" + dir + "', is not a regular file;"
                        + " remove it");
            }
            FileChannel channel;
            try {
                channel = FileChannel.open(file, LOCK_OPTIONS, PosixFilePermissions.asFileAttribute(OWNER_READ_WRITE));
            } catch (IOException e) {
                throw new PullException("cannot lock '" + dir + "' for this pull: " + e.getMessage()
                        + "; check that you may write to " + dir.getParent(), e);
            }
            Lock held = null;
            try {
                FileLock lock = channel.tryLock();
                if (lock == null) {
                    throw anotherPull(file);
                }
                byte[] token = (Leftovers.ownerTag() + System.nanoTime()).getBytes(StandardCharsets.US_ASCII);
                channel.truncate(0);
                channel.write(ByteBuffer.wrap(token), 0);
                FileChannel reader = reopenIfOurs(file, token);
                if (reader != null) {
                    held = new Lock(file, channel, reader);
                    try {
                        check(dir);
                    } catch (PullException e) {
                        held.close();
                        throw e;
                    }
                    return held;
                }
            } catch (OverlappingFileLockException e) {
                throw anotherPull(file);
            } catch (IOException e) {
                throw new PullException("cannot lock '" + dir + "' for this pull: " + file + ": " + e.getMessage(), e);
            } finally {
                if (held == null) {
                    closeQuietly(channel);
                }
            }
        }
        throw new PullException("cannot lock '" + dir + "' for this pull: " + file + " keeps being replaced");
    }

    /**
     * What {@link #lock} holds; {@link #close} removes the lock file and then releases it. Should
     * the JVM be stopped first (Ctrl-C, SIGTERM), its shutdown hook removes the file
     * ({@link Interruption}).
     */
    public static final class Lock implements AutoCloseable {
        private final Path file;
        private final FileChannel channel;
        private final FileChannel reader;
        private final Interruption.Guard guard;

        private Lock(Path file, FileChannel channel, FileChannel reader) {
            this.file = file;
            this.channel = channel;
            this.reader = reader;
            this.guard = Interruption.guard(file);
        }

        @Override
        public void close() {
            // The guard first: once the file is removed, the name may be another pull's.
            guard.close();
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // Left, unlocked: the next pull takes it over.
            }
            closeQuietly(reader);
            closeQuietly(channel);
        }
    }

    private static final Set<OpenOption> LOCK_OPTIONS = Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    private static final Set<PosixFilePermission> OWNER_READ_WRITE = Set.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE);

    private PullException anotherPull(Path file) {
        return new PullException("another pull is writing '" + dir + "' (it holds " + file + "); wait for it to end,"
                + " or pull into another directory");
    }

    /**
     * {@code file} opened again, when it is still the one this pull locked: it holds the token
     * written through the lock's channel; null otherwise. The caller keeps it open as long as the
     * lock: closing any descriptor of a file drops the process's fcntl(2) locks on it. Opened
     * read-write, and its size checked before it is read, so a FIFO put there never blocks.
     */
    private static FileChannel reopenIfOurs(Path file, byte[] token) throws IOException {
        FileChannel reader;
        try {
            reader = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
        boolean ours = false;
        try {
            if (reader.size() == token.length) {
                ByteBuffer read = ByteBuffer.allocate(token.length);
                while (read.hasRemaining() && reader.read(read, read.position()) > 0) {
                    // until the token's length
                }
                ours = Arrays.equals(read.array(), token);
            }
            return ours ? reader : null;
        } finally {
            if (!ours) {
                closeQuietly(reader);
            }
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // Closing releases the lock whatever close(2) says.
        }
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
