package io.containerfs.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Commands;
import io.containerfs.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

/**
 * linux.namespaces joined by path, as a Kubernetes pod's containers join their sandbox's ipc and
 * uts namespaces (and its pid namespace when the pod shares one, below): container B, given A's (and A's cgroup namespace), is in those very namespaces
 * (the same inodes, namespaces(7)), and sees A's hostname and a SysV shared memory segment made
 * in A's ipc namespace (by util-linux's ipcmk under nsenter: Alpine's busybox has no ipcmk), which
 * the kernel lists in /proc/sysvipc/shm.
 */
class OciJoinNamespacesIT extends OciBundleTest {
    OciJoinNamespacesIT() {
        super("it-join-");
    }

    @Test
    void aContainerJoinsAnotherOnesIpcAndUtsNamespaces() throws Exception {
        String a = id("a");
        int pid = startA(a);
        Commands.Result ipcmk = Commands.run("nsenter", "--ipc=/proc/" + pid + "/ns/ipc", "ipcmk", "-M", "4096");
        assertEquals(0, ipcmk.exitCode(), ipcmk::toString);
        Path b = bundleB("\"sh\", \"-c\", \"hostname; echo $HOSTNAME; grep -c ' 4096 ' /proc/sysvipc/shm; for t in ipc uts cgroup;"
                + " do readlink /proc/self/ns/$t; done\"", "ipc", "/proc/" + pid + "/ns/ipc", "uts",
                "/proc/" + pid + "/ns/uts", "cgroup", "/proc/" + pid + "/ns/cgroup");

        Commands.Result run = oci("run", "--bundle", b.toString(), id("b"));

        String namespaces = "";
        for (String type : new String[] {"ipc", "uts", "cgroup"}) {
            namespaces += Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/" + type)) + "\n";
        }
        assertEquals(new Commands.Result(0, "pod-a\npod-a\n1\n" + namespaces, ""), run);
        Commands.Result own = oci("run", "--bundle", bundleB("\"sh\", \"-c\", \"grep -c ' 4096 ' /proc/sysvipc/shm\"")
                .toString(), id("own"));
        assertEquals("0\n", own.stdout(), own::toString);
    }

    /**
     * A pod that shares its process namespace (Kubernetes' shareProcessNamespace, podman and docker
     * run --pid container:A): B is in A's pid namespace, sees A's processes in its own /proc, is
     * not its PID 1, and A runs on after B ends.
     */
    @Test
    void aContainerJoinsAnotherOnesPidNamespace() throws Exception {
        String a = id("a");
        int pid = startA(a);
        Path b = bundleB("\"sh\", \"-c\", \"readlink /proc/self/ns/pid; cat /proc/1/comm; [ $$ != 1 ] && echo not-1\"",
                "pid", "/proc/" + pid + "/ns/pid");

        Commands.Result run = oci("run", "--bundle", b.toString(), id("b"));

        assertEquals(new Commands.Result(0, Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/pid")) + "\nsleep\nnot-1\n",
                ""), run);
        assertEquals("running", field(state(a), "status"), "A runs on");
        Commands.Result own = oci("run", "--bundle", bundleB("\"sh\", \"-c\", \"echo $$; cat /proc/1/comm; :\"").toString(),
                id("own"));
        assertEquals(new Commands.Result(0, "1\nsh\n", ""), own, "without the path, a pid namespace of its own");
    }

    /**
     * A pid namespace kept by a bind mount after its process 1 ended (a pod's whose pause process
     * died) takes no new process: one line that says so, not clone's bare ENOMEM, and no state left.
     */
    @Test
    void aPidNamespaceWhoseProcessOneEndedIsRefusedInOneLine() throws Exception {
        Path namespace = Files.createFile(tmp.resolve("pidns"));
        Commands.Result made = Commands.run("unshare", "--pid=" + namespace, "--fork", "true");
        assertEquals(0, made.exitCode(), made::toString);
        try {
            String id = id("ended");
            Commands.Result run = oci("run", "--bundle", bundleB("\"true\"", "pid", namespace.toString()).toString(), id);

            assertEquals(new Commands.Result(125, "", "container-fs: join the container's namespaces on `pid`: Cannot"
                    + " allocate memory (the pid namespace given has no process 1 left: the container that made it has"
                    + " ended)\n"), run);
            assertFalse(Files.exists(root.resolve(id)), "no state left");
        } finally {
            assertEquals(0, Commands.run("umount", namespace.toString()).exitCode());
        }
    }

