package io.containerfs.startup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.pull.Sha2;
import io.containerfs.testing.Commands;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.Privileged;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPInputStream;
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
     * zstd's decoder (aircompressor) is loaded by a pull of a zstd layer only: not by a pull of
     * the same image with a gzip layer. Two OCI layouts of one layer, the Alpine tarball as it is
     * and as Debian's zstd tool compresses its tar.
     */
    @Test
    @Privileged
    void onlyAZstdLayerLoadsTheZstdDecoder() throws IOException {
        byte[] gzip = Files.readAllBytes(Fixtures.alpineTarball());
        byte[] tar;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(Fixtures.alpineTarball()))) {
            tar = in.readAllBytes();
        }
        Path tarFile = Files.write(tmp.resolve("layer.tar"), tar);
        Commands.Result zstd = Commands.run("zstd", "-q", tarFile.toString(), "-o", tmp.resolve("layer.tar.zst").toString());
        assertEquals(0, zstd.exitCode(), zstd.toString());
        String diffId = sha256(tar);
        Path gzipLayout = layout(tmp.resolve("gzip-layout"), gzip, "+gzip", diffId);
        Path zstdLayout = layout(tmp.resolve("zstd-layout"), Files.readAllBytes(tmp.resolve("layer.tar.zst")), "+zstd",
                diffId);
        List<String> zstdClasses = List.of("io.airlift.", "io.containerfs.pull.ZstdLayer");
        try {
            List<String> byGzip = RunPathClassesIT.classesLoadedBy(tmp, "pull", "--quiet", "--layer-store",
                    tmp.resolve("gzip-store").toString(), "oci:" + gzipLayout, tmp.resolve("gzip-image").toString());
            assertTrue(Files.isRegularFile(tmp.resolve("gzip-image/layers")), "the gzip image was pulled");
            assertEquals(List.of(), RunPathClassesIT.matching(byGzip, zstdClasses));
            List<String> byZstd = RunPathClassesIT.classesLoadedBy(tmp, "pull", "--quiet", "--layer-store",
                    tmp.resolve("zstd-store").toString(), "oci:" + zstdLayout, tmp.resolve("zstd-image").toString());
            assertTrue(Files.isRegularFile(tmp.resolve("zstd-image/layers")), "the zstd image was pulled");
            assertTrue(byZstd.contains("io.airlift.compress.zstd.ZstdInputStream"), byZstd.toString());
            assertTrue(byZstd.contains("io.containerfs.pull.ZstdLayer"), byZstd.toString());
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
        byte[] gzip = Files.readAllBytes(Fixtures.alpineTarball());
        byte[] tar;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(Fixtures.alpineTarball()))) {
            tar = in.readAllBytes();
        }
        Path gzipLayout = layout(tmp.resolve("layout"), gzip, "+gzip", sha256(tar));
        try {
            List<String> classes = RunPathClassesIT.classesLoadedBy(tmp, "pull", "--quiet", "--layer-store",
                    tmp.resolve("store").toString(), "oci:" + gzipLayout, tmp.resolve("image").toString());
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

    /** An OCI layout of one image of this one layer. */
    private static Path layout(Path dir, byte[] layer, String compression, String diffId) throws IOException {
        Files.createDirectories(dir.resolve("blobs/sha256"));
        String config = blob(dir, "application/vnd.oci.image.config.v1+json", ("{\"architecture\":\""
                + ("aarch64".equals(System.getProperty("os.arch")) ? "arm64" : "amd64") + "\","
                + "\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + diffId + "\"]}}")
                .getBytes(StandardCharsets.UTF_8));
        String layerDescriptor = blob(dir, "application/vnd.oci.image.layer.v1.tar" + compression, layer);
        String manifest = blob(dir, "application/vnd.oci.image.manifest.v1+json", ("{\"schemaVersion\":2,"
                + "\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":" + config
                + ",\"layers\":[" + layerDescriptor + "]}").getBytes(StandardCharsets.UTF_8));
        Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        Files.writeString(dir.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[" + manifest + "]}");
        return dir;
    }

    /** Writes the blob; returns its descriptor. */
    private static String blob(Path layout, String mediaType, byte[] bytes) throws IOException {
        String digest = sha256(bytes);
        Files.write(layout.resolve("blobs/sha256").resolve(digest.substring("sha256:".length())), bytes);
        return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + digest + "\",\"size\":" + bytes.length + "}";
    }

    private static String sha256(byte[] bytes) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
