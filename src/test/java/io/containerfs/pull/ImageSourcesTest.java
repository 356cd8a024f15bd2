package io.containerfs.pull;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How an OCI layout and a docker archive are read, before any layer is unpacked: which image of
 * an index is chosen (by tag, by platform), that every manifest and config is checked against its
 * digest, and how a docker archive's layers are found (symlinked ones too). Layouts are made here
 * by hand, as skopeo lays them out.
 */
class ImageSourcesTest {
    @TempDir
    Path tmp;

    private static final String LAYER_DIFF_ID = "sha256:" + "a".repeat(64);

    private static String sha256(byte[] bytes) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes a blob; returns its descriptor's JSON (with the extra members given). */
    private static String blob(Path layout, String mediaType, byte[] bytes, String extra) throws IOException {
        String digest = sha256(bytes);
        Path dir = Files.createDirectories(layout.resolve("blobs/sha256"));
        Files.write(dir.resolve(digest.substring(7)), bytes);
        return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + digest + "\",\"size\":" + bytes.length + extra + "}";
    }

    /** An image of one layer whose config's Env says {@code name}; returns its manifest's descriptor. */
    private static String image(Path layout, String name, String extra) throws IOException {
        String config = blob(layout, "application/vnd.oci.image.config.v1+json", ("{\"config\":{\"Env\":[\"NAME=" + name
                + "\"]},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + LAYER_DIFF_ID + "\"]}}")
                .getBytes(StandardCharsets.UTF_8), "");
        String layer = blob(layout, "application/vnd.oci.image.layer.v1.tar+gzip",
                name.getBytes(StandardCharsets.UTF_8), "");
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":" + config + ",\"layers\":[" + layer + "]}";
        return blob(layout, "application/vnd.oci.image.manifest.v1+json", manifest.getBytes(StandardCharsets.UTF_8),
                extra);
    }

    private static void index(Path layout, String... manifests) throws IOException {
        Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        Files.writeString(layout.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":["
                + String.join(",", manifests) + "]}");
    }

    private static String tag(String tag) {
        return ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"" + tag + "\"}";
    }

    private static String platform(String arch) {
        return ",\"platform\":{\"architecture\":\"" + arch + "\",\"os\":\"linux\"}";
    }

    private static String env(Image image) {
        String config = new String(image.config(), StandardCharsets.UTF_8);
        return config.substring(config.indexOf("NAME=") + 5, config.indexOf("\"]"));
    }

    @Test
    void aTagChoosesAmongSeveralImages() throws IOException, PullException {
        index(tmp, image(tmp, "one", tag("1")), image(tmp, "two", tag("2")));
        Image two = new OciLayout(tmp, Platform.of("amd64")).read(Optional.of("2"));
        assertEquals("two", env(two));
        assertEquals(List.of(LAYER_DIFF_ID), two.layers().stream().map(Image.Layer::diffId).toList());
        PullException none = assertThrows(PullException.class, () -> new OciLayout(tmp, Platform.of("amd64")).read(Optional.empty()));
        assertTrue(none.getMessage().contains("holds several images; name one: oci:" + tmp + ":TAG (its tags: 1, 2)"),
                none.getMessage());
        PullException wrong = assertThrows(PullException.class, () -> new OciLayout(tmp, Platform.of("amd64")).read(Optional.of("3")));
        assertTrue(wrong.getMessage().contains("no images tagged '3'; its tags: 1, 2"), wrong.getMessage());
    }

    @Test
    void aMultiPlatformIndexGivesThisMachinesImage() throws IOException, PullException {
        String list = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
                + image(tmp, "amd64", platform("amd64")) + "," + image(tmp, "arm64", platform("arm64")) + "]}";
        index(tmp, blob(tmp, "application/vnd.oci.image.index.v1+json", list.getBytes(StandardCharsets.UTF_8),
                tag("latest")));
        assertEquals("arm64", env(new OciLayout(tmp, Platform.of("arm64")).read(Optional.of("latest"))));
        assertEquals("amd64", env(new OciLayout(tmp, Platform.of("amd64")).read(Optional.empty())));
        PullException none = assertThrows(PullException.class,
                () -> new OciLayout(tmp, Platform.of("s390x")).read(Optional.empty()));
        assertTrue(none.getMessage().contains("has no image for linux/s390x"), none.getMessage());
    }

