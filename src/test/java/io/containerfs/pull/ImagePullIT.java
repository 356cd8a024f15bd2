package io.containerfs.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Commands;
import io.containerfs.testing.ContainerDirs;
import io.containerfs.testing.ContainerFs;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.PrivilegedCondition;
import io.containerfs.testing.Privileged;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Real images, made offline by podman ({@link TestImages}: FROM scratch, ADD the Alpine tarball,
 * then layers that add a file, delete one and replace a directory, with ENV, WORKDIR, USER,
 * ENTRYPOINT and CMD), saved as podman does ({@code podman save --format docker-archive}) and
 * copied to an OCI layout by skopeo; pulled from each, and run with their own config. podman's
 * storage lives in this class's temporary directory, with the vfs driver: nothing of it stays.
 */
@Privileged
class ImagePullIT {
    private static Path work;
    private static Path layout;
    private static Path archive;
    private static Path secondArchive;
    private static Path opaqueLayout;

    @RegisterExtension
    final ContainerDirs run = ContainerDirs.withoutLayers();

    @BeforeAll
    static void buildImages() throws IOException {
        if (!PrivilegedCondition.isRoot()) {
            return; // each test is then skipped (or failed under CI) by @Privileged
        }
        PrivilegedCondition.requireInCi(Fixtures.onPath("podman") && Fixtures.onPath("skopeo"),
                "podman and skopeo (Debian packages)");
        // In /tmp itself: podman refuses a runroot longer than 50 characters.
        work = Files.createTempDirectory(Path.of("/tmp"), "cfs-images-");
        TestImages images = TestImages.build(work);
        archive = work.resolve("test.tar");
        secondArchive = work.resolve("second.tar");
        images.podman("save", "--format", "docker-archive", "-o", archive.toString(), "localhost/test:1");
        images.podman("save", "--format", "docker-archive", "-o", secondArchive.toString(), "localhost/second:1");
        layout = work.resolve("layout");
        check(Commands.run("skopeo", "copy", images.storage("localhost/test:1"), "oci:" + layout + ":latest"));
        opaqueLayout = withOpaqueLayer(layout, work.resolve("opaque-layout"));
    }

    @AfterAll
    static void removeImages() {
        if (work != null) {
            check(Commands.run("rm", "-rf", "--one-file-system", work.toString()));
        }
    }

    private static Commands.Result check(Commands.Result r) {
        return TestImages.check(r);
    }

    private Path store() {
        return run.dir().resolve("store");
    }

    private Commands.Result pull(String source, Path dir) {
        return ContainerFs.run("pull", "--layer-store", store().toString(), source, dir.toString());
    }

    private Commands.Result runImage(Path image, String... rest) {
        List<String> args = new ArrayList<>(List.of("--network", "none", "--image", image.toString()));
        args.addAll(List.of(rest));
        return ContainerFs.FrontEnd.JAR.runIn(run.tmpdir(), null, args.toArray(String[]::new));
    }

    private Path pulled(String source) {
        Path dir = run.dir().resolve("image");
        Commands.Result r = pull(source, dir);
        assertEquals(0, r.exitCode(), r.toString());
        return dir;
    }

    /** What the image's config and its layers mean inside the container. */
    private void assertRunsAsTheImageSays(Path image) {
        String writedir = run.writedir().toString();
        Commands.Result byDefault = runImage(image, writedir);
        assertEquals(0, byDefault.exitCode(), byDefault.toString());
        assertEquals("entry default cmd\n", byDefault.stdout(), "Entrypoint, then Cmd");
        Commands.Result command = runImage(image, writedir, "--", "x", "y");
        assertEquals("entry x y\n", command.stdout(), "a COMMAND replaces Cmd: " + command);
        Commands.Result inside = runImage(image, "--entrypoint", "/bin/sh", writedir, "--", "-c",
                "pwd; echo $GREETING; echo $PATH; ls /data/old; cat /added.txt; ls /etc/doomed 2>&1; id -u");
        assertEquals(0, inside.exitCode(), inside.toString());
        assertEquals("/data\nhello\n/usr/local/bin:/usr/bin:/bin\nb\nadded\n"
                + "ls: /etc/doomed: No such file or directory\n65534\n", inside.stdout(),
                "WorkingDir, Env and User apply, the deleted file is gone, the replaced directory holds only its new file");
        Commands.Result overridden = runImage(image, "-e", "GREETING=bye", "-w", "/tmp", "-u", "root",
                "--entrypoint", "/bin/sh", writedir, "--", "-c", "pwd; echo $GREETING; id -un");
        assertEquals("/tmp\nbye\nroot\n", overridden.stdout(), "-e, -w and -u win: " + overridden);
        Commands.Result nothing = runImage(image, "--entrypoint", "", writedir);
        assertEquals(125, nothing.exitCode(), nothing.toString());
        assertEquals(1, nothing.stderr().lines().count(), nothing.stderr());
        assertTrue(nothing.stderr().contains("no Entrypoint or Cmd"), nothing.stderr());
    }

