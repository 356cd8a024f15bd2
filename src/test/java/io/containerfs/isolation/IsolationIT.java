package io.containerfs.isolation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Commands;
import io.containerfs.testing.ContainerDirs;
import io.containerfs.testing.ContainerFs.FrontEnd;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.Privileged;
import io.containerfs.testing.ProbeLayer;
import io.containerfs.testing.PrivilegedCondition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A container is contained by default: each attack docs/SECURITY.md lists fails
 * inside with the documented error, the host's names, kernel settings and mount table stay as they
 * were, and with the named escape hatch (--privileged, --cap-add, --security-opt) the harmless ones
 * work, so each test is known to be able to fail.
 */
@Privileged
class IsolationIT {
    /**
     * Docker's default capabilities (CHOWN … AUDIT_WRITE, SETFCAP, moby's oci/caps/defaults.go), NET_RAW
     * included, which a container in a network of its own (the default) keeps.
     */
    static final String DOCKER_DEFAULT_CAPABILITIES = "00000000a80425fb";
    /** The same without NET_RAW, which on the host's network would read the host's packets (podman drops it too). */
    static final String DOCKER_DEFAULT_CAPABILITIES_BUT_NET_RAW = "00000000a80405fb";

    /** Every call the probe knows, and what the seccomp filter and the capabilities answer by default. */
    static final Map<String, String> REFUSED = new LinkedHashMap<>();

    static {
        for (String call : List.of("keyctl", "add_key", "request_key", "userfaultfd", "bpf", "perf_event_open",
                "kexec_load", "open_by_handle_at", "init_module", "settimeofday", "personality", "unshare",
                "setns", "clone_newns", "tiocsti", "tioclinux", "mount", "sethostname")) {
            REFUSED.put(call, "EPERM");
        }
        REFUSED.put("clone3", "ENOSYS"); // so that glibc falls back to clone, whose flags the filter sees
        REFUSED.put("mknod_block", "OK"); // as in Docker: the device cgroup refuses to open it (DeviceCgroupIT)
        REFUSED.put("mknod_fifo", "OK");
        REFUSED.put("packet_socket", "OK"); // NET_RAW in a network of its own, which is all it sees (issue 23, #5)
        // Not in the allowlist (issue 23, #6): each passed the old denylist.
        for (String call : List.of("io_uring_setup", "io_uring_enter", "io_uring_register", "vsock_socket",
                "modify_ldt", "mbind", "set_mempolicy", "get_mempolicy", "move_pages")) {
            REFUSED.put(call, "EPERM");
        }
        // Newer than every call the profile names: as on a kernel without them, whatever this one has.
        for (String call : List.of("statmount", "listmount", "mseal")) {
            REFUSED.put(call, "ENOSYS");
        }
    }

    @RegisterExtension
    final ContainerDirs run = ContainerDirs.withoutLayers();

    private Map<String, String> hostBefore;

    @BeforeEach
    void layers() throws IOException {
        hostBefore = hostSettings();
    }

    @AfterEach
    void theHostIsUnchanged() throws IOException {
        assertEquals(hostBefore, hostSettings(), "the host's names or kernel settings changed");
    }

    private static Map<String, String> hostSettings() throws IOException {
        Map<String, String> settings = new LinkedHashMap<>();
        for (String file : List.of("/proc/sys/kernel/hostname", "/proc/sys/kernel/domainname",
                "/proc/sys/kernel/core_pattern", "/proc/self/ns/uts", "/proc/self/ns/ipc")) {
            Path path = Path.of(file);
            settings.put(file, Files.isSymbolicLink(path) ? Files.readSymbolicLink(path).toString() : Files.readString(path));
        }
        return settings;
    }

    private Commands.Result run(FrontEnd frontEnd, List<String> options, String... command) {
        List<String> args = new ArrayList<>(options);
        args.addAll(List.of(Fixtures.alpineRootfs().toString(), ProbeLayer.get().toString(), run.writedir().toString(), "--"));
        args.addAll(List.of(command));
        return frontEnd.runIn(run.tmpdir(), null, args.toArray(String[]::new));
    }

    private Commands.Result run(List<String> options, String... command) {
        return run(FrontEnd.JAR, options, command);
    }

    private static String status(Commands.Result r, String field) {
        return r.stdout().lines().filter(l -> l.startsWith(field + ":")).map(l -> l.substring(field.length() + 1).trim())
                .findFirst().orElseThrow(() -> new AssertionError("no " + field + " in " + r));
    }

    private static Map<String, String> probe(Commands.Result r) {
        assertEquals(0, r.exitCode(), r::toString);
        Map<String, String> answers = new LinkedHashMap<>();
        r.stdout().lines().map(l -> l.split(" ")).forEach(w -> answers.put(w[0], w[1]));
        return answers;
    }

    private Map<String, String> probeAll(List<String> options) {
        List<String> command = new ArrayList<>(List.of("probe"));
        command.addAll(REFUSED.keySet());
        return probe(run(options, command.toArray(String[]::new)));
    }

