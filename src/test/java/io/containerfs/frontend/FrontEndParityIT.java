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
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The C program says and returns exactly what the jar does. Every usage mistake is caught before
 * the root check, so those cases run anywhere; running a command needs root.
 */
class FrontEndParityIT {
    @TempDir
    static Path tmp;

    private static Path a;
    private static Path b;
    private static Path w;
    private static Path file;

    @BeforeEach
    void layers() throws IOException {
        a = tmp.resolve("a");
        Files.createDirectories(a.resolve("sub"));
        b = Files.createDirectories(tmp.resolve("b"));
        w = Files.createDirectories(tmp.resolve("w"));
        file = tmp.resolve("file");
        if (!Files.exists(file)) {
            Files.createFile(file);
        }
    }

    /** Each case as a function of the temporary directory, which only exists once the test runs. */
    static Stream<Arguments> usageMistakes() {
        return Stream.of(
                mistake("no arguments at all", () -> List.of()),
                mistake("no --", () -> List.of(s(a), s(w), "sh")),
                mistake("one layer", () -> List.of(s(a), "--", "sh")),
                mistake("no command", () -> List.of(s(a), s(w), "--")),
                mistake("unknown option", () -> List.of("--bogus", s(a), s(w), "--", "sh")),
                mistake("option after a layer", () -> List.of(s(a), "-x", s(w), "--", "sh")),
                mistake("-w without DIR", () -> List.of("-w")),
                mistake("missing layer", () -> List.of(s(tmp.resolve("missing")), s(w), "--", "sh")),
                mistake("layer is a file", () -> List.of(s(file), s(w), "--", "sh")),
                mistake("layer below a file", () -> List.of(s(file.resolve("x")), s(w), "--", "sh")),
                mistake("same layer twice", () -> List.of(s(a), s(b), s(a) + "/.", "--", "sh")),
                mistake("WRITEDIR inside a lower layer", () -> List.of(s(a), s(a.resolve("sub")), "--", "sh")),
                mistake("lower layer inside WRITEDIR", () -> List.of(s(a.resolve("sub")), s(a), "--", "sh")),
                mistake("missing workdir", () -> List.of("--workdir", s(tmp.resolve("nope")), s(b), s(w), "--", "sh")),
                mistake("workdir inside a layer", () -> List.of("-w", s(a.resolve("sub")), s(a), s(w), "--", "sh")),
                mistake("workdir= on another filesystem", () -> List.of("--workdir=/proc", s(b), s(w), "--", "sh")));
    }

    private static Arguments mistake(String name, Supplier<List<String>> args) {
        return Arguments.of(name, args);
    }

    private static String s(Path p) {
        return p.toString();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("usageMistakes")
    void usageMistakesGetTheSameMessageAndExitCode(String name, Supplier<List<String>> args) {
        String[] argv = args.get().toArray(String[]::new);
        Commands.Result jar = FrontEnd.JAR.run(argv);
        Commands.Result c = FrontEnd.C_PROGRAM.run(argv);

        assertEquals(125, jar.exitCode(), jar::toString);
        assertTrue(jar.stderr().startsWith("container-fs: "), jar::toString);
        assertEquals(jar.toString(), c.toString());
    }

    @Test
    void versionIsTheSame() {
        assertEquals(FrontEnd.JAR.run("--version").toString(), FrontEnd.C_PROGRAM.run("--version").toString());
    }

    /** The C program has no pull subcommand, and its example runs ./container-fs. */
    @Test
    void helpIsTheSameButForPullAndTheExample() {
        Function<String, List<String>> comparable = help -> help.lines()
                .filter(l -> !l.contains("container-fs pull") && !l.startsWith("  sudo "))
                .toList();
        Commands.Result jar = FrontEnd.JAR.run("--help");
        Commands.Result c = FrontEnd.C_PROGRAM.run("-h");

        assertEquals(0, c.exitCode(), c::toString);
        assertEquals(comparable.apply(jar.stdout()), comparable.apply(c.stdout()));
        assertTrue(c.stdout().contains("  sudo ./container-fs rootfs app writedir -- sh\n"), c::toString);
    }

    static Stream<Arguments> commands() {
        return Stream.of(
                Arguments.of(List.of("sh", "-c", "echo out; echo err >&2; exit 7"), 7),
                Arguments.of(List.of("no-such-command"), 127),
                Arguments.of(List.of("/etc"), 126),
                Arguments.of(List.of("fib"), 0));
    }

    @Privileged
    @ParameterizedTest
    @MethodSource("commands")
    void commandsGetTheSameOutputAndExitCode(List<String> command, int expected) throws IOException {
        Commands.Result jar = runIn(FrontEnd.JAR, Files.createTempDirectory(tmp, "jar-"), command);
        Commands.Result c = runIn(FrontEnd.C_PROGRAM, Files.createTempDirectory(tmp, "c-"), command);

        assertEquals(expected, jar.exitCode(), jar::toString);
        assertEquals(jar.toString(), c.toString());
    }

    /** Runs in its own TMPDIR and checks that nothing was left there, beside WRITEDIR or mounted. */
    private static Commands.Result runIn(FrontEnd frontEnd, Path dir, List<String> command) throws IOException {
        Path writedir = Files.createDirectory(dir.resolve("w"));
        Path runTmp = Files.createDirectory(dir.resolve("run-tmp"));
        List<String> argv = new ArrayList<>(List.of(
                Fixtures.alpineRootfs().toString(), Fixtures.appLayer().toString(), writedir.toString(), "--"));
        argv.addAll(command);
        LeftBehind leftBehind = LeftBehind.before(runTmp, dir);
        Commands.Result result = frontEnd.runIn(runTmp, null, argv.toArray(String[]::new));
        leftBehind.assertNothing();
        return result;
    }

    /**
     * The C program removes the mountpoint it made in $TMPDIR and the work directory it made beside
     * WRITEDIR, when the command runs and when it cannot be found.
     */
    @Privileged
    @ParameterizedTest
    @MethodSource("commands")
    void theCProgramRemovesWhatItCreated(List<String> command, int expected) throws IOException, InterruptedException {
        Path own = Files.createTempDirectory(tmp, "own-");
        Path tmpdir = Files.createDirectory(own.resolve("tmpdir"));
        Path writedir = Files.createDirectory(own.resolve("w"));
        List<String> argv = new ArrayList<>(List.of(Fixtures.cProgram().toString(),
                Fixtures.alpineRootfs().toString(), Fixtures.appLayer().toString(), writedir.toString(), "--"));
        argv.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("TMPDIR", tmpdir.toString());

        assertEquals(expected, pb.start().waitFor());
        try (Stream<Path> left = Files.list(tmpdir)) {
            assertEquals(List.of(), left.toList(), "the mountpoint's directory was left in $TMPDIR");
        }
        try (Stream<Path> left = Files.list(own)) {
            assertEquals(List.of(tmpdir, writedir), left.sorted().toList(), "the work directory was left beside WRITEDIR");
        }
    }
}
