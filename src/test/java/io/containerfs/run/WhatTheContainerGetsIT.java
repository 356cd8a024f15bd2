package io.containerfs.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Commands;
import io.containerfs.testing.ContainerDirs;
import io.containerfs.testing.ContainerFs.FrontEnd;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.Privileged;
import io.containerfs.testing.PrivilegedCondition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 10, "What the container is given": the caller's descriptors 0-2 and limits, not the
 * JVM's, on the real Alpine root filesystem, once per front end. The "Guarantees" section of
 * docs/SECURITY.md names each test.
 */
@Privileged
@ParameterizedClass
@EnumSource(FrontEnd.class)
class WhatTheContainerGetsIT {
    /** Writes where each of PID 1's descriptors 0-2 leads to /report in WRITEDIR. */
    private static final String PROBE = "exec 9>/report; for i in 0 1 2; do l=$(readlink /proc/1/fd/$i); echo \"$i $l\" >&9; done";

    @Parameter
    FrontEnd frontEnd;

    @RegisterExtension
    final ContainerDirs run = ContainerDirs.onAlpine();

    /** container-fs started by sh after {@code shellPrefix}, so the test can close or limit what it inherits. */
    private Commands.Result runFromShell(String shellPrefix, String... command) {
        List<String> words = new ArrayList<>(List.of("sh", "-c", shellPrefix + " \"$@\"; exit $?", "sh"));
        words.addAll(frontEnd.command());
        words.addAll(List.of(run.rootfs().toString(), run.writedir().toString(), "--"));
        words.addAll(List.of(command));
        return Commands.run(null, null, words, Map.of("TMPDIR", run.tmpdir().toString()));
    }

    @Test
    void aDescriptorTheCallerClosedIsDevNullInTheContainerNeverAFileOfTheJvm() throws IOException {
        for (int fd = 0; fd <= 2; fd++) {
            Commands.Result r = runFromShell("exec " + fd + ">&-;", "sh", "-c", PROBE);
            assertEquals(0, r.exitCode(), r::toString);
            String report = Files.readString(run.writedir().resolve("report"));
            assertEquals(fd + " /dev/null", report.lines().toList().get(fd), "closed " + fd + ": " + report);
            assertFalse(report.contains("/lib/modules") || report.contains(".jar"), "closed " + fd + ": " + report);
            Files.delete(run.writedir().resolve("report"));
        }
    }

    @Test
    void theDescriptorsTheCallerGaveArePassedOn() throws IOException {
        Path log = run.dir().resolve("log");
        Commands.Result r = runFromShell("exec 2>" + log + ";", "sh", "-c", PROBE + "; echo to-stderr >&2");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals("to-stderr\n", Files.readString(log));
        assertEquals("2 " + log, Files.readString(run.writedir().resolve("report")).lines().toList().get(2));
    }

    @Test
    void theCommandGetsTheCallersOpenFilesLimitNotTheJvms() {
        Commands.Result hard = Commands.run("sh", "-c", "ulimit -H -n");
        long hardLimit = Long.parseLong(hard.stdout().strip());
        long soft = Math.min(1024, hardLimit);

        Commands.Result r = runFromShell("ulimit -S -n " + soft + ";", "sh", "-c", "ulimit -S -n; ulimit -H -n");

        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(soft + "\n" + hardLimit + "\n", r.stdout());
    }

    @Test
    void anArgumentInvalidInTheCharsetReachesTheCommandByteForByte() throws IOException {
        // Java cannot spell \xff\xfe in a UTF-8 argv; the shell appends it as the last word.
        List<String> words = new ArrayList<>(List.of("sh", "-c", "exec \"$@\" \"$(printf 'a\\377\\376b')\"", "sh"));
        words.addAll(frontEnd.command());
        words.addAll(List.of(run.rootfs().toString(), run.writedir().toString(), "--", "sh", "-c", "printf %s \"$1\" > /out", "sh"));
        Commands.Result r = Commands.run(null, null, words, Map.of("TMPDIR", run.tmpdir().toString()));

        assertEquals(0, r.exitCode(), r::toString);
        assertArrayEquals(new byte[] {'a', (byte) 0xff, (byte) 0xfe, 'b'}, Files.readAllBytes(run.writedir().resolve("out")));
    }

    @Test
    void anEmptyLayerIsRefusedNotTakenForTheCurrentDirectory() {
        Commands.Result r = frontEnd.runIn(run.tmpdir(), null, run.rootfs().toString(), "", run.writedir().toString(), "--", "true");
        assertEquals(125, r.exitCode(), r::toString);
        assertTrue(r.stderr().startsWith("container-fs: "), r.stderr());
        assertEquals(1, r.stderr().lines().count(), r.stderr());
    }

    @Test
    void aNonAsciiLayerUnderLcAllCIsOneLineAnd125NotAStackTrace() throws IOException {
        Path app = Files.createDirectory(run.dir().resolve("caf\u00e9"));
        List<String> words = new ArrayList<>(frontEnd.command());
        words.addAll(List.of(run.rootfs().toString(), app.toString(), run.writedir().toString(), "--", "true"));

        Commands.Result r = Commands.run(null, null, words, Map.of("TMPDIR", run.tmpdir().toString(), "LC_ALL", "C"));

        if (frontEnd == FrontEnd.C_PROGRAM) {
            // C takes its argv as bytes and passes them on: the layer is found, the command runs.
            assertEquals(0, r.exitCode(), r::toString);
            return;
        }
        assertEquals(125, r.exitCode(), r::toString);
        assertTrue(r.stderr().startsWith("container-fs: layer '"), r.stderr());
        assertTrue(r.stderr().contains("holds bytes that are not valid in the system's character set US-ASCII"),
                r.stderr());
        assertTrue(r.stderr().contains("set a UTF-8 locale"), r.stderr());
        assertEquals(1, r.stderr().lines().count(), r.stderr());
    }

    /**
     * /dev's nodes are made with mknod(2) (a mount fewer each than binding the host's); where
     * container-fs lacks CAP_MKNOD, as in some CI containers, the host's are bound instead. Either
     * way the container gets the same devices, mode 0666.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void theDevicesProgramsExpectAreThereWithOrWithoutCapMknod(boolean capMknod) {
        PrivilegedCondition.requireInCi(Fixtures.onPath("setpriv"), "setpriv (Debian package util-linux)");
        String prefix = capMknod ? "" : "exec setpriv --bounding-set -mknod --inh-caps=-mknod";
        Commands.Result r = runFromShell(prefix, "sh", "-c",
                "stat -c '%n %F %t:%T %a' /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty"
                        + " && echo written > /dev/null && grep -c ' /dev/null ' /proc/self/mountinfo; true");

        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(List.of("/dev/null character special file 1:3 666", "/dev/zero character special file 1:5 666",
                "/dev/full character special file 1:7 666", "/dev/random character special file 1:8 666",
                "/dev/urandom character special file 1:9 666", "/dev/tty character special file 5:0 666",
                capMknod ? "0" : "1"), r.stdout().lines().toList(), "the last line: mounts on /dev/null");
    }
}
