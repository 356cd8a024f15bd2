package io.containerfs.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Commands;
import io.containerfs.testing.Privileged;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * container-fs as an OCI runtime, called as an engine calls runc (docs/OCI.md): a bundle whose
 * config.json is our own {@code spec}, edited, and whose rootfs is Alpine's mini root filesystem;
 * the lifecycle of the runtime spec's runtime.md, create, state (created), start, state
 * (running), kill, state (stopped), delete; then run in the foreground.
 */
@Privileged
class OciLifecycleIT extends OciBundleTest {
    OciLifecycleIT() {
        super("it-");
    }



    @Test
    void createStartKillDeleteGoesThroughTheRuntimeSpecsStates() throws Exception {
        config("\"sh\", \"-c\", \"echo started > /started; exec sleep 600\"");
        Path pidFile = tmp.resolve("container.pid");
        String id = id("life");

        Process create = detached("create", "--bundle", bundle.toString(), "--pid-file", pidFile.toString(), id);
        assertTrue(create.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "create returned");
        assertEquals(0, create.exitValue(), () -> read(tmp.resolve("create.err")));

        int pid = Integer.parseInt(Files.readString(pidFile).trim());
        String created = state(id);
        assertEquals("created", field(created, "status"), created);
        assertEquals(Integer.toString(pid), field(created, "pid"), created);
        assertEquals(bundle.toString(), field(created, "bundle"), created);
        assertTrue(Files.exists(Path.of("/proc/" + pid)), "the container's process outlives create");
        assertFalse(Files.exists(bundle.resolve("rootfs/started")), "the program has not run before start");
        assertCgroupExists(id, true);

        Commands.Result startAgain;
        assertEquals(0, oci("start", id).exitCode());
        waitFor(() -> Files.exists(bundle.resolve("rootfs/started")), "the program runs after start");
        assertEquals("running", field(state(id), "status"));
        startAgain = oci("start", id);
        assertEquals(125, startAgain.exitCode(), startAgain::toString);
        assertEquals("container-fs: cannot start container " + id + ": it is running, not created\n",
                startAgain.stderr());
        Commands.Result deleteRunning = oci("delete", id);
        assertEquals(125, deleteRunning.exitCode(), deleteRunning::toString);
        assertEquals(1, deleteRunning.stderr().lines().count(), deleteRunning::toString);

        // KILL: the program is PID 1 of its namespace, which the kernel spares any signal it has no handler for.
        assertEquals(0, oci("kill", id, "KILL").exitCode());
        waitFor(() -> field(state(id), "status").equals("stopped"), "stopped after kill");
        assertEquals("0", field(state(id), "pid"));

        Commands.Result delete = oci("delete", id);
        assertEquals(0, delete.exitCode(), delete::toString);
        assertFalse(Files.exists(root.resolve(id)), "delete removes the state");
        assertCgroupExists(id, false);
        Commands.Result gone = oci("state", id);
        assertEquals(125, gone.exitCode(), gone::toString);
        assertEquals("container-fs: container " + id + " does not exist\n", gone.stderr());
    }

    @Test
    void aCreatedContainerThatIsKilledIsStoppedAndNeverRunsItsProgram() throws Exception {
        config("\"sh\", \"-c\", \"echo started > /started\"");
        String id = id("killed");
        Process create = detached("create", "--bundle", bundle.toString(), id);
        assertTrue(create.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "create returned");
        assertEquals(0, create.exitValue(), () -> read(tmp.resolve("create.err")));

        assertEquals(0, oci("kill", id, "KILL").exitCode());
        waitFor(() -> field(state(id), "status").equals("stopped"), "stopped after kill");
        Commands.Result start = oci("start", id);
        assertEquals(125, start.exitCode(), start::toString);
        assertEquals(0, oci("delete", id).exitCode());
        assertFalse(Files.exists(bundle.resolve("rootfs/started")), "the program never ran");
    }

