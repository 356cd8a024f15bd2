package io.containerfs.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Everything {@code tar --same-owner -xpf} promises about a tree, entry by entry, so two trees
 * compare equal exactly when they hold the same paths with the same type, mode (setuid, setgid
 * and sticky included), owner, size, content, symlink target, mtime and hardlink group; for
 * device nodes and FIFOs their type and device number ({@code unix:rdev}), read without opening them.
 */
public final class TreeSnapshot {
    private TreeSnapshot() {}

    /** Relative path ("." for the root) to a one-line description of the entry. */
    public static Map<String, String> of(Path root) {
        Map<String, Object> inodes = new TreeMap<>();
        Map<String, String> entries = new TreeMap<>();
        Map<Object, List<String>> links = new java.util.HashMap<>();
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                String name = root.equals(path) ? "." : root.relativize(path).toString();
                Map<String, Object> a = Files.readAttributes(path, "unix:*", LinkOption.NOFOLLOW_LINKS);
                int mode = (Integer) a.get("mode");
                String type = Files.isSymbolicLink(path) ? "symlink"
                        : Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS) ? "dir"
                        : Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS) ? "file" : nodeType(mode);
                StringBuilder d = new StringBuilder(type)
                        .append(" mode=").append(Integer.toOctalString(mode & 07777))
                        .append(" uid=").append(a.get("uid")).append(" gid=").append(a.get("gid"))
                        .append(" mtime=").append(a.get("lastModifiedTime"));
                if (type.equals("file")) {
                    d.append(" size=").append(a.get("size")).append(" sha256=").append(sha256(path));
                    if ((Integer) a.get("nlink") > 1) {
                        Object inode = a.get("ino");
                        inodes.put(name, inode);
                        links.computeIfAbsent(inode, k -> new ArrayList<>()).add(name);
                    }
                }
                if (type.equals("chr") || type.equals("blk")) {
                    long rdev = (Long) a.get("rdev");
                    d.append(" rdev=").append(major(rdev)).append(',').append(minor(rdev));
                }
                if (type.equals("symlink")) {
                    d.append(" -> ").append(Files.readSymbolicLink(path));
                }
                entries.put(name, d.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        inodes.forEach((name, inode) -> entries.put(name, entries.get(name) + " hardlinks=" + links.get(inode)));
        return entries;
    }

    private static String nodeType(int mode) {
        return switch (mode & 0170000) {
            case 0020000 -> "chr";
            case 0060000 -> "blk";
            case 0010000 -> "fifo";
            case 0140000 -> "socket";
            default -> "other";
        };
    }

    /** glibc's gnu_dev_major/minor: a 32-bit major and minor split over dev_t's 64 bits. */
    public static long major(long rdev) {
        return ((rdev >>> 32) & 0xfffff000L) | ((rdev >>> 8) & 0xfffL);
    }

    public static long minor(long rdev) {
        return ((rdev >>> 12) & 0xffffff00L) | (rdev & 0xffL);
    }

    /** The differing entries, for a readable assertion message. */
    public static String diff(Map<String, String> expected, Map<String, String> actual) {
        StringBuilder out = new StringBuilder();
        TreeMap<String, String> all = new TreeMap<>(expected);
        all.putAll(actual);
        for (String name : all.keySet()) {
            String e = expected.get(name);
            String a = actual.get(name);
            if (e == null || !e.equals(a)) {
                out.append(name).append("\n  expected: ").append(e).append("\n  actual:   ").append(a).append('\n');
            }
        }
        return out.toString();
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) != -1) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
