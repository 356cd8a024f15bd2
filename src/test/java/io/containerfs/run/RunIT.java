package io.containerfs.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Commands;
import io.containerfs.testing.ContainerDirs;
import io.containerfs.testing.ContainerFs.FrontEnd;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.Privileged;
import io.containerfs.testing.TreeSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The course's container-fs on the real Alpine 3.20.3 root filesystem and an app layer with the
 * static fib, run as a user runs it, once per front end. After every test the host's mount table
 * is as before and no temporary directory of container-fs is left.
 */
@Privileged
@ParameterizedClass
@EnumSource(FrontEnd.class)
class RunIT {
    @Parameter
    FrontEnd frontEnd;

    @RegisterExtension
    final ContainerDirs run = ContainerDirs.onAlpineWithApp();

    private Commands.Result runLayers(String stdin, List<Path> layers, String... command) {
        List<String> args = new ArrayList<>();
        layers.forEach(p -> args.add(p.toString()));
        args.add("--");
        args.addAll(List.of(command));
        return frontEnd.runIn(run.tmpdir(), stdin, args.toArray(String[]::new));
    }

    private Commands.Result run(String... command) {
        return runLayers(null, run.stack(), command);
    }

    private Commands.Result run(List<Path> layers, String... command) {
        return runLayers(null, layers, command);
    }

    @Test
    void fibPrintsTheFibonacciNumbers() {
        Commands.Result r = run("fib");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(Fixtures.FIB_OUTPUT, r.stdout());
    }

    @Test
    void theRootIsAlpine() {
        Commands.Result r = run("cat", "/etc/alpine-release");
        assertEquals(Fixtures.ALPINE_VERSION + "\n", r.stdout(), r::toString);
    }

    @Test
    void writesLandInWritedirAndTheLowerLayersStayUnchanged() throws IOException {
        Map<String, String> rootfsBefore = TreeSnapshot.of(run.rootfs());
        Map<String, String> appBefore = TreeSnapshot.of(run.app());

        Commands.Result r = run("sh", "-c",
                "echo hello > /root/note && cp /usr/bin/fib /usr/bin/fib2 && echo more >> /etc/motd && chmod 600 /etc/hostname");

        assertEquals(0, r.exitCode(), r::toString);
        assertEquals("hello\n", Files.readString(run.writedir().resolve("root/note")));
        assertTrue(Files.isExecutable(run.writedir().resolve("usr/bin/fib2")));
        assertTrue(Files.readString(run.writedir().resolve("etc/motd")).endsWith("more\n"), "copied up, then appended");
        assertEquals(rootfsBefore, TreeSnapshot.of(run.rootfs()), "rootfs changed");
        assertEquals(appBefore, TreeSnapshot.of(run.app()), "app changed");
    }

    @Test
    void deletingALowerFileLeavesAWhiteoutInWritedir() throws IOException {
        Commands.Result r = run("sh", "-c", "rm /etc/motd && test ! -e /etc/motd");

        assertEquals(0, r.exitCode(), r::toString);
        Path whiteout = run.writedir().resolve("etc/motd");
        int mode = (Integer) Files.getAttribute(whiteout, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        assertEquals(0020000, mode & 0170000, "a character device");
        assertEquals(0L, Files.getAttribute(whiteout, "unix:rdev", LinkOption.NOFOLLOW_LINKS), "device 0/0");
        assertTrue(Files.exists(run.rootfs().resolve("etc/motd")), "the lower file is still there");
    }

    @Test
    void theCommandIsPid1AndSeesOnlyTheContainersProcesses() {
        Commands.Result r = run("sh", "-c", "echo $$; ps -o pid,comm; true");
        assertEquals(0, r.exitCode(), r::toString);
        List<String> lines = r.stdout().lines().map(String::trim).toList();
        assertEquals("1", lines.get(0));
        assertEquals("PID   COMMAND", lines.get(1).replaceAll("\\s+", "   "));
        assertEquals(List.of("1 sh"), lines.subList(2, 3).stream().map(l -> l.replaceAll("\\s+", " ")).toList());
        assertEquals(4, lines.size(), "only sh and ps: " + r.stdout());
    }

    @Test
    void theCommandsExitStatusPassesThrough() {
        assertEquals(7, run("sh", "-c", "exit 7").exitCode());
        assertEquals(0, run("true").exitCode());
        assertEquals(1, run("false").exitCode());
    }

    @Test
    void aMissingCommandExits127WithAMessage() {
        Commands.Result r = run("no-such-command", "arg");
        assertEquals(127, r.exitCode(), r::toString);
        assertTrue(r.stderr().contains("no-such-command"), r.stderr());
        assertTrue(r.stderr().contains("No such file or directory"), r.stderr());
        assertEquals(1, r.stderr().lines().count(), "one line: " + r.stderr());
    }

    @Test
    void aCommandThatCannotRunExits126() {
        Commands.Result r = run("/etc/passwd");
        assertEquals(126, r.exitCode(), r::toString);
        assertTrue(r.stderr().contains("Permission denied"), r.stderr());
    }

    @Test
    void theContainersArgumentsAreNotOurOptions() {
        Commands.Result r = run("ls", "-la", "--", "/usr/bin/fib");
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.stdout().contains("/usr/bin/fib"), r.stdout());
    }

