package io.containerfs.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Cgroups;
import io.containerfs.testing.Commands;
import io.containerfs.testing.ContainerDirs;
import io.containerfs.testing.ContainerFs.FrontEnd;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.LiveProcess;
import io.containerfs.testing.Privileged;
import io.containerfs.testing.ProbeLayer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * --memory, --pids-limit and --stats on the real Alpine root filesystem, on this host's cgroups
 * (v1 controllers on the project's hybrid machines; the unified v2 hierarchy where /sys/fs/cgroup
 * is cgroup2). After every test no cgroup of container-fs is left, nor anything else a run leaves.
 */
@Privileged
public class CgroupIT {
    private static final Path CGROUPS = Path.of("/sys/fs/cgroup");

    @RegisterExtension
    final ContainerDirs run = ContainerDirs.withoutLayers();

    @AfterEach
    void noCgroupLeftBehind() {
        assertEquals(List.of(), cgroupsOfContainerFs(), "cgroups left behind");
    }

    /** Every directory named container-fs-* at the top of each hierarchy, where container-fs makes them. */
    public static List<Path> cgroupsOfContainerFs() {
        return Cgroups.ofContainerFs();
    }

    private Commands.Result run(List<String> options, String... command) {
        List<String> args = new ArrayList<>(options);
        args.addAll(List.of(Fixtures.alpineRootfs().toString(), Fixtures.appLayer().toString(), run.writedir().toString(),
                "--"));
        args.addAll(List.of(command));
        return FrontEnd.JAR.runIn(run.tmpdir(), null, args.toArray(String[]::new));
    }

    /** A value of the --stats block, e.g. "memory peak" → "32.0 MiB (limit 32.0 MiB)". */
    private static String stat(Commands.Result r, String name) {
        Matcher m = Pattern.compile("(?m)^  " + name + " +(.*)$").matcher(r.stderr());
        assertTrue(m.find(), "no '" + name + "' in --stats: " + r);
        return m.group(1);
    }

    private static double mebibytes(String value) {
        return Double.parseDouble(value.split(" ")[0]);
    }

    /** busybox tail keeps its whole input when it has no newline: /dev/zero is all memory it can get. */
    @Test
    void aCommandPastItsMemoryLimitIsOomKilledAndSaysSo() {
        Commands.Result r = run(List.of("--memory", "32m", "--stats"), "sh", "-c", "exec tail < /dev/zero");

        assertEquals(137, r.exitCode(), r::toString);
        assertTrue(r.stderr().contains("container-fs: the container reached its memory limit (--memory 32m) and the"
                + " kernel's OOM killer ended it (exit status 137)\n"), r::toString);
        assertEquals("1", stat(r, "OOM kills"));
        assertTrue(mebibytes(stat(r, "memory peak")) >= 31, "it used its 32 MiB: " + r);
    }

    @Test
    void underItsMemoryLimitACommandCompletesAndItsPeakIsCounted() {
        Commands.Result r = run(List.of("--memory", "64m", "--stats"), "sh", "-c",
                "head -c 20m /dev/zero | tail | wc -c");

        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(String.valueOf(20 << 20), r.stdout().trim());
        assertEquals("0", stat(r, "OOM kills"));
        double peak = mebibytes(stat(r, "memory peak"));
        assertTrue(peak >= 20 && peak <= 64, "at least the 20 MiB tail held, at most the limit: " + r);
    }

    /** The probe asks for thirty children; with itself, twenty processes are allowed. */
    @Test
    void aForkLoopCannotPassItsPidsLimit() {
        List<String> args = new ArrayList<>(List.of("--pids-limit", "20", "--stats", Fixtures.alpineRootfs().toString(),
                ProbeLayer.get().toString(), run.writedir().toString(), "--", "probe", "forks=30"));
        Commands.Result r = FrontEnd.JAR.runIn(run.tmpdir(), null, args.toArray(String[]::new));

        assertEquals(0, r.exitCode(), r::toString);
        assertEquals("forks 19 EAGAIN\n", r.stdout(), "fork(2) fails with EAGAIN at the limit");
        assertTrue(stat(r, "processes peak").matches("20 \\(limit 20\\)|n/a.*"), r::toString);
    }

    /** A shell's fork loop: when the shell ends, the container's other processes end with it. */
    @Test
    void noProcessOutlivesTheContainer() throws IOException {
        Commands.Result r = run(List.of("--pids-limit", "20"), "sh", "-c", "for i in 1 2 3; do sleep 1234 & done; true");

        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(List.of(), sleepsLeft());
    }

