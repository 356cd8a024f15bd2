package io.containerfs.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.AlpineMirror;
import io.containerfs.testing.Commands;
import io.containerfs.testing.ContainerFs;
import io.containerfs.testing.Entries;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.LeftBehind;
import io.containerfs.testing.LiveProcess;
import io.containerfs.testing.MirrorServer;
import io.containerfs.testing.Privileged;
import io.containerfs.testing.PrivilegedCondition;
import io.containerfs.testing.TarBuilder;
import io.containerfs.testing.TreeSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * pull as a student runs it, the packaged jar as a process: from a mirror on 127.0.0.1 to a tree
 * identical to GNU tar's, and then a container running the course's fib on that tree.
 */
@Privileged
class PullIT {
    @TempDir
    Path tmp;

    private MirrorServer mirror;

    @BeforeEach
    void startMirror() {
        mirror = MirrorServer.start(tmp);
    }

    @AfterEach
    void stopMirror() throws IOException {
        MirrorServer.stop(mirror, tmp);
    }

    private Commands.Result pull(String... words) {
        String[] args = Stream.concat(Stream.of("pull", "--mirror", mirror.url().toString(),
                "--cache-dir", tmp.resolve("cache").toString()), Stream.of(words)).toArray(String[]::new);
        return ContainerFs.run(args);
    }

    @Test
    void pullGivesTarsTreeAndFibRunsOnIt() throws IOException {
        Path runTmp = Files.createDirectory(tmp.resolve("run-tmp"));
        Path writedir = Files.createDirectory(tmp.resolve("writedir"));
        LeftBehind leftBehind = LeftBehind.before(runTmp, tmp);
        Path pulled = tmp.resolve("rootfs");
        Commands.Result r = pull("alpine:v3.20", pulled.toString(), "--arch", "x86_64");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("installed Alpine 3.20.3 (branch v3.20, x86_64) into " + pulled + "\n"
                + "sha256 " + AlpineMirror.SHA256 + "\n", r.stdout());
        assertTrue(r.stderr().contains("downloading " + Fixtures.TARBALL), r.stderr());

        Map<String, String> byTar = TreeSnapshot.of(Fixtures.alpineRootfs());
        Map<String, String> byPull = TreeSnapshot.of(pulled);
        assertTrue(byTar.size() > 500, "the whole Alpine tree is compared: " + byTar.size());
        assertEquals("", TreeSnapshot.diff(byTar, byPull), "entries that differ from tar --same-owner -xzpf");

        Commands.Result fib = ContainerFs.FrontEnd.JAR.runIn(runTmp, null, pulled.toString(),
                Fixtures.appLayer().toString(), writedir.toString(), "--", "fib");
        assertEquals(0, fib.exitCode(), fib.toString());
        assertEquals(Fixtures.FIB_OUTPUT, fib.stdout());
        leftBehind.assertNothing();
    }

