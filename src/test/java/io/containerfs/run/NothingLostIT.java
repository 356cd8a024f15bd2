package io.containerfs.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Commands;
import io.containerfs.testing.ContainerDirs;
import io.containerfs.testing.ContainerFs.FrontEnd;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.LeftBehind;
import io.containerfs.testing.LiveProcess;
import io.containerfs.testing.Privileged;
import io.containerfs.testing.PrivilegedCondition;
import io.containerfs.testing.TreeSnapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 10, "Nothing lost": what a careful user's faults must not cost, on the real Alpine root
 * filesystem, once per front end. docs/SECURITY.md, "Guarantees", names each test. After every
 * test the host's mount table is as before and no temporary or work directory is left.
 */
@Privileged
@ParameterizedClass
@EnumSource(FrontEnd.class)
class NothingLostIT {
    private static final Duration STARTED = Duration.ofSeconds(30);

    @Parameter
    FrontEnd frontEnd;

    @RegisterExtension
    final ContainerDirs run = ContainerDirs.onAlpine();

    private final List<Path> mounted = new ArrayList<>();

    @AfterEach
    void unmountWhatTheTestMounted() {
        for (Path p : mounted) {
            Commands.run("umount", p.toString());
        }
    }

    private List<String> containerFs(String... args) {
        List<String> command = new ArrayList<>(frontEnd.command());
        command.addAll(List.of(args));
        return command;
    }

    private LiveProcess start(String... args) {
        return new LiveProcess(containerFs(args), Map.of("TMPDIR", run.tmpdir().toString()));
    }

    private Commands.Result run(String... args) {
        return frontEnd.runIn(run.tmpdir(), null, args);
    }

    private Commands.Result runJar(String... args) {
        return FrontEnd.JAR.runIn(run.tmpdir(), null, args);
    }

    private LiveProcess startJar(String... args) {
        List<String> command = new ArrayList<>(FrontEnd.JAR.command());
        command.addAll(List.of(args));
        return new LiveProcess(command, Map.of("TMPDIR", run.tmpdir().toString()));
    }

    @Test
    void aWorkDirectoryHoldingFilesIsRefusedAndLeftAsItWas() throws IOException {
        // --overlay-workdir is the jar's: both runs of this class run it with the jar.
        Path work = Files.createDirectory(run.dir().resolve("work"));
        Files.writeString(work.resolve("thesis.tex"), "three years of work\n");
        Files.createDirectories(work.resolve("work/notes"));
        Files.writeString(work.resolve("work/notes/todo"), "finish\n");
        Map<String, String> before = TreeSnapshot.of(work);

        Commands.Result r = runJar("--overlay-workdir", work.toString(), run.rootfs().toString(), run.writedir().toString(),
                "--", "true");

        assertEquals(125, r.exitCode(), r::toString);
        assertEquals("container-fs: make work directory on `" + work + "`: Directory not empty (overlayfs empties"
                + " its work directory when it mounts: give an empty directory, or no --overlay-workdir for a new one"
                + " beside WRITEDIR)\n", r.stderr());
        assertEquals(before, TreeSnapshot.of(work), "the work directory changed");
        deleteTree(work);
    }

    /**
     * Issue 23, item 9: overlayfs leaves work/ (and index/) mode 000 and empty, and empties work/
     * at the next mount; one that holds a file is not what overlayfs left, and the file would be
     * deleted. Refused as any other file there, and left as it was.
     */
    @Test
    void aWorkDirectoryWhoseWorkOrIndexHoldsAFileIsRefusedAndLeftAsItWas() throws IOException {
        for (String inner : List.of("work", "index")) {
            Path work = Files.createDirectory(run.dir().resolve("work-" + inner));
            Path hidden = Files.createDirectory(work.resolve(inner));
            Files.writeString(hidden.resolve("thesis.tex"), "three years of work\n");
            Files.setPosixFilePermissions(hidden, java.util.Set.of());
            Map<String, String> before = TreeSnapshot.of(work);

            Commands.Result r = run("--overlay-workdir", work.toString(), run.rootfs().toString(),
                    run.writedir().toString(), "--", "true");

            assertEquals(125, r.exitCode(), r::toString);
            assertEquals("container-fs: make work directory on `" + work + "`: Directory not empty (overlayfs"
                    + " empties its work directory when it mounts: give an empty directory, or no --overlay-workdir"
                    + " for a new one beside WRITEDIR)\n", r.stderr(), inner);
            assertEquals(before, TreeSnapshot.of(work), "the work directory changed");
            deleteTree(work);
        }
    }