    /** kill --all stops a container whose program runs as a user (no parent-death signal after create). */
    @Test
    void killAllStopsEveryProcessOfAContainerRunAsAUser() throws Exception {
        config("\"sh\", \"-c\", \"id -u > /tmp/uid.new && mv /tmp/uid.new /tmp/uid; sleep 600 & exec sleep 600\"");
        Path config = bundle.resolve("config.json");
        Files.writeString(config, Files.readString(config).replace("\"uid\": 0,", "\"uid\": 1000,"));
        String id = id("all");
        Process create = detached("create", "--bundle", bundle.toString(), id);
        assertTrue(create.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "create returned");
        assertEquals(0, create.exitValue(), () -> read(tmp.resolve("create.err")));
        assertEquals(0, oci("start", id).exitCode());
        waitFor(() -> Files.exists(bundle.resolve("rootfs/tmp/uid")), "the program runs after start");
        assertEquals("1000", Files.readString(bundle.resolve("rootfs/tmp/uid")).trim());

        assertEquals(0, oci("kill", "--all", id, "9").exitCode());
        waitFor(() -> field(state(id), "status").equals("stopped"), "stopped after kill --all");
        assertEquals(0, oci("delete", id).exitCode());
        assertCgroupExists(id, false);
    }

    @Test
    void runWaitsAndReturnsTheProgramsStatusAndLeavesNoState() throws IOException {
        config("\"sh\", \"-c\", \"echo hi; hostname; ulimit -n; exit 3\"");
        String id = id("run");

        Commands.Result run = oci("run", "--bundle", bundle.toString(), id);

        assertEquals(new Commands.Result(3, "hi\ncontainer-fs\n1024\n", ""), run, "spec's hostname and rlimits");
        assertFalse(Files.exists(root.resolve(id)), "run removes its state");
        assertCgroupExists(id, false);
    }

    /**
     * exec: the new process is in the running container's namespaces (its hostname, its root, its
     * PID 1), with the container's capabilities and seccomp filter, and its exit status passes
     * through.
     */
    @Test
    void execRunsInTheContainersNamespacesWithItsCapabilitiesAndSeccompFilter() throws Exception {
        String id = running("exec", true);

        Commands.Result exec = oci("exec", id, "sh", "-c", "hostname; tr '\\0' ' ' < /proc/1/cmdline; echo;"
                + " cat /started; grep -E '^(CapBnd|Seccomp):' /proc/1/status /proc/self/status; exit 5");

        assertEquals(5, exec.exitCode(), exec::toString);
        assertEquals(List.of("container-fs", "sleep 600 ", "started", "/proc/1/status:CapBnd:\t0000000020000420",
                "/proc/1/status:Seccomp:\t2", "/proc/self/status:CapBnd:\t0000000020000420",
                "/proc/self/status:Seccomp:\t2"), exec.stdout().lines().toList(), exec::toString);
        Commands.Result killed = oci("exec", id, "sh", "-c", "kill -9 $$");
        assertEquals(137, killed.exitCode(), killed::toString);
        Commands.Result missing = oci("exec", id, "no-such-program");
        assertEquals(127, missing.exitCode(), missing::toString);
        assertEquals(1, missing.stderr().lines().count(), missing::toString);
    }

    /** runc's options change config.json's process; --process FILE replaces it. */
    @Test
    void execOptionsAndAProcessFileSetEnvDirectoryUserAndCapabilities() throws Exception {
        String id = running("execopts", false);

        Commands.Result exec = oci("exec", "--env", "GREETING=hi", "-e", "OTHER=2", "--cwd", "/etc", "--user",
                "1000:1000", "--additional-gids", "10", "--cap", "CAP_NET_RAW", id, "sh", "-c",
                "echo $GREETING $OTHER; pwd; id; grep -E '^(CapBnd|NoNewPrivs):' /proc/self/status");
        assertEquals(new Commands.Result(0, "hi 2\n/etc\nuid=1000 gid=1000 groups=10(wheel)\n"
                + "CapBnd:\t0000000020002420\nNoNewPrivs:\t1\n", ""), exec);

        Path process = tmp.resolve("process.json");
        Files.writeString(process, """
                {"terminal": false, "user": {"uid": 2000, "gid": 3000}, "args": ["sh", "-c", "id -u; id -g; pwd; echo $V"],
                 "env": ["PATH=/bin:/usr/bin", "V=from-file"], "cwd": "/tmp",
                 "capabilities": {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"]}}
                """);
        Commands.Result fromFile = oci("exec", "--process", process.toString(), id);
        assertEquals(new Commands.Result(0, "2000\n3000\n/tmp\nfrom-file\n", ""), fromFile);
    }

