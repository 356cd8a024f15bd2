package io.containerfs.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Commands;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.HostMounts;
import io.containerfs.testing.Privileged;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * container-fs as an OCI runtime, called as an engine calls runc (docs/OCI.md): a bundle whose
 * config.json is our own {@code spec}, edited, and whose rootfs is Alpine's mini root filesystem;
 * the lifecycle of the runtime spec's runtime.md, create, state (created), start, state
 * (running), kill, state (stopped), delete; then run in the foreground.
 */
@Privileged
class OciLifecycleIT {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path tmp;

    private Path bundle;
    private Path root;
    private List<String> mounts;
    private final List<String> ids = new ArrayList<>();

    @BeforeEach
    void makeBundle() throws IOException {
        bundle = Files.createDirectory(tmp.resolve("bundle"));
        root = tmp.resolve("state");
        Path rootfs = Files.createDirectory(bundle.resolve("rootfs"));
        Commands.Result tar = Commands.run("tar", "--same-owner", "-xzpf", Fixtures.alpineTarball().toString(), "-C",
                rootfs.toString());
        assertEquals(0, tar.exitCode(), tar::toString);
        Commands.Result spec = oci("spec", "--bundle", bundle.toString());
        assertEquals(0, spec.exitCode(), spec::toString);
        mounts = HostMounts.snapshot();
    }

    @AfterEach
    void nothingLeftBehind() {
        for (String id : ids) {
            oci("delete", "--force", id); // a failed test's container, never another's
        }
        assertEquals(mounts, HostMounts.snapshot(), "the host's mount table changed");
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

    // ---- helpers ----

    private String id(String name) {
        String id = "it-" + name + "-" + ProcessHandle.current().pid();
        ids.add(id);
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

    private Commands.Result oci(String... args) {
        List<String> command = new ArrayList<>(List.of(Fixtures.launcher().toString(), "--root", root.toString()));
        command.addAll(List.of(args));
        return Commands.run(tmp, "", command);
    }

    /**
     * create's process, its output in files: the container keeps the caller's stdout and stderr
     * (an engine passes its own pipes), so a pipe read to its end would wait for the container.
     */
    private Process detached(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Fixtures.launcher().toString(), "--root", root.toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(tmp.resolve("create.out").toFile()).redirectError(tmp.resolve("create.err").toFile())
                .start();
    }

    private String state(String id) {
        Commands.Result r = oci("state", id);
        assertEquals(0, r.exitCode(), r::toString);
        return r.stdout();
    }

    /** A field of the state JSON: a string's contents or a number. */
    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\": (?:\"([^\"]*)\"|(-?\\d+))").matcher(json);
        assertTrue(m.find(), () -> name + " in " + json);
        return m.group(1) != null ? m.group(1) : m.group(2);
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

    private static void waitFor(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < end, what);
            Thread.sleep(50);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
