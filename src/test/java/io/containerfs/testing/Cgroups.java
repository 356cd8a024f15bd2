package io.containerfs.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The cgroups container-fs makes, as a test finds them on the host. */
public final class Cgroups {
    public static final Path ROOT = Path.of("/sys/fs/cgroup");

    private Cgroups() {}

    /**
     * Every directory named container-fs-* at the top of each hierarchy, where container-fs makes
     * them: /sys/fs/cgroup itself (cgroup v2) and each directory in it (the v1 hierarchies and, on
     * a hybrid host, the unified one).
     */
    public static List<Path> ofContainerFs() {
        List<Path> hierarchies = new ArrayList<>(List.of(ROOT));
        try (Stream<Path> children = Files.list(ROOT)) {
            children.filter(Files::isDirectory).forEach(hierarchies::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Path> found = new ArrayList<>();
        for (Path hierarchy : hierarchies) {
            try (Stream<Path> groups = Files.list(hierarchy)) {
                groups.filter(p -> p.getFileName().toString().startsWith("container-fs-")).forEach(found::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return found;
    }

    /** Whether /sys/fs/cgroup is the unified hierarchy of a cgroup v2 host. */
    public static boolean isV2() {
        return Files.exists(ROOT.resolve("cgroup.controllers"));
    }
}
