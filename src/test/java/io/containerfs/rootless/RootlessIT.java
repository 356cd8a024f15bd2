package io.containerfs.rootless;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Commands;
import io.containerfs.testing.ContainerFs;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.HostMounts;
import io.containerfs.testing.Privileged;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * container-fs run by an ordinary user, without sudo (issue 26): the test runs as root, creates
 * two users of its own (one with ranges in /etc/subuid and /etc/subgid, one without), gives them
 * a copy of the jar and of the layers, and runs container-fs as each through setpriv. The layers
 * are owned as a rootless pull would leave them: the image's 0 is the user, its n the range's
 * n - 1, so inside they show the image's owners. Everything made is removed afterwards: the
 * users, their ranges, their state directories.
 */
@Privileged
class RootlessIT {
    private static final int RANGE = 65536;

    @TempDir
    static Path tmp;

    private static String ranged;
    private static String single;
    private static int rangeBase;
    private static Path jar;
    private static Path rootfs;
    private static Path app;
    private static Path singleRootfs; // the user without a range: every file its own

    @BeforeAll
    static void makeUsersAndLayers() throws IOException {
        String suffix = Long.toString(System.nanoTime() % 1_000_000_000L, 36);
        ranged = "cfsrl" + suffix;
        single = "cfsrs" + suffix;
        // No automatic ranges (Debian's useradd adds some): the test writes its own, and removes them.
        check(Commands.run("useradd", "-m", "-K", "SUB_UID_COUNT=0", "-K", "SUB_GID_COUNT=0", ranged));
        check(Commands.run("useradd", "-m", "-K", "SUB_UID_COUNT=0", "-K", "SUB_GID_COUNT=0", single));
        rangeBase = 300_000 + ThreadLocalRandom.current().nextInt(1000) * RANGE;
        String line = ranged + ":" + rangeBase + ":" + RANGE + "\n";
        Files.writeString(Path.of("/etc/subuid"), line, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
        Files.writeString(Path.of("/etc/subgid"), line, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);

        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        jar = Files.copy(Fixtures.jar(), tmp.resolve("container-fs.jar"));
        Files.copy(Fixtures.cProgram(), tmp.resolve("container-fs"));
        rootfs = tmp.resolve("rootfs");
        app = tmp.resolve("app");
        check(Commands.run("cp", "-a", Fixtures.alpineRootfs().toString(), rootfs.toString()));
        check(Commands.run("cp", "-a", Fixtures.appLayer().toString(), app.toString()));
        ownAsRootlessPull(rootfs, uid(ranged));
        ownAsRootlessPull(app, uid(ranged));
        singleRootfs = tmp.resolve("single-rootfs");
        check(Commands.run("cp", "-a", Fixtures.alpineRootfs().toString(), singleRootfs.toString()));
        check(Commands.run("chown", "-R", "--no-dereference", single + ":" + single, singleRootfs.toString()));
    }

    @AfterAll
    static void removeUsers() throws IOException {
        for (String file : List.of("/etc/subuid", "/etc/subgid")) {
            List<String> kept = Files.readAllLines(Path.of(file)).stream()
                    .filter(l -> !l.startsWith(ranged + ":") && !l.startsWith(single + ":"))
                    .toList();
            Files.writeString(Path.of(file), kept.isEmpty() ? "" : String.join("\n", kept) + "\n");
        }
        for (String user : new String[] {ranged, single}) {
            if (user != null) {
                int uid = uid(user);
                Commands.run("rm", "-rf", "/tmp/container-fs-" + uid);
                Commands.run("userdel", "-r", user);
            }
        }
    }

    private static void check(Commands.Result r) {
        assertEquals(0, r.exitCode(), r::toString);
    }

    private static int uid(String user) {
        Commands.Result r = Commands.run("id", "-u", user);
        check(r);
        return Integer.parseInt(r.stdout().trim());
    }

    /** The image's id 0 is the user, n the range's n - 1, as podman's rootless storage owns them. */
    private static void ownAsRootlessPull(Path tree, int user) throws IOException {
        try (Stream<Path> all = Files.walk(tree)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                int u = (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
                int g = (Integer) Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(p, "unix:uid", u == 0 ? user : rangeBase + u - 1, LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(p, "unix:gid", g == 0 ? user : rangeBase + g - 1, LinkOption.NOFOLLOW_LINKS);
            }
        }
    }

    /** A WRITEDIR and a TMPDIR of the user's own, for one run. */
    private static Path userDir(String user, String name) throws IOException {
        Path home = tmp.resolve("of-" + user); // the work directory is made beside WRITEDIR: the user's too
        if (!Files.isDirectory(home)) {
            Files.createDirectory(home);
            check(Commands.run("chown", user + ":" + user, home.toString()));
        }
        Path dir = Files.createDirectory(home.resolve(name + "-" + ThreadLocalRandom.current().nextInt(1 << 30)));
        check(Commands.run("chown", user + ":" + user, dir.toString()));
        return dir;
    }

    /** The words that run PROGRAM as the user, with its own HOME and no root's runtime directory. */
    private static List<String> asUser(String user, List<String> program) {
        List<String> command = new ArrayList<>(List.of("setpriv", "--reuid=" + user, "--regid=" + user,
                "--init-groups", "--", "env", "-u", "XDG_RUNTIME_DIR", "HOME=/home/" + user));
        command.addAll(program);
        return command;
    }

    private static List<String> jar() {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString());
    }

    /** container-fs (the jar, or the plain C front end) as USER, on rootfs and app, with a WRITEDIR of its own. */
    private static Commands.Result run(String user, List<String> frontEnd, Path writedir, List<String> options,
            String... command) throws IOException {
        List<Path> layers = user.equals(single) ? List.of(singleRootfs) : List.of(rootfs, app);
        return run(user, frontEnd, layers, writedir, options, command);
    }

    private static Commands.Result run(String user, List<String> frontEnd, List<Path> layers, Path writedir,
            List<String> options, String... command) throws IOException {
        return run(Map.of(), user, frontEnd, layers, writedir, options, command);
    }

    /** The same with ENV added to the front end's environment. */
    private static Commands.Result run(Map<String, String> env, String user, List<String> frontEnd, List<Path> layers,
            Path writedir, List<String> options, String... command) throws IOException {
        Path runTmp = userDir(user, "run-tmp");
        List<String> words = new ArrayList<>(frontEnd);
        words.addAll(options);
        for (Path layer : layers) {
            words.add(layer.toString());
        }
        words.addAll(List.of(writedir.toString(), "--"));
        words.addAll(List.of(command));
        Map<String, String> environment = new java.util.HashMap<>(env);
        environment.put("TMPDIR", runTmp.toString());
        Commands.Result r = Commands.run(tmp, null, asUser(user, words), environment);
        try (Stream<Path> left = Files.list(runTmp)) {
            assertEquals(List.of(), left.toList(), "nothing left in TMPDIR");
        }
        return r;
    }

    private static Commands.Result run(String user, Path writedir, String... command) throws IOException {
        return run(user, jar(), writedir, List.of("--network", "none"), command);
    }

    @Test
    void theUserIsRootInsideAndOwnsWhatItMakes() throws IOException {
        Path writedir = userDir(ranged, "w");
        List<String> before = HostMounts.snapshot();

        Commands.Result r = run(ranged, writedir, "sh", "-c",
                "id -u; stat -c %u:%g /etc/shadow; touch /made /made2 && chown 1000:1000 /made2");

        assertEquals(0, r.exitCode(), r::toString);
        assertEquals("0\n0:42\n", r.stdout(), "root inside; the image's owners of /etc/shadow");
        assertEquals("", r.stderr(), "ranges: no warning");
        assertEquals(uid(ranged), Files.getAttribute(writedir.resolve("made"), "unix:uid", LinkOption.NOFOLLOW_LINKS));
        assertEquals(rangeBase + 999, Files.getAttribute(writedir.resolve("made2"), "unix:uid", LinkOption.NOFOLLOW_LINKS),
                "uid 1000 inside is the range's 1000th id outside");
        assertEquals(before, HostMounts.snapshot());
        try (Stream<Path> left = Files.list(writedir.getParent())) {
            assertEquals(List.of(), left.filter(p -> p.getFileName().toString().startsWith(".container-fs")).toList());
        }
    }

    @Test
    void fibRunsFromBothFrontEnds() throws IOException {
        Commands.Result jarRun = run(ranged, userDir(ranged, "w"), "fib");
        assertEquals(0, jarRun.exitCode(), jarRun::toString);
        assertEquals(Fixtures.FIB_OUTPUT, jarRun.stdout());

        Commands.Result c = run(ranged, List.of(tmp.resolve("container-fs").toString()), userDir(ranged, "w"),
                List.of("--network", "none"), "sh", "-c", "id -u; fib");
        assertEquals(0, c.exitCode(), c::toString);
        assertEquals("0\n" + Fixtures.FIB_OUTPUT, c.stdout());
    }

    @Test
    void capabilitiesAreDockersSetAndTheKernelFilesMasked() throws IOException {
        Commands.Result r = run(ranged, userDir(ranged, "w"), "sh", "-c",
                "grep CapBnd /proc/self/status; grep Seccomp: /proc/self/status; cat /proc/timer_list | wc -c;"
                        + " echo x > /proc/sys/kernel/hostname && echo wrote");
        assertEquals("CapBnd:\t00000000a80425fb\nSeccomp:\t2\n0\n", r.stdout(), r::toString);
    }

    /**
     * This host's (Debian 12's hybrid cgroups: v1 controllers, an empty cgroup2): no cgroup v2 to
     * delegate. Where one is delegated the limits work: scripts/vm-suite.sh, rootless-delegated-*.
     */
    private static final String NO_DELEGATED_CGROUP = "container-fs: cgroup limits and --stats need root, or a"
            + " cgroup v2 subtree delegated to the user: this host's controllers are cgroup v1's (/sys/fs/cgroup is"
            + " no cgroup2 mount), which only root may use; run it with sudo, in a delegated cgroup (systemd-run"
            + " --user --scope -p Delegate=yes), or without the limits\n";

    @Test
    void rootOnlyOptionsAreRefusedInOneLine() throws IOException {
        Path writedir = userDir(ranged, "w");
        Map<List<String>, String> refused = Map.of(
                List.of("--memory", "32m"), NO_DELEGATED_CGROUP,
                List.of("--pids-limit", "10"), NO_DELEGATED_CGROUP,
                List.of("--device", "/dev/null"), "container-fs: --device needs root: a host device in the"
                        + " container needs root's cgroup device rules; run it with sudo\n",
                List.of("--network", "host"), "container-fs: --network host needs root: without it the"
                        + " container's /sys is the host's network namespace's; use --network private (the"
                        + " default) or none, or run it with sudo\n");
        for (Map.Entry<List<String>, String> e : refused.entrySet()) {
            Commands.Result r = run(ranged, jar(), writedir, e.getKey(), "true");
            assertEquals(125, r.exitCode(), r::toString);
            assertEquals(e.getValue(), r.stderr(), e.getKey()::toString);
        }
        try (Stream<Path> left = Files.list(writedir)) {
            assertEquals(List.of(), left.toList(), "nothing made");
        }
    }

    @Test
    void aLayerWithOwnersOutsideTheMapIsRefusedByName() throws IOException {
        Path rootOwned = tmp.resolve("root-owned-app"); // as root extracts it: uid 0 is no id of the user's
        check(Commands.run("cp", "-a", Fixtures.appLayer().toString(), rootOwned.toString()));
        Path writedir = userDir(ranged, "w");

        Commands.Result r = run(ranged, jar(), List.of(rootfs, rootOwned), writedir, List.of("--network", "none"), "fib");

        assertEquals(125, r.exitCode(), r::toString);
        assertEquals("container-fs: `" + rootOwned + "` is owned by uid 0, which the container's user namespace"
                + " does not map (your id and your range of /etc/subuid and /etc/subgid): a layer run without root"
                + " must be yours, as pull run by you extracts it; chown it, or run it with sudo\n", r.stderr());
        try (Stream<Path> left = Files.list(writedir.getParent())) {
            assertEquals(List.of(), left.filter(p -> p.getFileName().toString().startsWith(".container-fs")).toList());
        }
    }

    @Test
    void thePrivateNetworkNeedsATunDeviceTheUserMayOpen() throws IOException {
        Commands.Result r = run(ranged, jar(), userDir(ranged, "w"), List.of(), "sh", "-c", "ip -o link show tap0 | wc -l");
        Commands.Result mayOpen = Commands.run(asUser(ranged, List.of("sh", "-c", "test -r /dev/net/tun -a -w /dev/net/tun")).toArray(String[]::new));
        if (mayOpen.exitCode() == 0) {
            assertEquals(0, r.exitCode(), r::toString);
            assertEquals("1\n", r.stdout());
        } else {
            assertEquals(125, r.exitCode(), r::toString);
            assertTrue(r.stderr().startsWith("container-fs: --network private needs /dev/net/tun open to the user"),
                    r::toString);
        }
    }

    @Test
    void withoutRangesTheUserAloneIsMappedAndItSaysSo() throws IOException {
        Path writedir = userDir(single, "w");
        Commands.Result r = run(single, writedir, "sh", "-c", "id -u; cat /proc/self/uid_map | wc -l; touch /made");

        assertEquals(0, r.exitCode(), r::toString);
        assertEquals("0\n1\n", r.stdout());
        assertEquals("container-fs: no range for " + single + " in /etc/subuid and /etc/subgid (or no newuidmap and"
                + " newgidmap: the uidmap package): the container maps your own id alone to root, so files owned by"
                + " other ids show as nobody and no other user can be used inside\n", r.stderr());
        assertEquals(uid(single), Files.getAttribute(writedir.resolve("made"), "unix:uid", LinkOption.NOFOLLOW_LINKS));

        Commands.Result other = run(single, jar(), userDir(single, "w"), List.of("--network", "none", "-u", "1000"), "true");
        assertEquals(125, other.exitCode(), other::toString);
        assertTrue(other.stderr().endsWith("container-fs: -u needs ids beyond your own inside: add a range for this"
                + " user to /etc/subuid and /etc/subgid (usermod --add-subuids and --add-subgids) and install"
                + " newuidmap (the uidmap package)\n"), other::toString);
    }

    @Test
    void nothingIsLeftRunningAfterKillMinus9OfTheFrontEnd() throws Exception {
        killTheFrontEndAndFindNothingLeft(Map.of());
    }

    @Test
    void fuseOverlayfsEndsWithTheContainerAfterKillMinus9OfTheFrontEnd() throws Exception {
        String mode = devFuseMode("rw-rw-rw-");
        try {
            killTheFrontEndAndFindNothingLeft(FUSE);
        } finally {
            devFuseMode(mode);
        }
    }

    private void killTheFrontEndAndFindNothingLeft(Map<String, String> env) throws Exception {
        Path writedir = userDir(ranged, "w");
        Path runTmp = userDir(ranged, "run-tmp");
        List<String> before = HostMounts.snapshot();
        List<String> words = new ArrayList<>(jar());
        words.addAll(List.of("--network", "none", rootfs.toString(), app.toString(), writedir.toString(), "--",
                "sh", "-c", "sleep 1000 & sleep 999"));
        ProcessBuilder pb = new ProcessBuilder(asUser(ranged, words)).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("kill.log").toFile());
        pb.environment().put("TMPDIR", runTmp.toString());
        pb.environment().putAll(env);
        Process frontEnd = pb.start();
        try {
            assertTrue(waitFor(() -> userProcesses("sleep") == 2, Duration.ofSeconds(60)),
                    () -> "the container started: " + read(tmp.resolve("kill.log")));
            frontEnd.destroyForcibly(); // SIGKILL: setpriv and env exec'd, so this is the JVM
            frontEnd.waitFor();
            assertTrue(waitFor(() -> userProcesses("") == 0, Duration.ofSeconds(10)),
                    () -> "left running: " + Commands.run("ps", "-u", ranged, "-o", "pid,stat,args").stdout());
            assertEquals(before, HostMounts.snapshot());
        } finally {
            frontEnd.destroyForcibly();
            // Whatever is left, by pid: only this test runs as its own user.
            for (String pid : Commands.run("ps", "-u", ranged, "-o", "pid=").stdout().trim().split("\\s+")) {
                if (!pid.isEmpty()) {
                    Commands.run("kill", "-KILL", pid);
                }
            }
        }
    }

