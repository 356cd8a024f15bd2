package io.containerfs.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Commands;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.HostMounts;
import io.containerfs.testing.Privileged;
import io.containerfs.testing.PrivilegedCondition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rootless Podman runs its containers on container-fs (issue 26, item 7): an ordinary user the
 * test creates, with ranges of its own in /etc/subuid and /etc/subgid, runs podman as the user
 * (setpriv) with {@code --runtime} the launcher. Podman makes the user namespace (0 is the user,
 * 1.. the range) and runs conmon and the runtime in it, as root there: container-fs makes no
 * user namespace (unless Podman asks for a second one: keep-id) and no cgroup (root's alone here), and keeps its state under the user's
 * $XDG_RUNTIME_DIR. The storage, run directories and HOME are the user's, under a temporary
 * directory; the image is Alpine's tarball, imported by the user.
 */
@Privileged
class RootlessPodmanIT {
    private static final String IMAGE = "localhost/cfs-alpine";
    private static final int RANGE = 65536;

    @TempDir
    static Path tmp;

    private static String user;
    private static int uid;
    private static int rangeBase;
    private static Path dir; // the user's: HOME, XDG_RUNTIME_DIR, podman's root and runroot
    private static Path runtime; // the launcher, beside a copy of the jar the user can reach

    private List<String> mounts;

    @BeforeAll
    static void makeUserAndImage() throws IOException {
        PrivilegedCondition.requireInCi(Fixtures.onPath("podman") && Fixtures.onPath("newuidmap"),
                "podman and newuidmap (Debian packages podman, uidmap)");
        user = "cfsrp" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
        // No automatic ranges (Debian's useradd adds some): the test writes its own, and removes them.
        check(Commands.run("useradd", "-M", "-K", "SUB_UID_COUNT=0", "-K", "SUB_GID_COUNT=0", user));
        uid = Integer.parseInt(Commands.run("id", "-u", user).stdout().trim());
        rangeBase = 300_000 + ThreadLocalRandom.current().nextInt(1000) * RANGE;
        String line = user + ":" + rangeBase + ":" + RANGE + "\n";
        for (String file : List.of("/etc/subuid", "/etc/subgid")) {
            Files.writeString(Path.of(file), line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        dir = tmp.resolve("user");
        for (String name : List.of("", "home", "run")) {
            Files.createDirectories(dir.resolve(name));
        }
        Files.setPosixFilePermissions(dir.resolve("run"), PosixFilePermissions.fromString("rwx------"));
        check(Commands.run("chown", "-R", user + ":" + user, dir.toString()));
        // The build's directory may be closed to the user: the launcher finds DIR/target/container-fs.jar.
        runtime = Files.createDirectories(tmp.resolve("cfs/bin")).resolve("container-fs");
        Files.copy(Fixtures.launcher(), runtime, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        Files.copy(Fixtures.jar(), Files.createDirectories(tmp.resolve("cfs/target")).resolve("container-fs.jar"));
        check(Commands.run("chmod", "-R", "a+rX", tmp.resolve("cfs").toString()));
        Path tarball = Files.copy(Fixtures.alpineTarball(), tmp.resolve("alpine.tar.gz"));
        Files.setPosixFilePermissions(tarball, PosixFilePermissions.fromString("rw-r--r--"));
        check(podman("import", tarball.toString(), IMAGE));
    }

    @AfterAll
    static void removeUser() throws IOException {
        if (user == null) {
            return;
        }
        podman("rm", "--all", "--force", "--time", "0");
        // podman's pause process holds its user namespace open between calls: ended by its pid.
        Path pause = dir.resolve("run/libpod/tmp/pause.pid");
        if (Files.exists(pause)) {
            Commands.run("kill", "-KILL", Files.readString(pause).trim());
        }
        for (String pid : Commands.run("ps", "-u", user, "-o", "pid=").stdout().trim().split("\\s+")) {
            if (!pid.isEmpty()) {
                Commands.run("kill", "-KILL", pid); // only this test runs as its own user
            }
        }
        Commands.run("rm", "-rf", dir.toString()); // the range's files too: root removes them
        for (String file : List.of("/etc/subuid", "/etc/subgid")) {
            List<String> kept = Files.readAllLines(Path.of(file)).stream()
                    .filter(l -> !l.startsWith(user + ":")).toList();
            Files.writeString(Path.of(file), kept.isEmpty() ? "" : String.join("\n", kept) + "\n");
        }
        Commands.run("userdel", user);
    }

    @BeforeEach
    void snapshotMounts() {
        mounts = HostMounts.snapshot();
    }

    @AfterEach
    void nothingLeftBehind() throws IOException {
        podman("rm", "--all", "--force", "--time", "0");
        assertEquals(mounts, HostMounts.snapshot(), "the host's mount table changed");
        assertEquals(List.of(), userProcesses(), "left running (besides podman's pause process)");
        assertEquals(List.of(), states(), "container-fs's state, left under $XDG_RUNTIME_DIR");
    }

    @Test
    void runAsTheUserIsRootInsideAndReturnsTheExitStatus() {
        Commands.Result run = podman(run("--rm", IMAGE, "sh", "-c", "id -u; cat /proc/self/uid_map; exit 3"));

        assertEquals(3, run.exitCode(), run::toString);
        List<String> lines = run.stdout().lines().map(l -> l.trim().replaceAll("\\s+", " ")).toList();
        assertEquals(List.of("0", "0 " + uid + " 1", "1 " + rangeBase + " " + RANGE), lines,
                "root inside is the user; the others are the user's range, as podman maps them");
    }

    @Test
    void runDetachedThenStop() throws IOException {
        Commands.Result started = podman(run("-d", IMAGE, "sleep", "600"));
        assertEquals(0, started.exitCode(), started::toString);
        String id = started.stdout().trim();
        assertEquals(List.of(id), states(), "container-fs keeps the state in the user's runtime directory");
        Commands.Result ps = podman("ps", "--format", "{{.ID}} {{.Status}}");
        assertTrue(ps.stdout().startsWith(id.substring(0, 12) + " Up"), ps::toString);

        // sleep is PID 1 of its namespace, which ignores TERM: podman sends KILL after the timeout.
        Commands.Result stop = podman("stop", "-t", "1", id);
        assertEquals(0, stop.exitCode(), stop::toString);
        Commands.Result exited = podman("ps", "-a", "--format", "{{.Status}}");
        assertTrue(exited.stdout().startsWith("Exited (137)"), exited::toString);
        assertEquals(0, podman("rm", id).exitCode());
        assertFalse(states().contains(id), "delete removed its state");
    }

    @Test
    void execRunsInTheContainerAsItsRootOrAnotherUser() {
        Commands.Result started = podman(run("-d", "--hostname", "cfs-rootless", IMAGE, "sleep", "600"));
        assertEquals(0, started.exitCode(), started::toString);
        String id = started.stdout().trim();

        Commands.Result exec = podman("exec", id, "sh", "-c", "id -u; hostname; grep Seccomp: /proc/self/status; exit 4");
        assertEquals(new Commands.Result(4, "0\ncfs-rootless\nSeccomp:\t2\n", ""), exec);
        Commands.Result other = podman("exec", "--user", "1000:1000", "--workdir", "/tmp", id, "sh", "-c",
                "id -u; id -g; pwd");
        assertEquals(new Commands.Result(0, "1000\n1000\n/tmp\n", ""), other);
        assertEquals(0, podman("stop", "-t", "1", id).exitCode());
    }

    /**
     * Podman's own rootless network: slirp4netns's tap0 in a namespace Podman made (in its user
     * namespace), joined by path. slirp4netns opens /dev/net/tun as the user: udev makes it
     * rw-rw-rw-, a machine without udev may keep it rw-------, so the test opens it for its run.
     */
    @Test
    void podmansOwnNetworkReachesTheContainer() throws IOException {
        Path tun = Path.of("/dev/net/tun");
        var mode = Files.getPosixFilePermissions(tun);
        Files.setPosixFilePermissions(tun, PosixFilePermissions.fromString("rw-rw-rw-"));
        try {
            List<String> args = new ArrayList<>(run("--rm", IMAGE, "ls", "/sys/class/net"));
            args.removeAll(List.of("--network", "none"));
            Commands.Result r = podman(args);

            assertEquals(new Commands.Result(0, "lo\ntap0\n", ""), r);
        } finally {
            Files.setPosixFilePermissions(tun, mode);
        }
    }

    /**
     * --userns=keep-id: Podman asks the runtime for a second user namespace, mapped by
     * linux.uidMappings and gidMappings (the user's own id inside as out, the image's root still
     * root's): container-fs makes it and writes the maps, as root of Podman's. exec joins it.
     */
    @Test
    void keepIdRunsAsTheUsersOwnIdInANamespaceOfTheContainers() {
        Commands.Result run = podman(run("--rm", "--userns=keep-id", IMAGE, "sh", "-c",
                "id -u; stat -c %u:%g /etc/shadow; exit 3"));
        assertEquals(new Commands.Result(3, uid + "\n0:42\n", ""), run);

        Commands.Result started = podman(run("-d", "--userns=keep-id", IMAGE, "sleep", "600"));
        assertEquals(0, started.exitCode(), started::toString);
        String id = started.stdout().trim();
        Commands.Result exec = podman("exec", id, "sh", "-c", "id -u; exit 4");
        assertEquals(new Commands.Result(4, uid + "\n", ""), exec);
        assertEquals(0, podman("stop", "-t", "1", id).exitCode());
    }

    /**
     * Limits need a cgroup, and root's are not the engine's user namespace's (podman itself drops
     * them on cgroup v1): a bundle that asks for one, created in podman's user namespace
     * ({@code podman unshare}), is refused in one line, and leaves no state.
     */
    @Test
    void aBundleAskingForCgroupLimitsIsRefusedInOneLine() throws IOException {
        Path bundle = dir.resolve("bundle");
        Files.createDirectories(bundle.resolve("rootfs"));
        check(Commands.run("chown", "-R", user + ":" + user, bundle.toString()));
        check(asUser(List.of(runtime.toString(), "spec", "--bundle", bundle.toString())));
        Path config = bundle.resolve("config.json");
        Files.writeString(config, Files.readString(config).replace("\"terminal\": true", "\"terminal\": false")
                .replace("\"resources\": {", "\"resources\": {\"memory\": {\"limit\": 33554432}, "));

        Commands.Result create = podman("unshare", runtime.toString(), "create", "--bundle",
                bundle.toString(), "cfs-limits");

        assertEquals(new Commands.Result(125, "", "container-fs: cgroup limits need root's cgroups: in a user"
                + " namespace another program made (a rootless engine's) container-fs makes no cgroup; run it as"
                + " root, or without the limits\n"), create);
    }

    /**
     * A bundle without a pid namespace (podman run --pid host) in podman's user namespace: the
     * host's /proc may not be mounted there, so create refuses it in one line, and leaves no state.
     */
    @Test
    void aBundleInTheHostsPidNamespaceIsRefusedInOneLine() throws IOException {
        Path bundle = dir.resolve("bundle-host-pid");
        Files.createDirectories(bundle.resolve("rootfs"));
        check(Commands.run("chown", "-R", user + ":" + user, bundle.toString()));
        check(asUser(List.of(runtime.toString(), "spec", "--bundle", bundle.toString())));
        Path config = bundle.resolve("config.json");
        Files.writeString(config, Files.readString(config).replace("\"terminal\": true", "\"terminal\": false")
                .replaceFirst("\\{\\s*\"type\":\\s*\"pid\"\\s*\\},", ""));

        Commands.Result create = podman("unshare", runtime.toString(), "create", "--bundle",
                bundle.toString(), "cfs-host-pid");

        assertEquals(new Commands.Result(125, "", "container-fs: the host's pid namespace (linux.namespaces without"
                + " pid) needs root: in a user namespace another program made (a rootless engine's) the container"
                + " may not mount its /proc; run it as root, or with a pid namespace of its own\n"), create);
        assertFalse(states().contains("cfs-host-pid"), "no state left");
    }

    private static List<String> run(String... args) {
        List<String> command = new ArrayList<>(List.of("run", "--network", "none", "--ulimit", "nofile=1024:1024",
                "--ulimit", "nproc=1024:1024"));
        command.addAll(List.of(args));
        return command;
    }

    private static Commands.Result podman(List<String> args) {
        return podman(args.toArray(new String[0]));
    }

    /** podman as the user, on container-fs. */
    private static Commands.Result podman(String... args) {
        List<String> command = new ArrayList<>(List.of("podman", "--root", dir.resolve("root").toString(),
                "--runroot", dir.resolve("runroot").toString(), "--storage-driver", "vfs", "--cgroup-manager",
                "cgroupfs", "--events-backend", "none", "--runtime", runtime.toString()));
        command.addAll(List.of(args));
        return asUser(command);
    }

    /** COMMAND as the user, with its own HOME and XDG_RUNTIME_DIR. */
    private static Commands.Result asUser(List<String> command) {
        List<String> words = new ArrayList<>(List.of("setpriv", "--reuid=" + user, "--regid=" + user,
                "--init-groups", "--"));
        words.addAll(command);
        return Commands.run(tmp, "", words, Map.of("HOME", dir.resolve("home").toString(), "XDG_RUNTIME_DIR",
                dir.resolve("run").toString()));
    }

    private static void check(Commands.Result r) {
        assertEquals(0, r.exitCode(), r::toString);
    }

    /** The containers container-fs has state for. */
    private static List<String> states() {
        Path oci = dir.resolve("run/container-fs/oci");
        try (var dirs = Files.list(oci)) {
            return dirs.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The user's live processes but podman's pause process (zombies are reaped by init, not ours). */
    private static List<String> userProcesses() throws IOException {
        Path pause = dir.resolve("run/libpod/tmp/pause.pid");
        String pausePid = Files.exists(pause) ? Files.readString(pause).trim() : "";
        return Commands.run("ps", "-u", user, "-o", "pid=,stat=,args=").stdout().lines().map(String::trim)
                .filter(l -> !l.split("\\s+")[1].startsWith("Z") && !l.split("\\s+")[0].equals(pausePid)).toList();
    }
}
