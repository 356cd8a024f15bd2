package io.containerfs.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.containerfs.testing.Commands;
import io.containerfs.testing.ContainerDirs;
import io.containerfs.testing.ContainerFs.FrontEnd;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.Privileged;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 10, "Exit statuses": a command that is there but cannot run is 126 with the reason, not
 * 127 "not found"; a failed run leaves WRITEDIR as it was. On Alpine, once per front end.
 */
@Privileged
@ParameterizedClass
@EnumSource(FrontEnd.class)
class ExitStatusIT {
    private static final String MISSING_LOADER = "the command is there, but its interpreter (the #! line) or its"
            + " dynamic loader (a binary built for another libc) is missing in the container: No such file or"
            + " directory\n";

    @Parameter
    FrontEnd frontEnd;

    @RegisterExtension
    final ContainerDirs run = ContainerDirs.onAlpine();

    private Path layer;

    @BeforeEach
    void layers() throws IOException {
        layer = Files.createDirectories(run.dir().resolve("layer/usr/local/bin")).getParent().getParent().getParent();
    }

    private Commands.Result run(Path lower, String... command) {
        Stream<String> args = Stream.concat(Stream.of(run.rootfs().toString(), lower.toString(), run.writedir().toString(), "--"),
                Stream.of(command));
        return frontEnd.runIn(run.tmpdir(), null, args.toArray(String[]::new));
    }

    private void executable(Path file) throws IOException {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void aScriptWhoseInterpreterIsMissingExits126SayingSo() throws IOException {
        Path script = Files.writeString(layer.resolve("usr/local/bin/report"), "#!/usr/bin/python3\nprint('hi')\n");
        executable(script);

        Commands.Result byName = run(layer, "report");
        Commands.Result byPath = run(layer, "/usr/local/bin/report");

        assertEquals(126, byName.exitCode(), byName::toString);
        assertEquals("container-fs: exec `/usr/local/bin/report`: " + MISSING_LOADER, byName.stderr());
        assertEquals(126, byPath.exitCode(), byPath::toString);
        assertEquals("container-fs: exec `/usr/local/bin/report`: " + MISSING_LOADER, byPath.stderr());
    }

    @Test
    void aBinaryForAnotherLibcExits126SayingSo() throws IOException {
        // The host's true is linked against glibc; Alpine has musl's loader only.
        Path glibcTrue = Files.copy(Path.of("/bin/true"), layer.resolve("usr/local/bin/gtrue"));
        executable(glibcTrue);

        Commands.Result r = run(layer, "gtrue");

        assertEquals(126, r.exitCode(), r::toString);
        assertEquals("container-fs: exec `/usr/local/bin/gtrue`: " + MISSING_LOADER, r.stderr());
    }

    /**
     * Issue 23, item 15: execve semantics, as docker run's: a file the kernel cannot run is 126
     * "Exec format error", not handed to /bin/sh as execvp(3)'s ENOEXEC fallback did; the kernel
     * runs a #! script itself.
     */
    @Test
    void aFileWithABadElfHeaderExits126WithExecFormatError() throws IOException {
        Path bin = Files.createDirectories(run.writedir().resolve("usr/local/bin"));
        byte[] bad = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 'n', 'o', 't', ' ', 'a', 'n', ' ', 'E', 'L', 'F', '\n'};
        executable(Files.write(run.writedir().resolve("bad"), bad));
        executable(Files.writeString(bin.resolve("noshebang"), "echo run by a shell\n"));
        executable(Files.writeString(bin.resolve("script"), "#!/bin/sh\necho run by its interpreter\n"));

        Commands.Result byPath = run(layer, "/bad");
        Commands.Result noShebang = run(layer, "noshebang");
        Commands.Result script = run(layer, "script");

        assertEquals(126, byPath.exitCode(), byPath::toString);
        assertEquals("container-fs: exec `/bad`: Exec format error\n", byPath.stderr());
        assertEquals(126, noShebang.exitCode(), noShebang::toString);
        assertEquals("container-fs: exec `noshebang`: Exec format error\n", noShebang.stderr());
        assertEquals(0, script.exitCode(), script::toString);
        assertEquals("run by its interpreter\n", script.stdout());
    }

    @Test
    void aCommandThatIsNowhereIsStill127() {
        Commands.Result r = run(layer, "no-such-command");
        assertEquals(127, r.exitCode(), r::toString);
    }

    @Test
    void aFailedRunLeavesNoProcDevOrSysInWritedir() throws IOException {
        // The app layer alone has no proc, dev or sys: the child makes them, in WRITEDIR.
        Commands.Result r = frontEnd.runIn(run.tmpdir(), null, Fixtures.appLayer().toString(), run.writedir().toString(), "--",
                "no-such-command");

        assertEquals(127, r.exitCode(), r::toString);
        try (Stream<Path> left = Files.list(run.writedir())) {
            assertEquals(List.of(), left.toList());
        }
    }
}