    @Test
    void anOciLayoutRunsWithItsOwnConfig() {
        assertRunsAsTheImageSays(pulled("oci:" + layout + ":latest"));
    }

    @Test
    void aDockerArchiveRunsWithItsOwnConfig() {
        assertRunsAsTheImageSays(pulled("docker-archive:" + archive));
    }

    @Test
    void anOpaqueDirectoryShowsOnlyItsNewContent() {
        Path image = pulled("oci:" + opaqueLayout);
        Commands.Result r = runImage(image, "--entrypoint", "ls", run.writedir().toString(), "--", "/data");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("fresh\n", r.stdout(), "keep and old, of lower layers, are hidden");
    }

    @Test
    void aSecondImageOnTheSameBaseReusesItsLayers() throws IOException {
        Path first = pulled("docker-archive:" + archive);
        List<String> firstLayers = Files.readAllLines(first.resolve("layers"));
        Object inode = Files.getAttribute(Path.of(firstLayers.get(0)), "unix:ino");
        Path second = run.dir().resolve("second");
        Commands.Result r = pull("docker-archive:" + secondArchive, second);
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stdout().contains("(1 new layers in "), r.stdout());
        List<String> secondLayers = Files.readAllLines(second.resolve("layers"));
        assertEquals(firstLayers, secondLayers.subList(0, firstLayers.size()), "the same directories");
        assertEquals(inode, Files.getAttribute(Path.of(secondLayers.get(0)), "unix:ino"), "not unpacked again");
        Commands.Result cat = runImage(second, "--entrypoint", "cat", run.writedir().toString(), "--",
                "/second.txt", "/added.txt");
        assertEquals("second\nadded\n", cat.stdout(), cat.toString());
    }

    @Test
    void aTamperedBlobIsRefusedAndNothingIsLeft() throws IOException {
        Path copy = run.dir().resolve("tampered");
        check(Commands.run("cp", "-a", layout.toString(), copy.toString()));
        Path biggest;
        try (Stream<Path> blobs = Files.list(copy.resolve("blobs/sha256"))) {
            biggest = blobs.max((a, b) -> Long.compare(a.toFile().length(), b.toFile().length())).orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(biggest);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(biggest, bytes);
        Path dir = run.dir().resolve("image");
        Commands.Result r = pull("oci:" + copy, dir);
        assertEquals(125, r.exitCode(), r.toString());
        List<String> errors = r.stderr().lines().filter(l -> !l.contains("unpacking")).toList();
        assertEquals(1, errors.size(), r.stderr());
        assertTrue(errors.get(0).contains("refusing the image"), r.stderr());
        assertFalse(Files.exists(dir), "nothing in DIR");
        try (Stream<Path> left = Files.list(run.dir())) {
            assertEquals(List.of(), left.filter(p -> p.getFileName().toString().startsWith(".image")).toList());
        }
        try (Stream<Path> stored = Files.list(store().resolve("sha256"))) {
            assertEquals(List.of(), stored.filter(p -> p.getFileName().toString().startsWith(".")).toList(),
                    "no half-unpacked layer in the store");
        }
    }

    @Test
    void aTamperedDockerArchiveLayerIsRefused() throws IOException {
        Path copy = run.dir().resolve("tampered.tar");
        byte[] bytes = Files.readAllBytes(archive);
        bytes[bytes.length / 3] ^= 0x01; // in the Alpine layer's tar, most of the archive
        Files.write(copy, bytes);
        Path dir = run.dir().resolve("image");
        Commands.Result r = pull("docker-archive:" + copy, dir);
        assertEquals(125, r.exitCode(), r.toString());
        assertTrue(r.stderr().contains("refusing the image, it was changed or damaged"), r.stderr());
        assertFalse(Files.exists(dir), "nothing in DIR");
    }

    @Test
    void aReadOnlyRunNeedsNoWritedir() {
        Commands.Result r = runImage(pulled("oci:" + layout), "--read-only", "--entrypoint", "sh", "--", "-c",
                "cat /added.txt; touch /x");
        assertEquals(1, r.exitCode(), r.toString());
        assertEquals("added\n", r.stdout());
        assertTrue(r.stderr().contains("Read-only file system"), r.stderr());
    }

    @Test
    void theCoursesAppRunsOnAnImage() {
        Path image = pulled("oci:" + layout);
        Commands.Result fib = runImage(image, "--entrypoint", "", Fixtures.appLayer().toString(),
                run.writedir().toString(), "--", "fib");
        assertEquals(0, fib.exitCode(), fib.toString());
        assertEquals(Fixtures.FIB_OUTPUT, fib.stdout());
    }

    /**
     * An image of 64 layers above the podman-made ones: each layer's directory in the store is a
     * lower layer of its own, so the core stacks 68 of them (issue 25; ManyLayersIT for the core's
     * own limits). Their paths, about 100 bytes each, pass one page of mount(2) options: before
     * Linux 6.8 such an image is refused in one line (about 35 layers of the default store fit).
     */
    @Test
    void anImageOfManyLayersRuns() throws IOException {
        List<byte[]> layers = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            layers.add(tar(List.of("many/", "many/f" + i)));
        }
        Path many = withLayers(layout, run.dir().resolve("many-layout"), layers);
        Path image = pulled("oci:" + many);
        Commands.Result r = runImage(image, "--entrypoint", "sh", run.writedir().toString(), "--", "-c",
                "ls /many | wc -l; cat /many/f0 /many/f63");
        if ("5.4".equals(System.getenv("CONTAINERFS_AS_LINUX"))) {
            // mvn verify -Pas-linux-5.4 (ManyLayersIT.asLinux54): 68 store paths pass one page of
            // mount(2) options, and the core refuses them in one line, before Linux 6.8.
            assertEquals(125, r.exitCode(), r.toString());
            assertTrue(r.stderr().contains("longer than mount(2)'s limit of 4095 bytes"), r.stderr());
            return;
        }
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("64\nf0\nf63\n", r.stdout());
    }

    /**
     * A copy of {@code from} with one more layer, made by hand as podman never writes one: /data
     * replaced by an opaque directory ({@code data/.wh..wh..opq}) holding only {@code fresh}.
     */
    static Path withOpaqueLayer(Path from, Path to) throws IOException {
        return withLayers(from, to, List.of(tar(List.of("data/", "data/.wh..wh..opq", "data/fresh"))));
    }

    /** A tar of the names given: a name ending in '/' is a directory, the others files holding their own name. */
    private static byte[] tar(List<String> names) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            for (String name : names) {
                TarArchiveEntry entry = new TarArchiveEntry(name);
                byte[] data = name.endsWith("/") ? new byte[0]
                        : (name.substring(name.lastIndexOf('/') + 1) + "\n").getBytes(StandardCharsets.UTF_8);
                entry.setSize(data.length);
                entry.setMode(name.endsWith("/") ? 040755 : 0100644);
                tar.putArchiveEntry(entry);
                tar.write(data);
                tar.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    /** A copy of the layout {@code from} whose image has {@code layers} (uncompressed tars) on top. */
    private static Path withLayers(Path from, Path to, List<byte[]> layers) throws IOException {
        check(Commands.run("cp", "-a", from.toString(), to.toString()));
        String index = Files.readString(to.resolve("index.json"));
        String manifestDigest = field(index, "\"digest\":\"");
        String manifest = Files.readString(blobPath(to, manifestDigest));
        String configDigest = field(manifest.substring(manifest.indexOf("\"config\"")), "\"digest\":\"");
        String config = Files.readString(blobPath(to, configDigest));
        StringBuilder diffIds = new StringBuilder();
        StringBuilder descriptors = new StringBuilder();
        for (byte[] layer : layers) {
            // Uncompressed, as the media type ...layer.v1.tar says: its digest is its diff_id.
            String digest = blob(to, layer);
            diffIds.append(",\"").append(digest).append('"');
            descriptors.append(",{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"")
                    .append(digest).append("\",\"size\":").append(layer.length).append('}');
        }
        String newConfig = config.replaceFirst("(\"diff_ids\":\\[[^\\]]*)\\]", "$1" + diffIds + "]");
        String newConfigDigest = blob(to, newConfig.getBytes(StandardCharsets.UTF_8));
        String newManifest = manifest
                .replace(configDigest, newConfigDigest)
                .replaceFirst("\"size\":" + Files.size(blobPath(to, configDigest)),
                        "\"size\":" + newConfig.getBytes(StandardCharsets.UTF_8).length)
                .replaceFirst("(\"layers\":\\[.*)\\]", "$1" + descriptors + "]");
        byte[] manifestBytes = newManifest.getBytes(StandardCharsets.UTF_8);
        String newManifestDigest = blob(to, manifestBytes);
        Files.writeString(to.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
                + "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + newManifestDigest + "\",\"size\":"
                + manifestBytes.length + "}]}");
        return to;
    }

    private static String field(String json, String prefix) {
        int start = json.indexOf(prefix) + prefix.length();
        return json.substring(start, json.indexOf('"', start));
    }

    private static Path blobPath(Path layout, String digest) {
        return layout.resolve("blobs/sha256").resolve(digest.substring("sha256:".length()));
    }

    private static String blob(Path layout, byte[] bytes) throws IOException {
        String digest = sha256(bytes);
        Files.write(blobPath(layout, digest), bytes);
        return digest;
    }

    private static String sha256(byte[] bytes) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
