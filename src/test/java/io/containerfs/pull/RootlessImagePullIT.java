package io.containerfs.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Commands;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.HostMounts;
import io.containerfs.testing.OciLayouts;
import io.containerfs.testing.Privileged;
import io.containerfs.testing.PrivilegedCondition;
import io.containerfs.testing.TarBuilder;
import io.containerfs.testing.UnprivilegedUser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * pull of an image by an ordinary user, without sudo (issue 26, #3): the images ImagePullIT
 * pulls as root (a layer deleting a file and replacing a directory, and one with an opaque
 * directory), pulled by a user the test makes, into its own layer store, with the image's owners
 * from its range; then run with --image as that user.
 */
@Privileged
class RootlessImagePullIT {
    @TempDir
    static Path tmp;

    private static Path work;
    private static Path layout;
    private static Path archive;
    private static Path opaqueLayout;
    private static UnprivilegedUser user;

    @BeforeAll
    static void imagesAndAUser() throws IOException {
        if (!PrivilegedCondition.isRoot()) {
            return; // each test is then skipped (or failed under CI) by @Privileged
        }
        PrivilegedCondition.requireInCi(Fixtures.onPath("podman") && Fixtures.onPath("skopeo"),
                "podman and skopeo (Debian packages)");
        work = Files.createTempDirectory(Path.of("/tmp"), "cfs-images-"); // podman: a runroot under 50 characters
        TestImages images = TestImages.build(work);
        archive = work.resolve("test.tar");
        images.podman("save", "--format", "docker-archive", "-o", archive.toString(), "localhost/test:1");
        layout = work.resolve("layout");
        TestImages.check(Commands.run("skopeo", "copy", images.storage("localhost/test:1"), "oci:" + layout + ":latest"));
        opaqueLayout = ImagePullIT.withOpaqueLayer(layout, work.resolve("opaque-layout"));
        for (Path readable : List.of(work, layout, archive, opaqueLayout)) {
            TestImages.check(Commands.run("chmod", "-R", "a+rX", readable.toString()));
        }
        user = UnprivilegedUser.create("cfsrp", tmp);
    }

    @AfterAll
    static void removeThem() throws IOException {
        if (user != null) {
            user.close();
        }
        if (work != null) {
            TestImages.check(Commands.run("rm", "-rf", "--one-file-system", work.toString()));
        }
    }

    private static Commands.Result pull(String... words) throws IOException {
        List<String> arguments = new ArrayList<>(List.of("pull", "-q"));
        arguments.addAll(List.of(words));
        return user.runJar(Map.of(), arguments);
    }

    private static Commands.Result runImage(Path image, String... rest) throws IOException {
        List<String> arguments = new ArrayList<>(List.of("--network", "none", "--image", image.toString()));
        arguments.addAll(List.of(rest));
        return user.runJar(Map.of(), arguments);
    }

    private static int owner(Path file, String which) throws IOException {
        return (Integer) Files.getAttribute(file, "unix:" + which, LinkOption.NOFOLLOW_LINKS);
    }

    /** The image's config and its layers' whiteouts as with root, its owners inside, the user's range outside. */
    private static void assertRunsAsTheImageSays(Path image) throws IOException {
        List<String> before = HostMounts.snapshot();
        Commands.Result byDefault = runImage(image, user.dir("w").toString());
        assertEquals("entry default cmd\n", byDefault.stdout(), byDefault::toString);

        Commands.Result inside = runImage(image, "--entrypoint", "/bin/sh", user.dir("w").toString(), "--", "-c",
                "pwd; echo $GREETING; ls /data/old; cat /added.txt; ls /etc/doomed 2>&1; id -u;"
                        + " stat -c %u:%g /etc/shadow /data/old/b");
        assertEquals(0, inside.exitCode(), inside::toString);
        assertEquals("/data\nhello\nb\nadded\nls: /etc/doomed: No such file or directory\n65534\n0:42\n0:0\n",
                inside.stdout(), "WorkingDir, Env, User; the deleted file gone, the replaced directory new; the"
                        + " image's owners: " + inside);
        assertEquals(before, HostMounts.snapshot());

        Path base = Path.of(Files.readAllLines(image.resolve("layers")).get(0));
        assertEquals(user.uid(), owner(base.resolve("etc/shadow"), "uid"), "root's file: the user's");
        assertEquals(user.outside(42), owner(base.resolve("etc/shadow"), "gid"), "group 42: the range's 42nd id");
    }

    @Test
    void anOciLayoutPulledByTheUserRunsFromItsOwnStore() throws IOException {
        Path image = user.dir("pulled").resolve("image");

        Commands.Result r = pull("oci:" + layout + ":latest", image.toString());

        assertEquals(0, r.exitCode(), r::toString);
        assertEquals("", r.stderr(), r::toString);
        Path store = Path.of("/home", user.name(), ".local/share/container-fs/layers");
        assertTrue(r.stdout().endsWith(" new layers in " + store + ")\n"), "the user's own store: " + r);
        for (String layer : Files.readAllLines(image.resolve("layers"))) {
            assertTrue(layer.startsWith(store + "/sha256/"), layer);
        }
        assertRunsAsTheImageSays(image);
    }

    @Test
    void aDockerArchivePulledByTheUserRuns() throws IOException {
        Path image = user.dir("pulled").resolve("image");
        Path store = user.dir("store");

        Commands.Result r = pull("--layer-store", store.toString(), "docker-archive:" + archive, image.toString());

        assertEquals(0, r.exitCode(), r::toString);
        assertRunsAsTheImageSays(image);
    }

    /** ".wh..wh..opq" as the user's overlay reads it: user.overlay.opaque, not root's trusted.* xattr. */
    @Test
    void anOpaqueDirectoryShowsOnlyItsNewContent() throws IOException {
        Path image = user.dir("pulled").resolve("image");
        Commands.Result r = pull("--layer-store", user.dir("store").toString(), "oci:" + opaqueLayout, image.toString());
        assertEquals(0, r.exitCode(), r::toString);

        Commands.Result ls = runImage(image, "--entrypoint", "ls", user.dir("w").toString(), "--", "/data");

        assertEquals("fresh\n", ls.stdout(), "keep and old, of lower layers, are hidden: " + ls);
        List<String> layers = Files.readAllLines(image.resolve("layers"));
        byte[] opaque = (byte[]) Files.getAttribute(Path.of(layers.get(layers.size() - 1), "data"), "user:overlay.opaque");
        assertEquals("y", new String(opaque, java.nio.charset.StandardCharsets.US_ASCII));
    }

    /** The image's root-owned and other files cannot be told apart without a range: refused, nothing made. */
    @Test
    void withoutARangeAnImageIsRefusedInOneLine() throws IOException {
        try (UnprivilegedUser alone = UnprivilegedUser.create("cfsrq", tmp, false)) {
            Path parent = alone.dir("pulled");
            Commands.Result r = alone.runJar(Map.of(), List.of("pull", "-q", "oci:" + layout,
                    parent.resolve("image").toString()));

            assertEquals(125, r.exitCode(), r::toString);
            assertEquals("container-fs: pulling an image without root needs a range of ids for you in /etc/subuid and"
                    + " /etc/subgid and newuidmap and newgidmap (the uidmap package), to give its files their owners:"
                    + " add one (usermod --add-subuids and --add-subgids), or run pull with sudo\n", r.stderr());
            try (Stream<Path> left = Files.list(parent)) {
                assertEquals(List.of(), left.toList());
            }
            assertTrue(Files.notExists(Path.of("/home", alone.name(), ".local/share/container-fs")), "no store made");
        }
    }

    /** fuse-overlayfs (the root before Linux 5.11) reads the same whiteouts and opaque directories. */
    @Test
    void fuseOverlayfsReadsTheSameWhiteouts() throws IOException {
        PrivilegedCondition.requireInCi(Fixtures.onPath("fuse-overlayfs"), "fuse-overlayfs (Debian package)");
        Path image = user.dir("pulled").resolve("image");
        Commands.Result r = pull("--layer-store", user.dir("store").toString(), "oci:" + opaqueLayout, image.toString());
        assertEquals(0, r.exitCode(), r::toString);
        Path device = Path.of("/dev/fuse");
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(device);
        Files.setPosixFilePermissions(device, PosixFilePermissions.fromString("rw-rw-rw-"));
        try {
            Commands.Result inside = user.runJar(Map.of("CONTAINERFS_OVERLAY", "fuse"), List.of("--network", "none",
                    "--image", image.toString(), "--entrypoint", "/bin/sh", user.dir("w").toString(), "--", "-c",
                    "ls /data; ls /etc/doomed 2>&1; cat /added.txt; stat -c %u:%g /etc/shadow;"
                            + " awk '$5 == \"/\" {print $(NF - 2)}' /proc/self/mountinfo"));
            assertEquals("fresh\nls: /etc/doomed: No such file or directory\nadded\n0:42\nfuse.fuse-overlayfs\n",
                    inside.stdout(), inside::toString);
        } finally {
            Files.setPosixFilePermissions(device, mode);
        }
    }

    /**
     * Before Linux 5.8 (the course VM's 5.4) a user may not mknod(2) overlayfs's 0/0 whiteout: here
     * under src/test/c/enosys.c's simulation of it (mknod of a character device answers EPERM). pull
     * then keeps them as fuse-overlayfs reads them, files .wh.NAME and .wh..wh..opq, and marks the
     * layer; a run of it is fuse-overlayfs's, on this kernel too; root's, on the kernel's overlayfs,
     * is refused in one line.
     */
    @Test
    void beforeLinux58TheWhiteoutsAreFilesAndTheRootIsFuseOverlayfss() throws IOException {
        PrivilegedCondition.requireInCi(Fixtures.onPath("fuse-overlayfs"), "fuse-overlayfs (Debian package)");
        Path enosys = Fixtures.basedir().resolve("target/c-tests/enosys");
        assertTrue(Files.isExecutable(enosys), enosys + " is built by make -C src/main/c test");
        List<String> as54 = List.of(enosys.toString(), "--mknod-eperm");
        Path image = user.dir("pulled").resolve("image");

        Commands.Result r = user.runJarUnder(as54, Map.of(), List.of("pull", "-q", "--layer-store",
                user.dir("store").toString(), "oci:" + opaqueLayout, image.toString()));

        assertEquals(0, r.exitCode(), r::toString);
        List<Path> layers = Files.readAllLines(image.resolve("layers")).stream().map(Path::of).toList();
        Path top = layers.get(layers.size() - 1);
        assertTrue(Files.isRegularFile(top.resolve("data/.wh..wh..opq"), LinkOption.NOFOLLOW_LINKS), "opaque: a file");
        assertTrue(layers.stream().anyMatch(l -> Files.isRegularFile(l.resolve("etc/.wh.doomed"),
                LinkOption.NOFOLLOW_LINKS)), "the deleted file's whiteout: a file");
        assertTrue(Files.isRegularFile(top.resolve(".wh..wh.aufs"), LinkOption.NOFOLLOW_LINKS), "the layer marked");
        for (Path layer : layers) {
            try (Stream<Path> all = Files.walk(layer)) {
                assertEquals(List.of(), all.filter(p -> !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)
                        && !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
                        && !Files.isSymbolicLink(p)).toList(), "no device made");
            }
        }

        Path device = Path.of("/dev/fuse");
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(device);
        Files.setPosixFilePermissions(device, PosixFilePermissions.fromString("rw-rw-rw-"));
        try {
            String script = "ls /data; ls /etc/doomed 2>&1; cat /added.txt; ls -a / | grep -c '^[.]wh[.]';"
                    + " awk '$5 == \"/\" {print $(NF - 2)}' /proc/self/mountinfo";
            String expected = "fresh\nls: /etc/doomed: No such file or directory\nadded\n0\nfuse.fuse-overlayfs\n";
            for (Map<String, String> env : List.of(Map.of("CONTAINERFS_OVERLAY", "fuse"), Map.<String, String>of())) {
                List<String> run = List.of("--network", "none", "--image", image.toString(), "--entrypoint", "/bin/sh",
                        user.dir("w").toString(), "--", "-c", script);
                Commands.Result inside = env.isEmpty() ? user.runJar(env, run) : user.runJarUnder(as54, env, run);
                assertEquals(expected, inside.stdout(), "the file gone, the directory new, on fuse-overlayfs"
                        + (env.isEmpty() ? " on this kernel too: " : " as on 5.4: ") + inside);
            }
        } finally {
            Files.setPosixFilePermissions(device, mode);
        }

        Commands.Result asRoot = Commands.run(null, null, List.of(Path.of(System.getProperty("java.home"), "bin",
                "java").toString(), "-jar", Fixtures.jar().toString(), "--network", "none", "--image",
                image.toString(), user.dir("w-root").toString(), "--", "true"));
        assertEquals(125, asRoot.exitCode(), asRoot::toString);
        Path firstMarked = layers.stream().filter(l -> Files.exists(l.resolve(".wh..wh.aufs"))).findFirst().orElseThrow();
        assertEquals("container-fs: the layer " + firstMarked + " holds its whiteouts as files (.wh.NAME, as fuse-overlayfs"
                + " reads them: an ordinary user pulled it on a kernel before Linux 5.8), which the kernel's overlayfs"
                + " would show as files: run it as that user, whose root is fuse-overlayfs's, or pull the image again"
                + " as root\n", asRoot.stderr());
    }

    @Test
    void nothingIsLeftInTheStoreOrBesideDirAfterAFailedPull() throws IOException {
        Path copy = user.dir("tampered").resolve("layout");
        TestImages.check(Commands.run("cp", "-a", layout.toString(), copy.toString()));
        Path biggest;
        try (Stream<Path> blobs = Files.list(copy.resolve("blobs/sha256"))) {
            biggest = blobs.max((a, b) -> Long.compare(a.toFile().length(), b.toFile().length())).orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(biggest);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(biggest, bytes);
        Path parent = user.dir("pulled");
        Path store = user.dir("store");

        Commands.Result r = pull("--layer-store", store.toString(), "oci:" + copy, parent.resolve("image").toString());

        assertEquals(125, r.exitCode(), r::toString);
        assertTrue(r.stderr().contains("refusing the image"), r::toString);
        try (Stream<Path> left = Files.list(parent)) {
            assertEquals(List.of(), left.toList());
        }
        try (Stream<Path> stored = Files.walk(store)) {
            assertEquals(List.of(), stored.filter(p -> p.getFileName().toString().startsWith(".")).toList(),
                    "no half-unpacked layer in the store");
        }
    }

    /**
     * A hardlink to a symlink is the symlink itself (link(2)); given its archive owner and mode by
     * chmod(2), which follows a symlink, it changed the mode of whatever the link named, in the
     * user's reach: here the user's own key, made readable to all.
     */
    @Test
    void aHardlinkToASymlinkChangesNothingItNames() throws IOException {
        Path victim = user.dir("victim").resolve("id_ed25519");
        Files.writeString(victim, "secret\n");
        user.chown(victim);
        Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-------"));
        TarArchiveEntry hardlink = TarBuilder.entry("h", TarArchiveEntry.LF_LINK, 0777);
        hardlink.setLinkName("l");
        hardlink.setUserId(1);
        hardlink.setGroupId(1);
        byte[] tar = new TarBuilder().symlink("l", victim.toString()).add(hardlink, null).tarBytes();
        Path hostile = OciLayouts.oneLayer(user.dir("hostile").resolve("layout"), tar, "", OciLayouts.sha256(tar));
        TestImages.check(Commands.run("chmod", "-R", "a+rX", hostile.toString()));

        Commands.Result r = pull("--layer-store", user.dir("store").toString(), "oci:" + hostile,
                user.dir("pulled").resolve("image").toString());

        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(victim)), r::toString);
        assertEquals(0, r.exitCode(), "a hardlink to a symlink is a fine entry: " + r);
    }

    /**
     * An image may list one layer twice. Unpacked twice at once, the second copy lost the rename
     * into place and was to be removed; but its files were the range's, which the user cannot remove.
     */
    @Test
    void aLayerListedTwiceLeavesNothingBesideItInTheStore() throws IOException {
        TarArchiveEntry dir = TarBuilder.entry("d", TarArchiveEntry.LF_DIR, 0755);
        dir.setUserId(5);
        dir.setGroupId(5);
        byte[] tar = new TarBuilder().add(dir, null).file("d/f", 0644, 5, 5, "daemon's\n").tarBytes();
        Path hostile = OciLayouts.layers(user.dir("twice").resolve("layout"), "", List.of(tar, tar),
                List.of(OciLayouts.sha256(tar), OciLayouts.sha256(tar)));
        TestImages.check(Commands.run("chmod", "-R", "a+rX", hostile.toString()));
        Path store = user.dir("store");

        Commands.Result r = pull("--layer-store", store.toString(), "oci:" + hostile,
                user.dir("pulled").resolve("image").toString());

        assertEquals(0, r.exitCode(), r::toString);
        try (Stream<Path> stored = Files.list(store.resolve("sha256"))) {
            assertEquals(List.of(store.resolve("sha256").resolve(OciLayouts.sha256(tar).substring(7))), stored.toList(),
                    "the layer, once, and nothing beside it");
        }
    }
}
