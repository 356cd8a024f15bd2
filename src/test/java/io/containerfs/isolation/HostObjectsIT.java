package io.containerfs.isolation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Commands;
import io.containerfs.testing.ContainerDirs;
import io.containerfs.testing.Privileged;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Nothing of the host is reachable from inside through a process of the container (issue 23, the
 * CVE-2024-21626 class): PID 1 under --init holds descriptors 0-2 only, the container's
 * environment, its own command line, and an executable that is no file of the host; without
 * --init, the command holds descriptors 0-2 only. Run through the jar, whose JVM holds dozens of
 * descriptors and whose environment here carries a secret.
 */
@Privileged
class HostObjectsIT {
    private static final String SECRET = "CFS_TEST_SECRET=hunter2";

    @RegisterExtension
    final ContainerDirs run = ContainerDirs.onAlpine();

    private Commands.Result run(List<String> options, String script) {
        return run(options, List.of(run.rootfs()), script);
    }

    private Commands.Result run(List<String> options, List<Path> layers, String script) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                io.containerfs.testing.Fixtures.jar().toString()));
        command.addAll(options);
        layers.forEach(layer -> command.add(layer.toString()));
        command.addAll(List.of(run.writedir().toString(), "--", "sh", "-c", script));
        return Commands.run(null, null, command,
                Map.of("TMPDIR", run.tmpdir().toString(), "CFS_TEST_SECRET", "hunter2"));
    }

    @Test
    void pidOneUnderInitHoldsNoDescriptorOfTheHost() {
        Commands.Result r = run(List.of("--init"), "ls /proc/1/fd");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals("0\n1\n2\n", r.stdout(), r::toString);
    }

    @Test
    void pidOneUnderInitHasTheContainersEnvironmentAndItsOwnCommandLine() {
        Commands.Result r = run(List.of("--init", "-e", "VISIBLE=yes"),
                "tr '\\0' '\\n' < /proc/1/environ | sort; echo ---; tr '\\0' ' ' < /proc/1/cmdline; echo;"
                        + " readlink /proc/1/exe");
        assertEquals(0, r.exitCode(), r::toString);
        String[] parts = r.stdout().split("---\n");
        assertTrue(parts[0].contains("VISIBLE=yes\n"), r::toString);
        assertTrue(parts[0].contains("PATH="), r::toString);
        assertFalse(r.stdout().contains(SECRET), r::toString);
        assertFalse(r.stdout().contains("java"), r::toString);
        List<String> rest = parts[1].lines().toList();
        assertTrue(rest.get(0).startsWith("container-fs-init "), r::toString);
        assertTrue(rest.get(1).startsWith("/memfd:container-fs-init"), "PID 1's executable is no file of the host: "
                + r);
    }

    /** The init still does its job: the command's status, and the command is not PID 1. */
    @Test
    void theCommandUnderInitIsNotPidOneAndItsStatusComesBack() {
        Commands.Result r = run(List.of("--init"), "echo $$; exit 7");
        assertEquals(7, r.exitCode(), r::toString);
        assertFalse(r.stdout().equals("1\n"), r::toString);
    }

    @Test
    void theCommandHoldsNoDescriptorOfTheHost() {
        Commands.Result r = run(List.of(), "ls /proc/$$/fd; tr '\\0' '\\n' < /proc/$$/environ");
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.stdout().startsWith("0\n1\n2\n"), r::toString);
        assertFalse(r.stdout().lines().anyMatch(l -> l.matches("[0-9]+") && Integer.parseInt(l) > 2), r::toString);
        assertFalse(r.stdout().contains(SECRET), r::toString);
    }

    /**
     * What container-fs tidies in WRITEDIR after the run (the empty etc/resolv.conf it made as the
     * private network's mount point) is the container's to change: root inside replaces an etc that
     * is no directory (an image's symlink, so no resolv.conf was bound there) with a symlink to a
     * directory of the host. The host's empty resolv.conf there stays.
     */
    @Test
    void aSymlinkLeftInWritedirLeadsNoCleanupToTheHost() throws IOException {
        Path layer = Files.createDirectory(run.dir().resolve("etc-link"));
        Files.createSymbolicLink(layer.resolve("etc"), Path.of("/nowhere"));
        Path host = Files.createDirectory(run.dir().resolve("host-dir"));
        Path victim = Files.createFile(host.resolve("resolv.conf"));

        Commands.Result r = run(List.of(), List.of(run.rootfs(), layer), "rm /etc && ln -s " + host + " /etc");

        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(Files.isSymbolicLink(run.writedir().resolve("etc")), r::toString);
        assertTrue(Files.exists(victim), "the host's " + victim + " was removed through WRITEDIR/etc");
    }
}