    @ParameterizedTest
    @EnumSource(FrontEnd.class)
    void theCommandKeepsDockersCapabilitiesUnderASeccompFilter(FrontEnd frontEnd) {
        Commands.Result r = run(frontEnd, List.of(), "cat", "/proc/self/status");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals("0000000000000000", status(r, "CapInh"));
        assertEquals(DOCKER_DEFAULT_CAPABILITIES, status(r, "CapPrm"));
        assertEquals(DOCKER_DEFAULT_CAPABILITIES, status(r, "CapEff"));
        assertEquals(DOCKER_DEFAULT_CAPABILITIES, status(r, "CapBnd"), "dropped from the bounding set too");
        assertEquals("0000000000000000", status(r, "CapAmb"));
        assertEquals("2", status(r, "Seccomp"), "filter mode");
        assertEquals("0", status(r, "NoNewPrivs"));
    }

    @Test
    void everyRefusedCallFailsWithTheDocumentedError() {
        assertEquals(REFUSED, probeAll(List.of()));
    }

    /** The same calls with the filter off and every capability: they work, in the container's own namespaces. */
    @Test
    void privilegedGivesEveryCapabilityAndNoFilter() {
        Map<String, String> answers = probeAll(List.of("--privileged"));
        for (String call : List.of("keyctl", "unshare", "clone_newns", "mount", "mknod_block", "sethostname",
                "settimeofday", "personality")) {
            assertEquals("OK", answers.get(call), call + " with --privileged: " + answers);
        }
        assertEquals("ENOTTY", answers.get("tiocsti"), "reaches the kernel, which finds no terminal");
        Commands.Result r = run(List.of("--privileged"), "cat", "/proc/self/status");
        assertEquals("0", status(r, "Seccomp"));
    }

    @Test
    void capAddLiftsTheCapabilityAndTheRulesTiedToIt() {
        Map<String, String> answers = probe(run(List.of("--cap-add", "SYS_ADMIN"), "probe", "mount", "unshare",
                "sethostname", "keyctl", "tiocsti"));
        assertEquals(Map.of("mount", "OK", "unshare", "OK", "sethostname", "OK", "keyctl", "EPERM", "tiocsti", "EPERM"),
                answers);
    }

    /**
     * An AF_PACKET socket sniffs the host's own traffic (a password sent to 127.0.0.1) on the host's
     * network: refused there, given by --cap-add NET_RAW; in a network of the container's own (the
     * default, or none) NET_RAW stays, as in Docker, and sees only that network (NetworkIT).
     */
    @Test
    void aPacketSocketNeedsNetRawWhichTheHostsNetworkDoesNotGive() {
        Commands.Result host = run(List.of("--network", "host"), "sh", "-c",
                "probe packet_socket; grep CapEff /proc/self/status");
        assertEquals("packet_socket EPERM", host.stdout().lines().findFirst().orElse(""), host::toString);
        assertEquals(DOCKER_DEFAULT_CAPABILITIES_BUT_NET_RAW, status(host, "CapEff"));
        assertEquals(Map.of("packet_socket", "OK"),
                probe(run(List.of("--network", "host", "--cap-add", "NET_RAW"), "probe", "packet_socket")));
        Commands.Result none = run(List.of("--network", "none"), "sh", "-c",
                "probe packet_socket; grep CapEff /proc/self/status");
        assertEquals("packet_socket OK", none.stdout().lines().findFirst().orElse(""), none::toString);
        assertEquals(DOCKER_DEFAULT_CAPABILITIES, status(none, "CapEff"));
    }

    @Test
    void capDropAllLeavesNoCapability() {
        Commands.Result r = run(List.of("--cap-drop", "ALL"), "sh", "-c",
                "grep -E '^Cap(Eff|Bnd)' /proc/self/status; touch /f && chown 65534 /f");
        assertEquals("0000000000000000", status(r, "CapEff"));
        assertEquals("0000000000000000", status(r, "CapBnd"));
        assertTrue(r.stderr().contains("Operation not permitted"), r::toString);
    }

    @Test
    void noNewPrivilegesAndSeccompUnconfinedDoWhatTheySay() {
        Commands.Result nnp = run(List.of("--security-opt", "no-new-privileges"), "cat", "/proc/self/status");
        assertEquals("1", status(nnp, "NoNewPrivs"));
        Commands.Result unconfined = run(List.of("--security-opt", "seccomp=unconfined"), "cat", "/proc/self/status");
        assertEquals("0", status(unconfined, "Seccomp"));
        assertEquals(DOCKER_DEFAULT_CAPABILITIES, status(unconfined, "CapEff"), "capabilities stay dropped");
    }