    @Test
    void standardInputPassesThrough() {
        Commands.Result r = runLayers("piped from the host\n", run.stack(), "sh", "-c", "cat");
        assertEquals("piped from the host\n", r.stdout(), r::toString);
    }

    @Test
    void onlyStandardDescriptorsAreInherited() {
        // The shell (PID 1) lists its own descriptors: the JVM's many must not have leaked in.
        // (The trailing `true` keeps busybox sh from exec'ing ls in its own place.)
        Commands.Result r = run("sh", "-c", "ls /proc/1/fd; true");
        assertEquals("0\n1\n2\n", r.stdout(), r::toString);
    }

    @Test
    void noSignalIsBlockedOrIgnored() {
        Commands.Result r = run("cat", "/proc/self/status");
        assertTrue(r.stdout().contains("SigBlk:\t0000000000000000\n"), r.stdout());
        assertTrue(r.stdout().contains("SigIgn:\t0000000000000000\n"), r.stdout());
    }

    @Test
    void kernelFilesystemsAreMounted() {
        Commands.Result r = run("sh", "-c",
                "echo x > /dev/null && head -c 4 /dev/zero | wc -c && test -c /dev/urandom && test -c /dev/pts/ptmx"
                        + " && test -d /dev/shm && ls /sys/kernel >/dev/null && ! touch /sys/kernel/x 2>/dev/null"
                        + " && grep -c ' - overlay overlay ' /proc/self/mountinfo");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals("4\n1\n", r.stdout());
    }

