package io.containerfs.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Cgroups;
import io.containerfs.testing.Commands;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.HostMounts;
import io.containerfs.testing.PrivilegedCondition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real engine, Docker (Debian's docker.io), runs its containers on container-fs: the test's own
 * dockerd is given container-fs with --add-runtime, and its containerd's runc shim calls
 * bin/container-fs create, start, kill and delete as it calls runc. dockerd has its data root,
 * exec root, socket and pid file under a temporary directory, a network namespace of its own
 * (so its bridge, docker0, and the containers' veths are never the host's) and a mount
 * namespace of its own (EngineDaemon). Its containers' cgroups go under a parent of the test's
 * own, removed at the end. The image is imported from Alpine's tarball: no download. The
 * ulimits: as for Podman (PodmanIT), root here lacks CAP_SYS_RESOURCE.
 */
class DockerIT {
    private static final String IMAGE = "cfs-alpine";
    /** This JVM's own, so that two runs at once never see each other's containers. */
    private static final String CGROUP_PARENT = "container-fs-docker-it-" + ProcessHandle.current().pid();

    @TempDir
    static Path tmp;

    private static EngineDaemon dockerd;
    private static List<String> mounts;

    @BeforeAll
    static void startDockerd() throws IOException {
        PrivilegedCondition.requireInCi(PrivilegedCondition.isRoot(), "root");
        PrivilegedCondition.requireInCi(Fixtures.onPath("dockerd"), "dockerd (Debian package docker.io)");
        mounts = HostMounts.snapshot();
        Path socket = tmp.resolve("docker.sock");
        Path config = tmp.resolve("daemon.json"); // not the host's /etc/docker/daemon.json
        Files.writeString(config, "{}\n");
        dockerd = EngineDaemon.start("dockerd", List.of("--net"), List.of("dockerd", "--config-file",
                config.toString(), "--data-root", tmp.resolve("data").toString(), "--exec-root", tmp.resolve("exec").toString(),
                "--pidfile", tmp.resolve("docker.pid").toString(), "-H", "unix://" + socket,
                "--storage-driver", "vfs", "--iptables=false", "--ip6tables=false", "--cgroup-parent",
                "/" + CGROUP_PARENT, "--add-runtime", "container-fs=" + Fixtures.launcher()), tmp, socket);
        Commands.Result imported = docker("import", Fixtures.alpineTarball().toString(), IMAGE);
        assertEquals(0, imported.exitCode(), imported::toString);
    }

    @AfterAll
    static void stopDockerd() {
        if (dockerd != null) {
            // Its mounts, and its shims', are in its own namespace: the host's table never changed.
            List<String> now = HostMounts.snapshot();
            dockerd.close();
            Commands.run("sh", "-c", "rmdir /sys/fs/cgroup/*/" + CGROUP_PARENT + " 2>/dev/null; true");
            assertEquals(List.of(), dockerd.leftBehind(), "dockerd's processes are gone");
            assertEquals(mounts, now, "the host's mount table changed");
        }
    }

    @Test
    void dockerRunPrintsTheOutputAndReturnsTheExitStatus() throws IOException {
        Commands.Result run = docker(run("--rm", IMAGE, "sh", "-c", "echo hi from docker; exit 3"));

        assertEquals(3, run.exitCode(), run::toString);
        assertEquals("hi from docker\n", run.stdout(), run::toString);
        assertEquals("", Commands.run("sh", "-c", "find /sys/fs/cgroup/*/" + CGROUP_PARENT + " -mindepth 1 -type d")
                .stdout(), "each container's cgroup is removed");
    }

    /**
     * Docker's default network: the container's namespace is made by container-fs, then its
     * prestart hook (dockerd's libnetwork-setkey) has dockerd put a veth of its bridge in it.
     */
    @Test
    void dockersPrestartHookConnectsTheBridge() {
        Commands.Result run = docker(run("--rm", IMAGE, "sh", "-c",
                "ls /sys/class/net; ip -o -4 addr show eth0 | grep -c 'inet 172\\.'"));

        assertEquals(new Commands.Result(0, "eth0\nlo\n1\n", ""), run);
    }

    @Test
    void dockerRunWithoutANetwork() {
        Commands.Result run = docker(run("--rm", "--network", "none", IMAGE, "ls", "/sys/class/net"));

        assertEquals(new Commands.Result(0, "lo\n", ""), run);
    }

    /** docker stop sends TERM through container-fs kill; the program's trap ends it well within the timeout. */
    @Test
    void dockerRunDetachedThenStop() {
        Commands.Result started = docker(run("-d", IMAGE, "sh", "-c",
                "trap 'echo got TERM; exit 0' TERM; echo ready; sleep 600 & wait"));
        assertEquals(0, started.exitCode(), started::toString);
        String id = started.stdout().trim();
        Commands.Result ps = docker("ps", "--format", "{{.ID}} {{.Status}}");
        assertTrue(ps.stdout().startsWith(id.substring(0, 12) + " Up"), ps::toString);
        awaitLog(id, "ready");

        Instant before = Instant.now();
        Commands.Result stop = docker("stop", "-t", "30", id);
        Duration took = Duration.between(before, Instant.now());

        assertEquals(0, stop.exitCode(), stop::toString);
        assertTrue(took.compareTo(Duration.ofSeconds(20)) < 0, "docker stop took " + took);
        assertEquals("exited 0\n", docker("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", id).stdout());
        assertEquals("ready\ngot TERM\n", docker("logs", id).stdout());
        assertEquals(0, docker("rm", id).exitCode());
    }

    /**
     * docker exec: container-fs exec --process FILE --detach, with Docker's process.json (its
     * oomScoreAdj included); the output, the exit status, -e, -w and -u reach the process; -t
     * gives it a terminal.
     */
    @Test
    void dockerExecRunsAProcessInTheRunningContainer() {
        Commands.Result started = docker(run("-d", IMAGE, "sleep", "600"));
        assertEquals(0, started.exitCode(), started::toString);
        String id = started.stdout().trim();
        try {
            Commands.Result exec = docker("exec", "-e", "GREETING=hi", "-w", "/tmp", id, "sh", "-c",
                    "echo $GREETING from $(pwd) in $(hostname); exit 4");
            assertEquals(new Commands.Result(4, "hi from /tmp in " + id.substring(0, 12) + "\n", ""), exec);
            assertEquals("uid=1000 gid=1000 groups=1000\n", docker("exec", "-u", "1000:1000", id, "id").stdout());
            Commands.Result tty = docker("exec", "-t", id, "sh", "-c", "tty; exit 3");
            assertEquals(3, tty.exitCode(), tty::toString);
            assertTrue(tty.stdout().matches("/dev/pts/\\d+\r\n"), "exec -t, a terminal: " + tty);
        } finally {
            assertEquals(0, docker("rm", "-f", id).exitCode());
        }
    }

    /** docker run -t: a terminal of the container's own, whose master dockerd's shim gets (--console-socket). */
    @Test
    void dockerRunWithATerminal() {
        Commands.Result run = docker(run("--rm", "-t", IMAGE, "sh", "-c", "tty; exit 6"));

        assertEquals(new Commands.Result(6, "/dev/pts/0\r\n", ""), run);
    }

    /** container-fs's error reaches the user through dockerd: a JSON line in --log, as runc writes. */
    @Test
    void anUnsupportedSettingIsRefusedInOneLineThatDockerShows() {
        Commands.Result run = docker(run("--rm", "--memory-reservation", "16m", IMAGE, "true"));

        assertEquals(125, run.exitCode(), run::toString);
        assertTrue(run.stderr().contains("linux.resources.memory.reservation is not supported yet"), run::toString);
    }

    /**
     * --cpu-shares: the container's cgroup has them, as its own read-only cgroup mount shows (on
     * cgroup v2, the cpu.weight they map to).
     */
    @Test
    void cpuSharesReachTheContainersCgroup() {
        String file = Cgroups.isV2() ? "/sys/fs/cgroup/cpu.weight" : "/sys/fs/cgroup/cpu/cpu.shares";
        Commands.Result run = docker(run("--rm", "--cpu-shares", "512", IMAGE, "cat", file));

        assertEquals(new Commands.Result(0, Cgroups.isV2() ? "59\n" : "512\n", ""), run);
    }

    private static void awaitLog(String id, String text) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (!docker("logs", id).stdout().contains(text)) {
            assertTrue(Instant.now().isBefore(deadline), "no '" + text + "' in the container's log");
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * --device and --ipc container:A: Docker's linux.devices entry and allow rule beside its default
     * rules, and A's ipc namespace by path.
     */
    @Test
    void dockerRunWithADeviceAndAnotherContainersIpcNamespace() {
        Commands.Result host = Commands.run("stat", "-c", "%t %T", "/dev/loop0");
        assertEquals(0, host.exitCode(), host::toString);
        Commands.Result device = docker(run("--rm", "--device", "/dev/loop0", IMAGE, "sh", "-c",
                "stat -c '%t %T' /dev/loop0; : < /dev/loop0 && echo opened"));
        assertEquals(new Commands.Result(0, host.stdout() + "opened\n", ""), device);

        Commands.Result started = docker(run("-d", "--ipc", "shareable", IMAGE, "sleep", "600"));
        assertEquals(0, started.exitCode(), started::toString);
        String id = started.stdout().trim();
        try {
            String pid = docker("inspect", "--format", "{{.State.Pid}}", id).stdout().trim();
            Commands.Result ipcmk = Commands.run("nsenter", "--ipc=/proc/" + pid + "/ns/ipc", "ipcmk", "-M", "4096");
            assertEquals(0, ipcmk.exitCode(), ipcmk::toString);
            Commands.Result joined = docker(run("--rm", "--ipc", "container:" + id, IMAGE, "grep", "-c", " 4096 ",
                    "/proc/sysvipc/shm"));
            assertEquals(new Commands.Result(0, "1\n", ""), joined);
        } finally {
            docker("rm", "--force", id);
        }
    }

    private static List<String> run(String... args) {
        List<String> command = new ArrayList<>(List.of("run", "--runtime", "container-fs", "--ulimit",
                "nofile=1024:1024", "--ulimit", "nproc=1024:1024"));
        command.addAll(List.of(args));
        return command;
    }

    private static Commands.Result docker(List<String> args) {
        return docker(args.toArray(new String[0]));
    }

    private static Commands.Result docker(String... args) {
        List<String> command = new ArrayList<>(List.of("docker", "-H", "unix://" + tmp.resolve("docker.sock")));
        command.addAll(List.of(args));
        return Commands.run(tmp, "", command);
    }
}
