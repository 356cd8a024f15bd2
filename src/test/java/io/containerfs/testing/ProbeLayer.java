package io.containerfs.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A layer holding usr/bin/probe (src/test/c/probe.c), static, built with musl-gcc, again whenever
 * the source is newer.
 */
public final class ProbeLayer {
    private ProbeLayer() {}

    public static synchronized Path get() {
        Path layer = Fixtures.basedir().resolve("target/it-layers/probe");
        Path probe = layer.resolve("usr/bin/probe");
        Path source = Fixtures.basedir().resolve("src/test/c/probe.c");
        if (Files.isExecutable(probe) && isNewer(probe, source)) {
            return layer;
        }
        PrivilegedCondition.requireInCi(Fixtures.onPath("musl-gcc"), "musl-gcc (Debian package musl-tools)");
        try {
            Files.createDirectories(probe.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Commands.Result r = Commands.run("musl-gcc", "-static", "-O2", "-Wall", "-Wextra", "-Werror", "-o",
                probe.toString(), source.toString());
        if (r.exitCode() != 0) {
            throw new IllegalStateException("cannot build the probe: " + r);
        }
        return layer;
    }

    private static boolean isNewer(Path a, Path b) {
        try {
            return Files.getLastModifiedTime(a).compareTo(Files.getLastModifiedTime(b)) >= 0;
        } catch (IOException e) {
            return false;
        }
    }
}
