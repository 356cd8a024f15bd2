package io.containerfs.startup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.pull.Sha2;
import io.containerfs.testing.Commands;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.OciLayouts;
import io.containerfs.testing.Privileged;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pull --file TARBALL DIR} loads none of what made it slow to start (issue 13,
 * docs/BENCHMARKS.md): Commons CLI's parser (its usual command lines are read by hand),
 * ProcessHandle (owner tags and the cached library's temporary name come from /proc), an
 * EnumSet, and no lambda of container-fs's own; and, where libcrypto is (always under CI), not
 * the JDK's security providers, whose start-up a {@code MessageDigest} costs 15 to 25 ms: the
 * archive's SHA-256 is OpenSSL's ({@code Sha2}). Read from {@code -Xlog:class+load}, on a first
 * pull, which also copies the native library into the (empty) cache.
 */
class PullPathClassesIT {
    @TempDir
    Path tmp;

    @Test
    void pullFileLoadsNoParserProcessHandleOrLambdaOfItsOwn() throws IOException {
        Path rootfs = tmp.resolve("rootfs");
        List<String> classes = RunPathClassesIT.classesLoadedBy(tmp, "pull", "--quiet", "--file",
                Fixtures.alpineTarball().toString(), rootfs.toString());
        try {
            assertTrue(classes.contains("io.containerfs.pull.SafeTreeWriter"), "the pull got as far as extracting");
            assertTrue(Files.isDirectory(rootfs.resolve("etc")), "and extracted the tree");
            assertEquals(List.of(), RunPathClassesIT.matching(classes, List.of("org.apache.commons.cli.DefaultParser",
                    "org.apache.commons.cli.CommandLine", "org.apache.commons.cli.Options",
                    "java.lang.ProcessHandleImpl", "java.util.EnumSet")));
            assertEquals(List.of(), classes.stream()
                    .filter(c -> c.startsWith("io.containerfs.") && c.contains("$$Lambda")).toList(),
                    "lambdas of container-fs's own");
            if (Sha2.sha256().isNative() || "true".equals(System.getenv("CI"))) {
                assertEquals(List.of(), RunPathClassesIT.matching(classes, List.of("java.security.MessageDigest",
                        "sun.security.jca.Providers")), "the SHA-256 is libcrypto's");
            }
        } finally {
            // Alpine's absolute symlinks would make @TempDir's clean-up warn about each one.
            Commands.run("rm", "-rf", rootfs.toString());
        }
    }

    /**
     * zstd's decoder ({@code ZstdLayer}, which calls libzstd through the native library) is loaded
     * by a pull of a zstd layer only: not by a pull of the same image with a gzip layer. Two OCI
     * layouts of one layer, the Alpine tarball as it is and as Debian's zstd tool compresses its tar.
     */
    @Test
    @Privileged
    void onlyAZstdLayerLoadsTheZstdDecoder() throws IOException {
        byte[] tar = OciLayouts.alpineTar();
        String diffId = OciLayouts.sha256(tar);
        Path gzipLayout = OciLayouts.oneLayer(tmp.resolve("gzip-layout"), Files.readAllBytes(Fixtures.alpineTarball()),
                "+gzip", diffId);
        Path zstdLayout = OciLayouts.oneLayer(tmp.resolve("zstd-layout"), OciLayouts.zstd(tmp, tar), "+zstd", diffId);
        List<String> zstdClasses = List.of("io.containerfs.pull.ZstdLayer");
        try {
            List<String> byGzip = RunPathClassesIT.classesLoadedBy(tmp, "pull", "--quiet", "--layer-store",
                    tmp.resolve("gzip-store").toString(), "oci:" + gzipLayout, tmp.resolve("gzip-image").toString());
            assertTrue(Files.isRegularFile(tmp.resolve("gzip-image/layers")), "the gzip image was pulled");
            assertEquals(List.of(), RunPathClassesIT.matching(byGzip, zstdClasses));
            List<String> byZstd = RunPathClassesIT.classesLoadedBy(tmp, "pull", "--quiet", "--layer-store",
                    tmp.resolve("zstd-store").toString(), "oci:" + zstdLayout, tmp.resolve("zstd-image").toString());
            assertTrue(Files.isRegularFile(tmp.resolve("zstd-image/layers")), "the zstd image was pulled");
            assertTrue(byZstd.contains("io.containerfs.pull.ZstdLayer"), byZstd.toString());
            assertEquals(List.of(), RunPathClassesIT.matching(byZstd, List.of("io.airlift.", "sun.misc.Unsafe")),
                    "no Java zstd decoder, nothing that JDK 24 and later warn about");
        } finally {
            Commands.run("rm", "-rf", tmp.resolve("gzip-store").toString(), tmp.resolve("zstd-store").toString());
        }
    }

    /**
     * An image's pull reads its JSON by hand and checks its blobs with libcrypto: it loads neither
     * snakeyaml-engine, which a fresh JVM runs interpreted (about 20 ms for a manifest), nor,
     * where libcrypto is (always under CI), the JDK's security providers and its SHA-256, which
     * hashed a layer's compressed and uncompressed bytes at C1's speed (docs/BENCHMARKS.md).
     */
    @Test
    @Privileged
    void anImagesPullLoadsNeitherTheYamlParserNorTheJdksDigests() throws IOException {
        Path layout = OciLayouts.oneLayer(tmp.resolve("layout"), Files.readAllBytes(Fixtures.alpineTarball()),
                "+gzip", OciLayouts.sha256(OciLayouts.alpineTar()));
        try {
            List<String> classes = RunPathClassesIT.classesLoadedBy(tmp, "pull", "--quiet", "--layer-store",
                    tmp.resolve("store").toString(), "oci:" + layout, tmp.resolve("image").toString());
            assertTrue(Files.isRegularFile(tmp.resolve("image/layers")), "the image was pulled");
            assertTrue(classes.contains("io.containerfs.pull.VerifiedStream"), "its blobs were checked as they streamed");
            assertEquals(List.of(), RunPathClassesIT.matching(classes, List.of("org.snakeyaml.")), "no YAML parser");
            if (Sha2.sha256().isNative() || "true".equals(System.getenv("CI"))) {
                assertEquals(List.of(), RunPathClassesIT.matching(classes, List.of("java.security.MessageDigest",
                        "sun.security.jca.Providers")), "the digests are libcrypto's");
            }
        } finally {
            Commands.run("rm", "-rf", tmp.resolve("store").toString());
        }
    }
}
