package io.containerfs.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Commands;
import io.containerfs.testing.ContainerFs;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.LeftBehind;
import io.containerfs.testing.Privileged;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the host does to container-fs (run without root: RootlessIT): a read-only WRITEDIR, a work directory on another
 * filesystem, a noexec temporary directory for the bundled library. Each test mounts what it
 * needs under its own temp dir and unmounts it in finally.
 */
@Privileged
class HostSetupIT {
    @TempDir
    Path tmp;

    private Path rootfs;
    private Path runTmp;
    private final List<Path> mounted = new ArrayList<>();
    private LeftBehind leftBehind;

    @BeforeEach
    void setUp() throws IOException {
        rootfs = Fixtures.alpineRootfs();
        runTmp = Files.createDirectory(tmp.resolve("run-tmp"));
        leftBehind = LeftBehind.before(runTmp, tmp);
    }

    @AfterEach
    void unmount() {
        for (Path p : mounted) {
            Commands.run("umount", p.toString());
        }
        if (leftBehind != null) {
            leftBehind.assertNothing();
        }
    }

    /** container-fs from the jar, with run-tmp as TMPDIR, where {@link LeftBehind} looks. */
    private Commands.Result containerFs(String... args) {
        return ContainerFs.FrontEnd.JAR.runIn(runTmp, null, args);
    }

    private Path tmpfs(String name, String options) throws IOException {
        Path dir = Files.createDirectory(tmp.resolve(name));
        Commands.Result r = Commands.run("mount", "-t", "tmpfs", "-o", options, "tmpfs", dir.toString());
        assertEquals(0, r.exitCode(), r::toString);
        mounted.add(0, dir);
        return dir;
    }

    @Test
    void aReadOnlyWritedirIsRefused() throws IOException {
        Path readOnly = tmpfs("ro", "ro");
        Commands.Result r = containerFs(rootfs.toString(), readOnly.toString(), "--", "true");
        assertEquals(125, r.exitCode(), r::toString);
        assertTrue(r.stderr().contains("WRITEDIR '" + readOnly + "' is not writable (its filesystem is mounted read-only)"),
                r.stderr());
    }

    @Test
    void aWorkDirectoryOnAnotherFilesystemIsRefused() throws IOException {
        Path other = tmpfs("other", "rw");
        Path writedir = Files.createDirectory(tmp.resolve("writedir"));
        Commands.Result r = containerFs("--overlay-workdir", other.toString(), rootfs.toString(), writedir.toString(), "--", "true");
        assertEquals(125, r.exitCode(), r::toString);
        assertTrue(r.stderr().contains("is on another filesystem than WRITEDIR"), r.stderr());
    }

    @Test
    void aWritedirThatIsAMountPointNeedsAWorkdir() throws IOException {
        Path writedir = tmpfs("writedir", "rw");
        Commands.Result r = containerFs(rootfs.toString(), writedir.toString(), "--", "true");
        assertEquals(125, r.exitCode(), r::toString);
        assertEquals("container-fs: make work directory on `" + writedir + "`: Invalid cross-device link (WRITEDIR"
                + " is a mount point, so no directory beside it is on its filesystem; give a work directory on"
                + " WRITEDIR's filesystem with --overlay-workdir DIR)\n", r.stderr());
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(List.of(), left.filter(p -> p.getFileName().toString().startsWith(".container-fs")).toList());
        }
        Path work = Files.createDirectory(writedir.resolve("../writedir-work").normalize());
        Commands.Result inside = containerFs("--overlay-workdir", work.toString(), rootfs.toString(), writedir.toString(), "--", "true");
        assertEquals(125, inside.exitCode(), "a work directory beside the mount point is on the parent filesystem");
    }

    @Test
    void aChosenWorkDirectoryIsUsedAndKept() throws IOException {
        Path writedir = Files.createDirectory(tmp.resolve("writedir"));
        Path work = Files.createDirectory(tmp.resolve("work"));
        Commands.Result r = ContainerFs.run("--overlay-workdir", work.toString(), rootfs.toString(), writedir.toString(), "--", "true");
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(Files.isDirectory(work.resolve("work")), "overlayfs used it");
        Files.delete(work.resolve("work"));
    }

    @Test
    void aNoexecCacheDirectoryIsNamedWhenTheLibraryCannotLoad() throws IOException {
        // The library is extracted into the user's cache (NativeLibraryCache), here on a noexec mount.
        Path noexec = tmpfs("noexec", "rw,noexec");
        List<String> command = new ArrayList<>(ContainerFs.FrontEnd.JAR.command());
        command.addAll(List.of(rootfs.toString(), tmp.resolve("w").toString(), "--", "true"));

        Commands.Result r = Commands.run(null, null, command,
                Map.of("TMPDIR", runTmp.toString(), "XDG_CACHE_HOME", noexec.toString()));

        assertEquals(125, r.exitCode(), r::toString);
        assertTrue(r.stderr().startsWith("container-fs: cannot load the native library: "), r.stderr());
        assertTrue(r.stderr().contains("the directory " + noexec.resolve("container-fs/native") + "/"), r.stderr());
        assertTrue(r.stderr().contains(" is mounted noexec"), r.stderr());
    }
}