    /** No pid namespace in config.json (docker run --pid host, a hostPID pod): the host's processes. */
    @Test
    void aConfigWithoutAPidNamespaceRunsInTheHosts() throws Exception {
        Path b = bundleB("\"sh\", \"-c\", \"readlink /proc/self/ns/pid; cat /proc/1/comm\"");
        Path config = b.resolve("config.json");
        String withPid = Files.readString(config);
        String withoutPid = withPid.replaceFirst("\\{\\s*\"type\":\\s*\"pid\"\\s*\\},", "");
        assertTrue(withoutPid.length() < withPid.length(), "the pid namespace taken out");
        Files.writeString(config, withoutPid);

        Commands.Result run = oci("run", "--bundle", b.toString(), id("host"));

        assertEquals(new Commands.Result(0, Files.readSymbolicLink(Path.of("/proc/self/ns/pid")) + "\n"
                + Files.readString(Path.of("/proc/1/comm")), ""), run);
    }

    /** A user namespace of its own cannot mount the host's /proc: refused in one line, as Docker refuses it. */
    @Test
    void aUserNamespaceWithTheHostsPidNamespaceIsRefusedInOneLine() throws Exception {
        Path b = bundleB("\"true\"");
        Path config = b.resolve("config.json");
        String map = "[{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}]";
        Files.writeString(config, Files.readString(config)
                .replaceFirst("\\{\\s*\"type\":\\s*\"pid\"\\s*\\}", "{\"type\": \"user\"}")
                .replace("\"namespaces\":", "\"uidMappings\": " + map + ", \"gidMappings\": " + map + ", \"namespaces\":"));
        String id = id("userns");

        Commands.Result run = oci("run", "--bundle", b.toString(), id);

        assertEquals(new Commands.Result(125, "", "container-fs: a user namespace of the container's own needs a pid"
                + " namespace of its own: it may not mount the host's /proc; list pid in linux.namespaces, or leave the"
                + " user namespace out\n"), run);
        assertFalse(Files.exists(root.resolve(id)), "no state left");
    }

    /** exec's HOSTNAME is the name of the container's uts namespace: a pod's joined one, or create's. */
    @Test
    void execsHostnameIsTheNameOfTheContainersUtsNamespace() throws Exception {
        String a = id("a");
        int pid = startA(a);
        Commands.Result inA = oci("exec", a, "sh", "-c", "echo $HOSTNAME");
        assertEquals(new Commands.Result(0, "pod-a\n", ""), inA);

        String b = id("b");
        Path bundleB = bundleB("\"sleep\", \"600\"", "uts", "/proc/" + pid + "/ns/uts");
        Process create = new ProcessBuilder(Fixtures.launcher().toString(), "--root", root.toString(), "create",
                "--bundle", bundleB.toString(), b).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(tmp.resolve("b.out").toFile()).redirectError(tmp.resolve("b.err").toFile()).start();
        assertTrue(create.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "create returned");
        assertEquals(0, create.exitValue(), () -> read(tmp.resolve("b.err")));
        assertEquals(0, oci("start", b).exitCode());
        Commands.Result inB = oci("exec", b, "sh", "-c", "echo $HOSTNAME; hostname");
        assertEquals(new Commands.Result(0, "pod-a\npod-a\n", ""), inB);
    }

