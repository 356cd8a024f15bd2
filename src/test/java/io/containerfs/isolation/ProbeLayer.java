package io.containerfs.isolation;

import io.containerfs.testing.Commands;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.PrivilegedCondition;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A layer holding usr/bin/probe (src/test/c/probe.c), static, built with musl-gcc once per build. */
final class ProbeLayer {
    private ProbeLayer() {}

    static synchronized Path get() {
        Path layer = Fixtures.basedir().resolve("target/it-layers/probe");
        Path probe = layer.resolve("usr/bin/probe");
        if (Files.isExecutable(probe)) {
            return layer;
        }
        PrivilegedCondition.requireInCi(Fixtures.onPath("musl-gcc"), "musl-gcc (Debian package musl-tools)");
        try {
            Files.createDirectories(probe.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Commands.Result r = Commands.run("musl-gcc", "-static", "-O2", "-Wall", "-Wextra", "-Werror", "-o",
                probe.toString(), Fixtures.basedir().resolve("src/test/c/probe.c").toString());
        if (r.exitCode() != 0) {
            throw new IllegalStateException("cannot build the probe: " + r);
        }
        return layer;
    }
}
