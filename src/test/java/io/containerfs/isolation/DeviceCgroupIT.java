package io.containerfs.isolation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Cgroups;
import io.containerfs.testing.Commands;
import io.containerfs.testing.ContainerDirs;
import io.containerfs.testing.ContainerFs.FrontEnd;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.Privileged;
import io.containerfs.testing.PrivilegedCondition;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 23, item 2: root inside keeps CAP_MKNOD, as in Docker, and /dev is a tmpfs where nodes
 * work, so a node of a host disk made inside would read and write that disk. Every container gets
 * Docker's device allowlist in a cgroup of its own (the v1 devices controller, or a BPF device
 * program on cgroup v2): mknod works, opening anything but /dev's defaults fails with EPERM.
 * --device gives one host device, --privileged every one.
 *
 * <p>The "host disk" is a loop device over a file of this test's, holding {@link #BYTES}; the
 * container makes a node with its numbers. After each test the loop device is detached and no
 * cgroup of container-fs is left.
 */
@Privileged
class DeviceCgroupIT {
    private static final String BYTES = "the host disk's bytes";
    /** /dev/loop-control, a character device Docker refuses too. */
    private static final String LOOP_CONTROL = "10 237";

    @RegisterExtension
    final ContainerDirs run = ContainerDirs.onAlpine();

    private Path image;
    private String loop;
    /** The loop device's "MAJOR MINOR", as mknod takes them. */
    private String numbers;

    @BeforeEach
    void aLoopDeviceOverAFile() throws IOException {
        PrivilegedCondition.requireInCi(Fixtures.onPath("losetup"), "losetup (Debian package mount)");
        byte[] content = new byte[64 * 1024];
        byte[] bytes = BYTES.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(bytes, 0, content, 0, bytes.length);
        image = Files.write(run.dir().resolve("disk.img"), content);
        Commands.Result r = Commands.run("losetup", "--find", "--show", image.toString());
        assertEquals(0, r.exitCode(), r::toString);
        loop = r.stdout().trim();
        numbers = Files.readString(Path.of("/sys/class/block", Path.of(loop).getFileName().toString(), "dev"))
                .trim().replace(':', ' ');
    }

    @AfterEach
    void detachTheLoopDeviceAndCheckNoCgroupIsLeft() {
        if (loop != null) {
            Commands.Result r = Commands.run("losetup", "--detach", loop);
            assertEquals(0, r.exitCode(), r::toString);
        }
        assertEquals(List.of(), Cgroups.ofContainerFs(), "cgroups left behind");
    }

    private Commands.Result run(FrontEnd frontEnd, List<String> options, String script) {
        return Commands.run(null, null, command(frontEnd, options, script), Map.of("TMPDIR", run.tmpdir().toString()));
    }

    private List<String> command(FrontEnd frontEnd, List<String> options, String script) {
        return frontEnd.run(options, run.stack(), "sh", "-c", script);
    }

    /** Makes NAME, a block node of the loop device, and a node of loop-control; opens each and says what it could. */
    private String mknodAndOpen() {
        return "mknod /dev/disk b " + numbers + " && mknod /dev/lc c " + LOOP_CONTROL + " && echo made;"
                + " head -c " + BYTES.length() + " /dev/disk; echo;"
                + " if printf x > /dev/disk; then echo written; else echo 'write refused'; fi;"
                + " if true < /dev/lc; then echo 'loop-control opened'; else echo 'loop-control refused'; fi";
    }

    private void assertRefused(Commands.Result r) throws IOException {
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals("made\n\nwrite refused\nloop-control refused\n", r.stdout(), r::toString);
        assertTrue(r.stderr().contains("/dev/disk: Operation not permitted"), r::toString);
        assertHostDiskUnchanged();
    }

    private void assertHostDiskUnchanged() throws IOException {
        byte[] head = Arrays.copyOf(Files.readAllBytes(image), BYTES.length());
        assertArrayEquals(BYTES.getBytes(StandardCharsets.US_ASCII), head, "the host disk's first bytes");
    }

    @ParameterizedTest
    @EnumSource(FrontEnd.class)
    void aNodeOfAHostDiskMadeInsideCannotBeOpened(FrontEnd frontEnd) throws IOException {
        assertRefused(run(frontEnd, List.of(), mknodAndOpen()));
    }

    /** Without the seccomp filter the device rules still hold: they are the cgroup's, not the filter's. */
    @Test
    void withoutTheSeccompFilterToo() throws IOException {
        assertRefused(run(FrontEnd.JAR, List.of("--security-opt", "seccomp=unconfined"), mknodAndOpen()));
    }

