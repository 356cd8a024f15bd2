package io.containerfs.course;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Commands;
import io.containerfs.testing.ContainerFs;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.HostMounts;
import io.containerfs.testing.LeftBehind;
import io.containerfs.testing.Privileged;
import io.containerfs.testing.PrivilegedCondition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.io.file.PathUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Part 2: scripts/overlay-walkthrough.sh and the answer to its question. */
@Privileged
class OverlayWalkthroughIT {
    private Path dir;
    private List<String> mountsBefore;

    @BeforeEach
    void setUp() throws IOException {
        PrivilegedCondition.requireInCi(Fixtures.onPath("musl-gcc"), "musl-gcc (Debian package musl-tools)");
        Fixtures.alpineTarball(); // skips here, before anything is made, when there is none
        Path parent = Fixtures.basedir().resolve("target/course");
        Files.createDirectories(parent);
        dir = Files.createTempDirectory(parent, "walkthrough-");
        mountsBefore = HostMounts.snapshot();
    }

    @AfterEach
    void tearDown() throws IOException {
        if (dir == null) { // skipped in setUp
            return;
        }
        // A failed assertion must not leave the overlay mounted over the next test.
        Path mp = dir.resolve("mountpoint");
        if (Files.isDirectory(mp) && Commands.run("mountpoint", "-q", mp.toString()).exitCode() == 0) {
            Commands.run("umount", "-l", mp.toString());
        }
        PathUtils.deleteDirectory(dir);
    }

    private Commands.Result walkthrough(String name, String... extra) {
        List<String> command = new ArrayList<>(List.of(CourseScripts.script("scripts/overlay-walkthrough.sh").toString(),
                "--tarball", Fixtures.alpineTarball().toString()));
        command.addAll(List.of(extra));
        return CourseScripts.run(name, Duration.ofMinutes(2), command);
    }

    @Test
    void fibCopiedIntoTheMountpointIsStoredInTheUpperDirectory() {
        Commands.Result r = walkthrough("overlay-walkthrough", dir.toString());

        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(Files.isExecutable(dir.resolve("app/usr/bin/fib")), "app/usr/bin/fib, in the upper layer");
        assertFalse(Files.exists(dir.resolve("rootfs/usr/bin/fib")), "rootfs/usr/bin/fib: the lower layer changed");
        assertTrue(Files.isRegularFile(dir.resolve("rootfs/bin/busybox")), "rootfs/ holds Alpine");
        assertEquals(mountsBefore, HostMounts.snapshot(), "the walkthrough left something mounted");
        assertEquals(List.of(), list(dir.resolve("mountpoint")), "the mountpoint is empty once unmounted");
        // The student is told, not only shown.
        assertTrue(r.stdout().contains("The copy is in app/usr/bin/fib, the upper directory"), r::toString);
        assertTrue(r.stdout().contains("mount -t overlay overlay -olowerdir=rootfs,upperdir=app,workdir=overlay-work mountpoint/"),
                r::toString);
    }

    @Test
    void partThreeRunsFibOnTheLayersTheWalkthroughLeaves() throws IOException {
        assertEquals(0, walkthrough("overlay-walkthrough-then-run", dir.toString()).exitCode());
        Path runTmp = Files.createDirectory(dir.resolve("run-tmp"));
        LeftBehind leftBehind = LeftBehind.before(runTmp, dir);

        Commands.Result run = ContainerFs.FrontEnd.JAR.runIn(runTmp, null, dir.resolve("rootfs").toString(),
                dir.resolve("app").toString(), dir.resolve("writedir").toString(), "--", "fib");

        assertEquals(0, run.exitCode(), run::toString);
        assertEquals(Fixtures.FIB_OUTPUT, run.stdout());
        leftBehind.assertNothing();
        assertEquals(mountsBefore, HostMounts.snapshot());
    }

    @Test
    void failureAfterTheMountStillUnmounts() {
        // /proc/self/mem is a regular file when checked, but realpath turns it into
        // /proc/PID/mem of a process that has exited by the time cp reads it: the copy
        // into the mounted overlay fails.
        Commands.Result r = walkthrough("overlay-walkthrough-failing", "--fib", "/proc/self/mem", dir.toString());

        assertNotEquals(0, r.exitCode(), r::toString);
        assertTrue(r.stdout().contains("mount -t overlay"), "the failure came after the mount: " + r);
        assertTrue(r.stderr().contains("nothing is left mounted"), r::toString);
        assertEquals(mountsBefore, HostMounts.snapshot(), "the trap did not unmount");
    }

    @Test
    void refusesVagrantsSharedFolderWithTheReason() {
        Commands.Result r = walkthrough("overlay-walkthrough-vagrant", "/home/vagrant/exercises/overlay");

        assertEquals(1, r.exitCode(), r::toString);
        assertTrue(r.stderr().contains("overlayfs does not work there"), r::toString);
        assertFalse(Files.exists(Path.of("/home/vagrant/exercises/overlay")), "created the refused directory");
    }

    private static List<String> list(Path d) {
        try (var s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
