package io.containerfs.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Commands;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.LeftBehind;
import io.containerfs.testing.Privileged;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's quick start, as written: one command from a checkout to a container. */
@Privileged
class QuickstartIT {
    @TempDir
    Path tmp;

    private Commands.Result quickstart(Path demo, Path runTmp, String stdin, String... command) {
        List<String> words = new java.util.ArrayList<>(List.of(Fixtures.basedir().resolve("scripts/quickstart.sh").toString()));
        words.addAll(List.of(command));
        return Commands.run(Fixtures.basedir(), stdin, words, Map.of("DEMO_DIR", demo.toString(),
                "ALPINE_TARBALL", Fixtures.alpineTarball().toString(), "TMPDIR", runTmp.toString()));
    }

    @Test
    void runsFibAndThenAShellOnTheSameLayers() throws IOException {
        Path demo = tmp.resolve("demo");
        Path runTmp = Files.createDirectory(tmp.resolve("run-tmp"));
        LeftBehind leftBehind = LeftBehind.before(runTmp, demo);

        Commands.Result fib = quickstart(demo, runTmp, null, "fib");
        assertEquals(0, fib.exitCode(), fib::toString);
        assertEquals(Fixtures.FIB_OUTPUT, fib.stdout());
        assertEquals(Fixtures.ALPINE_VERSION + "\n", Files.readString(demo.resolve("rootfs/etc/alpine-release")));

        // Without a command it starts sh, which here reads its commands from the pipe.
        Commands.Result shell = quickstart(demo, runTmp, "cat /etc/alpine-release\ntouch /hello\nexit 4\n");
        assertEquals(4, shell.exitCode(), shell::toString);
        assertEquals(Fixtures.ALPINE_VERSION + "\n", shell.stdout());
        assertTrue(Files.exists(demo.resolve("writedir/hello")), "the change is in writedir");
        assertTrue(Files.notExists(demo.resolve("rootfs/hello")), "rootfs is untouched");
        leftBehind.assertNothing();
    }
}
