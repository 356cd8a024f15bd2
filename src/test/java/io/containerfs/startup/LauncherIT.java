package io.containerfs.startup;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.containerfs.testing.Commands;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.HostMounts;
import io.containerfs.testing.Privileged;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/container-fs runs the jar with a class archive it makes on its first run. The JVM prints
 * notes about archives on stdout, which belongs to the container: the first run (which trains)
 * and a later one (which maps the archive) must print exactly what java -jar prints.
 */
class LauncherIT {
    private static final Path TEMURIN_25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");

    @TempDir
    Path tmp;

    @Test
    void theFirstAndALaterRunPrintOnlyWhatTheJarPrintsAndTheArchiveIsPrivate() throws IOException {
        Path cache = Files.createDirectory(tmp.resolve("cache"));
        Commands.Result expected = Commands.run(null, null,
                List.of(thisJava(), "-jar", Fixtures.jar().toString(), "--version"));

        assertEquals(expected, launcher(cache, null, "--version"), "first run");
        assertEquals(expected, launcher(cache, null, "--version"), "later run");

        Path cds = cache.resolve("container-fs/cds");
        assertEquals("rwx------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(cds, LinkOption.NOFOLLOW_LINKS)));
        assertEquals(1, archives(cds).size(), () -> "one archive, nothing left of the training: " + archives(cds));
    }

    @Test
    void aCacheOthersMayWriteGetsNoArchive() throws IOException {
        Path cache = Files.createDirectory(tmp.resolve("cache"));
        Path cds = Files.createDirectories(cache.resolve("container-fs/cds"));
        Files.setPosixFilePermissions(cds, PosixFilePermissions.fromString("rwxrwxrwx"));

        Commands.Result r = launcher(cache, null, "--version");

        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(List.of(), archives(cds));
    }

    @Test
    @Privileged
    void aContainerPrintsOnlyItsOwnOutputOnJdk17And25() throws IOException {
        List<String> javas = Files.isExecutable(TEMURIN_25) ? List.of(thisJava(), TEMURIN_25.toString())
                : List.of(thisJava());
        List<String> before = HostMounts.snapshot();
        for (String java : javas) {
            Path cache = Files.createDirectories(tmp.resolve("cache-" + javas.indexOf(java)));
            Path writedir = Files.createDirectories(tmp.resolve("w-" + javas.indexOf(java)));
            for (String run : List.of("first", "later")) {
                Commands.Result r = launcher(cache, java, Fixtures.alpineRootfs().toString(), writedir.toString(),
                        "--", "cat", "/etc/alpine-release");
                assertEquals(new Commands.Result(0, Fixtures.ALPINE_VERSION + "\n", ""), r, run + " run on " + java);
            }
            assertEquals(1, archives(cache.resolve("container-fs/cds")).size(), java);
        }
        assertEquals(before, HostMounts.snapshot(), "the training runs left no mount behind");
    }

    private Commands.Result launcher(Path cache, String java, String... args) {
        List<String> command = Commands.concat(List.of(Fixtures.basedir().resolve("bin/container-fs").toString()),
                List.of(args));
        Map<String, String> env = new HashMap<>(Map.of("XDG_CACHE_HOME", cache.toString(),
                "CONTAINERFS_JAR", Fixtures.jar().toString(), "TMPDIR", tmp.toString()));
        env.put("CONTAINERFS_JAVA", java != null ? java : thisJava());
        return Commands.run(null, null, command, env);
    }

    private static String thisJava() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static List<Path> archives(Path cds) {
        try (Stream<Path> files = Files.list(cds)) {
            return files.toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
