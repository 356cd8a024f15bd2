package io.containerfs.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Commands;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.LeftBehind;
import io.containerfs.testing.MirrorServer;
import io.containerfs.testing.Privileged;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's quick start, as written: one command from a checkout to a container. It puts the
 * launcher on PATH as container-fs, here in a directory of the test's own (CONTAINERFS_BIN_DIR),
 * not the host's /usr/local/bin; FreshDebianQuickstartIT checks the real one, on a fresh Debian.
 */
@Privileged
class QuickstartIT {
    @TempDir
    Path tmp;

    private Commands.Result quickstart(Path demo, Path runTmp, String stdin, Map<String, String> env, String... words) {
        List<String> command = new ArrayList<>(List.of(Fixtures.basedir().resolve("scripts/quickstart.sh").toString()));
        command.addAll(List.of(words));
        Map<String, String> all = new HashMap<>(env);
        all.putAll(Map.of("DEMO_DIR", demo.toString(), "TMPDIR", runTmp.toString(),
                "CONTAINERFS_BIN_DIR", tmp.resolve("bin").toString()));
        return Commands.run(Fixtures.basedir(), stdin, command, all);
    }

    @Test
    void runsFibAndThenAShellOnTheSameLayers() throws IOException {
        Path demo = tmp.resolve("demo");
        Path runTmp = Files.createDirectory(tmp.resolve("run-tmp"));
        LeftBehind leftBehind = LeftBehind.before(runTmp, demo);

        Commands.Result fib = quickstart(demo, runTmp, null, Map.of(), "--file", Fixtures.alpineTarball().toString(),
                "fib");
        assertEquals(0, fib.exitCode(), fib::toString);
        assertEquals(Fixtures.FIB_OUTPUT, fib.stdout());
        assertEquals(Fixtures.ALPINE_VERSION + "\n", Files.readString(demo.resolve("rootfs/etc/alpine-release")));
        Path link = tmp.resolve("bin/container-fs");
        assertEquals(Fixtures.launcher(), Files.readSymbolicLink(link), "the launcher is installed as container-fs");
        assertTrue(fib.stderr().contains("install: " + link + " -> " + Fixtures.launcher() + "\n"), fib::toString);
        assertTrue(fib.stderr().contains("quickstart: from now on: sudo container-fs " + demo.resolve("rootfs") + " "),
                fib::toString);

        // Without a command it starts sh, which here reads its commands from the pipe.
        Commands.Result shell = quickstart(demo, runTmp, "cat /etc/alpine-release\ntouch /hello\nexit 4\n", Map.of());
        assertEquals(4, shell.exitCode(), shell::toString);
        assertEquals(Fixtures.ALPINE_VERSION + "\n", shell.stdout());
        assertTrue(shell.stderr().contains("install: " + link + " -> " + Fixtures.launcher() + " is there already"),
                shell::toString);
        assertTrue(Files.exists(demo.resolve("writedir/hello")), "the change is in writedir");
        assertTrue(Files.notExists(demo.resolve("rootfs/hello")), "rootfs is untouched");
        leftBehind.assertNothing();
    }

    @Test
    void theTarballMayAlsoComeFromALPINE_TARBALLOrAMirror() throws IOException {
        Path runTmp = Files.createDirectory(tmp.resolve("run-tmp"));
        Map<String, String> given = Map.of("ALPINE_TARBALL", Fixtures.alpineTarball().toString());
        Commands.Result fromVariable = quickstart(tmp.resolve("demo-variable"), runTmp, null, given, "fib");
        assertEquals(0, fromVariable.exitCode(), fromVariable::toString);
        assertEquals(Fixtures.FIB_OUTPUT, fromVariable.stdout());

        // pull keeps what it downloads in its cache: one of the test's own, so the mirror is asked.
        Map<String, String> ownCache = Map.of("XDG_CACHE_HOME", tmp.resolve("cache").toString());
        try (MirrorServer mirror = MirrorServer.start(tmp)) {
            Commands.Result fromMirror = quickstart(tmp.resolve("demo-mirror"), runTmp, null, ownCache,
                    "--mirror", mirror.url().toString(), "cat", "/etc/alpine-release");
            assertEquals(0, fromMirror.exitCode(), fromMirror::toString);
            assertEquals(Fixtures.ALPINE_VERSION + "\n", fromMirror.stdout());
            assertEquals(1, mirror.requests(MirrorServer.TARBALL), fromMirror::toString);
        }
    }

    @Test
    void withoutAlpineItNamesTheOptionsThatItTakes() throws IOException {
        Path runTmp = Files.createDirectory(tmp.resolve("run-tmp"));
        Map<String, String> ownCache = Map.of("XDG_CACHE_HOME", tmp.resolve("cache").toString());
        Commands.Result r = quickstart(tmp.resolve("demo"), runTmp, null, ownCache, "--mirror", "http://127.0.0.1:1/",
                "fib");

        assertEquals(125, r.exitCode(), r::toString);
        assertTrue(r.stderr().contains("quickstart:   --file TARBALL  "), r::toString);
        assertTrue(r.stderr().contains("quickstart:   --mirror URL    "), r::toString);
        assertTrue(Files.notExists(tmp.resolve("demo/rootfs")), r::toString);

        Commands.Result help = quickstart(tmp.resolve("demo"), runTmp, null, Map.of(), "--help");
        assertEquals(0, help.exitCode(), help::toString);
        assertTrue(help.stdout().startsWith("usage: sudo scripts/quickstart.sh [--file TARBALL | --mirror URL] [--]"
                + " [COMMAND [ARG...]]\n"), help::toString);
    }
}