    /** fuse-overlayfs in place of the kernel's overlayfs, which this kernel could mount. */
    private static final Map<String, String> FUSE = Map.of("CONTAINERFS_OVERLAY", "fuse");

    /**
     * Sets /dev/fuse's permissions (udev makes it rw-rw-rw-; a machine without udev may keep it
     * rw-------), returning the old ones for the test to put back.
     */
    private static String devFuseMode(String permissions) throws IOException {
        Path device = Path.of("/dev/fuse");
        String old = PosixFilePermissions.toString(Files.getPosixFilePermissions(device));
        Files.setPosixFilePermissions(device, PosixFilePermissions.fromString(permissions));
        return old;
    }

    @Test
    void fuseOverlayfsMountsTheRootWithTheImagesOwners() throws Exception {
        Path writedir = userDir(ranged, "w");
        List<String> before = HostMounts.snapshot();
        String mode = devFuseMode("rw-rw-rw-");
        try {
            Commands.Result r = run(FUSE, ranged, jar(), List.of(rootfs, app), writedir, List.of("--network", "none"),
                    "sh", "-c", "id -u; stat -c %u:%g /etc/shadow; awk '$5 == \"/\" {print $(NF - 2)}' /proc/self/mountinfo;"
                            + " touch /made /made2 && chown 1000:1000 /made2 && rm /etc/motd");
            assertEquals(0, r.exitCode(), r::toString);
            assertEquals("0\n0:42\nfuse.fuse-overlayfs\n", r.stdout(), "root inside, the image's owners, fuse's root");
            assertEquals("", r.stderr(), "what fuse-overlayfs says when it works is not the user's");
            assertEquals(uid(ranged), Files.getAttribute(writedir.resolve("made"), "unix:uid", LinkOption.NOFOLLOW_LINKS));
            assertEquals(rangeBase + 999, Files.getAttribute(writedir.resolve("made2"), "unix:uid",
                    LinkOption.NOFOLLOW_LINKS));
            assertTrue(waitFor(() -> userProcesses("fuse-overlayfs") == 0, Duration.ofSeconds(10)),
                    () -> "fuse-overlayfs ended with the container: " + Commands.run("ps", "-u", ranged, "-o",
                            "pid,stat,args").stdout());
            assertEquals(before, HostMounts.snapshot());

            // WRITEDIR is the kernel's format (a whiteout for /etc/motd): the kernel's overlayfs reads it.
            Commands.Result kernel = run(ranged, writedir, "sh", "-c", "test -e /etc/motd || echo gone; ls /made2");
            assertEquals("gone\n/made2\n", kernel.stdout(), kernel::toString);

            Commands.Result c = run(FUSE, ranged, List.of(tmp.resolve("container-fs").toString()), List.of(rootfs, app),
                    userDir(ranged, "w"), List.of("--network", "none"), "sh", "-c", "id -u; fib");
            assertEquals(0, c.exitCode(), c::toString);
            assertEquals("0\n" + Fixtures.FIB_OUTPUT, c.stdout());
        } finally {
            devFuseMode(mode);
        }
    }

