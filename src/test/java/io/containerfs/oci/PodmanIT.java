package io.containerfs.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Commands;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.HostMounts;
import io.containerfs.testing.Privileged;
import io.containerfs.testing.PrivilegedCondition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real engine, Podman (Debian's package), runs its containers on container-fs: podman calls
 * bin/container-fs create, start, state, kill and delete as it calls runc. Podman has its own
 * storage and run directories under a temporary directory, the cgroupfs manager, no events, and
 * an image imported from Alpine's tarball: no download. Podman's defaults otherwise: its network
 * namespace, joined by path, and its seccomp profile. The ulimits: Podman's default nofile is
 * above the hard limit here, and root here lacks CAP_SYS_RESOURCE, so every runtime, runc too,
 * fails without them.
 */
@Privileged
class PodmanIT {
    private static final String IMAGE = "localhost/cfs-alpine";

    @TempDir
    Path tmp;

    private List<String> mounts;

    @BeforeEach
    void importImage() {
        PrivilegedCondition.requireInCi(Fixtures.onPath("podman"), "podman (Debian package podman)");
        mounts = HostMounts.snapshot();
        Commands.Result imported = podman("import", Fixtures.alpineTarball().toString(), IMAGE);
        assertEquals(0, imported.exitCode(), imported::toString);
    }

    @AfterEach
    void nothingLeftBehind() {
        if (mounts != null) {
            podman("rm", "--all", "--force");
            assertEquals(mounts, HostMounts.snapshot(), "the host's mount table changed");
        }
    }

    @Test
    void podmanRunPrintsTheOutputAndReturnsTheExitStatus() {
        Commands.Result run = podman(run("--rm", IMAGE, "sh", "-c", "echo hi from podman; exit 3"));

        assertEquals(3, run.exitCode(), run::toString);
        assertEquals("hi from podman\n", run.stdout(), run::toString);
        assertEquals(List.of(), Commands.run("sh", "-c", "ls /sys/fs/cgroup/*/libpod_parent 2>/dev/null | grep libpod-")
                .stdout().lines().toList(), "each container's cgroup is removed");
    }

    /**
     * Podman's own network (a namespace with its bridge's eth0, joined by path) and its seccomp
     * profile (mode 2: a filter).
     */
    @Test
    void podmansNetworkAndSeccompProfileReachTheContainer() {
        Commands.Result run = podman(run("--rm", IMAGE, "sh", "-c", "ls /sys/class/net; grep Seccomp: /proc/self/status"));

        assertEquals(0, run.exitCode(), run::toString);
        assertEquals(List.of("eth0", "lo", "Seccomp:\t2"), run.stdout().lines().toList(), run::toString);
    }

    /** --network none: a namespace of its own with lo only, made by container-fs. */
    @Test
    void podmanRunWithoutANetwork() {
        Commands.Result run = podman(run("--rm", "--network", "none", IMAGE, "ls", "/sys/class/net"));

        assertEquals(new Commands.Result(0, "lo\n", ""), run);
    }

    /**
     * --uidmap: a user namespace of the container's own, made by container-fs with the maps of
     * linux.uidMappings and gidMappings; its root is an unprivileged id of the host's, the image's
     * files still root's inside (Podman copies them so), and exec joins it.
     */
    @Test
    void podmanRunWithAUserNamespaceOfItsOwn() {
        List<String> map = List.of("--uidmap", "0:200000:65536", "--gidmap", "0:200000:65536");
        Commands.Result run = podman(run(Commands.concat(map, List.of("--rm", IMAGE, "sh", "-c",
                "id -u; cat /proc/self/uid_map; stat -c %u:%g /etc/shadow; exit 3")).toArray(new String[0])));

        assertEquals(3, run.exitCode(), run::toString);
        assertEquals(List.of("0", "0 200000 65536", "0:42"),
                run.stdout().lines().map(l -> l.trim().replaceAll("\\s+", " ")).toList(), run::toString);

        Commands.Result started = podman(run(Commands.concat(map, List.of("-d", IMAGE, "sleep", "600"))
                .toArray(new String[0])));
        assertEquals(0, started.exitCode(), started::toString);
        String id = started.stdout().trim();
        Commands.Result exec = podman("exec", id, "sh", "-c", "id -u; head -n 1 /proc/self/uid_map; exit 4");
        assertEquals(4, exec.exitCode(), exec::toString);
        assertEquals(List.of("0", "0 200000 65536"),
                exec.stdout().lines().map(l -> l.trim().replaceAll("\\s+", " ")).toList(), exec::toString);
        assertEquals(0, podman("rm", "--force", id).exitCode());
    }

    @Test
    void podmanRunDetachedThenStopThenRemove() {
        Commands.Result started = podman(run("-d", IMAGE, "sleep", "600"));
        assertEquals(0, started.exitCode(), started::toString);
        String id = started.stdout().trim();
        Commands.Result ps = podman("ps", "--format", "{{.ID}} {{.Status}}");
        assertTrue(ps.stdout().startsWith(id.substring(0, 12) + " Up"), ps::toString);

        // sleep is PID 1 of its namespace, which ignores TERM: podman sends KILL after the timeout.
        Commands.Result stop = podman("stop", "-t", "1", id);
        assertEquals(0, stop.exitCode(), stop::toString);
        Commands.Result exited = podman("ps", "-a", "--format", "{{.Status}}");
        assertTrue(exited.stdout().startsWith("Exited (137)"), exited::toString);
        assertEquals(0, podman("rm", id).exitCode());
    }

    /**
     * -it under a real pseudo-terminal (util-linux script(1)), as a user types it: conmon passes a
     * console socket to create, and the container's terminal is a pty of its own devpts.
     */
    @Test
    void podmanRunItGivesTheContainerATerminal() {
        Commands.Result run = Commands.onTerminal(tmp, "", podmanCommand(run("-it", "--rm", IMAGE, "sh", "-c",
                "tty; exit 3")));

        assertEquals(3, run.exitCode(), run::toString);
        assertTrue(run.stdout().contains("/dev/pts/0"), run::toString);
    }

    /**
     * podman exec -it: conmon adds {@code --tty --console-socket S}; the exec'd process gets the
     * container's next pty (its program has none: /dev/pts/0 is the first), and its status.
     */
    @Test
    void podmanExecItGivesTheProcessATerminal() {
        Commands.Result started = podman(run("-d", IMAGE, "sleep", "600"));
        assertEquals(0, started.exitCode(), started::toString);
        String id = started.stdout().trim();
        Commands.Result exec = Commands.onTerminal(tmp, "", podmanCommand(List.of("exec", "-it", id, "sh", "-c",
                "tty; exit 4")));

        assertEquals(4, exec.exitCode(), exec::toString);
        assertTrue(exec.stdout().contains("/dev/pts/0"), exec::toString);
        assertEquals(0, podman("rm", "--force", id).exitCode());
    }

    /**
     * podman exec: conmon calls {@code exec --pid-file F --process FILE --detach ID}; the command
     * sees the container's hostname and root, its output and exit status come back, its options
     * (user, environment, directory) apply, and it has Podman's seccomp filter.
     */
    @Test
    void podmanExecRunsInTheRunningContainer() {
        Commands.Result started = podman(run("-d", "--hostname", "cfs-exec", IMAGE, "sh", "-c",
                "echo in-root > /marker; exec sleep 600"));
        assertEquals(0, started.exitCode(), started::toString);
        String id = started.stdout().trim();

        Commands.Result exec = podman("exec", id, "sh", "-c",
                "hostname; cat /marker; grep Seccomp: /proc/self/status; exit 4");
        assertEquals(new Commands.Result(4, "cfs-exec\nin-root\nSeccomp:\t2\n", ""), exec);
        Commands.Result options = podman("exec", "--user", "1000:1000", "--env", "GREETING=hi", "--workdir", "/tmp",
                id, "sh", "-c", "id -u; id -g; echo $GREETING; pwd");
        assertEquals(new Commands.Result(0, "1000\n1000\nhi\n/tmp\n", ""), options);

        assertEquals(0, podman("stop", "-t", "1", id).exitCode());
        assertEquals(0, podman("rm", id).exitCode());
    }

    /** --device: Podman passes the host's node as linux.devices with an allow rule; it is made and opens. */
    @Test
    void podmanRunWithADeviceMakesItsNodeThatOpens() {
        Commands.Result host = Commands.run("stat", "-c", "%t %T", "/dev/loop0");
        assertEquals(0, host.exitCode(), host::toString);

        Commands.Result run = podman(run("--rm", "--device", "/dev/loop0", IMAGE, "sh", "-c",
                "stat -c '%t %T' /dev/loop0; : < /dev/loop0 && echo opened"));

        assertEquals(new Commands.Result(0, host.stdout() + "opened\n", ""), run);
    }

    /** --ipc and --uts container:A, as a pod's containers share their sandbox's: the paths of A's namespaces. */
    @Test
    void podmanRunInAnotherContainersIpcAndUtsNamespaces() {
        Commands.Result started = podman(run("-d", "--hostname", "pod-a", IMAGE, "sleep", "600"));
        assertEquals(0, started.exitCode(), started::toString);
        String id = started.stdout().trim();
        String pid = podman("inspect", "--format", "{{.State.Pid}}", id).stdout().trim();
        Commands.Result ipcmk = Commands.run("nsenter", "--ipc=/proc/" + pid + "/ns/ipc", "ipcmk", "-M", "4096");
        assertEquals(0, ipcmk.exitCode(), ipcmk::toString);

        Commands.Result run = podman(run("--rm", "--ipc", "container:" + id, "--uts", "container:" + id, IMAGE, "sh",
                "-c", "hostname; grep -c ' 4096 ' /proc/sysvipc/shm"));

        assertEquals(new Commands.Result(0, "pod-a\n1\n", ""), run);
        assertEquals(0, podman("rm", "--force", id).exitCode());
    }

    /** --pid container:A: A's pid namespace by path; B sees A's sleep as its PID 1, and A runs on. */
    @Test
    void podmanRunInAnotherContainersPidNamespace() {
        Commands.Result started = podman(run("-d", IMAGE, "sleep", "600"));
        assertEquals(0, started.exitCode(), started::toString);
        String id = started.stdout().trim();

        Commands.Result run = podman(run("--rm", "--pid", "container:" + id, IMAGE, "sh", "-c",
                "cat /proc/1/comm; [ $$ != 1 ] && echo not-1"));

        assertEquals(new Commands.Result(0, "sleep\nnot-1\n", ""), run);
        assertEquals("running\n", podman("inspect", "--format", "{{.State.Status}}", id).stdout());
        assertEquals(0, podman("rm", "--force", id).exitCode());
    }

    /** --pid host: no pid namespace in config.json; the container sees the host's PID 1. */
    @Test
    void podmanRunInTheHostsPidNamespace() throws IOException {
        Commands.Result run = podman(run("--rm", "--pid", "host", IMAGE, "cat", "/proc/1/comm"));

        assertEquals(new Commands.Result(0, Files.readString(Path.of("/proc/1/comm")), ""), run);
    }

    private List<String> run(String... args) {
        List<String> command = new ArrayList<>(List.of("run", "--ulimit", "nofile=1024:1024", "--ulimit",
                "nproc=1024:1024"));
        command.addAll(List.of(args));
        return command;
    }

    private Commands.Result podman(List<String> args) {
        return podman(args.toArray(new String[0]));
    }

    private Commands.Result podman(String... args) {
        return Commands.run(tmp, "", podmanCommand(List.of(args)));
    }

    private List<String> podmanCommand(List<String> args) {
        List<String> command = new ArrayList<>(List.of("podman", "--root", tmp.resolve("root").toString(),
                "--runroot", tmp.resolve("runroot").toString(), "--cgroup-manager", "cgroupfs", "--events-backend",
                "none", "--storage-driver", "vfs", "--runtime", Fixtures.launcher().toString()));
        command.addAll(args);
        try {
            Files.createDirectories(tmp.resolve("root"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return command;
    }
}
