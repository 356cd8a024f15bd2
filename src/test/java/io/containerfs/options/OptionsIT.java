package io.containerfs.options;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Commands;
import io.containerfs.testing.ContainerDirs;
import io.containerfs.testing.ContainerFs.FrontEnd;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.LiveProcess;
import io.containerfs.testing.Privileged;
import io.containerfs.testing.PrivilegedCondition;
import io.containerfs.testing.TreeSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The options people know from docker run, each on the real Alpine root filesystem, as a user
 * runs the jar: what the command sees inside, what lands on the host, and one line with exit 125
 * for a wrong value. After every test the host's mount table is as before and nothing is left.
 */
@Privileged
class OptionsIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    final ContainerDirs run = ContainerDirs.onAlpineWithApp();

    private static List<String> words(List<String> options, List<Path> layers, String... command) {
        return FrontEnd.JAR.run(options, layers, command);
    }

    private Commands.Result run(Map<String, String> env, List<String> options, String... command) {
        Map<String, String> all = new HashMap<>(env);
        all.put("TMPDIR", run.tmpdir().toString());
        return Commands.run(null, null, words(options, run.stack(), command), all);
    }

    private Commands.Result run(List<String> options, String... command) {
        return run(Map.of(), options, command);
    }

    /** A missing mount point on a --read-only root cannot be made: one line that says so (issue 23, #17). */
    @Test
    void aVolumeOnAMissingTargetOfAReadOnlyRootIsOneClearLine() throws IOException {
        Path source = Files.createDirectory(run.dir().resolve("source"));
        Commands.Result r = run(List.of("--read-only", "-v", source + ":/vv"), "true");
        assertEquals(125, r.exitCode(), r::toString);
        assertEquals("container-fs: mount on `/vv`: Read-only file system (the root is read-only, so a missing mount"
                + " point cannot be made: use a target that exists in a layer, or make it there)\n", r.stderr());
    }

    /** A FIFO where a file volume goes: one line, never a wait for a reader that never comes. */
    @Test
    void aFileVolumeOntoAFifoFailsAtOnce() throws IOException {
        Path source = Files.writeString(run.dir().resolve("file"), "x");
        Commands.Result fifo = Commands.run("mkfifo", run.writedir().resolve("fifo").toString());
        assertEquals(0, fifo.exitCode(), fifo::toString);
        Commands.Result r = run(List.of("-v", source + ":/fifo"), "true");
        assertEquals(125, r.exitCode(), r::toString);
        assertTrue(r.stderr().startsWith("container-fs: mount on `/fifo`: "), r::toString);
        assertEquals(1, r.stderr().lines().count(), r::toString);
    }

    /** An absolute command that is not there is not blamed on PATH. */
    @Test
    void anAbsoluteCommandNotFoundIsNotBlamedOnPath() {
        Commands.Result r = run(List.of(), "/usr/bin/no-such-command");
        assertEquals(127, r.exitCode(), r::toString);
        assertEquals("container-fs: exec `/usr/bin/no-such-command`: No such file or directory (no such file in the"
                + " container)\n", r.stderr());
    }

    // ---- environment ----

    @Test
    void theEnvironmentIsCleanAsDockersIs() {
        Commands.Result r = run(Map.of("SECRET_TOKEN", "do-not-leak"), List.of(), "env");
        assertEquals(0, r.exitCode(), r::toString);
        List<String> names = r.stdout().lines().map(l -> l.substring(0, l.indexOf('='))).sorted().toList();
        assertEquals(List.of("HOME", "HOSTNAME", "PATH"), names, r.stdout());
        assertTrue(r.stdout().contains("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"));
        assertTrue(r.stdout().contains("HOME=/root\n"));
    }

    /**
     * The command is looked up in its own PATH, as docker run does, never in container-fs's: a
     * tool only in a directory that -e PATH names runs (a #! script, which the kernel runs; one
     * without #! is an exec format error, as with docker run: ExitStatusIT).
     */
    @Test
    void theCommandIsLookedUpInItsOwnPath() throws IOException {
        Path tools = Files.createDirectories(run.writedir().resolve("opt/tools"));
        Path script = Files.writeString(tools.resolve("greet"), "#!/bin/sh\necho \"hello from $0 with $1\"\n");
        Files.setPosixFilePermissions(script, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));

        Commands.Result found = run(List.of("-e", "PATH=/opt/tools:/bin"), "greet", "arg");
        assertEquals(new Commands.Result(0, "hello from /opt/tools/greet with arg\n", ""), found);

        Commands.Result notInDefaultPath = run(Map.of("PATH", "/opt/tools:" + System.getenv("PATH")), List.of(),
                "greet");
        assertEquals(127, notInDefaultPath.exitCode(), notInDefaultPath::toString);
        assertTrue(notInDefaultPath.stderr().contains("not found in the container's PATH"), notInDefaultPath::toString);
    }

    @Test
    void envEnvFileAndEnvHostAddWhatTheySay() throws IOException {
        Path file = Files.writeString(run.dir().resolve("vars"), "# comment\nA=from file\nB=file\n");
        Commands.Result r = run(Map.of("FROM_HOST", "host value"),
                List.of("--env-file", file.toString(), "-e", "B=flag", "-e", "FROM_HOST", "-e", "HOME=/elsewhere"),
                "env");
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.stdout().contains("A=from file\n"), r.stdout());
        assertTrue(r.stdout().contains("B=flag\n"), "-e comes after --env-file: " + r.stdout());
        assertTrue(r.stdout().contains("FROM_HOST=host value\n"), r.stdout());
        assertTrue(r.stdout().contains("HOME=/elsewhere\n") && !r.stdout().contains("HOME=/root"), r.stdout());

        Commands.Result host = run(Map.of("SECRET_TOKEN", "passed"), List.of("--env-host"), "env");
        assertTrue(host.stdout().contains("SECRET_TOKEN=passed\n"), host.stdout());
    }

    @Test
    void aMissingEnvFileIsOneLine() {
        Commands.Result r = run(List.of("--env-file", run.dir().resolve("none").toString()), "true");
        assertEquals(125, r.exitCode(), r::toString);
        assertEquals("container-fs: --env-file '" + run.dir().resolve("none") + "' does not exist\n", r.stderr());
    }

    // ---- working directory and user ----

    @Test
    void workdirIsTheCommandsDirectoryMadeIfMissing() {
        Commands.Result r = run(List.of("-w", "/srv/work"), "pwd");
        assertEquals("/srv/work\n", r.stdout(), r::toString);
        assertTrue(Files.isDirectory(run.writedir().resolve("srv/work")), "made in WRITEDIR");
    }

    @Test
    void userIsLookedUpInTheContainersOwnFiles() {
        Commands.Result r = run(List.of("-u", "daemon"), "sh", "-c", "id; echo HOME=$HOME; grep CapEff /proc/self/status");
        assertEquals(0, r.exitCode(), r::toString);
        // setgroups(2) keeps the list sorted; /etc/group names daemon in bin, daemon and adm.
        assertEquals("uid=2(daemon) gid=2(daemon) groups=1(bin),2(daemon),4(adm)", r.stdout().lines().findFirst().get());
        assertTrue(r.stdout().contains("HOME=/sbin\n"), r.stdout());
        assertTrue(r.stdout().contains("CapEff:\t0000000000000000\n"), "a user other than root keeps no capability");

        Commands.Result numeric = run(List.of("-u", "1234:5678"), "id");
        assertEquals("uid=1234 gid=5678 groups=5678\n", numeric.stdout(), numeric::toString);
    }

    @Test
    void anUnknownUserIsOneLine() {
        Commands.Result r = run(List.of("-u", "nosuchuser"), "true");
        assertEquals(125, r.exitCode(), r::toString);
        assertEquals("container-fs: --user 'nosuchuser': no such user in the container's /etc/passwd\n", r.stderr());
    }

    // ---- volumes and tmpfs ----

    @Test
    void aVolumeIsSharedWithTheHostAndNeverInItsMountTable() throws IOException {
        Path data = Files.createDirectory(run.dir().resolve("data"));
        Files.writeString(data.resolve("in"), "from host\n");
        Commands.Result r = run(List.of("-v", data + ":/data"), "sh", "-c", "cat /data/in; echo from container > /data/out");
        assertEquals("from host\n", r.stdout(), r::toString);
        assertEquals("from container\n", Files.readString(data.resolve("out")));
        assertTrue(Files.isDirectory(run.writedir().resolve("data")), "the mount point is made in WRITEDIR");
    }

    @Test
    void aReadOnlyVolumeStaysReadOnlyEvenForRoot() throws IOException {
        Path data = Files.createDirectory(run.dir().resolve("data"));
        Commands.Result r = run(List.of("-v", data + ":/data:ro"), "sh", "-c",
                "touch /data/x; mount -o remount,rw /data; touch /data/y; true");
        assertTrue(r.stderr().contains("touch: /data/x: Read-only file system"), r::toString);
        assertTrue(r.stderr().contains("mount: permission denied"), r::toString);
        try (var left = Files.list(data)) {
            assertEquals(List.of(), left.toList());
        }
    }

    /** A layer whose "evil" points at the host's /etc: the volume must not be mounted there. */
    @Test
    void aVolumeTargetCannotFollowASymlinkOutOfTheRoot() throws IOException {
        Path data = Files.createDirectory(run.dir().resolve("data"));
        Path hostile = Files.createDirectory(run.dir().resolve("hostile"));
        Files.createSymbolicLink(hostile.resolve("evil"), Path.of("/etc"));
        Commands.Result r = Commands.run(null, null, words(List.of("-v", data + ":/evil/x"),
                List.of(run.rootfs(), hostile, run.writedir()), "true"), Map.of("TMPDIR", run.tmpdir().toString()));
        assertEquals(125, r.exitCode(), r::toString);
        assertEquals("container-fs: mount on `/evil/x`: Too many levels of symbolic links\n", r.stderr());
        assertFalse(Files.exists(Path.of("/etc/x")));
    }

    /**
     * The root is mounted over TMPDIR before the volumes are bound, so a source below TMPDIR is
     * opened first: looked up afterwards it would be found in the container's root, where a layer's
     * symlink at that name could send the bind anywhere on the host (here, to a decoy directory).
     */
    @Test
    void aVolumeBelowTmpdirIsTheHostsEvenWhereALayerHasASymlink() throws IOException {
        Path data = Files.createDirectory(run.tmpdir().resolve("hostdata"));
        Files.writeString(data.resolve("in"), "from host\n");
        Path decoy = Files.createDirectory(run.dir().resolve("decoy"));
        Path hostile = Files.createDirectory(run.dir().resolve("hostile"));
        Files.createSymbolicLink(hostile.resolve("hostdata"), decoy);
        Commands.Result r = Commands.run(null, null, words(List.of("-v", data + ":/data"),
                List.of(run.rootfs(), hostile, run.writedir()), "sh", "-c", "cat /data/in; echo out > /data/out"),
                Map.of("TMPDIR", run.tmpdir().toString()));
        try {
            assertEquals(0, r.exitCode(), r::toString);
            assertEquals("from host\n", r.stdout());
            assertEquals("out\n", Files.readString(data.resolve("out")));
            try (var left = Files.list(decoy)) {
                assertEquals(List.of(), left.toList(), "the layer's symlink was followed");
            }
        } finally {
            Commands.run("rm", "-rf", data.toString());
        }
    }

    @Test
    void aMissingVolumeSourceIsOneLine() {
        Commands.Result r = run(List.of("-v", run.dir().resolve("nope") + ":/data"), "true");
        assertEquals(125, r.exitCode(), r::toString);
        assertTrue(r.stderr().endsWith("does not exist; create it first\n"), r.stderr());
        assertEquals(1, r.stderr().lines().count());
    }

    @Test
    void tmpfsIsAnEmptyFilesystemOfItsSize() {
        Commands.Result r = run(List.of("--tmpfs", "/scratch:size=1m"), "sh", "-c",
                "ls -A /scratch | wc -l; head -c 2m /dev/zero > /scratch/big || echo full; wc -c < /scratch/big;"
                        + " grep -c ' /scratch .* - tmpfs ' /proc/self/mountinfo");
        assertEquals(List.of("0", "full", String.valueOf(1 << 20), "1"), r.stdout().lines().map(String::trim).toList(),
                "empty, then full at 1 MiB: " + r);
    }

    /** Issue 23, item 14: tmpfs(5) reads size=0 as no limit at all. */
    @Test
    void aTmpfsOfSizeZeroIsRefusedBeforeAnythingIsMade() throws IOException {
        Commands.Result r = run(List.of("--tmpfs", "/x:size=0"), "true");

        assertEquals(125, r.exitCode(), r::toString);
        assertEquals("container-fs: invalid --tmpfs option 'size=0' in '/x:size=0': tmpfs reads size=0 as no limit"
                + " at all; give a size above 0 (e.g. size=64m)\n", r.stderr());
        try (var made = Files.list(run.writedir())) {
            assertEquals(List.of(), made.toList());
        }
    }

    /** Issue 23, item 16: as runc, nothing is mounted on or in /proc; the check comes before anything is made. */
    @Test
    void targetsInProcAreRefusedBeforeAnythingIsMade() throws IOException {
        Path data = Files.createDirectory(run.dir().resolve("data"));
        for (List<String> option : List.of(List.of("--tmpfs", "/proc"), List.of("-v", data + ":/proc/sys/kernel"),
                List.of("-v", data + ":/proc/../proc/1:ro"))) {
            Commands.Result r = run(option, "true");
            assertEquals(125, r.exitCode(), r::toString);
            assertEquals(1, r.stderr().lines().count(), r::toString);
            assertTrue(r.stderr().endsWith("is in /proc, the kernel's files that container-fs mounts and guards"
                    + " itself; choose a path outside /proc\n"), r::toString);
        }
        try (var made = Files.list(run.writedir())) {
            assertEquals(List.of(), made.toList());
        }
    }

    /**
     * Issue 23, item 16: /dev is the container's own tmpfs, and docker run mounts volumes there: a file
     * goes on /dev/null, a directory anywhere new in /dev; a directory on the file /dev/null says so
     * (it said "Too many levels of symbolic links").
     */
    @Test
    void volumesGoInDevAndADirectoryOnAFileSaysSo() throws IOException {
        Path file = Files.writeString(run.dir().resolve("sink"), "");
        Path data = Files.createDirectory(run.dir().resolve("data"));
        Files.writeString(data.resolve("in"), "from host\n");

        Commands.Result r = run(List.of("-v", file + ":/dev/null", "-v", data + ":/dev/data"), "sh", "-c",
                "echo into-the-sink > /dev/null; cat /dev/data/in");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals("from host\n", r.stdout());
        assertEquals("into-the-sink\n", Files.readString(file));

        Commands.Result dir = run(List.of("-v", data + ":/dev/null"), "true");
        assertEquals(125, dir.exitCode(), dir::toString);
        assertEquals("container-fs: mount on `/dev/null`: Not a directory (a directory mounts on a directory and a"
                + " file on a file: is one of -v's paths a file and the other a directory?)\n", dir.stderr());
    }

    // ---- read-only root and network ----

    @Test
    void readOnlyWritesNothingAndCombinesWithTmpfs() throws IOException {
        Map<String, String> rootfsBefore = TreeSnapshot.of(run.rootfs());
        Map<String, String> appBefore = TreeSnapshot.of(run.app());
        Commands.Result r = Commands.run(null, null, words(List.of("--read-only", "--tmpfs", "/tmp"),
                List.of(run.rootfs(), run.app()), "sh", "-c", "touch /x; touch /tmp/y && echo tmp-ok; fib | head -1"),
                Map.of("TMPDIR", run.tmpdir().toString()));
        assertEquals("tmp-ok\nFibonacci numbers:\n", r.stdout(), r::toString);
        assertTrue(r.stderr().contains("touch: /x: Read-only file system"), r::toString);
        assertEquals(rootfsBefore, TreeSnapshot.of(run.rootfs()));
        assertEquals(appBefore, TreeSnapshot.of(run.app()), "the top layer is a lower one too: unchanged");
    }

    @Test
    void networkNoneHasOnlyLoopbackAndItIsUp() {
        Commands.Result r = run(List.of("--network", "none"), "sh", "-c",
                "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '; ping -c 1 -W 1 127.0.0.1 >/dev/null && echo lo-up");
        assertEquals("lo\nlo-up\n", r.stdout(), r::toString);
    }

    // ---- init ----

    @Test
    void initPassesSignalsOnSoAShellCanKillItself() {
        assertEquals(143, run(List.of("--init"), "sh", "-c", "kill -TERM $$").exitCode());
        assertEquals(0, run(List.of(), "sh", "-c", "kill -TERM $$").exitCode(),
                "without --init the shell is PID 1, which ignores it");
    }

    @Test
    void initReapsOrphansSoNoZombieIsLeft() {
        Commands.Result r = run(List.of("--init"), "sh", "-c", "(sleep 0.2 &); sleep 1; ps -o stat,comm | grep -c '^Z'; true");
        assertEquals("0\n", r.stdout(), r::toString);
    }

    @Test
    void withInitSleepStopsAtSigtermAtOnce() throws Exception {
        List<String> command = words(List.of("--init"), run.stack(), "sleep", "60");
        try (LiveProcess p = new LiveProcess(command, Map.of("TMPDIR", run.tmpdir().toString()))) {
            p.awaitDescendant("sleep", WAIT);
            Instant sent = Instant.now();
            p.signal("TERM");
            assertEquals(143, p.waitFor(WAIT), p.output());
            assertTrue(Duration.between(sent, Instant.now()).toSeconds() < 5, "not the 10 s grace of PID 1");
        }
    }

    /** Ctrl-C at the user's terminal (a real pty: script(1)) stops -- sleep 60 at once under --init. */
    @Test
    void withInitSleepStopsAtCtrlCAtOnce() throws Exception {
        PrivilegedCondition.requireInCi(Fixtures.onPath("script"), "script (util-linux)");
        List<String> command = words(List.of("--init"), run.stack(), "sleep", "60");
        try (LiveProcess p = LiveProcess.underTerminal(command, run.tmpdir())) {
            p.awaitDescendant("sleep", WAIT);
            Instant typed = Instant.now();
            p.type("\u0003");
            assertEquals(130, p.waitFor(WAIT), p.output());
            assertTrue(Duration.between(typed, Instant.now()).toSeconds() < 5, "at once");
        }
    }

    // ---- terminal ----

    /**
     * The size is the container terminal's before the command starts: the child sets it, since the
     * parent may run again only after the exec (CLONE_VFORK). Set by the parent, {@code stty size}
     * run at once read "0 0" in about one run in three, so three runs.
     */
    @Test
    void ttyHasTheOuterSizeBeforeTheCommandRuns() {
        PrivilegedCondition.requireInCi(Fixtures.onPath("script"), "script (util-linux)");
        String containerFs = String.join(" ", words(List.of("-it"), run.stack(), "stty",
                "size").stream().map(w -> "'" + w + "'").toList());
        String script = "stty rows 33 cols 97; for i in 1 2 3; do " + containerFs + "; done";
        Commands.Result r = Commands.run(null, null, List.of("script", "-qec", script, "/dev/null"),
                Map.of("TMPDIR", run.tmpdir().toString(), "SHELL", "/bin/sh"));
        assertEquals(3, r.stdout().split("33 97", -1).length - 1, r::toString);
    }

    /**
     * Under a real pty (script(1)) sized 33x97: the container's terminal is its own devpts' first
     * pty, of that size, and the outer terminal's modes come back.
     */
    @Test
    void ttyGivesATerminalOfTheOuterSizeAndRestoresItsModes() throws IOException {
        PrivilegedCondition.requireInCi(Fixtures.onPath("script"), "script (util-linux)");
        Path before = run.dir().resolve("before");
        Path after = run.dir().resolve("after");
        String containerFs = String.join(" ", words(List.of("-it"), run.stack(), "sh", "-c",
                "stty size; tty").stream().map(w -> "'" + w + "'").toList());
        String script = "stty rows 33 cols 97; stty -g > " + before + "; " + containerFs + "; echo rc=$?; stty -g > " + after;
        Commands.Result r = Commands.run(null, null, List.of("script", "-qec", script, "/dev/null"),
                Map.of("TMPDIR", run.tmpdir().toString(), "SHELL", "/bin/sh"));
        assertTrue(r.stdout().contains("33 97"), r::toString);
        assertTrue(r.stdout().contains("/dev/pts/0\r\n"), "its own devpts' first pty, as ttyname(3) finds it: " + r);
        assertTrue(r.stdout().contains("rc=0"), r::toString);
        assertEquals(Files.readString(before), Files.readString(after), "the outer terminal's modes");
    }

    /** -it: Ctrl-C typed at the user's terminal reaches the shell in the container through its own. */
    @Test
    void ttyPassesCtrlCToTheShellInside() throws Exception {
        PrivilegedCondition.requireInCi(Fixtures.onPath("script"), "script (util-linux)");
        List<String> command = words(List.of("-it"), run.stack(), "sh", "-i");
        try (LiveProcess p = LiveProcess.underTerminal(command, run.tmpdir())) {
            p.type("echo st''art\n");
            p.awaitOutput("start\r\n", WAIT);
            p.type("sleep 30\n");
            p.awaitDescendant("sleep", WAIT);
            p.type("\u0003");
            p.type("echo after-ctrl-c $?\n");
            p.awaitOutput("after-ctrl-c 130", WAIT);
            p.type("exit 3\n");
            assertEquals(3, p.waitFor(WAIT), p.output());
        }
    }

    @Test
    void ttyWithoutATerminalIsOneLine() {
        Commands.Result r = run(List.of("-t"), "true");
        assertEquals(125, r.exitCode(), r::toString);
        assertTrue(r.stderr().contains("(-t needs a terminal"), r.stderr());
    }
}
