package io.containerfs.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The host's mount table, as /proc/self/mountinfo lists it, without the mount IDs (which are
 * reused) so two snapshots compare equal exactly when the same filesystems are mounted.
 */
public final class HostMounts {
    private HostMounts() {}

    public static List<String> snapshot() {
        try {
            return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                    .map(line -> line.substring(line.indexOf(' ', line.indexOf(' ') + 1) + 1))
                    .sorted()
                    .collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Mounts that appeared since {@code before} and belong to this test: on a shared machine other
     * tests mount and unmount at the same time, so only mounts naming {@code testDir} or a
     * container-fs mountpoint ({@code /container-fs-…}) count.
     */
    public static List<String> leftSince(List<String> before, Path testDir) {
        return snapshot().stream()
                .filter(m -> !before.contains(m))
                .filter(m -> m.contains(testDir.toString()) || m.contains("/container-fs-"))
                .collect(Collectors.toList());
    }
}