    @Test
    void theHostsRootIsGone() {
        // pivot_root + detach: no mount of the host remains visible, so ".." cannot climb out.
        Commands.Result r = run("sh", "-c", "cd /../../.. && pwd && ls / | tr '\\n' ' '");
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.stdout().startsWith("/\n"), r.stdout());
        assertFalse(r.stdout().contains("run-tmp"), r.stdout());
        assertFalse(run("sh", "-c", "grep -q ' / / ' /proc/self/mountinfo && grep -v overlay /proc/self/mountinfo | grep -q ' / / '")
                .exitCode() == 0, "the host's root is still mounted");
    }

    @Test
    void layerPathsWithCommaColonBackslashSpacesAndNonAsciiWork() throws IOException {
        // \uD83D\uDE00 lies outside the BMP: JNI's modified UTF-8 would spell it differently from the kernel.
        Path oddApp = Files.createDirectories(run.dir().resolve("app, with:odd\\chars caf\u00e9 \uD83D\uDE00/usr/bin"))
                .getParent().getParent();
        Files.copy(run.app().resolve("usr/bin/fib"), oddApp.resolve("usr/bin/fib"));
        Path oddWrite = Files.createDirectory(run.dir().resolve("write dir,x:y\\z"));

        Commands.Result r = runLayers(null, List.of(run.rootfs(), oddApp, oddWrite), "sh", "-c", "fib && echo kept > /out");

        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(Fixtures.FIB_OUTPUT, r.stdout());
        assertEquals("kept\n", Files.readString(oddWrite.resolve("out")));
        try (Stream<Path> beside = Files.list(run.dir())) {
            assertEquals(0, beside.filter(p -> p.getFileName().toString().startsWith(".container-fs-work")).count());
        }
    }

    @Test
    void aSetupFailureExits125NamingTheStep() throws IOException {
        // A layer whose proc is a symlink to the host's /etc: mount(2) would follow it.
        Path hostile = Files.createDirectory(run.dir().resolve("hostile"));
        Files.createSymbolicLink(hostile.resolve("proc"), Path.of("/etc"));

        Commands.Result r = runLayers(null, List.of(run.rootfs(), hostile, run.writedir()), "true");

        assertEquals(125, r.exitCode(), r::toString);
        assertEquals("container-fs: mount proc on `/proc`: Too many levels of symbolic links\n", r.stderr());
    }

    @Test
    void aTemporaryDirectoryInsideALayerLeavesTheLayerAsItWas() throws IOException {
        // The root is mounted over TMPDIR in the container's namespace only: the host's tree, the
        // layer included, never sees it, and the container sees the layer's own tmp.
        Path inside = Files.createDirectory(run.writedir().resolve("tmp"));
        Files.writeString(inside.resolve("mine"), "kept\n");
        Commands.Result r = frontEnd.runIn(inside, null, run.rootfs().toString(), run.app().toString(), run.writedir().toString(),
                "--", "cat", "/tmp/mine");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals("kept\n", r.stdout());
        try (Stream<Path> left = Files.list(inside)) {
            assertEquals(List.of(inside.resolve("mine")), left.toList(), "nothing added to the layer's tmp");
        }
        Files.delete(inside.resolve("mine"));
        Files.delete(inside);
    }

    /** Until the pivot the child still binds from /proc and /dev: the root may not cover them. */
    @Test
    void aTemporaryDirectoryUnderProcIsRefused() {
        Commands.Result r = frontEnd.runIn(Path.of("/proc/self"), null, run.rootfs().toString(), run.app().toString(),
                run.writedir().toString(), "--", "true");
        assertEquals(125, r.exitCode(), r::toString);
        assertTrue(r.stderr().startsWith("container-fs: find mountpoint on `/proc/self`: Device or resource busy"),
                r.stderr());
        assertTrue(r.stderr().contains("outside /proc and /dev"), r.stderr());
    }

    @Test
    void aMissingTemporaryDirectoryIsNamed() {
        Path missing = run.dir().resolve("no-such-tmp");
        Commands.Result r = frontEnd.runIn(missing, null, run.rootfs().toString(), run.app().toString(), run.writedir().toString(),
                "--", "true");
        assertEquals(125, r.exitCode(), r::toString);
        assertEquals("container-fs: find mountpoint on `" + missing + "`: No such file or directory (the root is"
                + " mounted over TMPDIR in the container's own mount namespace: set TMPDIR to an existing"
                + " directory)\n", r.stderr());
    }

    @Test
    void aMissingLayerExits125WithOneLine() {
        Commands.Result r = run(List.of(run.rootfs(), run.dir().resolve("missing"), run.writedir()), "true");
        assertEquals(125, r.exitCode(), r::toString);
        assertTrue(r.stderr().startsWith("container-fs: "), r.stderr());
        assertTrue(r.stderr().contains(run.dir().resolve("missing") + "'") || r.stderr().contains(run.dir().resolve("missing") + "`"),
                r.stderr());
        assertEquals(1, r.stderr().lines().count(), r.stderr());
    }

    @Test
    void badArgumentsExit125WithOneLine() {
        for (String[] args : List.of(
                new String[] {run.rootfs().toString(), run.writedir().toString(), "true"},
                new String[] {run.writedir().toString(), "--", "true"},
                new String[] {run.rootfs().toString(), run.writedir().toString(), "--"})) {
            Commands.Result r = frontEnd.runIn(run.tmpdir(), null, args);
            assertEquals(125, r.exitCode(), r::toString);
            assertTrue(r.stderr().startsWith("container-fs: "), r.stderr());
            assertEquals(1, r.stderr().lines().count(), r.stderr());
        }
    }
}