    @Test
    void fuseOverlayfsNeedsItsProgramAndDevFuseOpenToTheUser() throws IOException {
        Path writedir = userDir(ranged, "w");
        String mode = devFuseMode("rw-------");
        try {
            Commands.Result closed = run(FUSE, ranged, jar(), List.of(rootfs, app), writedir,
                    List.of("--network", "none"), "true");
            assertEquals(125, closed.exitCode(), closed::toString);
            assertEquals("container-fs: fuse-overlayfs needs /dev/fuse readable and writable by the user"
                    + " (crw-rw-rw-, as udev makes it): Permission denied; ask root to load the fuse module and"
                    + " chmod 666 /dev/fuse, or run it with sudo\n", closed.stderr());

            devFuseMode("rw-rw-rw-");
            Path bin = tmp.resolve("bin-without-fuse-overlayfs"); // what setpriv and the id map need, no more
            if (!Files.isDirectory(bin)) {
                Files.createDirectory(bin);
                for (String program : List.of("env", "newuidmap", "newgidmap")) {
                    Files.createSymbolicLink(bin.resolve(program),
                            Path.of(Commands.run("which", program).stdout().trim()));
                }
            }
            Map<String, String> noProgram = Map.of("CONTAINERFS_OVERLAY", "fuse", "PATH", bin.toString());
            Commands.Result missing = run(noProgram, ranged, jar(), List.of(rootfs, app), writedir,
                    List.of("--network", "none"), "true");
            assertEquals(125, missing.exitCode(), missing::toString);
            assertEquals("container-fs: CONTAINERFS_OVERLAY=fuse asks for fuse-overlayfs, which is not in PATH:"
                    + " install it (apt-get install fuse-overlayfs)\n", missing.stderr());

            Commands.Result wrong = run(Map.of("CONTAINERFS_OVERLAY", "fuse3"), ranged, jar(), List.of(rootfs, app),
                    writedir, List.of("--network", "none"), "true");
            assertEquals(125, wrong.exitCode(), wrong::toString);
            assertEquals("container-fs: CONTAINERFS_OVERLAY is `fuse3`: it takes fuse (fuse-overlayfs mounts the"
                    + " root even where the kernel's overlayfs could), or nothing\n", wrong.stderr());
        } finally {
            devFuseMode(mode);
        }
        try (Stream<Path> left = Files.list(writedir)) {
            assertEquals(List.of(), left.toList(), "nothing made");
        }
    }