    /**
     * On a terminal pull draws progress bars (the packaged jar, minimized, still holds what they
     * need) and asks nothing of JLine's terminal, whose native library JLine would extract into
     * java.io.tmpdir and leave there: the run's own java.io.tmpdir stays empty.
     */
    @Test
    void onATerminalThePackagedJarDrawsProgressBarsAndLeavesNothingInTmp() throws Exception {
        Path javaTmp = Files.createDirectory(tmp.resolve("java-tmp"));
        Path pulled = tmp.resolve("rootfs");
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + javaTmp, "-jar", Fixtures.jar().toString(), "pull", "--mirror",
                mirror.url().toString(), "--cache-dir", tmp.resolve("cache").toString(), "alpine:v3.20", "--arch",
                "x86_64", pulled.toString());
        try (LiveProcess p = LiveProcess.underTerminal(command, tmp)) {
            assertEquals(0, p.waitFor(Duration.ofSeconds(60)), p.output());
            assertTrue(p.output().contains("downloading 100% [="), p.output());
            assertTrue(p.output().contains("extracting 100% [="), p.output());
            assertTrue(p.output().contains("installed Alpine 3.20.3"), p.output());
        }
        assertTrue(Files.isExecutable(pulled.resolve("bin/busybox")));
        try (Stream<Path> left = Files.list(javaTmp)) {
            assertEquals(List.of(), left.toList(), "left in java.io.tmpdir");
        }
    }

    /**
     * With the native library, libcrypto checks the tarball and system calls from C make the
     * files; without it, the JDK and java.nio do: the same checksum, and tar's tree all the same.
     */
    @Test
    void withoutTheNativeLibraryPullStillChecksAndGivesTarsTree() throws IOException {
        Path rootfs = tmp.resolve("rootfs");
        Commands.Result r = Commands.run(null, null, List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dcontainerfs.native.path=" + tmp.resolve("no-such-library.so"), "-jar", Fixtures.jar().toString(),
                "pull", "--quiet", "--file", Fixtures.alpineTarball().toString(), "--sha256", AlpineMirror.SHA256,
                rootfs.toString()));
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stdout().endsWith("sha256 " + AlpineMirror.SHA256 + "\n"), r.stdout());
        assertEquals("", TreeSnapshot.diff(TreeSnapshot.of(Fixtures.alpineRootfs()), TreeSnapshot.of(rootfs)),
                "entries that differ from tar --same-owner -xzpf");
    }

    @Test
    void aDirectoryNamedPullStillWorksInTheRunForm() throws IOException {
        Path pullDir = tmp.resolve("pull");
        assertEquals(0, ContainerFs.run("pull", "--quiet", "--file", Fixtures.alpineTarball().toString(),
                pullDir.toString()).exitCode());
        Path writedir = Files.createDirectory(tmp.resolve("w"));
        Path runTmp = Files.createDirectory(tmp.resolve("run-tmp"));
        LeftBehind leftBehind = LeftBehind.before(runTmp, tmp);
        Commands.Result r = Commands.run(tmp, null, Commands.concat(ContainerFs.FrontEnd.JAR.command(),
                List.of("pull", Fixtures.appLayer().toString(), writedir.toString(), "--", "fib")),
                Map.of("TMPDIR", runTmp.toString()));
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(Fixtures.FIB_OUTPUT, r.stdout());
        leftBehind.assertNothing();
    }

    @Test
    void failsWithExitCode125AndOneLineWhenTheMirrorIsUnreachable() {
        mirror.close();
        Path dir = tmp.resolve("rootfs");
        Commands.Result r = pull("alpine:v3.20", dir.toString());
        assertEquals(125, r.exitCode(), r.toString());
        assertEquals("container-fs: cannot reach the mirror " + mirror.url() + "/ (could not connect);"
                + " check the network, or use --mirror URL, or --file TARBALL\n", r.stderr());
        assertFalse(Files.exists(dir));
        assertFalse(Files.exists(tmp.resolve("cache")), "nothing was cached, nor the cache made");
    }

    /** kill (SIGTERM, as Ctrl-C's SIGINT) while the download stalls: no .part is left in the cache. */
    @Test
    void killedDuringTheDownloadLeavesNoPartFile() throws Exception {
        byte[] tarball = Files.readAllBytes(Fixtures.alpineTarball());
        CountDownLatch testDone = new CountDownLatch(1);
        mirror.respond(MirrorServer.TARBALL, exchange -> {
            exchange.sendResponseHeaders(200, tarball.length);
            exchange.getResponseBody().write(tarball, 0, tarball.length / 2);
            exchange.getResponseBody().flush();
            awaitQuietly(testDone);
        });
        Path cache = tmp.resolve("cache");
        try (LiveProcess pull = start("pull", "--quiet", "--mirror", mirror.url().toString(), "--cache-dir",
                cache.toString(), "alpine:v3.20", "--arch", "x86_64", tmp.resolve("rootfs").toString())) {
            try {
                Entries.await(cache, ".part");
                assertTrue(pull.isAlive(), "pull waits for the rest of the download");
            } finally {
                killAndWait(pull);
                testDone.countDown();
            }
        }
        assertEquals(List.of(), Entries.list(cache).stream().filter(p -> p.toString().endsWith(".part")).toList());
        assertFalse(Files.exists(tmp.resolve("rootfs")));
    }

    /** kill while extracting (from a FIFO that stops half-way): neither DIR nor its hidden sibling remains. */
    @Test
    void killedDuringTheExtractionLeavesNoHalfTree() throws Exception {
        Path fifo = tmp.resolve("alpine.tar.gz");
        assertEquals(0, Commands.run("mkfifo", fifo.toString()).exitCode());
        Path out = Files.createDirectory(tmp.resolve("out"));
        byte[] tarball = Files.readAllBytes(Fixtures.alpineTarball());
        try (LiveProcess pull = start("pull", "--quiet", "--file", fifo.toString(), out.resolve("rootfs").toString());
                var writer = Files.newOutputStream(fifo)) {
            writer.write(tarball, 0, tarball.length / 2);
            writer.flush();
            Entries.await(out, ".rootfs.pull-");
            assertTrue(pull.isAlive(), "pull waits for the rest of the archive");
            killAndWait(pull); // with the FIFO still open: pull is blocked in read(2), not failing on EOF
        }
        assertEquals(List.of(), Entries.list(out));
    }

    /**
     * Issue 23, #17: two pulls into one DIR both extracted, and one then failed at the rename. The
     * second now refuses at once, in one line, leaving nothing, while the first goes on to the end.
     */
    @Test
    void aSecondPullIntoTheSameDirRefusesAtOnceAndTheFirstFinishes() throws Exception {
        Path fifo = tmp.resolve("alpine.tar.gz");
        assertEquals(0, Commands.run("mkfifo", fifo.toString()).exitCode());
        Path out = Files.createDirectory(tmp.resolve("out"));
        Path rootfs = out.resolve("rootfs");
        byte[] tarball = Files.readAllBytes(Fixtures.alpineTarball());
        try (LiveProcess first = start("pull", "--quiet", "--file", fifo.toString(), rootfs.toString())) {
            try (var writer = Files.newOutputStream(fifo)) {
                writer.write(tarball, 0, tarball.length / 2);
                writer.flush();
                Entries.await(out, ".rootfs.pull-");
                Commands.Result second = ContainerFs.run("pull", "--quiet", "--file",
                        Fixtures.alpineTarball().toString(), rootfs.toString());
                assertEquals(new Commands.Result(125, "", "container-fs: another pull is writing '" + rootfs
                        + "' (it holds " + out.resolve(".rootfs.pull.lock") + "); wait for it to end, or pull into"
                        + " another directory\n"), second);
                assertEquals(2, Entries.list(out).size(), "the first's sibling and lock only: " + Entries.list(out));
                writer.write(tarball, tarball.length / 2, tarball.length - tarball.length / 2);
            }
            assertEquals(0, first.waitFor(Duration.ofSeconds(60)), first.output());
        }
        assertEquals(List.of(rootfs), Entries.list(out), "the tree, and no lock file left");
    }

    /** A directory under tmp where nobody may write, and reach through tmp. */
    private Path nobodysDirectory() throws IOException {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path writable = Files.createDirectory(tmp.resolve("nobody"));
        Files.setPosixFilePermissions(writable, PosixFilePermissions.fromString("rwxrwxrwx"));
        return writable;
    }

    /**
     * {@code container-fs pull ARGS} as the ordinary user nobody, through setpriv, from a copy of
     * the jar in tmp (after {@link #nobodysDirectory}): the project may be where nobody cannot
     * reach, such as a home directory of mode 750, Ubuntu's default.
     */
    private Commands.Result pullAsNobody(String... args) throws IOException {
        PrivilegedCondition.requireInCi(Fixtures.onPath("setpriv"), "setpriv (Debian package util-linux)");
        Path jar = Files.copy(Fixtures.jar(), tmp.resolve("container-fs.jar"));
        Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return Commands.run(null, null, Commands.concat(List.of("setpriv", "--reuid=65534", "--regid=65534",
                "--clear-groups", java, "-jar", jar.toString(), "pull"), List.of(args)));
    }

    private static LiveProcess start(String... args) {
        return new LiveProcess(Commands.concat(ContainerFs.FrontEnd.JAR.command(), List.of(args)), Map.of());
    }

    private static void killAndWait(LiveProcess process) throws InterruptedException {
        process.signal("TERM"); // the JVM runs its shutdown hooks as for Ctrl-C's SIGINT
        assertEquals(128 + 15, process.waitFor(Duration.ofSeconds(30)),
                "pull ended by the signal, not by an error of its own: " + process.output());
    }


    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** As an ordinary user (nobody, through setpriv): the files are the user's, and pull says so once. */
    @Test
    void withoutRootTheFilesAreTheUsersAndPullSaysSoOnce() throws IOException {
        Path writable = nobodysDirectory();
        Path dir = writable.resolve("rootfs");
        // A copy nobody can read: the downloaded one is in root's cache, under /root.
        Path tarball = Files.copy(Fixtures.alpineTarball(), writable.resolve(Fixtures.TARBALL));
        Files.setPosixFilePermissions(tarball, PosixFilePermissions.fromString("rw-r--r--"));
        Commands.Result r = pullAsNobody("--file", tarball.toString(), dir.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(1, r.stderr().lines().filter(l -> l.contains("not running as root")).count(), r.stderr());
        assertEquals(65534, Files.getAttribute(dir.resolve("etc/shadow"), "unix:uid"));
        assertEquals(0640, (Integer) Files.getAttribute(dir.resolve("etc/shadow"), "unix:mode") & 07777);
        assertEquals(01777, (Integer) Files.getAttribute(dir.resolve("tmp"), "unix:mode") & 07777);
    }

    /** As nobody, --allow-devices fails up front: one line, exit 125, no DIR and no sibling of it. */
    @Test
    void allowDevicesWithoutRootFailsUpFrontAndLeavesNothing() throws IOException {
        Path writable = nobodysDirectory();
        Path archive = new TarBuilder().dir("./", 0755).charDevice("null", 1, 3).writeTar(tmp.resolve("nodes.tar"));
        Commands.Result r = pullAsNobody("--allow-devices", "--file", archive.toString(),
                writable.resolve("rootfs").toString());
        assertEquals(125, r.exitCode(), r.toString());
        assertEquals("container-fs: --allow-devices creates device nodes, which needs root: run pull with sudo,"
                + " or leave --allow-devices out to refuse them\n", r.stderr());
        assertEquals("", r.stdout());
        try (Stream<Path> left = Files.list(writable)) {
            assertEquals(List.of(), left.toList(), "neither DIR nor its hidden sibling");
        }
    }

    /** Root in a user namespace is no root for mknod(2): the failure names the node and what to do. */
    @Test
    void allowDevicesWithoutCapMknodSaysWhy() throws IOException {
        PrivilegedCondition.requireInCi(Fixtures.onPath("unshare"), "unshare (Debian package util-linux)");
        Path archive = new TarBuilder().dir("./", 0755).charDevice("null", 1, 3).writeTar(tmp.resolve("nodes.tar"));
        Path dir = tmp.resolve("rootfs");
        List<String> command = Commands.concat(List.of("unshare", "--user", "--map-root-user"),
                Commands.concat(ContainerFs.FrontEnd.JAR.command(),
                        List.of("pull", "--quiet", "--allow-devices", "--file", archive.toString(), dir.toString())));
        Commands.Result r = Commands.run(null, null, command);
        assertEquals(125, r.exitCode(), r.toString());
        assertEquals(1, r.stderr().lines().count(), r.stderr());
        assertTrue(r.stderr().contains("cannot create the character device node "), r.stderr());
        assertTrue(r.stderr().contains("/null: mknod on `"), r.stderr());
        assertTrue(r.stderr().contains("`: Operation not permitted; mknod(2) needs CAP_MKNOD"), r.stderr());
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(List.of(), left.filter(p -> p.getFileName().toString().contains("rootfs")).toList());
        }
    }

    /** Names are UTF-8 in the archive; Java can make them only when its locale is UTF-8 too. */
    @Test
    void extractsNonAsciiNamesUnderAUtf8LocaleAndRefusesThemUnderC() throws IOException {
        Path archive = new TarBuilder().dir("./", 0755).file("caf\u00e9.txt", 0644, "cr\u00e8me\n")
                .writeTarGz(tmp.resolve("utf8.tar.gz"));
        Path utf8 = tmp.resolve("utf8");
        Commands.Result r = runWithLocale("C.UTF-8", "pull", "--file", archive.toString(), utf8.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(List.of("caf\u00e9.txt"), Files.list(utf8).map(p -> p.getFileName().toString()).toList());

        Path ascii = tmp.resolve("ascii");
        r = runWithLocale("C", "pull", "--file", archive.toString(), ascii.toString());
        assertEquals(125, r.exitCode(), r.toString());
        assertTrue(r.stderr().contains("is the locale's character set UTF-8?"), r.stderr());
        assertFalse(Files.exists(ascii));
    }

    private static Commands.Result runWithLocale(String locale, String... args) {
        List<String> command = Commands.concat(List.of("env", "LC_ALL=" + locale), ContainerFs.FrontEnd.JAR.command());
        return Commands.run(null, null, Commands.concat(command, List.of(args)));
    }

    @Test
    void helpExitsZero() {
        Commands.Result r = ContainerFs.run("pull", "--help");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stdout().startsWith("usage: container-fs pull"), r.stdout());
    }
}
