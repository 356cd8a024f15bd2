package io.containerfs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Commands;
import io.containerfs.testing.ContainerFs;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.HostMounts;
import io.containerfs.testing.MirrorServer;
import io.containerfs.testing.Privileged;
import io.containerfs.testing.PrivilegedCondition;
import io.containerfs.testing.TarBuilder;
import io.containerfs.testing.TreeSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.io.file.PathUtils;
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
        mirror.close();
        // Pulled trees hold absolute symlinks (/var/run -> /run): remove them here, without
        // following them, rather than have @TempDir warn about each one.
        PathUtils.cleanDirectory(tmp);
    }

    private Commands.Result pull(String... words) {
        String[] args = Stream.concat(Stream.of("pull", "--mirror", mirror.url().toString(),
                "--cache-dir", tmp.resolve("cache").toString()), Stream.of(words)).toArray(String[]::new);
        return ContainerFs.run(args);
    }

    @Test
    void pullGivesTarsTreeAndFibRunsOnIt() throws IOException {
        List<String> mountsBefore = HostMounts.snapshot();
        Path pulled = tmp.resolve("rootfs");
        Commands.Result r = pull("alpine:v3.20", pulled.toString(), "--arch", "x86_64");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("installed Alpine 3.20.3 (branch v3.20, x86_64) into " + pulled + "\n"
                + "sha256 d4e6fd67dcf75e40c451560ac7265166c2b72a0f38ddc9aae756a7de3d1efa0c\n", r.stdout());
        assertTrue(r.stderr().contains("downloading " + Fixtures.TARBALL), r.stderr());

        Map<String, String> byTar = TreeSnapshot.of(Fixtures.alpineRootfs());
        Map<String, String> byPull = TreeSnapshot.of(pulled);
        assertTrue(byTar.size() > 500, "the whole Alpine tree is compared: " + byTar.size());
        assertEquals("", TreeSnapshot.diff(byTar, byPull), "entries that differ from tar --same-owner -xzpf");

        Path writedir = Files.createDirectory(tmp.resolve("writedir"));
        Commands.Result fib = ContainerFs.run(pulled.toString(), Fixtures.appLayer().toString(), writedir.toString(),
                "--", "fib");
        assertEquals(0, fib.exitCode(), fib.toString());
        assertEquals(Fixtures.FIB_OUTPUT, fib.stdout());
        assertEquals(mountsBefore, HostMounts.snapshot(), "no mount left behind");
    }

    @Test
    void aDirectoryNamedPullStillWorksInTheRunForm() throws IOException {
        Path pullDir = tmp.resolve("pull");
        assertEquals(0, ContainerFs.run("pull", "--quiet", "--file", Fixtures.alpineTarball().toString(),
                pullDir.toString()).exitCode());
        Path writedir = Files.createDirectory(tmp.resolve("w"));
        Commands.Result r = Commands.run(tmp, null, Commands.concat(ContainerFs.FrontEnd.JAR.command(),
                List.of("pull", Fixtures.appLayer().toString(), writedir.toString(), "--", "fib")));
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(Fixtures.FIB_OUTPUT, r.stdout());
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

    /** As an ordinary user (nobody, through setpriv): the files are the user's, and pull says so once. */
    @Test
    void withoutRootTheFilesAreTheUsersAndPullSaysSoOnce() throws IOException {
        PrivilegedCondition.requireInCi(Fixtures.onPath("setpriv"), "setpriv (Debian package util-linux)");
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path writable = Files.createDirectory(tmp.resolve("nobody"));
        Files.setPosixFilePermissions(writable, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path dir = writable.resolve("rootfs");
        List<String> command = Commands.concat(
                List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"),
                Commands.concat(ContainerFs.FrontEnd.JAR.command(),
                        List.of("pull", "--file", Fixtures.alpineTarball().toString(), dir.toString())));
        Commands.Result r = Commands.run(null, null, command);
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(1, r.stderr().lines().filter(l -> l.contains("not running as root")).count(), r.stderr());
        assertEquals(65534, Files.getAttribute(dir.resolve("etc/shadow"), "unix:uid"));
        assertEquals(0640, (Integer) Files.getAttribute(dir.resolve("etc/shadow"), "unix:mode") & 07777);
        assertEquals(01777, (Integer) Files.getAttribute(dir.resolve("tmp"), "unix:mode") & 07777);
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