    @Test
    void aWorkDirectoryOverlayfsLeftBehindIsUsedAgain() throws IOException {
        // --overlay-workdir is the jar's: both runs of this class run it with the jar.
        Path work = Files.createDirectory(run.dir().resolve("work"));
        for (int i = 0; i < 2; i++) {
            Commands.Result r = runJar("--overlay-workdir", work.toString(), run.rootfs().toString(), run.writedir().toString(),
                "--", "true");
            assertEquals(0, r.exitCode(), r::toString);
        }
        deleteTree(work);
    }

    @Test
    void aSecondContainerOnTheSameWritedirFailsNamingTheFirst() throws Exception {
        try (LiveProcess first = start(run.rootfs().toString(), run.writedir().toString(), "--", "sh", "-c", "echo started; read x")) {
            first.awaitOutput("started", STARTED);

            Commands.Result second = run(run.rootfs().toString(), run.writedir().toString(), "--", "sh", "-c", "echo second > /f");

            assertEquals(125, second.exitCode(), second::toString);
            assertEquals("container-fs: `" + run.writedir() + "` is in use by the container of process " + first.pid()
                    + ": two containers on one WRITEDIR or work directory lose writes; wait for it to end or use"
                    + " another\n", second.stderr());
            assertTrue(Files.notExists(run.writedir().resolve("f")), "the second container ran");
            first.type("\n");
            assertEquals(0, first.waitFor(STARTED), first::output);
        }
        assertEquals(0, run(run.rootfs().toString(), run.writedir().toString(), "--", "true").exitCode(), "the lock was released");
    }

    /**
     * Two running containers never overlap (issue 23, #11): a WRITEDIR inside a running one's
     * WRITEDIR, a running one's WRITEDIR as a lower layer, or a WRITEDIR inside a running one's
     * lower layer is refused in one line naming the running one; once it ends, they run.
     */
    @Test
    void aSecondContainerOverlappingARunningOneIsRefused() throws Exception {
        Path lower = Files.createDirectory(run.dir().resolve("lower"));
        try (LiveProcess first = start(run.rootfs().toString(), lower.toString(), run.writedir().toString(), "--",
                "sh", "-c", "echo started; read x")) {
            first.awaitOutput("started", STARTED);
            Path inside = Files.createDirectory(run.writedir().resolve("inside"));
            Path inLower = Files.createDirectory(lower.resolve("w"));
            Path other = Files.createDirectory(run.dir().resolve("other"));

            Commands.Result nested = run(run.rootfs().toString(), inside.toString(), "--", "true");
            Commands.Result asLower = run(run.rootfs().toString(), run.writedir().toString() + "/", other.toString(),
                    "--", "true");
            Commands.Result intoLower = run(run.rootfs().toString(), inLower.toString(), "--", "true");

            String of = "the running container of process " + first.pid();
            assertEquals("container-fs: WRITEDIR `" + inside + "` overlaps `" + run.writedir() + "`, the WRITEDIR of "
                    + of + ": what one writes would change under the other; wait for it to end or use another"
                    + " directory\n", nested.stderr(), nested::toString);
            assertEquals(125, nested.exitCode());
            assertEquals("container-fs: lower layer `" + run.writedir() + "` overlaps `" + run.writedir()
                    + "`, the WRITEDIR of " + of + ": what one writes would change under the other; wait for it to"
                    + " end or use another directory\n", asLower.stderr(), asLower::toString);
            assertEquals("container-fs: WRITEDIR `" + inLower + "` overlaps `" + lower + "`, a lower layer of " + of
                    + ": writing there would change that container's layers; wait for it to end or use another"
                    + " directory\n", intoLower.stderr(), intoLower::toString);
            assertEquals(125, intoLower.exitCode());
            assertEquals(List.of(), listNames(inside), "the refused container wrote nothing");
            first.type("\n");
            assertEquals(0, first.waitFor(STARTED), first::output);
        }
        Path inLower = run.dir().resolve("lower/w");
        assertEquals(0, run(run.rootfs().toString(), inLower.toString(), "--", "true").exitCode(),
                "once the first ended, its layers are free");
    }