    @ParameterizedTest
    @EnumSource(FrontEnd.class)
    void theContainerHasItsOwnHostnameAndIpc(FrontEnd frontEnd) throws IOException {
        String script = "hostname; readlink /proc/self/ns/uts; readlink /proc/self/ns/ipc;"
                + " grep -c ' /dev/mqueue .* - mqueue ' /proc/self/mountinfo";
        List<String> first = run(frontEnd, List.of(), "sh", "-c", script).stdout().lines().toList();
        List<String> second = run(frontEnd, List.of(), "sh", "-c", script).stdout().lines().toList();

        assertTrue(first.get(0).matches("[0-9a-f]{12}"), "a 12-hex-digit id: " + first);
        assertNotEquals(first.get(0), second.get(0), "random");
        assertNotEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/uts")).toString(), first.get(1));
        assertNotEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/ipc")).toString(), first.get(2));
        assertEquals("1", first.get(3), "its own /dev/mqueue");
    }

    @Test
    void hostnameSetsTheContainersName() {
        Commands.Result r = run(List.of("--hostname", "web-1"), "hostname");
        assertEquals("web-1\n", r.stdout(), r::toString);
    }

    /** As in docker run, -h is the hostname, not the help. */
    @Test
    void shortHSetsTheHostnameToo() {
        Commands.Result r = run(List.of("-h", "myhost"), "hostname");
        assertEquals("myhost\n", r.stdout(), r::toString);
        assertEquals(0, r.exitCode(), r::toString);
    }

    @Test
    void theKernelsSettingsAreReadOnlyAndItsSecretsMasked() {
        // A kernel without CONFIG_MAGIC_SYSRQ (this project's build machine) has no sysrq-trigger.
        boolean sysrq = Files.exists(Path.of("/proc/sysrq-trigger"));
        Commands.Result r = run(List.of(), "sh", "-c", String.join("; ",
                "echo evil > /proc/sys/kernel/domainname",
                "echo '|/bin/evil' > /proc/sys/kernel/core_pattern",
                "test ! -e /proc/sysrq-trigger || echo h > /proc/sysrq-trigger",
                "mount -o remount,rw /sys",
                "ls -A /sys/firmware | wc -l",
                "test ! -e /proc/timer_list || wc -c < /proc/timer_list",
                "grep -E ' /proc/sys(rq-trigger)? ' /proc/self/mountinfo | grep -c ' ro,'"));
        assertTrue(r.stderr().contains("can't create /proc/sys/kernel/domainname: Read-only file system"), r::toString);
        assertTrue(r.stderr().contains("can't create /proc/sys/kernel/core_pattern: Read-only file system"), r::toString);
        assertEquals(sysrq, r.stderr().contains("can't create /proc/sysrq-trigger: Read-only file system"), r::toString);
        assertTrue(r.stderr().contains("mount: permission denied"), r::toString);
        assertEquals(List.of("0", "0", sysrq ? "2" : "1"), r.stdout().lines().map(String::trim).toList(),
                "an empty /sys/firmware, an empty /proc/timer_list, read-only /proc/sys (and sysrq-trigger): " + r);
    }

    /** With --privileged the UTS namespace's own domainname can be written, and the host's stays. */
    @Test
    void privilegedWritesOnlyTheContainersOwnNames() {
        Commands.Result r = run(List.of("--privileged"), "sh", "-c",
                "echo inside > /proc/sys/kernel/domainname && hostname inside && cat /proc/sys/kernel/domainname && hostname");
        assertEquals("inside\ninside\n", r.stdout(), r::toString);
    }

    /** TIOCSTI on the user's own terminal: a real pty (script(1)), the attack the filter exists for. */
    @Test
    void theContainerCannotTypeIntoTheTerminalItWasStartedFrom() {
        PrivilegedCondition.requireInCi(Fixtures.onPath("script"), "script (util-linux)");
        List<String> words = new ArrayList<>(FrontEnd.JAR.command());
        words.addAll(List.of(Fixtures.alpineRootfs().toString(), ProbeLayer.get().toString(), run.writedir().toString(), "--",
                "probe", "tiocsti", "tioclinux"));
        String command = "exec " + String.join(" ", words.stream().map(w -> "'" + w + "'").toList());
        Commands.Result r = Commands.run(null, null, List.of("script", "-qec", command, "/dev/null"),
                Map.of("TMPDIR", run.tmpdir().toString(), "SHELL", "/bin/sh"));
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(List.of("tiocsti EPERM", "tioclinux EPERM"),
                Arrays.stream(r.stdout().split("\r?\n")).filter(l -> l.startsWith("tio")).toList(), r::toString);
    }

    /** The course still works: apk reads its database, a file created inside lands in WRITEDIR. */
    @Test
    void theCourseStillWorks() throws IOException {
        Commands.Result r = run(List.of(), "sh", "-c", "apk info | grep -c . && touch /hello && ps -o comm | tail -1");
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(Integer.parseInt(r.stdout().lines().findFirst().orElseThrow()) > 10, r::toString);
        assertTrue(Files.exists(run.writedir().resolve("hello")));
    }
}