    /**
     * exec --detach returns once the process runs, its pid in --pid-file; ps lists it beside PID 1;
     * the kernel ends it with the container.
     */
    @Test
    void execDetachedWritesThePidFileAndPsListsItUntilTheContainerDies() throws Exception {
        String id = running("execd", false);
        Path pidFile = tmp.resolve("exec.pid");

        Process exec = detached("exec", "--detach", "--pid-file", pidFile.toString(), id, "sleep", "600");
        assertTrue(exec.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "exec --detach returned");
        assertEquals(0, exec.exitValue(), () -> read(tmp.resolve("create.err")));
        int execPid = Integer.parseInt(Files.readString(pidFile).trim());
        int containerPid = Integer.parseInt(field(state(id), "pid"));
        assertTrue(Files.exists(Path.of("/proc/" + execPid)), "the detached process outlives exec");

        Commands.Result ps = oci("ps", "--format", "json", id);
        assertEquals(new Commands.Result(0, "[" + Math.min(containerPid, execPid) + "," + Math.max(containerPid, execPid)
                + "]\n", ""), ps);
        Commands.Result table = oci("ps", id);
        assertEquals(0, table.exitCode(), table::toString);
        assertTrue(table.stdout().lines().anyMatch(l -> l.matches("0 +" + execPid + " .* sleep 600")), table::toString);

        assertEquals(0, oci("kill", id, "KILL").exitCode());
        waitFor(() -> !Files.exists(Path.of("/proc/" + execPid)), "the exec'd process ends with the container");
    }

    /** Only a running container: a created, stopped or missing one is refused in one line. */
    @Test
    void execIntoACreatedStoppedOrMissingContainerIsRefusedInOneLine() throws Exception {
        config("\"sleep\", \"600\"");
        String id = id("execno");
        Process create = detached("create", "--bundle", bundle.toString(), id);
        assertTrue(create.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "create returned");
        assertEquals(0, create.exitValue(), () -> read(tmp.resolve("create.err")));

        assertEquals(new Commands.Result(125, "",
                "container-fs: cannot exec in container " + id + ": it is created, not running\n"),
                oci("exec", id, "true"));
        assertEquals(0, oci("kill", id, "KILL").exitCode());
        waitFor(() -> field(state(id), "status").equals("stopped"), "stopped after kill");
        assertEquals(new Commands.Result(125, "",
                "container-fs: cannot exec in container " + id + ": it is stopped, not running\n"),
                oci("exec", id, "true"));
        assertEquals(new Commands.Result(125, "", "container-fs: container no-such-" + id + " does not exist\n"),
                oci("exec", "no-such-" + id, "true"));
        Commands.Result tty = oci("exec", "--tty", id, "true");
        assertEquals(125, tty.exitCode(), tty::toString);
        assertEquals(1, tty.stderr().lines().count(), tty::toString);
    }

    @Test
    void aFieldThatIsNotSupportedIsRefusedInOneLineNamingIt() throws IOException {
        config("\"true\"");
        Path config = bundle.resolve("config.json");
        Files.writeString(config, Files.readString(config).replaceFirst("\"linux\": \\{",
                "\"domainname\": \"example.org\",\n  \"linux\": {"));
        String id = id("refused");

        Commands.Result run = oci("run", "--bundle", bundle.toString(), id);

        assertEquals(new Commands.Result(125, "", "container-fs: config.json: domainname is not supported yet\n"),
                run);
        assertFalse(Files.exists(root.resolve(id)), "nothing left behind");
    }

    /** The fields podman always passes: a sysctl, a umask, a cgroupsPath, masked paths beyond the core's. */
    @Test
    void sysctlUmaskCgroupsPathAndMaskedPathsReachTheContainer() throws IOException {
        config("\"sh\", \"-c\", \"cat /proc/sys/net/ipv4/ping_group_range; umask; ls -A /sys/dev/block | wc -l;"
                + " cat /proc/self/cgroup | grep -c cfs-it-parent\"");
        String id = id("podmanlike");
        String parent = "cfs-it-parent-" + ProcessHandle.current().pid();
        Path config = bundle.resolve("config.json");
        Files.writeString(config, Files.readString(config)
                .replace("\"uid\": 0,", "\"uid\": 0, \"umask\": 63,")
                .replace("\"linux\": {", "\"linux\": {\"sysctl\": {\"net.ipv4.ping_group_range\": \"0 0\"},"
                        + " \"cgroupsPath\": \"/" + parent + "/" + id + "\",")
                .replace("\"/proc/scsi\"", "\"/proc/scsi\", \"/sys/dev/block\""));
        try {
            Commands.Result run = oci("run", "--bundle", bundle.toString(), id);

            assertEquals(0, run.exitCode(), run::toString);
            assertEquals(List.of("0\t0", "0077", "0", "1"), run.stdout().lines().map(String::trim).toList(),
                    run::toString);
            assertFalse(Files.exists(Path.of("/sys/fs/cgroup/devices", parent, id)), "the container's cgroup is gone");
            assertTrue(Files.isDirectory(Path.of("/sys/fs/cgroup/devices", parent)), "its parent, the engine's, stays");
        } finally {
            try (Stream<Path> hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
                for (Path h : hierarchies.toList()) {
                    Files.deleteIfExists(h.resolve(parent));
                }
            }
            Files.deleteIfExists(Path.of("/sys/fs/cgroup", parent));
        }
    }