    /**
     * A running container's --overlay-workdir is written as much as its WRITEDIR: a WRITEDIR
     * inside it or a lower layer on it is refused, naming it, and a work directory given inside
     * a running container's lower layer is refused too.
     */
    @Test
    void aSecondContainerOverlappingARunningOnesWorkDirectoryIsRefused() throws Exception {
        Path work = Files.createDirectory(run.dir().resolve("work"));
        Path lower = Files.createDirectory(run.dir().resolve("lower"));
        try (LiveProcess first = start("--overlay-workdir", work.toString(), run.rootfs().toString(), lower.toString(),
                run.writedir().toString(), "--", "sh", "-c", "echo started; read x")) {
            first.awaitOutput("started", STARTED);
            Path other = Files.createDirectory(run.dir().resolve("other"));
            Path otherWork = Files.createDirectory(run.dir().resolve("other-work"));
            Path workInLower = Files.createDirectory(lower.resolve("work"));
            Path inWork = Files.createDirectory(work.resolve("inside"));
            String of = "the running container of process " + first.pid();

            Commands.Result inside = run(run.rootfs().toString(), inWork.toString(), "--", "true");
            Commands.Result workAsLower = run(run.rootfs().toString(), work.toString(), other.toString(), "--", "true");
            Commands.Result workInItsLower = run("--overlay-workdir", workInLower.toString(), run.rootfs().toString(),
                    other.toString(), "--", "true");

            assertEquals("container-fs: WRITEDIR `" + inWork + "` overlaps `" + work + "`, the work directory of " + of
                    + ": what one writes would change under the other; wait for it to end or use another directory\n",
                    inside.stderr(), inside::toString);
            assertEquals(125, inside.exitCode());
            assertEquals(List.of(), listNames(inWork), "the refused container wrote nothing");
            assertEquals("container-fs: lower layer `" + work + "` overlaps `" + work + "`, the work directory of " + of
                    + ": what one writes would change under the other; wait for it to end or use another directory\n",
                    workAsLower.stderr(), workAsLower::toString);
            assertEquals("container-fs: work directory `" + workInLower + "` overlaps `" + lower + "`, a lower layer of "
                    + of + ": writing there would change that container's layers; wait for it to end or use another"
                    + " directory\n", workInItsLower.stderr(), workInItsLower::toString);
            assertEquals(125, workInItsLower.exitCode());
            assertEquals(List.of(), listNames(other), "the refused containers wrote nothing");
            assertEquals(List.of(), listNames(otherWork), "nothing made in a work directory");
            first.type("\n");
            assertEquals(0, first.waitFor(STARTED), first::output);
        }
    }