    @Test
    void privilegedOpensIt() {
        Commands.Result r = run(FrontEnd.JAR, List.of("--privileged"), mknodAndOpen());

        assertEquals(0, r.exitCode(), r::toString);
        assertEquals("made\n" + BYTES + "\nwritten\nloop-control opened\n", r.stdout(), r::toString);
    }

    /** /dev's own nodes work for reading and writing, and a terminal's (-t: /dev/tty, /dev/pts/N). */
    @Test
    void theDefaultNodesWork() {
        Commands.Result r = run(FrontEnd.JAR, List.of(), "for d in null zero full random urandom; do"
                + " head -c 1 /dev/$d > /dev/null && echo x 2>/dev/null > /dev/$d; echo \"$d $?\"; done");

        assertEquals(0, r.exitCode(), r::toString);
        assertEquals("null 0\nzero 0\nfull 1\nrandom 0\nurandom 0\n", r.stdout(), "/dev/full refuses writes: ENOSPC");

        PrivilegedCondition.requireInCi(Fixtures.onPath("script"), "script (util-linux)");
        String containerFs = String.join(" ", command(FrontEnd.JAR, List.of("-t"),
                "echo to-the-tty > /dev/tty && tty").stream().map(w -> "'" + w + "'").toList());
        Commands.Result tty = Commands.run(null, null, List.of("script", "-qec", containerFs, "/dev/null"),
                Map.of("TMPDIR", run.tmpdir().toString(), "SHELL", "/bin/sh"));
        assertEquals(0, tty.exitCode(), tty::toString);
        assertTrue(tty.stdout().contains("to-the-tty") && tty.stdout().contains("/dev/pts/0"), tty::toString);
    }

    @Test
    void deviceGivesTheHostsNodeWithItsNumbersAndMode() throws IOException {
        Commands.Result host = Commands.run("stat", "-c", "%F %t %T %a %u %g", loop);
        Commands.Result r = run(FrontEnd.JAR, List.of("--device", loop), "stat -c '%F %t %T %a %u %g' " + loop
                + " && head -c " + BYTES.length() + " " + loop + " && echo && printf X > " + loop
                + " && head -c 1 " + loop);

        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(host.stdout() + BYTES + "\nX", r.stdout(), r::toString);
    }

    /** As docker run's {@code --device /dev/sdc:/dev/xvdc:r}: another name, read only; mknod of it still works. */
    @Test
    void deviceWithAPathAndPermissions() throws IOException {
        Commands.Result r = run(FrontEnd.JAR, List.of("--device", loop + ":/dev/disks/xvda:r"),
                "head -c " + BYTES.length() + " /dev/disks/xvda; echo;"
                        + " if printf x > /dev/disks/xvda; then echo written; else echo 'write refused'; fi;"
                        + " ls " + loop + " 2>/dev/null || echo 'no " + loop + "'");

        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(BYTES + "\nwrite refused\nno " + loop + "\n", r.stdout(), r::toString);
        assertTrue(r.stderr().contains("/dev/disks/xvda: Operation not permitted"), r::toString);
        assertHostDiskUnchanged();
    }

    /**
     * cgroup v2 has no devices controller: the rules are a BPF program attached to the container's
     * cgroup. On a hybrid host such as the project's (v1 controllers, the unified hierarchy at
     * /sys/fs/cgroup/unified) the front end runs in a mount namespace of its own where that
     * hierarchy is bound over /sys/fs/cgroup, as on a v2 host: container-fs then takes its v2 path,
     * and the container's v1 devices cgroup is the host's root one, which allows everything, so
     * only the program can refuse.
     */
    @ParameterizedTest
    @EnumSource(FrontEnd.class)
    void onCgroupV2ABpfProgramHoldsTheSameRules(FrontEnd frontEnd) throws IOException {
        String script = "grep -c '^0::/container-fs-' /proc/self/cgroup; grep -c ':devices:/$' /proc/self/cgroup;"
                + mknodAndOpen();
        Commands.Result r = Commands.run(null, null, asOnCgroupV2(command(frontEnd, List.of(), script)),
                Map.of("TMPDIR", run.tmpdir().toString()));
        boolean hybrid = !Cgroups.isV2();

        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.stdout().startsWith("1\n" + (hybrid ? "1\n" : "0\n")), "in a cgroup of its own on v2: " + r);
        assertRefused(new Commands.Result(0, r.stdout().substring(4), r.stderr()));