    private static List<Long> sleepsLeft() throws IOException {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().matches("\\d+")).filter(p -> {
                try {
                    return Files.readString(p.resolve("cmdline")).equals("sleep\u00001234\u0000");
                } catch (IOException gone) {
                    return false;
                }
            }).map(p -> Long.parseLong(p.getFileName().toString())).toList();
        }
    }

    /**
     * kill -9 of container-fs: the container dies with it (PR_SET_PDEATHSIG), its cgroups are left
     * behind, and the next run removes them, since nobody holds their locks.
     */
    @Test
    void aCgroupLeftByAKilledRunIsRemovedByTheNextOne() throws Exception {
        List<String> command = new ArrayList<>(FrontEnd.JAR.command());
        command.addAll(List.of("--pids-limit", "50", Fixtures.alpineRootfs().toString(), Fixtures.appLayer().toString(),
                run.writedir().toString(), "--", "sh", "-c", "echo started; sleep 300"));
        try (LiveProcess first = new LiveProcess(command, Map.of("TMPDIR", run.tmpdir().toString()))) {
            first.awaitOutput("started", Duration.ofSeconds(30));
            // One directory on v2; on a hybrid host one in the devices hierarchy and one in pids.
            assertEquals(Cgroups.isV2() ? 1 : 2, cgroupsOfContainerFs().size(), "the running container's cgroups");
            first.signal("KILL");
            first.waitFor(Duration.ofSeconds(30));
        }
        assertEquals(Cgroups.isV2() ? 1 : 2, cgroupsOfContainerFs().size(), "kill -9 leaves them for the next run");

        Commands.Result next = run(List.of("--pids-limit", "50"), "true");

        assertEquals(0, next.exitCode(), next::toString);
        // nothingLeftBehind(): no cgroup, and the next run swept the killed one's directories too.
    }

    /**
     * A running container whose front end is in another PID namespace keeps its cgroup while
     * another run sweeps: the sweep proves an owner gone by a lock it can take, not by a pid it
     * looks up in its own namespace (issue 23, #8). Here the first front end's pid, 30001 or
     * so in its namespace, names no process of the host's.
     */
    @Test
    void aLiveContainerInAnotherPidNamespaceIsNotSwept() throws Exception {
        // sh, PID 1 of the new namespace, starts the front end as pid 30001 and passes SIGTERM on.
        List<String> command = new ArrayList<>(List.of("unshare", "--pid", "--fork", "--mount-proc", "sh", "-c",
                "echo 30000 > /proc/sys/kernel/ns_last_pid && { \"$@\" & pid=$!; trap 'kill -TERM $pid' TERM;"
                        + " wait $pid; wait $pid; }", "sh"));
        command.addAll(FrontEnd.JAR.command());
        command.addAll(List.of("--pids-limit", "50", Fixtures.alpineRootfs().toString(), Fixtures.appLayer().toString(),
                run.writedir().toString(), "--", "sh", "-c", "trap 'exit 0' TERM; echo started; sleep 300 & wait"));
        Path otherWritedir = Files.createDirectory(run.dir().resolve("writedir-2"));
        try (LiveProcess first = new LiveProcess(command, Map.of("TMPDIR", run.tmpdir().toString()))) {
            first.awaitOutput("started", Duration.ofSeconds(30));
            List<Path> cgroups = cgroupsOfContainerFs();
            assertTrue(cgroups.get(0).getFileName().toString().startsWith("container-fs-300"), cgroups::toString);

            List<String> args = List.of("--pids-limit", "50", Fixtures.alpineRootfs().toString(),
                    otherWritedir.toString(), "--", "true");
            Commands.Result second = FrontEnd.JAR.runIn(run.tmpdir(), null, args.toArray(String[]::new));

            assertEquals(0, second.exitCode(), second::toString);
            assertTrue(first.isAlive(), () -> "the first container was killed by the second run's sweep: "
                    + first.output());
            assertEquals(cgroups, cgroupsOfContainerFs(), "the live container's cgroup");
            // The namespace's sh, unshare's one child, by its pid.
            String children = "/proc/" + first.pid() + "/task/" + first.pid() + "/children";
            Commands.run("sh", "-c", "kill -TERM $(cat " + children + ")");
            first.waitFor(Duration.ofSeconds(30));
        }
    }

    /**
     * A leftover in a hierarchy this run does not use is swept all the same (issue 23, #13): on a
     * hybrid host, a pids directory, by a run with --memory only.
     */
    @Test
    void aLeftoverOfAnyControllerIsSweptByTheNextRunWithALimit() throws IOException {
        Path hierarchy = Files.isDirectory(CGROUPS.resolve("pids")) ? CGROUPS.resolve("pids") : CGROUPS;
        Path leftover = Files.createDirectory(hierarchy.resolve("container-fs-999999-0badf00d"));
        try {
            Commands.Result r = run(List.of("--memory", "64m"), "true");

            assertEquals(0, r.exitCode(), r::toString);
            assertFalse(Files.exists(leftover), "the leftover was not swept");
        } finally {
            if (Files.exists(leftover)) {
                Files.delete(leftover);
            }
        }
    }

    @Test
    void statsReportCpuTimeWithoutAnyLimit() {
        Commands.Result r = run(List.of("--stats"), "fib");

        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(Fixtures.FIB_OUTPUT, r.stdout());
        assertTrue(stat(r, "CPU user").matches("\\d+\\.\\d{3} s"), r::toString);
        assertTrue(stat(r, "CPU system").matches("\\d+\\.\\d{3} s"), r::toString);
        assertEquals("0", stat(r, "OOM kills"));
    }

    /**
     * Without limits and --stats the container is in a cgroup of its own for its device rules only:
     * the devices hierarchy's on a v1 or hybrid host, the unified one on v2 (DeviceCgroupIT). With
     * --privileged, which has no device rules, none is made.
     */
    @Test
    void withoutLimitsOnlyTheDeviceRulesCgroupIsMade() throws IOException {
        String own = Files.readString(Path.of("/proc/self/cgroup"));
        Commands.Result r = run(List.of(), "cat", "/proc/self/cgroup");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(List.of(Cgroups.isV2() ? "0:" : "devices"), r.stdout().lines()
                .filter(l -> l.contains("/container-fs-")).map(l -> l.split(":")[Cgroups.isV2() ? 0 : 1]
                        + (Cgroups.isV2() ? ":" : "")).toList(), r.stdout());
        assertEquals(own.lines().count(), r.stdout().lines().count());

        Commands.Result privileged = run(List.of("--privileged"), "cat", "/proc/self/cgroup");
        assertEquals(0, privileged.exitCode(), privileged::toString);
        assertFalse(privileged.stdout().contains("container-fs-"), privileged.stdout());
    }

    /**
     * --cpu-shares and --cpus are the container's cgroup's: cpu.shares and the CFS quota on v1, the
     * cpu.weight the shares map to (512: 59, src/test/c/test_cpu_weight.c) and cpu.max on v2.
     */
    @Test
    void cpuSharesAndQuotaAreTheContainersCgroups() throws Exception {
        List<String> command = new ArrayList<>(FrontEnd.JAR.command());
        command.addAll(List.of("--cpu-shares", "512", "--cpus", "0.5", Fixtures.alpineRootfs().toString(),
                run.writedir().toString(), "--", "sh", "-c", "trap 'exit 0' TERM; echo started; sleep 300 & wait"));
        try (LiveProcess container = new LiveProcess(command, Map.of("TMPDIR", run.tmpdir().toString()))) {
            container.awaitOutput("started", Duration.ofSeconds(30));
            Path hierarchy = Cgroups.isV2() ? CGROUPS : CGROUPS.resolve("cpu");
            List<Path> cpu = cgroupsOfContainerFs().stream().filter(p -> p.getParent().equals(hierarchy)).toList();
            assertEquals(1, cpu.size(), cgroupsOfContainerFs()::toString);
            if (Cgroups.isV2()) {
                assertEquals("59\n", Files.readString(cpu.get(0).resolve("cpu.weight")));
                assertEquals("50000 100000\n", Files.readString(cpu.get(0).resolve("cpu.max")));
            } else {
                assertEquals("512\n", Files.readString(cpu.get(0).resolve("cpu.shares")));
                assertEquals("50000\n", Files.readString(cpu.get(0).resolve("cpu.cfs_quota_us")));
            }
            container.signal("TERM");
            assertEquals(0, container.waitFor(Duration.ofSeconds(30)), container::output);
        }
    }

    @Test
    void withALimitTheContainerIsInItsOwnCgroup() {
        Commands.Result r = run(List.of("--pids-limit", "100"), "cat", "/proc/self/cgroup");
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.stdout().contains("/container-fs-"), r.stdout());
    }
}
