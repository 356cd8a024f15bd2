package io.containerfs.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a run of container-fs may not leave on the host: a change to the mount table, anything
 * in its temporary directory ({@code TMPDIR}, which the root is mounted over in the container's
 * namespace only), or a work directory
 * beside WRITEDIR. Take it before the run, check it after, success or failure.
 */
public final class LeftBehind {
    private final List<String> mounts;
    private final Path tmpdir;
    private final Path writedirParent;

    private LeftBehind(Path tmpdir, Path writedirParent) {
        this.mounts = HostMounts.snapshot();
        this.tmpdir = tmpdir;
        this.writedirParent = writedirParent;
    }

    public static LeftBehind before(Path tmpdir, Path writedirParent) {
        return new LeftBehind(tmpdir, writedirParent);
    }

    public void assertNothing() {
        assertEquals(mounts, HostMounts.snapshot(), "the host's mount table changed");
        assertEquals(List.of(), list(tmpdir, ""), "temporary directories left behind");
        assertEquals(List.of(), list(writedirParent, ".container-fs-work"), "work directory left beside WRITEDIR");
    }

    private static List<Path> list(Path dir, String prefix) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