    /** A network namespace path, as podman passes its own: the container joins it (here, this test's, the host's). */
    @Test
    void aNetworkNamespacePathIsJoined() throws IOException {
        config("\"ls\", \"/sys/class/net\"");
        Path config = bundle.resolve("config.json");
        String netns = "/proc/" + ProcessHandle.current().pid() + "/ns/net";
        Files.writeString(config, Files.readString(config).replace("\"type\": \"network\"",
                "\"type\": \"network\", \"path\": \"" + netns + "\""));

        Commands.Result run = oci("run", "--bundle", bundle.toString(), id("netns"));

        assertEquals(0, run.exitCode(), run::toString);
        assertEquals(Commands.run("ls", "/sys/class/net").stdout(), run.stdout(), "the host's interfaces");
        assertTrue(run.stdout().lines().count() > 1, () -> "more than lo: " + run.stdout());
    }

    /** A masked path outside /proc and /sys could lead, through a symlink of the rootfs, out of it: refused. */
    @Test
    void aMaskedPathOutsideProcAndSysIsRefused() throws IOException {
        config("\"true\"");
        Path config = bundle.resolve("config.json");
        Files.writeString(config, Files.readString(config).replace("\"/proc/scsi\"", "\"/proc/scsi\", \"/etc/shadow\""));
        String id = id("masked");

        Commands.Result run = oci("run", "--bundle", bundle.toString(), id);

        assertEquals(125, run.exitCode(), run::toString);
        assertEquals(1, run.stderr().lines().count(), run::toString);
        assertTrue(run.stderr().contains("/etc/shadow"), run::toString);
        assertFalse(Files.exists(root.resolve(id)), "nothing left behind");
    }

    /** Podman's default nofile of 1048576 on a host whose hard limit is lower and whose root lacks CAP_SYS_RESOURCE. */
    @Test
    void aHardLimitAboveTheHostsIsRefusedNamingTheLimitAndBothValues() throws IOException {
        config("\"true\"");
        Path config = bundle.resolve("config.json");
        long tooHigh = hardNofile() + 1;
        Files.writeString(config, Files.readString(config).replace("\"hard\": 1024", "\"hard\": " + tooHigh)
                .replace("\"soft\": 1024", "\"soft\": " + tooHigh));
        String id = id("rlimit");

        Commands.Result run = oci("run", "--bundle", bundle.toString(), id);

        assertEquals(125, run.exitCode(), run::toString);
        assertTrue(run.stderr().startsWith("container-fs: set limits RLIMIT_NOFILE soft " + tooHigh + " hard "
                + tooHigh + " (the hard limit here is " + hardNofile() + "): Operation not permitted;"), run::toString);
        assertEquals(1, run.stderr().lines().count(), run::toString);
        assertFalse(Files.exists(root.resolve(id)), "nothing left behind");
        assertCgroupExists(id, false);
    }

    private static long hardNofile() {
        Commands.Result r = Commands.run("sh", "-c", "ulimit -Hn");
        return Long.parseLong(r.stdout().trim());
    }

