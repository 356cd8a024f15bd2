package io.containerfs.linux;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * The per-user copy of the bundled library, extracted once per build and reused by every run:
 * {@code CACHE/native/<sha256>/libcontainer-fs.so}, where {@code CACHE} is container-fs's cache
 * directory ({@link #userCacheDir}) and the SHA-256 is the library's, computed when the jar was built.
 *
 * <p>A library is code the process runs, so the cache is used only when nobody but this user (and
 * root) can change it: {@code native/} and {@code <sha256>/} must be owned by the user and not
 * writable by group or others (they are made 0700), and every directory above them must be owned by
 * the user or root and not writable by others unless it is sticky, as {@code /tmp} is. A cached
 * file is loaded only when it has the size and CRC-32 of the jar's copy, which the build records
 * with its SHA-256 in the class BundledLibrary, so a run reads neither the library out of the jar
 * nor a hash of it (SHA-256 would cost a cold JVM ~40 ms), nor opens the jar; the SHA-256 in the
 * directory's name tells one build's library from another's. A missing or different file is
 * replaced, written under a temporary name and renamed over, so a reader never sees half a library.
 */
public final class NativeLibraryCache {
    static final String FILE_NAME = "lib" + NativeLoader.LIBRARY + ".so";

    /**
     * rwx------, as a plain set, as is the library's r-x------: PosixFilePermissions.fromString
     * builds an EnumSet, whose first use reflects on the enum, through method handles from JDK 18
     * on (~5 ms on JDK 25), and a first run (pull, the quick start's first command) makes both. A
     * method, not a constant: a run that finds the library makes neither, and loads no enum.
     */
    static Set<PosixFilePermission> ownerOnly() {
        return Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.OWNER_EXECUTE);
    }

    private static final int GROUP_OR_OTHER_WRITE = 0022;
    private static final int STICKY = 01000;

    private final Path cacheDir;
    private final int uid;

    /** @param uid the effective uid that must own the cache (the process's, except in tests) */
    NativeLibraryCache(Path cacheDir, int uid) {
        this.cacheDir = cacheDir;
        this.uid = uid;
    }

    /**
     * {@code $XDG_CACHE_HOME/container-fs} when that is an absolute path, else
     * {@code USER_HOME/.cache/container-fs}, with the home directory from the password database
     * ({@code user.home}), not {@code $HOME}: under sudo that is root's, even with {@code sudo -E}.
     */
    public static Path userCacheDir(Map<String, String> env, String userHome) {
        String xdg = env.get("XDG_CACHE_HOME");
        if (xdg != null && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "container-fs");
        }
        return Path.of(userHome, ".cache", "container-fs");
    }

    /** The effective uid, from /proc/self/status: the library that could tell is not loaded yet. */
    static int effectiveUid() throws IOException {
        String status = new String(SmallFile.read(Path.of("/proc/self/status")), StandardCharsets.US_ASCII);
        // "Uid:\t<real>\t<effective>\t<saved>\t<fs>" (proc(5)); parsed by hand, regex costs a cold JVM
        int line = status.indexOf("\nUid:");
        if (line < 0) {
            throw new IOException("/proc/self/status has no Uid line");
        }
        int real = status.indexOf('\t', line + 1);
        int effective = status.indexOf('\t', real + 1);
        int end = status.indexOf('\t', effective + 1);
        return Integer.parseInt(status.substring(effective + 1, end));
    }

    /**
     * The cached library if it is there with this size and CRC-32, in directories only this user
     * (and root) can change; null when it is missing or differs. Writes nothing.
     *
     * @throws IOException when the cache is not private to this user
     */
    Path find(String sha256, long size, long crc32) throws IOException {
        if (!isSha256(sha256)) {
            throw new IOException("'" + sha256 + "' is not a SHA-256 in hex");
        }
        Path dir = cacheDir.resolve("native").resolve(sha256);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        Path file = requirePrivateChain(dir).resolve(FILE_NAME);
        return holds(file, size, crc32) ? file : null;
    }

    /**
     * The cached library with exactly these bytes, written first if it is missing or differs.
     *
     * @throws IOException when the cache cannot be written, or is not private to this user
     */
    Path install(String sha256, byte[] library) throws IOException {
        if (!isSha256(sha256)) {
            throw new IOException("'" + sha256 + "' is not a SHA-256 in hex");
        }
        Path nativeDir = cacheDir.resolve("native");
        Path dir = nativeDir.resolve(sha256);
        // Judge what exists before adding to it, then the whole chain again once it is made.
        for (Path above = nearestExisting(nativeDir); above != null; above = above.getParent()) {
            requireSafeAncestor(above);
        }
        createPrivateDirectories(dir);
        Path file = requirePrivateChain(dir).resolve(FILE_NAME);
        if (!holds(file, library.length, crc32(library))) {
            replace(file, library);
        }
        return file;
    }

    /** dir and its parent private to this user, every directory above them safe; dir's real path. */
    private Path requirePrivateChain(Path dir) throws IOException {
        requirePrivate(dir.getParent().toRealPath());
        Path realDir = dir.toRealPath();
        requirePrivate(realDir);
        for (Path above = realDir.getParent().getParent(); above != null; above = above.getParent()) {
            requireSafeAncestor(above);
        }
        return realDir;
    }

    /** The CRC-32 of bytes, as a zip entry records it. */
    static long crc32(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length);
        return crc.getValue();
    }

    private static boolean isSha256(String s) {
        if (s.length() != 64) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    private static Path nearestExisting(Path dir) throws IOException {
        Path p = dir.toAbsolutePath();
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        return p == null ? null : p.toRealPath();
    }

    /** Creates what is missing of dir, each new directory 0700 (the umask can only narrow that). */
    private static void createPrivateDirectories(Path dir) throws IOException {
        if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Path parent = dir.getParent();
        if (parent != null) {
            createPrivateDirectories(parent);
        }
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(ownerOnly()));
        } catch (FileAlreadyExistsException raced) {
            // Another run made it meanwhile, or it is a symlink: requirePrivate judges what it is.
        }
    }

    private void requirePrivate(Path dir) throws IOException {
        Map<String, Object> a = Files.readAttributes(dir, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
        int owner = (Integer) a.get("uid");
        int mode = (Integer) a.get("mode");
        if (owner != uid) {
            throw new IOException(dir + " belongs to uid " + owner + ", not to uid " + uid);
        }
        if ((mode & GROUP_OR_OTHER_WRITE) != 0) {
            throw new IOException(dir + " is writable by its group or by others (mode "
                    + Integer.toOctalString(mode & 07777) + ")");
        }
    }

    /** Whoever may rename an entry of an ancestor could swap the whole cache for their own. */
    private void requireSafeAncestor(Path dir) throws IOException {
        Map<String, Object> a = Files.readAttributes(dir, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
        int owner = (Integer) a.get("uid");
        int mode = (Integer) a.get("mode");
        if (owner != uid && owner != 0) {
            throw new IOException(dir + " belongs to uid " + owner + ", neither uid " + uid + " nor root");
        }
        // In a sticky directory (/tmp) only an entry's owner may rename or remove it.
        if ((mode & GROUP_OR_OTHER_WRITE) != 0 && (mode & STICKY) == 0) {
            throw new IOException(dir + " is writable by its group or by others (mode "
                    + Integer.toOctalString(mode & 07777) + ")");
        }
    }

    /** Whether file is a regular file of ours, not writable by others, of this size and CRC-32. */
    private boolean holds(Path file, long size, long crc32) throws IOException {
        Map<String, Object> a;
        try {
            a = Files.readAttributes(file, "unix:uid,mode,size", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return false;
        }
        int mode = (Integer) a.get("mode");
        boolean regular = (mode & 0170000) == 0100000;
        return regular && (Integer) a.get("uid") == uid && (mode & GROUP_OR_OTHER_WRITE) == 0
                && (Long) a.get("size") == size && crc32(SmallFile.read(file)) == crc32;
    }

    /**
     * Writes the library beside file under a name no other run uses, then renames it over file:
     * rename(2) replaces atomically, so a concurrent run loads either the old or the new file.
     * The name comes from the pid and the clock, not from {@code Files.createTempFile}, whose
     * SecureRandom would initialise the security providers on every first run; the pid from /proc,
     * not from ProcessHandle, whose first use starts a thread pool.
     */
    private static void replace(Path file, byte[] library) throws IOException {
        Path tmp = file.resolveSibling("." + FILE_NAME + "." + ProcessStat.pid() + "." + System.nanoTime() + ".tmp");
        FileAttribute<Set<PosixFilePermission>> readOnly = PosixFilePermissions.asFileAttribute(
                Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_EXECUTE));
        try {
            // O_CREAT|O_EXCL with mode 0500: the descriptor open(2) returns may write all the same.
            try (SeekableByteChannel out = Files.newByteChannel(tmp,
                    Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), readOnly)) {
                ByteBuffer buffer = ByteBuffer.wrap(library);
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
