package io.containerfs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.ByteCommand;
import io.containerfs.testing.Commands;
import io.containerfs.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.cli.Option;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * No stack trace for any input (issue 23): every option that --help lists, fed bad values (empty,
 * garbage with a newline, a huge and a negative number, bytes that are not UTF-8, a path that does
 * not exist, /dev/zero, a FIFO) and given without its value, through the jar as a user runs it. Each
 * run ends with exit 125 and exactly one line on stderr, "container-fs: ...", naming no exception;
 * --help and --version print and exit 0, as documented.
 *
 * <p>The layers do not exist, so a value that is accepted reaches the root check (without root)
 * or the core's check of the first layer (with root), both one line and 125, and nothing is ever
 * made. So the test needs no root and is never skipped; with root it also reaches what is checked
 * after the root check (-u in the layers' /etc/passwd). Each run is a JVM of its own: about 200
 * runs, run one after the other, with C1 only, to be light on a shared machine.
 */
class BadInputIT {
    @TempDir
    Path tmp;

    private Path fifo;
    private Path runTmp;

    @BeforeEach
    void fixtures() throws IOException, InterruptedException {
        fifo = tmp.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        runTmp = Files.createDirectory(tmp.resolve("run-tmp"));
    }

    @AfterEach
    void nothingMade() throws IOException {
        try (Stream<Path> left = Files.list(runTmp)) {
            assertEquals(List.of(), left.toList(), "nothing is made in TMPDIR");
        }
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(List.of(fifo, runTmp), left.sorted().toList(), "no layer, WRITEDIR or work directory is made");
        }
    }

    /** The bad values, by what they are. */
    private Map<String, byte[]> badValues() {
        Map<String, byte[]> values = new LinkedHashMap<>();
        values.put("empty", new byte[0]);
        values.put("garbage", ByteCommand.word("a\nb:c,=d\t;\\%s*"));
        values.put("huge", ByteCommand.word("99999999999999999999999"));
        values.put("negative", ByteCommand.word("-99999999999"));
        values.put("not UTF-8", new byte[] {'/', 'x', (byte) 0xff, (byte) 0xfe, '=', (byte) 0xc3});
        values.put("missing path", ByteCommand.word("/nonexistent/container-fs-bad-input"));
        values.put("/dev/zero", ByteCommand.word("/dev/zero"));
        values.put("FIFO", ByteCommand.word(fifo.toString()));
        return values;
    }

    private static boolean printsAndExits(Option option) {
        return option.getLongOpt().equals(CommandLineSpec.HELP) || option.getLongOpt().equals(CommandLineSpec.VERSION);
    }

    @TestFactory
    Stream<DynamicTest> everyOptionRefusesBadValuesInOneLine() {
        return new CommandLineSpec().allOptions().stream().map(option -> DynamicTest.dynamicTest("--"
                + option.getLongOpt(), () -> {
                    List<String> failures = new ArrayList<>();
                    if (option.hasArg()) {
                        for (Map.Entry<String, byte[]> bad : badValues().entrySet()) {
                            check(failures, bad.getKey(), List.of(ByteCommand.word("--" + option.getLongOpt()),
                                    bad.getValue()));
                        }
                        // The value missing: the option is the last word before "--".
                        check(failures, "no value", List.of(ByteCommand.word("--" + option.getLongOpt())));
                    } else if (!printsAndExits(option)) {
                        check(failures, "a value for a flag", List.of(ByteCommand.word("--" + option.getLongOpt()
                                + "=x\ny")));
                        check(failures, "alone", List.of(ByteCommand.word("--" + option.getLongOpt())));
                    } else {
                        Commands.Result r = run(List.of(ByteCommand.word("--" + option.getLongOpt())), Map.of());
                        assertEquals(0, r.exitCode(), r::toString);
                        assertEquals("", r.stderr());
                    }
                    assertEquals(List.of(), failures, "--" + option.getLongOpt());
                }));
    }

    /** Under LC_ALL=C or POSIX the JVM cannot name a non-ASCII path: it threw InvalidPathException (#17). */
    @Test
    void aNonAsciiPathUnderTheCLocaleIsOneLine() {
        for (String locale : List.of("C", "POSIX")) {
            for (String option : List.of("--volume", "--tmpfs", "--workdir", "--env-file", "--overlay-workdir")) {
                Commands.Result r = run(List.of(ByteCommand.word(option), ByteCommand.word("/tmp/é:/x")),
                        Map.of("LC_ALL", locale));
                assertEquals(new Commands.Result(125, "", "container-fs: " + option + " '/tmp/\\xc3\\xa9:/x' holds bytes"
                        + " that are not valid in the system's character set US-ASCII, which container-fs would"
                        + " change; set a UTF-8 locale, e.g. LC_ALL=C.UTF-8\n"), r, locale + " " + option);
            }
        }
    }

    /** #12: under UTF-8, a value with a byte that is not UTF-8 is refused and shown as it was given. */
    @Test
    void aValueThatIsNotUtf8IsRefusedNamingTheOptionAndShowingTheBytes() {
        Commands.Result r = run(List.of(ByteCommand.word("-e"), new byte[] {'A', '=', (byte) 0xc3, (byte) 0xa9,
                (byte) 0xff}), Map.of());
        assertEquals(new Commands.Result(125, "", "container-fs: --env 'A=é\\xff' holds bytes that are not valid UTF-8,"
                + " which container-fs would change; give valid UTF-8\n"), r);
        // U+FFFD written as itself is valid UTF-8 and goes on: the run fails only later, at the layers.
        Commands.Result genuine = run(List.of(ByteCommand.word("-e"), ByteCommand.word("A=\uFFFD")), Map.of());
        assertTrue(!genuine.stderr().contains("not valid"), genuine::toString);
    }

    private Commands.Result run(List<byte[]> options, Map<String, String> env) {
        List<byte[]> argv = new ArrayList<>(ByteCommand.words(List.of(Path.of(System.getProperty("java.home"), "bin",
                "java").toString(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", Fixtures.jar().toString())));
        argv.addAll(options);
        argv.addAll(ByteCommand.words(List.of(tmp.resolve("no-such-layer").toString(),
                tmp.resolve("no-such-writedir").toString(), "--", "true")));
        Map<String, String> all = new HashMap<>(env);
        all.put("TMPDIR", runTmp.toString());
        return ByteCommand.run(argv, all, tmp);
    }

    private void check(List<String> failures, String what, List<byte[]> options) {
        Commands.Result r = run(options, Map.of());
        String err = r.stderr();
        boolean oneLine = err.startsWith("container-fs: ") && err.endsWith("\n") && err.indexOf('\n') == err.length() - 1;
        boolean noTrace = !err.contains("Exception") && !err.contains("at io.") && !err.contains("\tat ");
        if (r.exitCode() != 125 || !oneLine || !noTrace) {
            failures.add(what + ": " + r);
        }
    }
}