    /**
     * The runtime spec's lifecycle on a bundle made by {@code runc spec} itself, only its terminal
     * and args changed (its root.path, "rootfs", is the Alpine tree): its read-only root, its
     * capabilities in every set it lists, the container's own cgroup on a read-only /sys/fs/cgroup.
     * The program's output is create's stdout: the container keeps the caller's.
     */
    @Test
    void aBundleMadeByRuncSpecGoesThroughTheRuntimeSpecsStates() throws Exception {
        runcSpec("\"sh\", \"-c\", \"grep Cap /proc/self/status; grep -c ' /sys/fs/cgroup ro,' /proc/self/mountinfo;"
                + " ls /sys/fs/cgroup; touch /sys/fs/cgroup/x || echo refused; echo started; exec sleep 600\"");
        Path pidFile = tmp.resolve("container.pid");
        String id = id("runc-spec");

        Process create = detached("create", "--bundle", bundle.toString(), "--pid-file", pidFile.toString(), id);
        assertTrue(create.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "create returned");
        assertEquals(0, create.exitValue(), () -> read(tmp.resolve("create.err")));
        String created = state(id);
        assertEquals("created", field(created, "status"), created);
        assertEquals(Files.readString(pidFile).trim(), field(created, "pid"), created);
        assertEquals("", read(tmp.resolve("create.out")), "the program has not run before start");

        assertEquals(0, oci("start", id).exitCode());
        waitFor(() -> read(tmp.resolve("create.out")).contains("started\n"), "the program runs after start");
        assertEquals("running", field(state(id), "status"));
        String out = read(tmp.resolve("create.out"));
        // runc 1.1's spec lists bounding, effective, permitted and ambient, no inheritable: an ambient
        // capability that is not inheritable cannot be raised (runc shows the same sets, below).
        String three = "00000000" + Long.toHexString((1L << 5) | (1L << 10) | (1L << 29)); // KILL, NET_BIND_SERVICE, AUDIT_WRITE
        String inheritable = Files.readString(bundle.resolve("config.json")).contains("\"inheritable\"")
                ? three : "0000000000000000";
        assertTrue(out.startsWith("CapInh:\t" + inheritable + "\nCapPrm:\t" + three + "\nCapEff:\t" + three
                + "\nCapBnd:\t" + three + "\nCapAmb:\t" + inheritable + "\n"), out);
        assertTrue(out.contains("\n1\n"), "/sys/fs/cgroup is mounted read-only: " + out);
        assertTrue(out.contains("\nrefused\n"), "/sys/fs/cgroup cannot be written: " + out);
        assertTrue(out.contains("devices\n"), "the container's own device cgroup is shown: " + out);

        assertEquals(0, oci("kill", id, "KILL").exitCode());
        waitFor(() -> field(state(id), "status").equals("stopped"), "stopped after kill");
        Commands.Result delete = oci("delete", id);
        assertEquals(0, delete.exitCode(), delete::toString);
        assertFalse(Files.exists(root.resolve(id)), "delete removes the state");
        assertCgroupExists(id, false);
    }

    /**
     * All five capability sets reach a process run as a user: inheritable and ambient too, raised
     * after the user switch, so that uid 1000 keeps them across execve; and a cgroup namespace
     * (runc spec lists one on a cgroup v2 host) shows the container's cgroups as "/".
     */
    @Test
    void fiveCapabilitySetsReachAUserAndACgroupNamespaceIsRootedAtTheContainersCgroup() throws Exception {
        runcSpec("\"sh\", \"-c\", \"id -u; grep Cap /proc/self/status; grep -vc ':/$' /proc/self/cgroup;"
                + " ls /sys/fs/cgroup/devices | grep -c container-fs.oci; true\"");
        Path config = bundle.resolve("config.json");
        String text = Files.readString(config);
        String ambient = text.substring(text.indexOf("\"ambient\""), text.indexOf(']', text.indexOf("\"ambient\"")) + 1);
        Files.writeString(config, text.replace("\"uid\": 0,", "\"uid\": 1000,")
                .replace(ambient, ambient + ",\n\"inheritable\"" + ambient.substring("\"ambient\"".length()))
                .replaceFirst("\"namespaces\": \\[", "\"namespaces\": [{\"type\": \"cgroup\"},"));
        String id = id("five-sets");

        Commands.Result run = oci("run", "--bundle", bundle.toString(), id);

        String three = "00000000" + Long.toHexString((1L << 5) | (1L << 10) | (1L << 29));
        assertEquals(new Commands.Result(0, "1000\nCapInh:\t" + three + "\nCapPrm:\t" + three + "\nCapEff:\t"
                + three + "\nCapBnd:\t" + three + "\nCapAmb:\t" + three + "\n0\n0\n", ""), run,
                "every cgroup line ends in :/, and /sys/fs/cgroup/devices is the container's own cgroup, none"
                        + " of the host's below it");
        assertCgroupExists(id, false);
    }

