package io.containerfs.startup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Commands;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.Privileged;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run form loads only what a run needs (issue 13): no HTTP client, YAML parser, archive
 * decompressor or progress bar, which belong to pull, and no SecureRandom for the native
 * library. Read from the JVM's own record of every class it loads ({@code -Xlog:class+load}),
 * written to a file so that the container's stdout stays apart.
 */
class RunPathClassesIT {
    /** Prefixes of the class names pull needs and a run must not load. */
    static final List<String> PULL_ONLY = List.of(
            "java.net.http.", "jdk.internal.net.http.", "sun.net.www.protocol.http.", "java.net.HttpURLConnection",
            "javax.net.ssl.", "sun.security.ssl.",
            "org.snakeyaml.",
            "org.apache.commons.compress.", "java.util.zip.GZIPInputStream",
            "me.tongfei.progressbar.", "org.jline.",
            "io.containerfs.pull.MirrorClient", "io.containerfs.pull.RootfsExtractor",
            "io.containerfs.pull.ConsoleProgress", "io.containerfs.pull.ZstdLayer");

    @TempDir
    Path tmp;

    @Test
    void aRunThatStopsAtTheLayerCheckLoadsNothingOfPullNorSecureRandom() throws IOException {
        // As root the library is loaded and the layers are checked; otherwise the library is loaded
        // and the root check stops it. Either way the loader has run.
        List<String> classes = classesLoadedBy(tmp.resolve("missing-lower").toString(),
                tmp.resolve("missing-upper").toString(), "--", "true");

        assertTrue(classes.contains("io.containerfs.linux.NativeLoader"), "the log lists our classes");
        assertTrue(classes.contains("io.containerfs.linux.Native"), "the library was loaded");
        assertEquals(List.of(), matching(classes, PULL_ONLY));
        assertEquals(List.of(), matching(classes, List.of("java.security.SecureRandom", "sun.security.provider.")),
                "loading the library must not initialise the security providers");
    }

    /**
     * A whole run of the course's command line, which has no option: nothing of pull, no
     * SecureRandom or Commons IO (the core makes and removes the work directory),
     * no parser (Commons CLI's spins a lambda on first use), no ProcessHandle thread pool, no
     * file permissions (only writing the cache needs them), and no class spun by java.lang.invoke
     * at all. The second run is read: the first one also writes the native library into the cache.
     */
    @Test
    @Privileged
    void aWholeRunWithoutOptionsLoadsNothingItDoesNotNeed() throws IOException {
        Path writedir = Files.createDirectory(tmp.resolve("writedir"));
        classesLoadedBy(Fixtures.alpineRootfs().toString(), writedir.toString(), "--", "/bin/true");
        List<String> classes = classesLoadedBy(Fixtures.alpineRootfs().toString(), writedir.toString(),
                "--", "/bin/true");

        assertTrue(classes.contains("io.containerfs.linux.Container"), "the run got as far as the core");
        assertEquals(List.of(), matching(classes, PULL_ONLY));
        assertEquals(List.of(), matching(classes, List.of("java.security.SecureRandom", "org.apache.commons.io.",
                "org.apache.commons.cli.DefaultParser", "org.apache.commons.cli.Options",
                "java.lang.ProcessHandleImpl", "sun.nio.ch.FileChannelImpl",
                "java.nio.file.attribute.PosixFilePermission")));
        assertEquals(List.of(), classes.stream().filter(c -> c.contains("$$Lambda") || c.contains("LambdaForm$MH/")
                || c.contains("LambdaForm$DMH/")).toList(), "classes spun by java.lang.invoke");
    }

    @Test
    void pullLoadsWhatARunMustNotSoTheListNamesRealClasses() throws IOException {
        List<String> classes = classesLoadedBy("pull", "--quiet", "--file", Fixtures.alpineTarball().toString(),
                tmp.resolve("rootfs").toString());

        List<String> pullOnly = matching(classes, PULL_ONLY);
        assertTrue(pullOnly.contains("java.util.zip.GZIPInputStream"), pullOnly::toString);
        assertTrue(pullOnly.stream().anyMatch(c -> c.startsWith("org.apache.commons.compress.")), pullOnly::toString);
        assertTrue(pullOnly.contains("io.containerfs.pull.RootfsExtractor"), pullOnly::toString);
        // Alpine's absolute symlinks would make @TempDir's clean-up warn about each one.
        Commands.run("rm", "-rf", tmp.resolve("rootfs").toString());
    }

    private List<String> classesLoadedBy(String... args) throws IOException {
        return classesLoadedBy(tmp, args);
    }

    /** The packaged jar run with these arguments; its log, temporary files and native-library cache kept in tmp. */
    static List<String> classesLoadedBy(Path tmp, String... args) throws IOException {
        Path log = tmp.resolve("class-load.log");
        Path runTmp = Files.createDirectories(tmp.resolve("run-tmp"));
        List<String> command = Commands.concat(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xlog:class+load=info:file=" + log, "-jar", Fixtures.jar().toString()), List.of(args));
        Commands.Result r = Commands.run(null, null, command,
                Map.of("TMPDIR", runTmp.toString(), "XDG_CACHE_HOME", tmp.resolve("cache").toString()));
        assertTrue(Files.isRegularFile(log), r::toString);
        // "[0.047s][info][class,load] io.containerfs.cli.Main source: file:/..."
        return Files.readAllLines(log).stream()
                .map(line -> line.substring(line.indexOf("] ", line.indexOf("class,load")) + 2))
                .map(rest -> rest.substring(0, rest.indexOf(' ')))
                .collect(Collectors.toList());
    }

    static List<String> matching(List<String> classes, List<String> prefixes) {
        return classes.stream().filter(c -> prefixes.stream().anyMatch(c::startsWith)).collect(Collectors.toList());
    }
}
