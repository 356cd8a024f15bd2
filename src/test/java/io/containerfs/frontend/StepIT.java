package io.containerfs.frontend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.limits.CgroupIT;
import io.containerfs.testing.Commands;
import io.containerfs.testing.ContainerDirs;
import io.containerfs.testing.ContainerFs.FrontEnd;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.LiveProcess;
import io.containerfs.testing.Privileged;
import io.containerfs.testing.PrivilegedCondition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code --step} on a real pseudo-terminal (script(1)), in both front ends: the run stops before
 * each step's system call, says which call, why and which man page, and how to look in with
 * nsenter; Enter goes on, {@code q} stops it and leaves nothing behind. The {@link ContainerDirs}
 * extension checks, after each test, that no mount, temporary or work directory is left.
 */
@Privileged
class StepIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String GO_ON = "[Enter: go on; q, Enter: stop] ";
    private static final String LAST = "[Enter: clean up and end] ";
    private static final Pattern BLOCK = Pattern.compile("--- container-fs --step (\\d+)/(\\d+): ([^\\r\\n]*)");
    private static final Pattern MAN_PAGE = Pattern.compile("(?m)^man page  .*\\b[a-z_0-9]+\\([1-8]\\)");
    private static final Pattern TARGET = Pattern.compile("sudo nsenter --target (\\d+) --mount --uts --ipc --pid");

    @RegisterExtension
    final ContainerDirs run = ContainerDirs.onAlpineWithApp();

    private LiveProcess start(FrontEnd frontEnd, List<String> options, String... command) {
        PrivilegedCondition.requireInCi(Fixtures.onPath("script"), "script (util-linux)");
        List<String> all = new ArrayList<>(List.of("--step"));
        all.addAll(options);
        return LiveProcess.underTerminal(frontEnd.run(all, run.stack(), command), run.tmpdir());
    }

    /** Enter at every pause: at least six, each naming a man page; the command's output and status as without --step. */
    @ParameterizedTest
    @EnumSource(FrontEnd.class)
    void enterThroughoutRunsTheCommandAsWithoutStep(FrontEnd frontEnd) throws Exception {
        int pauses;
        String output;
        int status;
        try (LiveProcess p = start(frontEnd, List.of(), "sh", "-c", "fib; exit 3")) {
            pauses = enterThroughout(p);
            status = p.waitFor(WAIT);
            output = p.output();
        }
        assertEquals(3, status, output);
        assertTrue(pauses >= 6, "at least six pauses: " + output);
        String[] blocks = output.split("--- container-fs --step ");
        for (int i = 1; i < blocks.length; i++) {
            assertTrue(MAN_PAGE.matcher(blocks[i].replace("\r", "")).find(), "a man page in block " + i + ": " + blocks[i]);
        }
        assertTrue(output.replace("\r\n", "\n").contains(Fixtures.FIB_OUTPUT), output);

        Commands.Result plain = frontEnd.runIn(run.tmpdir(), null,
                frontEnd.run(List.of(), run.stack(), "sh", "-c", "fib; exit 3").stream()
                        .skip(frontEnd.command().size()).toArray(String[]::new));
        assertEquals(plain.exitCode(), status, plain::toString);
        assertEquals(Fixtures.FIB_OUTPUT, plain.stdout());
    }

    /**
     * With -t and --init (the jar's): the pauses still read the user's terminal, and the command
     * then gets a terminal of its own and runs under the init.
     */
    @Test
    void withATerminalOfItsOwnAndAnInit() throws Exception {
        String output;
        int status;
        try (LiveProcess p = start(FrontEnd.JAR, List.of("-t", "--init"), "sh", "-c",
                "tty; echo shell-pid=$$; exit 5")) {
            enterThroughout(p);
            status = p.waitFor(WAIT);
            output = p.output();
        }
        assertEquals(5, status, output);
        assertTrue(output.contains("/dev/pts/0\r\n"), "its own terminal: " + output);
        assertTrue(output.contains("shell-pid=") && !output.contains("shell-pid=1\r\n"),
                "under the init, the shell is not PID 1: " + output);
        assertTrue(count(output, "--- container-fs --step ") >= 6, output);
    }

    /**
     * At the overlay's pause WRITEDIR is empty; at the next one, nsenter into the container's
     * mount namespace (PID from the block) sees the layers merged over TMPDIR, and the command's
     * file is nowhere yet; at the last pause, after the command, it is in WRITEDIR.
     */
    @ParameterizedTest
    @EnumSource(FrontEnd.class)
    void nsenterLooksIntoTheHalfBuiltContainer(FrontEnd frontEnd) throws Exception {
        PrivilegedCondition.requireInCi(Fixtures.onPath("nsenter"), "nsenter (util-linux)");
        Path stored = run.writedir().resolve("fib.txt");
        try (LiveProcess p = start(frontEnd, List.of(), "sh", "-c", "fib > /fib.txt")) {
            p.awaitOutput(GO_ON, WAIT);
            p.type("\n");
            p.awaitOutput(GO_ON, 2, WAIT);
            assertTrue(p.output().contains("mount the overlay"), p.output());
            assertEquals(List.of(), entries(run.writedir()), "WRITEDIR before the overlay is mounted");
            p.type("\n");
            p.awaitOutput(GO_ON, 3, WAIT);
            Matcher target = TARGET.matcher(p.output());
            assertTrue(target.find(), p.output());
            String pid = target.group(1);

            Commands.Result inside = Commands.run("nsenter", "--target", pid, "--mount", "--",
                    "cat", run.tmpdir().resolve("etc/alpine-release").toString(), run.tmpdir().resolve("usr/bin/fib").toString());
            assertEquals(0, inside.exitCode(), inside::toString);
            assertTrue(inside.stdout().startsWith("3.20"), "Alpine's file, in the overlay over TMPDIR: " + inside);
            assertFalse(Files.exists(run.tmpdir().resolve("etc")), "the host's TMPDIR has none of it");
            assertFalse(Files.exists(stored), "fib has not run yet");

            enterUntilTheLastPause(p);
            assertTrue(Files.exists(stored), "after the command, its file is in WRITEDIR: " + p.output());
            p.type("\n");
            assertEquals(0, p.waitFor(WAIT), p.output());
        }
        assertEquals(Fixtures.FIB_OUTPUT, Files.readString(stored));
    }

    /** q at the first pause (before clone): exit 130, one line, nothing made is left (the extension checks the rest). */
    @ParameterizedTest
    @EnumSource(FrontEnd.class)
    void qAtTheFirstPauseLeavesNothing(FrontEnd frontEnd) throws Exception {
        List<String> options = frontEnd == FrontEnd.JAR ? List.of("--memory", "64m") : List.of();
        long containerFs;
        try (LiveProcess p = start(frontEnd, options, "fib")) {
            p.awaitOutput(GO_ON, WAIT);
            containerFs = containerFsPid(p, frontEnd);
            p.type("q\n");
            assertEquals(130, p.waitFor(WAIT), p.output());
            assertTrue(p.output().contains("container-fs: stopped at the pause before `clone the child into new"
                    + " namespaces` (q)"), p.output());
        }
        assertEquals(List.of(), entries(run.writedir()), "WRITEDIR");
        assertEquals(List.of(), cgroupsOf(containerFs), "cgroups left behind");
    }

    /** End of file on the terminal (Ctrl-D) at a pause is q: nobody is left to say Enter. */
    @ParameterizedTest
    @EnumSource(FrontEnd.class)
    void endOfFileOnTheTerminalIsQ(FrontEnd frontEnd) throws Exception {
        try (LiveProcess p = start(frontEnd, List.of(), "fib")) {
            p.awaitOutput(GO_ON, WAIT);
            p.type("\n");
            p.awaitOutput(GO_ON, 2, WAIT);
            p.type("\u0004");
            assertEquals(130, p.waitFor(WAIT), p.output());
            assertTrue(p.output().contains("stopped at the pause before `mount the overlay`"), p.output());
        }
    }

    /** The pauses read the terminal, never the command's stdin, which stays the command's: here a pipe. */
    @ParameterizedTest
    @EnumSource(FrontEnd.class)
    void theCommandKeepsItsStdin(FrontEnd frontEnd) throws Exception {
        PrivilegedCondition.requireInCi(Fixtures.onPath("script"), "script (util-linux)");
        List<String> quoted = new ArrayList<>();
        for (String word : frontEnd.run(List.of("--step"), run.stack(), "cat")) {
            quoted.add("'" + word + "'");
        }
        String pipeline = "printf 'from the pipe\\n' | " + String.join(" ", quoted);
        int status;
        String output;
        try (LiveProcess p = new LiveProcess(List.of("script", "-q", "-e", "-c", pipeline, "/dev/null"),
                Map.of("TMPDIR", run.tmpdir().toString(), "SHELL", "/bin/sh"))) {
            enterThroughout(p);
            status = p.waitFor(WAIT);
            output = p.output();
        }
        assertEquals(0, status, output);
        assertTrue(output.contains("from the pipe"), output);
    }

    /** q at a pause inside the child: the container's process is killed, its mounts go with its namespace. */
    @ParameterizedTest
    @EnumSource(FrontEnd.class)
    void qInTheMiddleKillsTheContainer(FrontEnd frontEnd) throws Exception {
        String pid;
        long containerFs;
        try (LiveProcess p = start(frontEnd, List.of(), "fib")) {
            for (int pause = 1; pause < 5; pause++) {
                p.awaitOutput(GO_ON, pause, WAIT);
                p.type("\n");
            }
            p.awaitOutput(GO_ON, 5, WAIT);
            assertTrue(p.output().contains("mount /sys read-only"), p.output());
            Matcher target = TARGET.matcher(p.output());
            assertTrue(target.find(), p.output());
            pid = target.group(1);
            assertTrue(Files.exists(Path.of("/proc", pid)), "paused, alive");
            containerFs = containerFsPid(p, frontEnd);
            p.type("q\n");
            assertEquals(130, p.waitFor(WAIT), p.output());
        }
        assertFalse(Files.exists(Path.of("/proc", pid)), "the container's process is gone");
        assertEquals(List.of(), cgroupsOf(containerFs), "cgroups left behind");
    }

    /** A SIGTERM to container-fs at a pause (kill, timeout(1)) stops the run as q does, rather than wait for Enter. */
    @ParameterizedTest
    @EnumSource(FrontEnd.class)
    void aSigtermAtAPauseStopsItAsQDoes(FrontEnd frontEnd) throws Exception {
        try (LiveProcess p = start(frontEnd, List.of(), "fib")) {
            for (int pause = 1; pause < 3; pause++) {
                p.awaitOutput(GO_ON, pause, WAIT);
                p.type("\n");
            }
            p.awaitOutput(GO_ON, 3, WAIT);
            long containerFs = containerFsPid(p, frontEnd);
            Commands.Result kill = Commands.run("kill", "-TERM", Long.toString(containerFs));
            assertEquals(0, kill.exitCode(), kill::toString);
            assertEquals(130, p.waitFor(WAIT), p.output());
            assertTrue(p.output().contains("stopped at the pause before `mount /proc`"), p.output());
        }
    }

    /** Without a terminal to read Enter from (setsid: no controlling terminal), one line, exit 125, nothing made. */
    @ParameterizedTest
    @EnumSource(FrontEnd.class)
    void withoutATerminalItIsRefusedInOneLine(FrontEnd frontEnd) {
        List<String> command = new ArrayList<>(List.of("setsid", "-w"));
        command.addAll(frontEnd.run(List.of("--step"), run.stack(), "fib"));
        Commands.Result r = Commands.run(null, "", command, Map.of("TMPDIR", run.tmpdir().toString()));
        assertEquals(125, r.exitCode(), r::toString);
        assertEquals("", r.stdout());
        assertEquals("container-fs: --step waits for Enter on the terminal, and `/dev/tty` cannot be opened: No such"
                + " device or address; run it from a terminal, or without --step\n", r.stderr());
    }

    /** The front end's process below script(1): the JVM, or the C program. */
    private static long containerFsPid(LiveProcess p, FrontEnd frontEnd) {
        String name = frontEnd == FrontEnd.JAR ? "/java" : "/container-fs";
        return ProcessHandle.of(p.pid()).orElseThrow().descendants()
                .filter(h -> h.info().command().map(c -> c.endsWith(name)).orElse(false))
                .findFirst().orElseThrow().pid();
    }

    /** The cgroups that front end's process made: named container-fs-PID-… (other runs on the host may have theirs). */
    private static List<Path> cgroupsOf(long containerFs) {
        String prefix = "container-fs-" + containerFs + "-";
        return CgroupIT.cgroupsOfContainerFs().stream().filter(g -> g.getFileName().toString().startsWith(prefix))
                .toList();
    }

    /** Enter at each pause, until the last one (after the command) is shown, unanswered. */
    private static void enterUntilTheLastPause(LiveProcess p) throws InterruptedException {
        int answered = count(p.output(), GO_ON) - 1; // the one shown now is not answered yet
        while (true) {
            waitForEither(p, answered + 1);
            if (p.output().contains(LAST)) {
                return;
            }
            p.type("\n");
            answered++;
        }
    }

    /** Enter at each pause until the command has run and the last one is answered; returns the number of pauses. */
    private static int enterThroughout(LiveProcess p) throws InterruptedException {
        int seen = 0;
        while (true) {
            int next = seen + 1;
            waitForEither(p, next);
            seen = count(p.output(), "--- container-fs --step ");
            p.type("\n");
            if (p.output().contains(LAST)) {
                return seen;
            }
        }
    }

    private static void waitForEither(LiveProcess p, int pause) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (count(p.output(), GO_ON) < pause && !p.output().contains(LAST)) {
            if (System.nanoTime() > end) {
                throw new AssertionError("no pause " + pause + "; output:\n" + p.output());
            }
            Thread.sleep(20);
        }
        Matcher m = BLOCK.matcher(p.output());
        while (m.find()) {
            assertEquals(m.group(2), "13", "pauses of 13: " + m.group());
        }
    }

    private static int count(String haystack, String needle) {
        int n = 0;
        for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + needle.length())) {
            n++;
        }
        return n;
    }

    private static List<String> entries(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(x -> x.getFileName().toString()).sorted().toList();
        }
    }
}