    @Test
    void aChangedConfigIsRefused() throws IOException {
        index(tmp, image(tmp, "one", ""));
        for (Path blob : Files.list(tmp.resolve("blobs/sha256")).toList()) {
            String text = Files.readString(blob, StandardCharsets.ISO_8859_1);
            if (text.contains("NAME=one")) {
                Files.writeString(blob, text.replace("NAME=one", "NAME=evl"), StandardCharsets.ISO_8859_1);
            }
        }
        PullException e = assertThrows(PullException.class, () -> new OciLayout(tmp, Platform.of("amd64")).read(Optional.empty()));
        assertTrue(e.getMessage().matches("the config sha256:\\p{XDigit}{64} has the digest sha256:\\p{XDigit}{64},"
                + " not sha256:\\p{XDigit}{64}: refusing the image, it was changed or damaged"), e.getMessage());
    }

    @Test
    void zstdLayersAreReadAndAMissingLayoutIsOneLine() throws IOException, PullException {
        PullException missing = assertThrows(PullException.class,
                () -> new OciLayout(tmp, Platform.of("amd64")).read(Optional.empty()));
        assertTrue(missing.getMessage().contains("is not an OCI image layout: it has no index.json"), missing.getMessage());
        String config = blob(tmp, "application/vnd.oci.image.config.v1+json", ("{\"rootfs\":{\"diff_ids\":[\""
                + LAYER_DIFF_ID + "\"]}}").getBytes(StandardCharsets.UTF_8), "");
        String layer = blob(tmp, "application/vnd.oci.image.layer.v1.tar+zstd", new byte[] {1}, "");
        index(tmp, blob(tmp, "application/vnd.oci.image.manifest.v1+json", ("{\"schemaVersion\":2,\"config\":"
                + config + ",\"layers\":[" + layer + "]}").getBytes(StandardCharsets.UTF_8), ""));
        Image image = new OciLayout(tmp, Platform.of("amd64")).read(Optional.empty());
        assertEquals(List.of("application/vnd.oci.image.layer.v1.tar+zstd"),
                image.layers().stream().map(l -> l.descriptor().mediaType()).toList(), "its media type kept for the unpacking");
    }

    @Test
    void aDockerArchiveFindsItsLayersThroughDockersSymlinks() throws IOException, PullException {
        byte[] layer = "the layer's tar".getBytes(StandardCharsets.UTF_8);
        String diffId = sha256(layer);
        byte[] config = ("{\"config\":{\"Cmd\":[\"sh\"]},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + diffId
                + "\",\"" + diffId + "\"]}}").getBytes(StandardCharsets.UTF_8);
        String configName = sha256(config).substring(7) + ".json";
        byte[] manifest = ("[{\"Config\":\"" + configName + "\",\"RepoTags\":[\"test:1\"],\"Layers\":[\"abc/layer.tar\","
                + "\"def/layer.tar\"]}]").getBytes(StandardCharsets.UTF_8);
        Path archive = tmp.resolve("image.tar");
        try (OutputStream file = Files.newOutputStream(archive);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(file)) {
            add(tar, "abc/layer.tar", layer);
            TarArchiveEntry link = new TarArchiveEntry("def/layer.tar", TarArchiveEntry.LF_SYMLINK);
            link.setLinkName("../abc/layer.tar");
            tar.putArchiveEntry(link);
            tar.closeArchiveEntry();
            add(tar, configName, config);
            add(tar, "manifest.json", manifest);
        }
        try (DockerArchive docker = new DockerArchive(archive)) {
            Image image = docker.read();
            assertArrayEquals(config, image.config());
            assertEquals(2, image.layers().size());
            try (InputStream second = image.layers().get(1).blob().open()) {
                assertArrayEquals(layer, second.readAllBytes());
            }
        }
    }

    private static void add(TarArchiveOutputStream tar, String name, byte[] bytes) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(bytes.length);
        tar.putArchiveEntry(entry);
        tar.write(bytes);
        tar.closeArchiveEntry();
    }
}