    private static List<String> listNames(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).toList();
        }
    }

    @Test
    void aSecondContainerOnTheSameWorkDirectoryFailsNamingTheFirst() throws Exception {
        // --overlay-workdir is the jar's: both runs of this class run it with the jar.
        Path work = Files.createDirectory(run.dir().resolve("work"));
        Path otherWritedir = Files.createDirectory(run.dir().resolve("other-writedir"));
        try (LiveProcess first = startJar("--overlay-workdir", work.toString(), run.rootfs().toString(),
                run.writedir().toString(), "--", "sh", "-c", "echo started; read x")) {
            first.awaitOutput("started", STARTED);

            Commands.Result second = runJar("--overlay-workdir", work.toString(), run.rootfs().toString(), otherWritedir.toString(),
                    "--", "true");

            assertEquals(125, second.exitCode(), second::toString);
            assertTrue(second.stderr().startsWith("container-fs: `" + work + "` is in use by the container of process "
                    + first.pid() + ": "), second.stderr());
            first.type("\n");
            assertEquals(0, first.waitFor(STARTED), first::output);
        }
        deleteTree(work);
    }

    @Test
    void killedWithSigkillTheContainerDiesAndTheNextRunSweepsWhatWasLeft() throws Exception {
        String marker = "marker-" + UUID.randomUUID();
        try (LiveProcess first = start(run.rootfs().toString(), run.writedir().toString(), "--", "sh", "-c",
                "echo started; sleep 300; : " + marker)) {
            first.awaitOutput("started", STARTED);
            assertTrue(running(marker), "the container runs");

            first.signal("KILL");
            first.waitFor(STARTED);

            awaitGone(marker, Duration.ofSeconds(10));
            assertEquals(0, leftOver(run.tmpdir(), ""), "nothing is made in TMPDIR, even by a killed run");
            assertEquals(1, leftOver(run.dir(), ".container-fs-work-"), "kill -9 leaves what only the next run can remove");
        }
        Commands.Result next = run(run.rootfs().toString(), run.writedir().toString(), "--", "true");
        assertEquals(0, next.exitCode(), "no stale lock: " + next);
        // ContainerDirs' after-each: the next run swept the work directory.
    }

    /**
     * A container whose PID 1 changed its uid, as an entrypoint with gosu or su does, lost its
     * parent-death signal to the kernel (prctl(2)); it still dies with a killed container-fs, by
     * the watchdog, and its WRITEDIR stays locked until it is gone (issue 23, #7). On the old
     * code the shell, now nobody's, outlived container-fs for good.
     */
    @Test
    void killedWithSigkillAContainerThatSwitchedUserDiesToo() throws Exception {
        String marker = "marker-" + UUID.randomUUID();
        try (LiveProcess first = start(run.rootfs().toString(), run.writedir().toString(), "--", "sh", "-c",
                "exec su -s /bin/sh nobody -c 'echo started; id -u; sleep 300; : " + marker + "'")) {
            killAndAwaitGone(first, marker);
            assertTrue(first.output().contains("started\n65534\n"), first::output);
        }
        Commands.Result next = run(run.rootfs().toString(), run.writedir().toString(), "--", "true");
        assertEquals(0, next.exitCode(), "no stale lock: " + next);
    }

    /** kill -9 of a front end whose container runs (has printed "started"): the container is gone within 10 s. */
    private static void killAndAwaitGone(LiveProcess first, String marker) throws Exception {
        first.awaitOutput("started", STARTED);
        assertTrue(running(marker), "the container runs");
        first.signal("KILL");
        first.waitFor(STARTED);
        awaitGone(marker, Duration.ofSeconds(10));
    }

    /**
     * A SIGTERM to the watchdog from anyone but the kernel's parent-death signal (kill, a service
     * manager) is not container-fs's death: the container runs on and ends as it would.
     */
    @Test
    void aStraySigtermToTheWatchdogLeavesTheContainerAlone() throws Exception {
        try (LiveProcess first = start(run.rootfs().toString(), run.writedir().toString(), "--", "sh", "-c",
                "echo started; read x; echo done")) {
            first.awaitOutput("started", STARTED);
            // The JVM's Java main thread is not its first task: read every task's children.
            StringBuilder children = new StringBuilder();
            try (Stream<Path> tasks = Files.list(Path.of("/proc/" + first.pid() + "/task"))) {
                for (Path task : tasks.toList()) {
                    children.append(Files.readString(task.resolve("children"))).append(' ');
                }
            }
            long watchdog = -1;
            StringBuilder seen = new StringBuilder();
            for (String pid : children.toString().trim().split(" +")) {
                String cmdline = Files.readString(Path.of("/proc/" + pid + "/cmdline"));
                seen.append(pid).append('=').append(cmdline.replace('\0', ' ')).append("; ");
                if (cmdline.startsWith("container-fs-init\0--watch\0")) {
                    watchdog = Long.parseLong(pid);
                }
            }
            assertTrue(watchdog > 0, "a watchdog among the front end's children: " + seen);
            assertEquals(0, Commands.run("kill", "-TERM", Long.toString(watchdog)).exitCode());
            Thread.sleep(300);
            assertTrue(Files.exists(Path.of("/proc/" + watchdog)), "the watchdog is still on guard");

            first.type("\n");
            assertEquals(0, first.waitFor(STARTED), first::output);
            assertTrue(first.output().contains("done"), first::output);
        }
    }

    /** The same with -u, the jar's: the core switches user before the exec. */
    @Test
    void killedWithSigkillAContainerRunAsAUserDiesToo() throws Exception {
        String marker = "marker-" + UUID.randomUUID();
        try (LiveProcess first = startJar("-u", "nobody", run.rootfs().toString(), run.writedir().toString(), "--",
                "sh", "-c", "echo started; sleep 300; : " + marker)) {
            killAndAwaitGone(first, marker);
        }
        Commands.Result next = runJar(run.rootfs().toString(), run.writedir().toString(), "--", "true");
        assertEquals(0, next.exitCode(), "no stale lock: " + next);
    }

    @Test
    void killedWithSigkillDuringSetUpTheCommandNeverRuns() throws Exception {
        // strace holds the child's first mount(2) for 3 s; container-fs is killed in between, so
        // the child would otherwise go on alone, mount, and run the command.
        PrivilegedCondition.requireInCi(Fixtures.onPath("strace"), "strace (Debian package strace)");
        List<String> command = new ArrayList<>(List.of("strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=mount",
                "-e", "inject=mount:delay_enter=3000000:when=1"));
        command.addAll(containerFs(run.rootfs().toString(), run.writedir().toString(), "--", "touch", "/ran"));
        try (LiveProcess strace = new LiveProcess(command, Map.of("TMPDIR", run.tmpdir().toString()))) {
            ProcessHandle frontEndProcess = awaitGrandchild(strace.pid());

            assertTrue(frontEndProcess.destroyForcibly());
            strace.waitFor(STARTED);
        }
        Thread.sleep(4000); // past the delay: the child would have run touch by now
        assertTrue(Files.notExists(run.writedir().resolve("ran")), "the command ran after container-fs was killed");
        Commands.Result next = run(run.rootfs().toString(), run.writedir().toString(), "--", "true");
        assertEquals(0, next.exitCode(), "the next run sweeps what the killed one left: " + next);
    }

    /** The child of {@code pid} (the front end) once it has a child of its own (the container). */
    private static ProcessHandle awaitGrandchild(long pid) throws InterruptedException {
        Instant end = Instant.now().plus(STARTED);
        while (Instant.now().isBefore(end)) {
            for (ProcessHandle child : ProcessHandle.of(pid).map(p -> p.children().toList()).orElse(List.of())) {
                if (child.children().findAny().isPresent()) {
                    return child;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("container-fs never cloned under strace");
    }

    @Test
    void aReadOnlyFallbackOfOverlayfsIsRefused() throws IOException {
        // A filesystem with one free inode: overlayfs cannot make work/work and, rather than fail,
        // mounts the root read-only (the kernel log says "mounting read-only").
        Path small = Files.createDirectory(run.dir().resolve("small"));
        Commands.Result mount = Commands.run("mount", "-t", "tmpfs", "-o", "nr_inodes=4", "tmpfs", small.toString());
        assertEquals(0, mount.exitCode(), mount::toString);
        mounted.add(small);
        Path dir = Files.createDirectory(small.resolve("d"));
        Path upper = Files.createDirectory(dir.resolve("writedir"));
        LeftBehind besideUpper = LeftBehind.before(run.tmpdir(), dir);

        Commands.Result r = run(run.rootfs().toString(), upper.toString(), "--", "sh", "-c", "echo ran");

        assertEquals(125, r.exitCode(), r::toString);
        assertEquals("", r.stdout(), "the command ran on a read-only root");
        assertTrue(r.stderr().startsWith("container-fs: check the root is writable on `" + dir + "/.container-fs-work-"),
                r.stderr());
        assertTrue(r.stderr().endsWith("`: Read-only file system (overlayfs could not make work/ in this work directory"
                + " and mounted the root read-only: WRITEDIR's filesystem has no free inode or cannot be an upper"
                + " layer; dmesg says which)\n"), r.stderr());
        besideUpper.assertNothing();
    }

    private static boolean running(String marker) throws IOException {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().matches("\\d+")).anyMatch(p -> {
                try {
                    return new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).contains(marker);
                } catch (IOException gone) {
                    return false;
                }
            });
        }
    }

    private static void awaitGone(String marker, Duration timeout) throws Exception {
        Instant end = Instant.now().plus(timeout);
        while (running(marker)) {
            if (Instant.now().isAfter(end)) {
                throw new AssertionError("the container outlived container-fs by " + timeout);
            }
            Thread.sleep(50);
        }
    }

    private static long leftOver(Path dir, String prefix) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(p -> p.getFileName().toString().startsWith(prefix)).count();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        org.apache.commons.io.file.PathUtils.deleteDirectory(dir);
    }
}
