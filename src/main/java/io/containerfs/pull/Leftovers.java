package io.containerfs.pull;

import io.containerfs.linux.ProcessStat;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

/**
 * What a pull killed with SIGKILL leaves: a hidden {@code .DIR.pull-*} sibling, a {@code .part}
 * file in the cache (seen: 382 MB). No shutdown hook runs after SIGKILL, so the next pull removes
 * them, and only those whose owner is gone. Each name carries its owner, {@code PID-START} (the
 * pid and its start time in milliseconds, as {@link ProcessHandle} gives them), so a live pull's
 * files are never touched, even after the pid is reused: the start time would differ. Both are
 * read from /proc by {@link ProcessStat}, which computes what ProcessHandle does without its
 * thread pool and lambdas, and the names are parsed by hand, not by a regex.
 */
final class Leftovers {
    private static final Set<PosixFilePermission> OWNER_RWX = Set.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);

    /** A name from before owners were written in it: swept once this old, as no live pull leaves one untouched. */
    static final Duration UNOWNED_AGE = Duration.ofHours(1);

    private Leftovers() {}

    /** {@code PID-START-}: put right after a temporary name's fixed prefix. */
    static String ownerTag() {
        long[] self = ProcessStat.self();
        return self != null ? self[0] + "-" + self[1] + "-" : ProcessHandle.current().pid() + "-0-";
    }

    /**
     * Removes every entry of {@code dir} named {@code prefix...suffix} whose owner is gone; without
     * links followed. What cannot be removed is left, as it was.
     */
    static void sweep(Path dir, String prefix, String suffix) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.startsWith(prefix) && name.endsWith(suffix) && name.length() > prefix.length() + suffix.length()
                        && abandoned(entry, name.substring(prefix.length()))) {
                    delete(entry);
                }
            }
        } catch (IOException | RuntimeException e) {
            // Sweeping is a courtesy: the pull itself goes on.
        }
    }

    /** Whether the owner named at the start of {@code rest} is gone (or unnamed, and old). */
    static boolean abandoned(Path entry, String rest) throws IOException {
        // PID-START-, as ownerTag writes it
        int pidEnd = digits(rest, 0);
        boolean dash = pidEnd > 0 && pidEnd < rest.length() && rest.charAt(pidEnd) == '-';
        int startEnd = dash ? digits(rest, pidEnd + 1) : -1;
        if (startEnd <= pidEnd + 1 || startEnd == rest.length() || rest.charAt(startEnd) != '-') {
            FileTime modified = Files.getLastModifiedTime(entry, LinkOption.NOFOLLOW_LINKS);
            return modified.toInstant().isBefore(Instant.now().minus(UNOWNED_AGE));
        }
        long pid = Long.parseLong(rest.substring(0, pidEnd));
        long start = Long.parseLong(rest.substring(pidEnd + 1, startEnd));
        long started = ProcessStat.startMillis(pid);
        if (started < 0) {
            return true;
        }
        return started > 0 && start != 0 && started != start;
    }

    /** Where the run of ASCII digits starting at {@code from} ends. */
    private static int digits(String s, int from) {
        int i = from;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            i++;
        }
        return i;
    }

    private static void delete(Path entry) throws IOException {
        if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
            removeTree(entry);
        } else {
            Files.deleteIfExists(entry);
        }
    }

    /**
     * Removes a tree pull made, without following any link: each directory in it is first made
     * writable by its owner, as a tarball's read-only directory would otherwise keep its entries;
     * the tree's parent is never touched. Commons IO's {@code OVERRIDE_READ_ONLY} made the parent
     * writable and then restored its mode through {@code PosixFilePermission}s, which have no
     * sticky or setgid bit: a sweep in /tmp left it 0777 (issue 23).
     */
    static void removeTree(Path root) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                PosixFileAttributeView view = Files.getFileAttributeView(dir, PosixFileAttributeView.class,
                        LinkOption.NOFOLLOW_LINKS);
                Set<PosixFilePermission> permissions = view.readAttributes().permissions();
                if (!permissions.containsAll(OWNER_RWX)) {
                    Set<PosixFilePermission> writable = new HashSet<>(OWNER_RWX);
                    writable.addAll(permissions);
                    view.setPermissions(writable);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
