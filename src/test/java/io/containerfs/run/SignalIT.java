package io.containerfs.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Commands;
import io.containerfs.testing.ContainerFs.FrontEnd;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.LeftBehind;
import io.containerfs.testing.LiveProcess;
import io.containerfs.testing.PrivilegedCondition;
import io.containerfs.testing.Privileged;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * container-fs must outlive Ctrl-C and Ctrl-\ typed at the terminal (they are the container's),
 * and pass SIGTERM and SIGHUP sent to it on to the command, then return the command's status.
 */
@Privileged
@ParameterizedClass
@EnumSource(FrontEnd.class)
class SignalIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Parameter
    FrontEnd frontEnd;

    @TempDir
    Path tmp;

    private Path runTmp;
    private LeftBehind leftBehind;

    @BeforeEach
    void setUp() throws IOException {
        Fixtures.alpineRootfs();
        Fixtures.appLayer();
        runTmp = Files.createDirectory(tmp.resolve("run-tmp"));
        leftBehind = LeftBehind.before(runTmp, tmp);
    }

    @AfterEach
    void nothingLeftBehind() {
        if (leftBehind != null) { // null when setUp was skipped, e.g. for want of the Alpine tarball
            leftBehind.assertNothing();
        }
    }

    private List<String> containerFs(String... command) throws IOException {
        Path writedir = Files.createDirectory(tmp.resolve("writedir"));
        List<String> words = new ArrayList<>(frontEnd.command());
        words.addAll(List.of(Fixtures.alpineRootfs().toString(), Fixtures.appLayer().toString(), writedir.toString(), "--"));
        words.addAll(List.of(command));
        return words;
    }

    private LiveProcess start(List<String> command) {
        return new LiveProcess(command, Map.of("TMPDIR", runTmp.toString()));
    }

    @Test
    void sigtermIsForwardedAndTheCommandsStatusReturned() throws Exception {
        assertForwarded("TERM", 42);
    }

    @Test
    void sighupIsForwarded() throws Exception {
        assertForwarded("HUP", 43);
    }

    /** The command traps {@code signal} and exits with {@code status}, which container-fs returns. */
    private void assertForwarded(String signal, int status) throws Exception {
        try (LiveProcess p = start(containerFs("sh", "-c", "trap 'echo got " + signal + "; exit " + status + "' "
                + signal + "; echo ready; while :; do sleep 1; done"))) {
            p.awaitOutput("ready", WAIT);
            p.signal(signal);
            assertEquals(status, p.waitFor(WAIT), p.output());
            assertTrue(p.output().contains("got " + signal), p.output());
        }
    }

    @Test
    void sighupIsOnlyForwardedNotFollowedByAKill() throws Exception {
        // HUP often means "reload": the command must outlive the 10 s grace a TERM would get.
        try (LiveProcess p = start(containerFs("sh", "-c",
                "trap 'echo reloaded' HUP; echo ready; i=0; while [ $i -lt 13 ]; do sleep 1; i=$((i+1)); done;"
                        + " echo finished; exit 7"))) {
            p.awaitOutput("ready", WAIT);
            p.signal("HUP");
            p.awaitOutput("reloaded", WAIT);
            assertEquals(7, p.waitFor(WAIT), p.output());
            assertTrue(p.output().contains("finished"), p.output());
        }
    }

    /**
     * A SIGTERM that arrives while the container is still being set up is kept and passed on once
     * the command runs, so the container stops (here: sleep, as PID 1, ignores it and is killed
     * after the grace period) instead of running to its end. strace holds the child's first
     * mount(2) for two seconds to open that window.
     */
    @Test
    void aSigtermDuringSetUpStillStopsTheContainer() throws Exception {
        PrivilegedCondition.requireInCi(Fixtures.onPath("strace"), "strace (Debian package strace)");
        List<String> command = new ArrayList<>(List.of("strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=mount",
                "-e", "inject=mount:delay_enter=2000000:when=1"));
        command.addAll(containerFs("sleep", "60"));
        try (LiveProcess p = start(command)) {
            ProcessHandle containerFs = awaitFrontEndThatCloned(p.pid());
            Commands.Result kill = Commands.run("kill", "-TERM", Long.toString(containerFs.pid()));
            assertEquals(0, kill.exitCode(), kill::toString);
            assertEquals(137, p.waitFor(Duration.ofSeconds(40)), p.output());
        }
    }

    /**
     * The front end under strace once it has cloned the container, so its signals are taken over
     * and the container's first mount(2) is held. It is the parent of strace's grandchild: strace's
     * first child may be a short-lived probe of ptrace features, not the traced command.
     */
    private static ProcessHandle awaitFrontEndThatCloned(long strace) throws InterruptedException {
        Instant end = Instant.now().plus(WAIT);
        while (Instant.now().isBefore(end)) {
            Optional<ProcessHandle> frontEnd = ProcessHandle.of(strace).stream()
                    .flatMap(ProcessHandle::descendants)
                    .map(ProcessHandle::parent).flatMap(Optional::stream)
                    .filter(parent -> parent.pid() != strace)
                    .findFirst();
            if (frontEnd.isPresent()) {
                return frontEnd.get();
            }
            Thread.sleep(10);
        }
        throw new AssertionError("strace's command cloned no container within " + WAIT);
    }

    @Test
    void aCommandThatIgnoresSigtermIsKilledAfterTheGracePeriod() throws Exception {
        // As PID 1 without a handler, sleep ignores SIGTERM (pid_namespaces(7)); after 10 s
        // container-fs sends SIGKILL, as docker stop does, and reports 128 + 9.
        try (LiveProcess p = start(containerFs("sh", "-c", "echo ready; exec sleep 300"))) {
            p.awaitOutput("ready", WAIT);
            Thread.sleep(300);
            p.signal("TERM");
            Thread.sleep(3000);
            assertTrue(p.isAlive(), "killed before the grace period ended");
            assertEquals(137, p.waitFor(WAIT), p.output());
        }
    }

    /**
     * Under a real pseudo-terminal (util-linux script), an interactive shell in the container gets
     * Ctrl-C and Ctrl-\ at its prompt and in a running command, and container-fs goes on.
     */
    @Test
    void ctrlCAndCtrlBackslashReachTheContainerNotContainerFs() throws Exception {
        PrivilegedCondition.requireInCi(Fixtures.onPath("script"), "script (Debian package util-linux)");
        try (LiveProcess p = LiveProcess.underTerminal(containerFs("sh", "-i"), runTmp)) {
            p.type("echo st''art\n");
            p.awaitOutput("start\r\n", WAIT);
            p.type("sleep 30\n");
            p.awaitDescendant("sleep", WAIT);
            p.type("\u0003");
            p.type("echo after-ctrl-c $?\n");
            p.awaitOutput("after-ctrl-c 130", WAIT);
            p.type("\u001c");
            p.type("echo still-here\n");
            p.awaitOutput("still-here\r\n", WAIT);
            p.type("exit 3\n");
            assertEquals(3, p.waitFor(WAIT), p.output());
            assertFalse(p.output().contains("Full thread dump"), "the JVM took Ctrl-\\: " + p.output());
        }
    }

    /**
     * Without job control (no interactive shell) the terminal's foreground process group holds
     * container-fs and the container alike, so Ctrl-C and Ctrl-\ reach container-fs too: it must
     * ignore them, as system(3) does, and the container must get them.
     */
    @Test
    void containerFsIgnoresCtrlCAndCtrlBackslashInTheForegroundGroup() throws Exception {
        PrivilegedCondition.requireInCi(Fixtures.onPath("script"), "script (Debian package util-linux)");
        List<String> command = containerFs("sh", "-c",
                "trap 'echo got-INT' INT; trap 'echo got-QUIT' QUIT; echo ready;"
                        + " sleep 30; echo next; sleep 30; echo done; exit 5");
        try (LiveProcess p = LiveProcess.underTerminal(command, runTmp)) {
            p.awaitOutput("ready", WAIT);
            p.awaitDescendant("sleep", WAIT);
            p.type("\u0003");
            p.awaitOutput("got-INT", WAIT);
            p.awaitOutput("next", WAIT);
            p.awaitDescendant("sleep", WAIT);
            p.type("\u001c");
            p.awaitOutput("got-QUIT", WAIT);
            assertEquals(5, p.waitFor(WAIT), p.output());
            assertTrue(p.output().contains("done"), p.output());
            assertFalse(p.output().contains("Full thread dump"), "the JVM took Ctrl-\\: " + p.output());
        }
    }

    /**
     * Runs {@code command} under a new pseudo-terminal. script(1) starts it with {@code $SHELL -c};
     * the shell is pinned and told to exec, so the terminal's foreground group holds container-fs
     * and the container only. Otherwise a shell that does not exec a lone command (dash, the
     * default when SHELL is unset, as in CI) waits in that group and dies of Ctrl-\ itself.
     */
}