    @Test
    void aPathThatIsNotANamespaceOfItsTypeIsRefusedInOneLine() throws Exception {
        String a = id("a");
        int pid = startA(a);
        String id = id("wrong");

        Commands.Result run = oci("run", "--bundle", bundleB("\"true\"", "ipc", "/proc/" + pid + "/ns/uts").toString(),
                id);

        assertEquals(new Commands.Result(125, "", "container-fs: linux.namespaces: `/proc/" + pid + "/ns/uts` is no"
                + " namespace of type ipc (a /proc/PID/ns file of one, or a bind mount of that)\n"), run);
        assertFalse(Files.exists(root.resolve(id)), "no state left");
    }

    /** A FIFO at the path is refused at once: opening it to read would wait for ever for a writer (Commands' time limit). */
    @Test
    void aFifoGivenAsANamespaceIsRefusedWithoutWaiting() throws Exception {
        Path fifo = tmp.resolve("not-a-namespace");
        assertEquals(0, Commands.run("mkfifo", fifo.toString()).exitCode());
        String id = id("fifo");

        Commands.Result run = oci("run", "--bundle", bundleB("\"true\"", "ipc", fifo.toString()).toString(), id);

        assertEquals(new Commands.Result(125, "", "container-fs: linux.namespaces: `" + fifo + "` is no"
                + " namespace of type ipc (a /proc/PID/ns file of one, or a bind mount of that)\n"), run);
        assertFalse(Files.exists(root.resolve(id)), "no state left");
    }

    /** Container A, hostname pod-a, started; its pid. */
    private int startA(String id) throws Exception {
        Path config = bundle.resolve("config.json");
        Files.writeString(config, ourSpec(Files.readString(config), "\"sh\", \"-c\", \"echo ready; exec sleep 600\"").replace("\"hostname\": \"container-fs\"", "\"hostname\": \"pod-a\"")
                .replace("\"namespaces\": [", "\"namespaces\": [{\"type\": \"cgroup\"},"));
        Process create = detached("create", "--bundle", bundle.toString(), id);
        assertTrue(create.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "create returned");
        assertEquals(0, create.exitValue(), () -> read(tmp.resolve("create.err")));
        assertEquals(0, oci("start", id).exitCode());
        waitFor(() -> read(tmp.resolve("create.out")).contains("ready\n"), () -> "A runs: "
                + read(tmp.resolve("create.err")));
        return Integer.parseInt(field(state(id), "pid"));
    }

    /** Another bundle of its own Alpine root, our spec with no hostname, these args, joining these namespaces. */
    private Path bundleB(String args, String... joined) throws IOException {
        Path b = Files.createTempDirectory(tmp, "b");
        Path rootfs = Files.createDirectory(b.resolve("rootfs"));
        Commands.Result tar = Commands.run("tar", "--same-owner", "-xzpf", Fixtures.alpineTarball().toString(), "-C",
                rootfs.toString());
        assertEquals(0, tar.exitCode(), tar::toString);
        String config = ourSpec(Files.readString(bundle.resolve("config.json")), args)
                .replaceFirst("\"hostname\": \"[^\"]*\",", "");
        for (int i = 0; i < joined.length; i += 2) {
            // A's cgroup entry is the one startA added, {"type": "cgroup"}: a mount has that type too.
            String entry = joined[i].equals("cgroup") ? "{\"type\": \"cgroup\"" : "\"type\": \"" + joined[i] + "\"";
            assertTrue(config.contains(entry), entry);
            config = config.replace(entry, entry + ", \"path\": \"" + joined[i + 1] + "\"");
        }
        Files.writeString(b.resolve("config.json"), config);
        return b;
    }

    /** Our own spec: no terminal, a writable root, these args. */
    private static String ourSpec(String config, String args) {
        return config.replace("\"terminal\": true", "\"terminal\": false").replace("\"readonly\": true",
                "\"readonly\": false").replaceFirst("\"args\": \\[[^\\]]*\\]", "\"args\": ["
                        + Matcher.quoteReplacement(args) + "]");
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }
}
