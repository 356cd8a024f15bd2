package io.containerfs.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.containerfs.testing.Commands;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.LeftBehind;
import io.containerfs.testing.Privileged;
import io.containerfs.testing.PrivilegedCondition;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * From JDK 24 on, {@code System.load} prints a warning unless native access is enabled (JEP 472).
 * The jar's manifest enables it, so {@code java -jar container-fs.jar} on a newer JDK prints
 * nothing but the command's own output. The build runs on JDK 17; this runs the packaged jar on
 * the newest JDK installed under /usr/lib/jvm.
 */
@Privileged
class NewerJdkIT {
    private static final Path JVM_DIR = Path.of("/usr/lib/jvm");
    private static final int FIRST_WARNING_JDK = 24;
    private static final Pattern FEATURE = Pattern.compile("(?m)^JAVA_VERSION=\"(\\d+)");

    @TempDir
    Path tmp;

    @Test
    void theJarRunsAContainerOnANewerJdkWithoutWarnings() throws IOException {
        Optional<Path> java = newestJava();
        PrivilegedCondition.requireInCi(java.isPresent(),
                "a JDK " + FIRST_WARNING_JDK + " or newer under " + JVM_DIR);
        Path runTmp = Files.createDirectory(tmp.resolve("run-tmp"));
        Path writedir = Files.createDirectory(tmp.resolve("writedir"));
        LeftBehind leftBehind = LeftBehind.before(runTmp, tmp);

        Commands.Result r = Commands.run(null, null, List.of(java.get().toString(), "-jar", Fixtures.jar().toString(),
                        Fixtures.alpineRootfs().toString(), Fixtures.appLayer().toString(), writedir.toString(),
                        "--", "sh", "-c", "echo hello from $(cat /etc/alpine-release)"),
                Map.of("TMPDIR", runTmp.toString()));

        assertEquals(new Commands.Result(0, "hello from 3.20.3\n", ""), r, "run with " + java.get());
        leftBehind.assertNothing();
    }

    /**
     * Two costs that only newer JDKs have, and that a run avoids: System.exit looks up the
     * platform logger to log the exit (JDK 21 on), and an EnumSet's first use reflects through
     * method handles (JDK 18 on). A run ends in Runtime.halt, and builds no EnumSet unless it
     * writes the native library's cache; the second run is read, the first one writes it.
     */
    @Test
    void aRunOnANewerJdkStartsNoLoggerAndNoReflection() throws IOException {
        Optional<Path> java = newestJava();
        PrivilegedCondition.requireInCi(java.isPresent(),
                "a JDK " + FIRST_WARNING_JDK + " or newer under " + JVM_DIR);
        Path runTmp = Files.createDirectory(tmp.resolve("run-tmp"));
        Path writedir = Files.createDirectory(tmp.resolve("writedir"));
        Path log = tmp.resolve("class-load.log");
        List<String> command = List.of(java.get().toString(), "-Xlog:class+load=info:file=" + log, "-jar",
                Fixtures.jar().toString(), Fixtures.alpineRootfs().toString(), Fixtures.appLayer().toString(),
                writedir.toString(), "--", "sh", "-c", "echo out; exit 3");
        Map<String, String> env = Map.of("TMPDIR", runTmp.toString(), "XDG_CACHE_HOME", tmp.resolve("cache").toString());
        Commands.run(null, null, command, env);
        Commands.Result r = Commands.run(null, null, command, env);

        assertEquals(new Commands.Result(3, "out\n", ""), r, "run with " + java.get());
        List<String> loaded = Files.readAllLines(log).stream()
                .filter(line -> line.contains("jdk.internal.logger.")
                        || line.contains("jdk.internal.reflect.MethodHandleAccessorFactory "))
                .toList();
        assertEquals(List.of(), loaded);
    }

    /** The java of the newest JDK under /usr/lib/jvm whose feature release warns, if any. */
    private static Optional<Path> newestJava() {
        if (!Files.isDirectory(JVM_DIR)) {
            return Optional.empty();
        }
        try (Stream<Path> homes = Files.list(JVM_DIR)) {
            return homes.filter(home -> Files.isExecutable(home.resolve("bin/java")))
                    .filter(home -> feature(home) >= FIRST_WARNING_JDK)
                    .max((a, b) -> Integer.compare(feature(a), feature(b)))
                    .map(home -> home.resolve("bin/java"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The feature release from the JDK's {@code release} file; 0 when it has none. */
    private static int feature(Path home) {
        try {
            Matcher m = FEATURE.matcher(Files.readString(home.resolve("release")));
            return m.find() ? Integer.parseInt(m.group(1)) : 0;
        } catch (IOException noReleaseFile) {
            return 0;
        }
    }
}
