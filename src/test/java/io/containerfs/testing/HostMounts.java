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
}
