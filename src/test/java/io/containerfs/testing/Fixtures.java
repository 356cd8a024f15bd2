package io.containerfs.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The layers the integration tests run on, made once per build under target/it-layers: the real
 * Alpine 3.20.3 mini root filesystem from {@link AlpineMirror}, extracted by GNU tar as root
 * would, and an app layer holding the course's static fib. Tests never write to them: each run
 * gets its own WRITEDIR, and tests that check the lower layers stay unchanged hash them.
 */
public final class Fixtures {
    public static final String ALPINE_VERSION = "3.20.3";
    public static final String TARBALL = AlpineMirror.TARBALL;
    public static final String FIB_OUTPUT = "Fibonacci numbers:\n1\n1\n2\n3\n5\n8\n13\n21\n34\n55\n";

    private Fixtures() {}

    public static Path basedir() {
        return Path.of(System.getProperty("containerfs.basedir", ".")).toAbsolutePath().normalize();
    }

    /** A directory laid out like an Alpine mirror, holding the release the tests use: see {@link AlpineMirror}. */
    public static Path mirror() {
        return AlpineMirror.directory();
    }

    /** The verified Alpine 3.20.3 mini root filesystem tarball; skips (fails under CI=true) without one. */
    public static Path alpineTarball() {
        return mirror().resolve(AlpineMirror.BRANCH_DIR + TARBALL);
    }

    public static Path jar() {
        return Path.of(System.getProperty("containerfs.jar", "target/container-fs.jar")).toAbsolutePath();
    }

    /** The plain C front end, built into the source tree by src/main/c/Makefile. */
    public static Path cProgram() {
        return basedir().resolve("src/main/c/container-fs");
    }

    /** The launcher, built from src/main/c/launcher/launcher.c into bin/container-fs by the same Makefile. */
    public static Path launcher() {
        return basedir().resolve("bin/container-fs");
    }

    private static Path layersDir() {
        return basedir().resolve("target/it-layers");
    }

    /** The Alpine root filesystem, extracted with tar --same-owner -p (needs root). */
    public static synchronized Path alpineRootfs() {
        Path rootfs = layersDir().resolve("rootfs");
        Path done = layersDir().resolve("rootfs.done");
        if (Files.exists(done)) {
            return rootfs;
        }
        Path tarball = alpineTarball();
        try {
            deleteIfPresent(rootfs);
            Files.createDirectories(rootfs);
            check(Commands.run("tar", "--same-owner", "-xzpf", tarball.toString(), "-C", rootfs.toString()));
            Files.createFile(done);
            return rootfs;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The course's app layer: usr/bin/fib, static, built with musl-gcc. */
    public static synchronized Path appLayer() {
        Path app = layersDir().resolve("app");
        Path fib = app.resolve("usr/bin/fib");
        if (Files.isExecutable(fib)) {
            return app;
        }
        PrivilegedCondition.requireInCi(onPath("musl-gcc"), "musl-gcc (Debian package musl-tools)");
        check(Commands.run(basedir().resolve("scripts/build-fib.sh").toString(), fib.toString()));
        return app;
    }

    public static boolean onPath(String tool) {
        return Commands.run("sh", "-c", "command -v " + tool).exitCode() == 0;
    }

    private static void check(Commands.Result r) {
        if (r.exitCode() != 0) {
            throw new IllegalStateException("fixture command failed: " + r);
        }
    }

    private static void deleteIfPresent(Path dir) throws IOException {
        if (Files.exists(dir)) {
            org.apache.commons.io.file.PathUtils.deleteDirectory(dir);
        }
    }
}
