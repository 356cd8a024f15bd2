package io.containerfs.frontend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Commands;
import io.containerfs.testing.ContainerFs.FrontEnd;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.LeftBehind;
import io.containerfs.testing.Privileged;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What both front ends share, the C core, says and returns the same through each: the command's
 * output and status, exec's 126 and 127, and the core's messages for a failed step. Usage mistakes
 * are not compared: the jar checks the layers and has options the course template's twin has not.
 */
@Privileged
class FrontEndParityIT {
    @TempDir
    Path tmp;

    static Stream<Arguments> commands() {
        return Stream.of(
                Arguments.of(List.of("sh", "-c", "echo out; echo err >&2; exit 7"), 7),
                Arguments.of(List.of("no-such-command"), 127),
                Arguments.of(List.of("/etc"), 126),
                Arguments.of(List.of("fib"), 0));
    }

    @ParameterizedTest
    @MethodSource("commands")
    void commandsGetTheSameOutputAndExitStatus(List<String> command, int expected) throws IOException {
        Path app = Fixtures.appLayer();
        Commands.Result jar = runIn(FrontEnd.JAR, Files.createTempDirectory(tmp, "jar-"), app, command);
        Commands.Result c = runIn(FrontEnd.C_PROGRAM, Files.createTempDirectory(tmp, "c-"), app, command);

        assertEquals(expected, jar.exitCode(), jar::toString);
        assertEquals(jar.toString(), c.toString());
    }

    /** A layer whose proc is a symlink to the host's /etc: the core refuses to mount over it. */
    @Test
    void aFailedStepGetsTheSameMessageAndExitStatus() throws IOException {
        Path hostile = Files.createDirectory(tmp.resolve("hostile"));
        Files.createSymbolicLink(hostile.resolve("proc"), Path.of("/etc"));

        Commands.Result jar = runIn(FrontEnd.JAR, Files.createTempDirectory(tmp, "jar-"), hostile, List.of("true"));
        Commands.Result c = runIn(FrontEnd.C_PROGRAM, Files.createTempDirectory(tmp, "c-"), hostile, List.of("true"));

        assertEquals(125, jar.exitCode(), jar::toString);
        assertEquals("container-fs: mount proc on `/proc`: Too many levels of symbolic links\n", jar.stderr(),
                jar::toString);
        assertEquals(jar.toString(), c.toString());
    }

    /**
     * Runs in its own directory (TMPDIR and WRITEDIR in it) and checks that nothing was left there,
     * beside WRITEDIR or mounted.
     */
    private static Commands.Result runIn(FrontEnd frontEnd, Path dir, Path app, List<String> command)
            throws IOException {
        Path writedir = Files.createDirectory(dir.resolve("w"));
        Path runTmp = Files.createDirectory(dir.resolve("run-tmp"));
        List<String> argv = new ArrayList<>(List.of(
                Fixtures.alpineRootfs().toString(), app.toString(), writedir.toString(), "--"));
        argv.addAll(command);
        LeftBehind leftBehind = LeftBehind.before(runTmp, dir);
        Commands.Result result = frontEnd.runIn(runTmp, null, argv.toArray(String[]::new));
        leftBehind.assertNothing();
        return result;
    }
}
