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
        Path runTmp = userDir(user, "run-tmp");
        List<String> words = new ArrayList<>(frontEnd);
        words.addAll(options);
        for (Path layer : layers) {
            words.add(layer.toString());
        }
        words.addAll(List.of(writedir.toString(), "--"));
        words.addAll(List.of(command));
        Commands.Result r = Commands.run(tmp, null, asUser(user, words), Map.of("TMPDIR", runTmp.toString()));
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

    @Test
    void rootOnlyOptionsAreRefusedInOneLine() throws IOException {
        Path writedir = userDir(ranged, "w");
        Map<List<String>, String> refused = Map.of(
                List.of("--memory", "32m"), "container-fs: cgroup limits and --stats need root: container-fs does"
                        + " not use a cgroup delegated to the user yet; run it with sudo, or without the limits\n",
                List.of("--pids-limit", "10"), "container-fs: cgroup limits and --stats need root: container-fs does"
                        + " not use a cgroup delegated to the user yet; run it with sudo, or without the limits\n",
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
        Path writedir = userDir(ranged, "w");
        Path runTmp = userDir(ranged, "run-tmp");
        List<String> before = HostMounts.snapshot();
        List<String> words = new ArrayList<>(jar());
        words.addAll(List.of("--network", "none", rootfs.toString(), app.toString(), writedir.toString(), "--",
                "sh", "-c", "sleep 1000 & sleep 999"));
        ProcessBuilder pb = new ProcessBuilder(asUser(ranged, words)).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("kill.log").toFile());
        pb.environment().put("TMPDIR", runTmp.toString());
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
