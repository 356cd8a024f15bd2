package io.containerfs.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Commands;
import io.containerfs.testing.ContainerFs;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.OciLayouts;
import io.containerfs.testing.Privileged;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A zstd layer pulled as a user pulls it, decoded by the system's libzstd (ZstdLayer,
 * src/main/c/pull/zstd.c): on JDK 17 and 25 through the launcher with nothing on stderr but
 * pull's own lines; refused in one line naming the package to install where libzstd.so.1 cannot
 * be opened (hidden in a mount namespace of the test's own), while a gzip layer still pulls; and
 * a truncated or damaged zstd blob, whose digest is right, refused in one line with nothing left.
 * Two OCI layouts of one layer: the Alpine tarball, and its tar as Debian's zstd tool compresses it.
 */
@Privileged
class ZstdPullIT {
    /** pull's progress line for each layer, on stderr: the usual line. */
    private static final Pattern UNPACKING = Pattern.compile("container-fs: unpacking the layer sha256:[0-9a-f]{64} \\(.*\\)");
    private static final String NO_LIBZSTD = "container-fs: cannot unpack a zstd layer: libzstd.so.1 (zstd 1.4 or later)"
            + " cannot be opened; install the libzstd1 package";

    @TempDir
    Path tmp;

    private byte[] tar;
    private byte[] zstd;
    private Path zstdLayout;
    private Path gzipLayout;

    @BeforeEach
    void layouts() throws IOException {
        tar = OciLayouts.alpineTar();
        zstd = OciLayouts.zstd(tmp, tar);
        zstdLayout = OciLayouts.oneLayer(tmp.resolve("zstd-layout"), zstd, "+zstd", OciLayouts.sha256(tar));
        gzipLayout = OciLayouts.oneLayer(tmp.resolve("gzip-layout"), Files.readAllBytes(Fixtures.alpineTarball()),
                "+gzip", OciLayouts.sha256(tar));
    }

    private Path store() {
        return tmp.resolve("store");
    }

    private List<String> pull(Path layout, Path dir) {
        return List.of("pull", "--layer-store", store().toString(), "oci:" + layout, dir.toString());
    }

    /** This test's JDK, and every JDK 25 in /usr/lib/jvm (Temurin's, here), whose JVM warns about sun.misc.Unsafe. */
    private static List<String> javas() throws IOException {
        List<String> javas = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        try (Stream<Path> jdks = Files.list(Path.of("/usr/lib/jvm"))) {
            jdks.filter(jdk -> jdk.getFileName().toString().contains("25") && Files.isExecutable(jdk.resolve("bin/java")))
                    .map(jdk -> jdk.resolve("bin/java").toString()).forEach(javas::add);
        }
        return javas;
    }

    @Test
    void throughTheLauncherAZstdPullPrintsOnlyPullsOwnLines() throws IOException {
        for (String java : javas()) {
            Path cache = Files.createDirectories(tmp.resolve("cache-" + java.hashCode()));
            for (Path layout : List.of(zstdLayout, gzipLayout)) {
                Path dir = tmp.resolve("image-" + java.hashCode() + "-" + layout.getFileName());
                Commands.Result r = Commands.run(null, null,
                        concat(List.of(Fixtures.launcher().toString()), pull(layout, dir)),
                        Map.of("CONTAINERFS_JAVA", java, "XDG_CACHE_HOME", cache.toString(), "TMPDIR", tmp.toString()));
                String what = layout.getFileName() + " on " + java + ": " + r;
                assertEquals(0, r.exitCode(), what);
                assertTrue(r.stdout().startsWith("installed oci:" + layout + " into " + dir), what);
                assertEquals(1, r.stderr().lines().count(), what);
                assertTrue(UNPACKING.matcher(r.stderr().strip()).matches(), what);
                assertEquals(Fixtures.ALPINE_VERSION + "\n", Files.readString(Path.of(Files.readAllLines(dir.resolve("layers")).get(0))
                        .resolve("etc/alpine-release")), what);
                Commands.run("rm", "-rf", store().toString()); // the next pull unpacks its layer again
            }
        }
    }

    /**
     * {@code COMMAND} in a mount namespace of its own where libzstd.so.1, as the dynamic linker
     * finds it ({@code ldconfig -p}), is an empty file: dlopen fails there as on a system without
     * libzstd1. The bind mount is private to that namespace, and gone with it.
     */
    private Commands.Result withoutLibzstd(List<String> command) throws IOException {
        Matcher found = Pattern.compile("\\slibzstd\\.so\\.1 \\(.*\\) => (\\S+)").matcher(Commands.run("ldconfig", "-p").stdout());
        assertTrue(found.find(), "libzstd.so.1 is installed (libzstd1, which apt needs)");
        Path library = Path.of(found.group(1)).toRealPath();
        Path empty = Files.createFile(tmp.resolve("empty-" + System.nanoTime()));
        return Commands.run(null, null, concat(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
                "mount --bind \"$1\" \"$2\" && shift 2 && exec \"$@\"", "sh", empty.toString(), library.toString()),
                command));
    }

    @Test
    void withoutLibzstdAZstdLayerIsRefusedInOneLineAndAGzipOneStillPulls() throws IOException {
        Path dir = tmp.resolve("image");
        Commands.Result refused = withoutLibzstd(concat(ContainerFs.FrontEnd.JAR.command(), pull(zstdLayout, dir)));
        assertEquals(125, refused.exitCode(), refused.toString());
        assertEquals(List.of(NO_LIBZSTD), errors(refused), refused.toString());
        assertNothingLeft(dir);

        Commands.Result gzip = withoutLibzstd(concat(ContainerFs.FrontEnd.JAR.command(), pull(gzipLayout, dir)));
        assertEquals(0, gzip.exitCode(), gzip.toString());
        assertTrue(Files.isRegularFile(dir.resolve("layers")), gzip.toString());

        Commands.Result zstdAgain = ContainerFs.run(pull(zstdLayout, tmp.resolve("again")).toArray(String[]::new));
        assertEquals(0, zstdAgain.exitCode(), "with libzstd.so.1 it pulls (its layer is the gzip one's): " + zstdAgain);
    }

    @Test
    void aTruncatedOrDamagedZstdBlobIsRefusedInOneLineAndNothingIsLeft() throws IOException {
        byte[] damaged = zstd.clone();
        for (int i = 0; i < 16; i++) {
            damaged[damaged.length / 2 + i] ^= 0x5a;
        }
        byte[] cutShort = Arrays.copyOf(zstd, zstd.length - 1000);
        for (byte[] blob : List.of(cutShort, damaged)) {
            // The descriptor names the blob as it is: its digest is right, only zstd can tell.
            Path layout = OciLayouts.oneLayer(tmp.resolve("bad-" + blob.length), blob, "+zstd", OciLayouts.sha256(tar));
            Path dir = tmp.resolve("image");
            Commands.Result r = ContainerFs.run(pull(layout, dir).toArray(String[]::new));
            assertEquals(125, r.exitCode(), r.toString());
            List<String> errors = errors(r);
            assertEquals(1, errors.size(), r.toString());
            assertTrue(errors.get(0).contains(" is not a readable layer (not valid zstd"), r.toString());
            assertTrue(errors.get(0).endsWith("; the image is damaged"), r.toString());
            assertNothingLeft(dir);
        }
    }

    /** stderr but pull's progress lines. */
    private static List<String> errors(Commands.Result r) {
        return r.stderr().lines().filter(l -> !UNPACKING.matcher(l).matches()).toList();
    }

    private void assertNothingLeft(Path dir) throws IOException {
        assertFalse(Files.exists(dir), "nothing in DIR");
        try (Stream<Path> left = Files.list(dir.getParent())) {
            assertEquals(List.of(), left.filter(p -> p.getFileName().toString().startsWith(".")).toList(),
                    "no hidden sibling of DIR");
        }
        try (Stream<Path> stored = Files.list(Files.createDirectories(store().resolve("sha256")))) {
            assertEquals(List.of(), stored.toList(), "no layer, whole or half-unpacked, in the store");
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return Commands.concat(a, b);
    }
}
