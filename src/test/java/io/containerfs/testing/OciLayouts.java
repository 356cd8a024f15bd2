package io.containerfs.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * OCI layouts of one image of one layer, written by hand: the Alpine tarball's layer as it is
 * (gzip) or as Debian's zstd tool compresses its tar, or any bytes a test wants under a zstd or
 * gzip media type.
 */
public final class OciLayouts {
    private OciLayouts() {}

    /** The Alpine tarball's tar, uncompressed. */
    public static byte[] alpineTar() throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(Fixtures.alpineTarball()))) {
            return in.readAllBytes();
        }
    }

    /** {@code zstd} (the tool, its default level) of these bytes, through files in {@code tmp}. */
    public static byte[] zstd(Path tmp, byte[] bytes) throws IOException {
        Path in = Files.write(Files.createTempFile(tmp, "layer", ".tar"), bytes);
        Path out = tmp.resolve(in.getFileName() + ".zst");
        Commands.Result r = Commands.run("zstd", "-q", "-f", in.toString(), "-o", out.toString());
        assertEquals(0, r.exitCode(), r.toString());
        try {
            return Files.readAllBytes(out);
        } finally {
            Files.delete(in);
            Files.delete(out);
        }
    }

    /**
     * A layout in {@code dir} of one image for this machine's architecture whose one layer is
     * {@code layer}, of the media type {@code application/vnd.oci.image.layer.v1.tar} plus
     * {@code compression} ({@code "+gzip"}, {@code "+zstd"}), and whose config names {@code diffId}.
     */
    public static Path oneLayer(Path dir, byte[] layer, String compression, String diffId) throws IOException {
        return layers(dir, compression, List.of(layer), List.of(diffId));
    }

    /** As {@link #oneLayer}, with these layers, bottom first, and their diff_ids. */
    public static Path layers(Path dir, String compression, List<byte[]> layers, List<String> diffIds)
            throws IOException {
        Files.createDirectories(dir.resolve("blobs/sha256"));
        String config = blob(dir, "application/vnd.oci.image.config.v1+json", ("{\"architecture\":\""
                + ("aarch64".equals(System.getProperty("os.arch")) ? "arm64" : "amd64") + "\","
                + "\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + String.join("\",\"", diffIds)
                + "\"]}}").getBytes(StandardCharsets.UTF_8));
        List<String> descriptors = new ArrayList<>();
        for (byte[] layer : layers) {
            descriptors.add(blob(dir, "application/vnd.oci.image.layer.v1.tar" + compression, layer));
        }
        String manifest = blob(dir, "application/vnd.oci.image.manifest.v1+json", ("{\"schemaVersion\":2,"
                + "\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":" + config
                + ",\"layers\":[" + String.join(",", descriptors) + "]}").getBytes(StandardCharsets.UTF_8));
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

    /** {@code sha256:HEX}. */
    public static String sha256(byte[] bytes) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