    /**
     * runc itself on the same runc spec bundle: the same capability sets. (Not the same cgroups: runc
     * puts its container in every v1 hierarchy, container-fs in those it limits.)
     */
    @Test
    void aBundleMadeByRuncSpecGetsTheCapabilitiesRuncGivesIt() throws IOException {
        runcSpec("\"grep\", \"Cap\", \"/proc/self/status\"");
        String id = id("as-runc");
        Path runcRoot = tmp.resolve("runc");

        Commands.Result ours = oci("run", "--bundle", bundle.toString(), id);
        Commands.Result runc;
        try {
            runc = Commands.run(tmp, "", List.of("runc", "--root", runcRoot.toString(), "run", "--bundle",
                    bundle.toString(), id));
        } finally {
            Commands.run(tmp, "", List.of("runc", "--root", runcRoot.toString(), "delete", "--force", id));
        }

        assertEquals(0, runc.exitCode(), runc::toString);
        assertEquals(runc, ours);
    }

    /** An ambient capability that is not permitted: the kernel would refuse it; refused at once, in one line. */
    @Test
    void anAmbientCapabilityThatIsNotPermittedIsRefusedInOneLine() throws IOException {
        runcSpec("\"true\"");
        Path config = bundle.resolve("config.json");
        String text = Files.readString(config);
        int ambient = text.indexOf("\"ambient\": [");
        Files.writeString(config, text.substring(0, ambient) + "\"ambient\": [\"CAP_SYS_ADMIN\","
                + text.substring(ambient + "\"ambient\": [".length()));
        String id = id("ambient");

        Commands.Result create = oci("create", "--bundle", bundle.toString(), id);

        assertEquals(new Commands.Result(125, "", "container-fs: config.json: process.capabilities.ambient has"
                + " CAP_SYS_ADMIN, which permitted lacks: the kernel raises an ambient capability only when it is"
                + " permitted and inheritable (prctl(2), PR_CAP_AMBIENT_RAISE)\n"), create);
        assertFalse(Files.exists(root.resolve(id)), "nothing left behind");
        assertCgroupExists(id, false);
    }

    // ---- helpers ----


    /**
     * A container created and started from our spec, its program {@code sleep 600} after it wrote
     * /started; with a seccomp profile (Docker's format, allowing all but swapon) if asked.
     */
    private String running(String name, boolean seccomp) throws Exception {
        config("\"sh\", \"-c\", \"echo started > /started; exec sleep 600\"");
        if (seccomp) {
            Path config = bundle.resolve("config.json");
            Files.writeString(config, Files.readString(config).replaceFirst("\"linux\": \\{",
                    "\"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\":"
                            + " [\"swapon\"], \"action\": \"SCMP_ACT_ERRNO\"}]},"));
        }
        String id = id(name);
        Process create = detached("create", "--bundle", bundle.toString(), id);
        assertTrue(create.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "create returned");
        assertEquals(0, create.exitValue(), () -> read(tmp.resolve("create.err")));
        assertEquals(0, oci("start", id).exitCode());
        waitFor(() -> Files.exists(bundle.resolve("rootfs/started")), "the program runs after start");
        return id;
    }

    /** Our own spec, edited as a user would: no terminal, a writable root, these args. */
    private void config(String args) throws IOException {
        Path config = bundle.resolve("config.json");
        String text = Files.readString(config)
                .replace("\"terminal\": true", "\"terminal\": false")
                .replace("\"readonly\": true", "\"readonly\": false")
                .replaceFirst("\"args\": \\[[^\\]]*\\]", "\"args\": [" + Matcher.quoteReplacement(args) + "]");
        Files.writeString(config, text);
    }

    /** runc's own spec (Debian's runc), its terminal off and these args: nothing else changed. */
    private void runcSpec(String args) throws IOException {
        Path config = bundle.resolve("config.json");
        Files.delete(config);
        Commands.Result spec = Commands.run("runc", "spec", "--bundle", bundle.toString());
        assertEquals(0, spec.exitCode(), spec::toString);
        Files.writeString(config, Files.readString(config).replace("\"terminal\": true", "\"terminal\": false")
                .replaceFirst("\"args\": \\[[^\\]]*\\]", "\"args\": [" + Matcher.quoteReplacement(args) + "]"));
    }





    private static void assertCgroupExists(String id, boolean exists) throws IOException {
        List<Path> found = new ArrayList<>();
        try (Stream<Path> hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path h : hierarchies.toList()) {
                if (Files.isDirectory(h.resolve("container-fs.oci-" + id))) {
                    found.add(h);
                }
            }
        }
        if (Files.isDirectory(Path.of("/sys/fs/cgroup/container-fs.oci-" + id))) {
            found.add(Path.of("/sys/fs/cgroup"));
        }
        assertEquals(exists, !found.isEmpty(), () -> "the container's cgroup in " + found);
    }


    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
