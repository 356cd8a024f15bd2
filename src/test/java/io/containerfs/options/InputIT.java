package io.containerfs.options;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.linux.Native;
import io.containerfs.linux.NativeLoader;
import io.containerfs.linux.NodeException;
import io.containerfs.testing.ByteCommand;
import io.containerfs.testing.Commands;
import io.containerfs.testing.ContainerDirs;
import io.containerfs.testing.ContainerFs.FrontEnd;
import io.containerfs.testing.Privileged;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Values that were taken wrongly (issue 23, #12 and #17), on the real Alpine root filesystem, as a
 * user runs the jar: what reaches the container is what was given, and what cannot be is refused
 * in one line with exit 125, before anything is made.
 */
@Privileged
class InputIT {
    @RegisterExtension
    final ContainerDirs run = ContainerDirs.onAlpine();

    private static List<String> words(List<String> options, List<Path> layers, String... command) {
        return FrontEnd.JAR.run(options, layers, command);
    }

    private Commands.Result run(List<String> options, String... command) {
        return Commands.run(null, null, words(options, run.stack(), command), Map.of("TMPDIR", run.tmpdir().toString()));
    }

    private List<String> writedir() throws IOException {
        try (Stream<Path> list = Files.list(run.writedir())) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** #12: valid UTF-8, U+FFFD written as itself included, reaches the command byte for byte. */
    @Test
    void valuesReachTheContainerAsTheirBytes() {
        Commands.Result r = run(List.of("-e", "A=\uFFFD", "-e", "B=é", "-w", "/tmp/é"), "sh", "-c",
                "printf %s \"$A$B\" | od -An -tx1; pwd | od -An -tx1");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(List.of("ef bf bd c3 a9", "2f 74 6d 70 2f c3 a9 0a"),
                r.stdout().lines().map(String::trim).toList());
    }

    /** #12: -e A=\xff became A=EF BF BD with exit 0; now refused, and nothing is made. */
    @Test
    void aValueThatIsNotUtf8IsRefusedAndNothingIsMade() throws IOException {
        List<byte[]> argv = new ArrayList<>(ByteCommand.words(FrontEnd.JAR.command()));
        argv.add(ByteCommand.word("-w"));
        argv.add(new byte[] {'/', 'd', (byte) 0xff});
        argv.addAll(ByteCommand.words(List.of(run.rootfs().toString(), run.writedir().toString(), "--", "true")));
        Commands.Result r = ByteCommand.run(argv, Map.of("TMPDIR", run.tmpdir().toString()), run.dir());
        assertEquals(new Commands.Result(125, "", "container-fs: --workdir '/d\\xff' holds bytes that are not valid"
                + " UTF-8, which container-fs would change; give valid UTF-8\n"), r);
        assertEquals(List.of(), writedir());
    }

    /** #17: -w /a/../../b made /a and /b; docker run cleans it to /b. */
    @Test
    void workdirIsCleanedSoOnlyItsOwnDirectoryIsMade() throws IOException {
        Commands.Result r = run(List.of("-w", "/a/../../b"), "pwd");
        assertEquals(new Commands.Result(0, "/b\n", ""), r);
        assertEquals(List.of("b"), writedir());
    }

    /**
     * #17: with /etc/passwd a symlink inside the root, -u said "no such user". A layer links it to
     * ../usr/lib/passwd, as the container sees it; the host's /usr/lib has no passwd.
     */
    @Test
    void aUserIsFoundThroughASymlinkedPasswdAsTheContainerSeesIt() throws IOException {
        Path layer = Files.createDirectories(run.dir().resolve("linked"));
        Files.createDirectories(layer.resolve("etc"));
        Files.createDirectories(layer.resolve("usr/lib"));
        Files.writeString(layer.resolve("usr/lib/passwd"), "root:x:0:0:root:/root:/bin/sh\n"
                + "carol:x:4321:4322:Carol:/home/carol:/bin/sh\n");
        Files.createSymbolicLink(layer.resolve("etc/passwd"), Path.of("../usr/lib/passwd"));
        Commands.Result r = Commands.run(null, null, words(List.of("-u", "carol"), List.of(run.rootfs(), layer,
                run.writedir()), "sh", "-c", "id -u; id -g; echo $HOME; grep -c carol /etc/passwd"),
                Map.of("TMPDIR", run.tmpdir().toString()));
        assertEquals(new Commands.Result(0, "4321\n4322\n/home/carol\n1\n", ""), r);
    }

    /**
     * A layer that replaced /etc, as an image's does (pull marks it opaque): -u looks only at its
     * passwd, as the container sees it, not at the lower layer's, which the overlay hides.
     */
    @Test
    void aUserIsLookedUpOnlyInAnOpaqueDirectoryAsTheContainerSeesIt() throws IOException, NodeException {
        NativeLoader.load();
        Path layer = Files.createDirectories(run.dir().resolve("replaced/etc")).getParent();
        Files.writeString(layer.resolve("etc/passwd"), "dave:x:4400:4400:Dave:/home/dave:/bin/sh\n");
        Native.markOpaque(layer.resolve("etc").toString());
        List<Path> layers = List.of(run.rootfs(), layer, run.writedir());
        Map<String, String> env = Map.of("TMPDIR", run.tmpdir().toString());

        Commands.Result seen = Commands.run(null, null, words(List.of(), layers, "sh", "-c",
                "cat /etc/alpine-release /etc/group 2>/dev/null || cat /etc/passwd"), env);
        assertEquals(new Commands.Result(0, "dave:x:4400:4400:Dave:/home/dave:/bin/sh\n", ""), seen,
                "the overlay hides the lower /etc");
        Commands.Result dave = Commands.run(null, null, words(List.of("-u", "dave"), layers, "id", "-u"), env);
        assertEquals(new Commands.Result(0, "4400\n", ""), dave);
        Commands.Result daemon = Commands.run(null, null, words(List.of("-u", "daemon"), layers, "true"), env);
        assertEquals(125, daemon.exitCode(), daemon::toString);
        assertTrue(daemon.stderr().contains("no such user in the container's /etc/passwd"), daemon::toString);
    }

    /** #17: uid 4294967295 is (uid_t)-1; it said "no such user". */
    @Test
    void aUidOutOfRangeIsOneClearLine() {
        assertEquals(new Commands.Result(125, "", "container-fs: invalid --user '4294967295': uids and gids must be in"
                + " range 0-2147483647\n"), run(List.of("-u", "4294967295"), "true"));
    }

    /** #17: --pids-limit past the kernel's bound failed at "make cgroup"; now before any cgroup is made. */
    @Test
    void aPidsLimitPastTheKernelsIsRefusedBeforeAnyCgroupIsMade() throws IOException {
        List<String> before = cgroups();
        assertEquals(new Commands.Result(125, "", "container-fs: invalid --pids-limit '99999999999': at most 4194304,"
                + " the kernel's largest (0 or -1: no limit)\n"), run(List.of("--pids-limit", "99999999999"), "true"));
        assertEquals(before, cgroups());
        assertEquals(List.of(), writedir());
    }

    private static List<String> cgroups() throws IOException {
        List<String> all = new ArrayList<>();
        for (Path root : List.of(Path.of("/sys/fs/cgroup"), Path.of("/sys/fs/cgroup/pids"))) {
            if (Files.isDirectory(root)) {
                try (Stream<Path> list = Files.list(root)) {
                    list.map(Path::toString).filter(n -> n.contains("container-fs")).forEach(all::add);
                }
            }
        }
        return all;
    }

    /** #17: a FIFO as --env-file hung the run until something wrote to it. */
    @Test
    void aFifoAsEnvFileIsRefusedAtOnce() throws Exception {
        Path fifo = run.dir().resolve("vars");
        assertEquals(0, Commands.run("mkfifo", fifo.toString()).exitCode());
        Instant start = Instant.now();
        Commands.Result r = run(List.of("--env-file", fifo.toString()), "true");
        assertEquals(new Commands.Result(125, "", "container-fs: --env-file '" + fifo + "' is not a regular file (a"
                + " FIFO, socket or device); give a file of NAME=VALUE lines\n"), r);
        assertTrue(Duration.between(start, Instant.now()).toSeconds() < 30, "refused, not waited on");
    }
}
