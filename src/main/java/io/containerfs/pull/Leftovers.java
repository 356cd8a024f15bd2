package io.containerfs.pull;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.io.file.PathUtils;
import org.apache.commons.io.file.StandardDeleteOption;

/**
 * What a pull killed with SIGKILL leaves: a hidden {@code .DIR.pull-*} sibling, a {@code .part}
 * file in the cache (seen: 382 MB). No shutdown hook runs after SIGKILL, so the next pull removes
 * them, and only those whose owner is gone. Each name carries its owner, {@code PID-START} (the
 * pid and its start time in milliseconds, as {@link ProcessHandle} gives them), so a live pull's
 * files are never touched, even after the pid is reused: the start time would differ.
 */
final class Leftovers {
    /** A name from before owners were written in it: swept once this old, as no live pull leaves one untouched. */
    static final Duration UNOWNED_AGE = Duration.ofHours(1);

    private static final Pattern OWNER = Pattern.compile("(\\d+)-(\\d+)-");

    private Leftovers() {}

    /** {@code PID-START-}: put right after a temporary name's fixed prefix. */
    static String ownerTag() {
        ProcessHandle self = ProcessHandle.current();
        return self.pid() + "-" + startMillis(self).orElse(0L) + "-";
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
        Matcher owner = OWNER.matcher(rest);
        if (!owner.lookingAt()) {
            FileTime modified = Files.getLastModifiedTime(entry, LinkOption.NOFOLLOW_LINKS);
            return modified.toInstant().isBefore(Instant.now().minus(UNOWNED_AGE));
        }
        long pid = Long.parseLong(owner.group(1));
        long start = Long.parseLong(owner.group(2));
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isEmpty() || !process.get().isAlive()) {
            return true;
        }
        Optional<Long> started = startMillis(process.get());
        return started.isPresent() && start != 0 && started.get() != start;
    }

    private static Optional<Long> startMillis(ProcessHandle process) {
        return process.info().startInstant().map(Instant::toEpochMilli);
    }

    private static void delete(Path entry) throws IOException {
        if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
            PathUtils.deleteDirectory(entry, StandardDeleteOption.OVERRIDE_READ_ONLY);
        } else {
            Files.deleteIfExists(entry);
        }
    }
}
