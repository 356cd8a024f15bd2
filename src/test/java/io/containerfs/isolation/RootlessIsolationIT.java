package io.containerfs.isolation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Commands;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.HostMounts;
import io.containerfs.testing.LiveProcess;
import io.containerfs.testing.Privileged;
import io.containerfs.testing.ProbeLayer;
import io.containerfs.testing.UnprivilegedUser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attacks IsolationIT, HostObjectsIT, DeviceNodesIT, ReadOnlyVolumesIT and NothingLostIT
 * try against a container root starts, tried again against one an ordinary user starts without
 * sudo (issue 26, #5): the user namespace must not be the only wall. Each probe is one that
 * passes where the protection is missing: the user is root inside, owns the layers and the
 * volumes, so only the capability set, the filter, the read-only and nodev mounts and the masks
 * stand between the command and what it tries.
 */
@Privileged
class RootlessIsolationIT {
    private static final Duration STARTED = Duration.ofSeconds(60);

    @TempDir
    static Path tmp;

    private static UnprivilegedUser user;
    private static Path rootfs;
    private static Path probe;
    private static Path devices;

    private List<String> mountsBefore;

    @BeforeAll
    static void aUserWithLayersOfItsOwn() throws IOException {
        user = UnprivilegedUser.create("cfsri", tmp);
        rootfs = user.ownCopy(Fixtures.alpineRootfs(), "rootfs");
        probe = user.ownCopy(ProbeLayer.get(), "probe");
        // A copy of /dev/null, made by root (the user cannot mknod), owned in the user's range as a
        // pulled layer's would be: the user's root inside could open it were the root not nodev.
        devices = user.dir("devices");
        Path nodes = Files.createDirectory(devices.resolve("devices"));
        assertEquals(0, Commands.run("mknod", nodes.resolve("null").toString(), "c", "1", "3").exitCode());
        user.chown(nodes);
        user.chown(nodes.resolve("null"));
    }

    @AfterAll
    static void removeTheUser() throws IOException {
        if (user != null) {
            user.close();
        }
    }

    @BeforeEach
    void mountTable() throws IOException {
        mountsBefore = HostMounts.snapshot();
    }

    @AfterEach
    void theHostsMountsAreUnchanged() throws IOException {
        assertEquals(mountsBefore, HostMounts.snapshot());
    }

    /** The jar as the user: OPTIONS, Alpine, the probe's layer, the device layer, WRITEDIR, --, COMMAND. */
    private static Commands.Result run(Map<String, String> env, Path writedir, List<String> options, String... command)
            throws IOException {
        return user.runJar(env, arguments(writedir, options, command));
    }

    private static Commands.Result run(List<String> options, String... command) throws IOException {
        return run(Map.of(), user.dir("w"), options, command);
    }

    private static List<String> arguments(Path writedir, List<String> options, String... command) {
        List<String> words = new ArrayList<>(List.of("--network", "none"));
        words.addAll(options);
        words.addAll(List.of(rootfs.toString(), probe.toString(), devices.toString(), writedir.toString(), "--"));
        words.addAll(List.of(command));
        return words;
    }

    private static String status(Commands.Result r, String field) {
        return r.stdout().lines().filter(l -> l.startsWith(field + ":")).map(l -> l.substring(field.length() + 1).trim())
                .findFirst().orElseThrow(() -> new AssertionError("no " + field + " in " + r));
    }

    @Test
    void theCapabilitiesAreDockersAndASeccompFilterHoldsInsideTheUserNamespace() throws IOException {
        Commands.Result r = run(List.of(), "cat", "/proc/self/status");

        assertEquals(0, r.exitCode(), r::toString);
        assertEquals("0", status(r, "Uid").split("\\s+")[0], "root inside: what bounds it is not its uid");
        assertEquals(IsolationIT.DOCKER_DEFAULT_CAPABILITIES, status(r, "CapEff"));
        assertEquals(IsolationIT.DOCKER_DEFAULT_CAPABILITIES, status(r, "CapBnd"), "dropped from the bounding set");
        assertEquals("0000000000000000", status(r, "CapAmb"));
        assertEquals("2", status(r, "Seccomp"), "filter mode");
    }

    /**
     * Every call the root path's filter refuses is refused here too, with the same error; only
     * mknod of a block device differs: the kernel refuses it in a user namespace whatever the
     * capabilities, where root's container gets it and the device cgroup refuses the open.
     */
    @Test
    void everyCallRefusedWithRootIsRefusedAsTheUser() throws IOException {
        List<String> command = new ArrayList<>(List.of("probe"));
        command.addAll(IsolationIT.REFUSED.keySet());
        Commands.Result r = run(List.of(), command.toArray(String[]::new));

        assertEquals(0, r.exitCode(), r::toString);
        Map<String, String> answers = new LinkedHashMap<>();
        r.stdout().lines().map(l -> l.split(" ")).forEach(w -> answers.put(w[0], w[1]));
        Map<String, String> expected = new LinkedHashMap<>(IsolationIT.REFUSED);
        expected.put("mknod_block", "EPERM");
        assertEquals(expected, answers);
    }

    /** The filter is what refuses: unconfined, the same calls reach the kernel (each harmless here). */
    @Test
    void unconfinedTheSameProbeGetsPastTheFilter() throws IOException {
        Commands.Result r = run(List.of("--security-opt", "seccomp=unconfined"), "probe", "io_uring_setup",
                "modify_ldt", "personality");

        assertEquals(0, r.exitCode(), r::toString);
        assertFalse(r.stdout().contains("EPERM"), "the filter was what refused them: " + r);
    }

    /**
     * --privileged, the escape hatch, loosens what the probes above look at: each could fail. The
     * kernel still refuses what a user namespace never gets (a device node opened, /sys written).
     */
    @Test
    void privilegedLoosensWhatTheProbesLookAt() throws IOException {
        Commands.Result r = run(List.of("--privileged"), "sh", "-c",
                "grep -E '^(CapBnd|Seccomp):' /proc/self/status; probe modify_ldt unshare mount;"
                        + " grep -c ' /proc/sys ' /proc/self/mountinfo; true < /devices/null 2>/dev/null || echo node-shut;"
                        + " echo x > /sys/kernel/uevent_helper 2>/dev/null || echo sys-shut");

        long bounding = Long.parseUnsignedLong(status(r, "CapBnd"), 16);
        assertTrue((bounding & 1L << 21) != 0, "CAP_SYS_ADMIN is in the bounding set: " + r);
        assertEquals("Seccomp:\t0\nmodify_ldt OK\nunshare OK\nmount OK\n0\nnode-shut\nsys-shut\n",
                r.stdout().substring(r.stdout().indexOf("Seccomp:")), r::toString);
    }

    @Test
    void theKernelsSettingsAreReadOnlyAndItsSecretsMasked() throws IOException {
        boolean sysrq = Files.exists(Path.of("/proc/sysrq-trigger"));
        Commands.Result r = run(List.of(), "sh", "-c", String.join("; ",
                "echo evil > /proc/sys/kernel/domainname",
                "test ! -e /proc/sysrq-trigger || echo h > /proc/sysrq-trigger",
                "echo x > /sys/kernel/uevent_helper",
                "mount -o remount,rw /sys",
                "mount -o remount,rw /proc/sys",
                "ls -A /sys/firmware | wc -l",
                "test ! -e /proc/timer_list || wc -c < /proc/timer_list",
                "grep -E ' /(sys|proc/sys|proc/sysrq-trigger) ' /proc/self/mountinfo | grep -c ' ro,'"));

        assertTrue(r.stderr().contains("can't create /proc/sys/kernel/domainname: Read-only file system"), r::toString);
        assertEquals(sysrq, r.stderr().contains("can't create /proc/sysrq-trigger: Read-only file system"), r::toString);
        assertTrue(r.stderr().contains("can't create /sys/kernel/uevent_helper: Read-only file system"), r::toString);
        assertTrue(r.stderr().contains("mount: permission denied"), r::toString);
        assertEquals(List.of("0", "0", sysrq ? "3" : "2"), r.stdout().lines().map(String::trim).toList(),
                "an empty /sys/firmware and /proc/timer_list, read-only /sys and /proc/sys: " + r);
    }

    @Test
    void theInitAndTheCommandHoldNoDescriptorOrEnvironmentOfTheHost() throws IOException {
        Map<String, String> secret = Map.of("CFS_TEST_SECRET", "hunter2");
        Path writedir = user.dir("w");
        Commands.Result init = run(secret, writedir, List.of("--init", "-e", "VISIBLE=yes"), "sh", "-c",
                "ls /proc/1/fd; echo ---; tr '\\0' '\\n' < /proc/1/environ; echo ---; readlink /proc/1/exe;"
                        + " ls /proc/$$/fd; tr '\\0' '\\n' < /proc/$$/environ");

        assertEquals(0, init.exitCode(), init::toString);
        String[] parts = init.stdout().split("---\n");
        assertEquals("0\n1\n2\n", parts[0], "the small init holds 0-2 alone: " + init);
        assertTrue(parts[1].contains("VISIBLE=yes\n"), init::toString);
        assertTrue(parts[2].startsWith("/memfd:container-fs-init"), "PID 1 is no file of the host: " + init);
        assertTrue(parts[2].lines().skip(1).limit(3).toList().equals(List.of("0", "1", "2")), init::toString);
        assertFalse(init.stdout().contains("hunter2"), "the caller's environment stayed outside: " + init);

        Commands.Result plain = run(secret, user.dir("w"), List.of(), "sh", "-c",
                "ls /proc/1/fd; tr '\\0' '\\n' < /proc/1/environ");
        assertEquals(0, plain.exitCode(), plain::toString);
        assertTrue(plain.stdout().startsWith("0\n1\n2\n"), plain::toString);
        assertFalse(plain.stdout().lines().anyMatch(l -> l.matches("[0-9]+") && Integer.parseInt(l) > 2), plain::toString);
        assertFalse(plain.stdout().contains("hunter2"), plain::toString);
    }

    /**
     * The user owns the layer's node (its root inside would pass any permission check) and could
     * open /dev/null on the host: only nodev keeps it shut.
     */
    @Test
    void aLayersDeviceNodeDoesNotOpen() throws IOException {
        Commands.Result r = run(List.of(), "sh", "-c",
                "stat -c '%F %t:%T %u' /devices/null; if true < /devices/null; then echo opened; else echo refused; fi;"
                        + " echo x > /devices/null && echo wrote; true < /dev/null && echo dev-ok");

        assertEquals("character special file 1:3 0\nrefused\ndev-ok\n", r.stdout(), r::toString);
        assertTrue(r.stderr().contains("Permission denied"), r::toString);
    }

    /** A volume of the user's, with a tmpfs of the user's under it and one under that: :ro holds in each. */
    @Test
    void aReadOnlyVolumeIsReadOnlyInEverySubmount() throws IOException {
        Path source = user.dir("volume");
        Path sub = Files.createDirectory(source.resolve("sub"));
        Path deeper = sub.resolve("deeper");
        List<Path> mounted = new ArrayList<>();
        try {
            mountTmpfs(sub, mounted);
            Files.createDirectory(deeper);
            mountTmpfs(deeper, mounted);

            Commands.Result r = run(List.of("-v", source + ":/data:ro"), "sh", "-c",
                    "for f in /data/x /data/sub/x /data/sub/deeper/x; do touch $f 2>/dev/null && echo wrote $f; done;"
                            + " mount -o remount,rw /data/sub 2>/dev/null && echo remounted;"
                            + " grep ' /data' /proc/self/mountinfo | cut -d' ' -f5,6");

            assertEquals(0, r.exitCode(), r::toString);
            List<String> lines = r.stdout().lines().toList();
            assertEquals(List.of("/data", "/data/sub", "/data/sub/deeper"), lines.stream().map(l -> l.split(" ")[0]).toList(),
                    "nothing written, nothing remounted: " + r);
            lines.forEach(l -> assertTrue(List.of(l.split(" ")[1].split(",")).containsAll(List.of("ro", "nodev")), l));

            Commands.Result writable = run(List.of("-v", source + ":/data"), "touch", "/data/sub/deeper/x");
            assertEquals(0, writable.exitCode(), "without :ro the user's root writes there: " + writable);
            assertTrue(Files.exists(deeper.resolve("x")));
        } finally {
            for (Path dir : mounted) {
                Commands.run("umount", dir.toString());
            }
        }
    }

    private void mountTmpfs(Path dir, List<Path> mounted) {
        Commands.Result r = Commands.run("mount", "-t", "tmpfs", "-o", "size=64k,uid=" + user.uid() + ",gid=" + user.uid(),
                "cfs-it-rootless", dir.toString());
        assertEquals(0, r.exitCode(), r::toString);
        mounted.add(0, dir);
    }

    /** The host's device nodes a container without root gets by bind mount (it cannot mknod), masks included. */
    private static final List<String> HOST_NODES = List.of("/null", "/zero", "/full", "/random", "/urandom", "/tty");

    /**
     * What the container can write: the root (WRITEDIR), filesystems of its own (its /proc, its
     * /dev), the harmless host nodes above; no mount of the host's, /sys included, is writable.
     */
    @Test
    void nothingOfTheHostIsWritableButWritedirAndVolumes() throws IOException {
        Commands.Result r = run(List.of(), "sh", "-c",
                "awk '{print $5, $6, $(NF - 2), $4}' /proc/self/mountinfo | while read point options type root; do"
                        + " case $options in ro,*|ro) continue;; esac; echo \"$point $type $root\"; done");

        assertEquals(0, r.exitCode(), r::toString);
        List<String> points = new ArrayList<>();
        for (String line : r.stdout().lines().toList()) {
            String[] f = line.split(" ");
            points.add(f[0]);
            boolean containersOwn = f[0].equals("/") && f[1].equals("overlay") || f[0].equals("/proc") && f[1].equals("proc")
                    || f[0].startsWith("/dev") && List.of("tmpfs", "devpts", "mqueue").contains(f[1])
                    || f[1].equals("devtmpfs") && HOST_NODES.contains(f[2]);
            assertTrue(containersOwn, "a writable mount of the host's: " + line + " in " + r);
        }
        assertTrue(points.containsAll(List.of("/", "/proc", "/dev")), r::toString);
        assertTrue(points.stream().noneMatch(p -> p.startsWith("/sys")), "/sys and below are read-only: " + r);
    }

    @Test
    void aSecondContainerOnTheSameWritedirIsRefusedInOneLine() throws Exception {
        Path writedir = user.dir("w");
        Map<String, String> env = Map.of("TMPDIR", user.dir("run-tmp").toString());
        try (LiveProcess first = new LiveProcess(user.command(user.jarCommand(arguments(writedir, List.of(), "sh", "-c",
                "echo started; read x"))), env)) {
            first.awaitOutput("started", STARTED);

            Commands.Result second = run(Map.of(), writedir, List.of(), "sh", "-c", "echo second > /f");

            assertEquals(125, second.exitCode(), second::toString);
            assertTrue(second.stderr().matches("container-fs: `" + writedir + "` is in use by the container of process"
                    + " [0-9]+: two containers on one WRITEDIR or work directory lose writes; wait for it to end or use"
                    + " another\n"), second::toString);
            assertTrue(Files.notExists(writedir.resolve("f")), "the second container ran");
            first.type("\n");
            assertEquals(0, first.waitFor(STARTED), first::output);
        }
        assertEquals(0, run(Map.of(), writedir, List.of(), "true").exitCode(), "the lock was released");
    }

    @Test
    void killedWithSigkillTheFrontEndLeavesNoContainer() throws Exception {
        killTheFrontEndAndFindNothingLeft(List.of(), "sleep 300");
    }

    @Test
    void killedWithSigkillTheFrontEndLeavesNoContainerRunAsAnotherUser() throws Exception {
        killTheFrontEndAndFindNothingLeft(List.of("-u", "1000"), "sleep 300");
    }

    /** An entrypoint that changes uid (su, gosu) loses its parent-death signal: the watchdog still ends it. */
    @Test
    void killedWithSigkillTheFrontEndLeavesNoContainerThatSwitchedUser() throws Exception {
        killTheFrontEndAndFindNothingLeft(List.of(), "exec su -s /bin/sh nobody -c 'id -u; sleep 300; : MARK'");
    }

    /**
     * Starts SCRIPT (MARK in it replaced by a fresh marker, which the container's processes carry
     * in their command lines) with OPTIONS, kills the JVM with SIGKILL once it runs, and waits
     * for every process with the marker to be gone; the next run on WRITEDIR finds no lock.
     */
    private void killTheFrontEndAndFindNothingLeft(List<String> options, String script) throws Exception {
        String marker = "marker-" + UUID.randomUUID();
        Path writedir = user.dir("w");
        Map<String, String> env = Map.of("TMPDIR", user.dir("run-tmp").toString());
        String command = "echo started; " + (script.contains("MARK") ? script.replace("MARK", marker)
                : script + "; : " + marker);
        try (LiveProcess first = new LiveProcess(user.command(user.jarCommand(arguments(writedir, options, "sh", "-c",
                command))), env)) {
            first.awaitOutput("started", STARTED);
            assertTrue(waitFor(() -> withMarker(marker) > 0, STARTED), first::output);
            first.signal("KILL"); // setpriv and env exec'd: this is the JVM
            first.waitFor(STARTED);
            assertTrue(waitFor(() -> withMarker(marker) == 0, Duration.ofSeconds(10)),
                    () -> "left running: " + user.processes() + Commands.run("ps", "-eo", "pid,user,args").stdout());
        }
        Commands.Result next = run(Map.of(), writedir, List.of(), "true");
        assertEquals(0, next.exitCode(), "no stale lock: " + next);
    }

    /** Live processes whose command line holds MARKER, whoever's (the container's ids are the range's). */
    private static int withMarker(String marker) {
        int n = 0;
        try (Stream<Path> all = Files.list(Path.of("/proc"))) {
            for (Path p : all.filter(p -> p.getFileName().toString().matches("[0-9]+")).toList()) {
                try {
                    String cmdline = Files.readString(p.resolve("cmdline"));
                    String stat = Files.readString(p.resolve("stat"));
                    boolean zombie = stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
                    if (cmdline.contains(marker) && !zombie) {
                        n++;
                    }
                } catch (IOException gone) {
                    // ended between the listing and the read
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return n;
    }

    private static boolean waitFor(java.util.function.BooleanSupplier condition, Duration limit)
            throws InterruptedException {
        Instant end = Instant.now().plus(limit);
        while (Instant.now().isBefore(end)) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(100);
        }
        return condition.getAsBoolean();
    }
}