    /** pull as the user: DIR and its tarball, both the user's to read and write. */
    private static Commands.Result pull(String user, String... arguments) {
        List<String> words = new ArrayList<>(jar());
        words.add("pull");
        words.addAll(List.of(arguments));
        return Commands.run(tmp, null, asUser(user, words), Map.of());
    }

    @Test
    void pullAsTheUserGivesTheArchivesOwnersFromItsRange() throws IOException {
        Path tarball = Files.copy(Fixtures.alpineTarball(), userDir(ranged, "tarball").resolve(Fixtures.TARBALL));
        Files.setPosixFilePermissions(tarball, PosixFilePermissions.fromString("rw-r--r--"));
        Path pulled = userDir(ranged, "pulled").resolve("rootfs");

        Commands.Result r = pull(ranged, "-q", "--file", tarball.toString(), pulled.toString());

        assertEquals(0, r.exitCode(), r::toString);
        assertEquals("", r.stderr(), "a range: nothing to say");
        Path shadow = pulled.resolve("etc/shadow");
        assertEquals(uid(ranged), Files.getAttribute(shadow, "unix:uid", LinkOption.NOFOLLOW_LINKS), "root's: the user");
        assertEquals(rangeBase + 41, Files.getAttribute(shadow, "unix:gid", LinkOption.NOFOLLOW_LINKS),
                "group 42 (shadow): the range's 42nd id");
        assertEquals(0640, (Integer) Files.getAttribute(shadow, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777);

        Commands.Result inside = run(ranged, jar(), List.of(pulled, app), userDir(ranged, "w"),
                List.of("--network", "none"), "sh", "-c", "stat -c %u:%g /etc/shadow; fib");
        assertEquals(0, inside.exitCode(), inside::toString);
        assertEquals("0:42\n" + Fixtures.FIB_OUTPUT, inside.stdout(), "the image's owners inside");
    }

    @Test
    void aPullWhoseOwnersTheRangeCannotHoldLeavesNothing() throws IOException {
        // A directory of id 5 (the range's, which the user alone could not remove from), then a
        // file of id 70000, beyond the range of 65536.
        Path source = Files.createDirectories(tmp.resolve("beyond-range/d"));
        Files.writeString(source.resolve("f"), "x");
        Files.writeString(source.getParent().resolve("bad"), "y");
        Path archive = tmp.resolve("beyond-range.tar");
        check(Commands.run("tar", "-C", source.getParent().toString(), "--numeric-owner", "--owner=5", "--group=5",
                "-cf", archive.toString(), "./d"));
        check(Commands.run("tar", "-C", source.getParent().toString(), "--numeric-owner", "--owner=70000",
                "--group=0", "-rf", archive.toString(), "./bad"));
        Files.setPosixFilePermissions(archive, PosixFilePermissions.fromString("rw-r--r--"));
        Path parent = userDir(ranged, "pulled");

        Commands.Result r = pull(ranged, "-q", "--file", archive.toString(), parent.resolve("rootfs").toString());

        assertEquals(125, r.exitCode(), r::toString);
        assertEquals("container-fs: cannot give `bad` the archive's owner 70000:0 in your user namespace: Invalid"
                + " argument (an id beyond your range of /etc/subuid and /etc/subgid: give this user a larger one,"
                + " or pull with sudo)\n", r.stderr());
        try (Stream<Path> left = Files.list(parent)) {
            assertEquals(List.of(), left.toList(), "neither DIR nor its hidden sibling");
        }
    }

    @Test
    void pullWithoutARangeLeavesTheFilesTheUsersAndSaysSo() throws IOException {
        Path tarball = Files.copy(Fixtures.alpineTarball(), userDir(single, "tarball").resolve(Fixtures.TARBALL));
        Files.setPosixFilePermissions(tarball, PosixFilePermissions.fromString("rw-r--r--"));
        Path pulled = userDir(single, "pulled").resolve("rootfs");

        Commands.Result r = pull(single, "--file", tarball.toString(), pulled.toString());

        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(List.of("container-fs: not running as root, so the files will be owned by you, not by root as in the"
                + " archive: you have no range in /etc/subuid and /etc/subgid (or no newuidmap and newgidmap, the"
                + " uidmap package) to give them the archive's owners; for a root filesystem a container can use,"
                + " add one (usermod --add-subuids and --add-subgids), or run pull with sudo"),
                r.stderr().lines().filter(l -> l.contains("not running as root")).toList(), r::toString);
        Commands.Result group = Commands.run("id", "-g", single);
        assertEquals(Integer.parseInt(group.stdout().trim()),
                Files.getAttribute(pulled.resolve("etc/shadow"), "unix:gid", LinkOption.NOFOLLOW_LINKS),
                "the user's own group, not shadow's");
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** The user's live processes (not zombies) whose name is NAME, or all of them for "". */
    private static int userProcesses(String name) {
        Commands.Result ps = Commands.run("ps", "-u", ranged, "-o", "stat=,comm=");
        return (int) ps.stdout().lines().filter(l -> !l.trim().startsWith("Z"))
                .filter(l -> name.isEmpty() || l.trim().endsWith(" " + name)).count();
    }

    private static boolean waitFor(java.util.function.BooleanSupplier condition, Duration limit)
            throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(100);
        }
        return condition.getAsBoolean();
    }
}