        if (frontEnd == FrontEnd.JAR) { // the plain C front end takes no --device
            List<String> device = command(frontEnd, List.of("--device", loop + ":/dev/xvda:r"), "head -c "
                    + BYTES.length() + " /dev/xvda; echo; if printf x > /dev/xvda; then echo written; else echo"
                    + " 'write refused'; fi");
            Commands.Result given = Commands.run(null, null, asOnCgroupV2(device), Map.of("TMPDIR",
                    run.tmpdir().toString()));
            assertEquals(0, given.exitCode(), given::toString);
            assertEquals(BYTES + "\nwrite refused\n", given.stdout(), "the program's rule for r only: " + given);
            assertHostDiskUnchanged();
        }
    }

    /** On a hybrid host, the command in a mount namespace where the unified hierarchy is /sys/fs/cgroup. */
    private static List<String> asOnCgroupV2(List<String> command) {
        if (Cgroups.isV2()) {
            return command;
        }
        Path unified = Cgroups.ROOT.resolve("unified");
        PrivilegedCondition.requireInCi(Files.exists(unified.resolve("cgroup.procs")),
                "a cgroup2 hierarchy at /sys/fs/cgroup/unified (a hybrid host)");
        List<String> words = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
                "mount --bind " + unified + " " + Cgroups.ROOT + " && exec \"$@\"", "sh"));
        words.addAll(command);
        return words;
    }

    /**
     * Safe by default: where no cgroup can be made (here an empty tmpfs over /sys/fs/cgroup, in a
     * mount namespace of the test's), a container without its device rules is refused, in one
     * line; --privileged, which has none, runs.
     */
    @Test
    void withoutTheCgroupFilesystemOnlyPrivilegedRuns() {
        List<String> words = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
                "mount -t tmpfs cfs-it-no-cgroups " + Cgroups.ROOT + " && exec \"$@\"", "sh"));
        List<String> refused = new ArrayList<>(words);
        refused.addAll(command(FrontEnd.JAR, List.of(), "echo ran"));
        List<String> privileged = new ArrayList<>(words);
        privileged.addAll(command(FrontEnd.JAR, List.of("--privileged"), "echo ran"));

        Commands.Result r = Commands.run(null, null, refused, Map.of("TMPDIR", run.tmpdir().toString()));
        assertEquals(125, r.exitCode(), r::toString);
        assertEquals("", r.stdout(), r::toString);
        assertEquals(1, r.stderr().lines().count(), r::toString);
        assertTrue(r.stderr().startsWith("container-fs: make cgroup on `/sys/fs/cgroup/devices`: No such file or"
                + " directory (every container needs the cgroup filesystem"), r::toString);

        Commands.Result p = Commands.run(null, null, privileged, Map.of("TMPDIR", run.tmpdir().toString()));
        assertEquals(new Commands.Result(0, "ran\n", ""), p);
    }

    /** Each bad --device: one line, 125, before anything is made (the extension checks TMPDIR and mounts). */
    @Test
    void badDeviceValuesAreOneLineAndNothingIsMade() throws IOException {
        Map<String, String> bad = Map.of(
                "/etc/hostname", "'/etc/hostname' is not a character or block device",
                run.dir() + "/none", "does not exist",
                loop + ":rwx", "must be absolute and below /dev",
                loop + ":/tmp/x", "must be absolute and below /dev",
                loop + ":/dev", "must be absolute and below /dev",
                loop + ":/dev/x:rr", "PERMS 'rr' must be made of r (read), w (write) and m (mknod)",
                loop + ":/dev/x:rwx", "PERMS 'rwx' must be made of",
                loop + "::", "give HOST[:CONTAINER][:PERMS]",
                "dev/null", "must be absolute",
                "/dev", "'/dev' is not a character or block device");
        for (Map.Entry<String, String> e : bad.entrySet()) {
            Commands.Result r = run(FrontEnd.JAR, List.of("--device", e.getKey()), "echo ran");
            assertEquals(125, r.exitCode(), r::toString);
            assertEquals("", r.stdout(), r::toString);
            assertEquals(1, r.stderr().lines().count(), r::toString);
            assertTrue(r.stderr().startsWith("container-fs: ") && r.stderr().contains(e.getValue()),
                    e.getKey() + ": " + r);
            try (Stream<Path> written = Files.list(run.writedir())) {
                assertEquals(List.of(), written.toList(), "nothing written");
            }
        }
    }
}
