package io.containerfs.startup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Commands;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.HostMounts;
import io.containerfs.testing.MirrorServer;
import io.containerfs.testing.Privileged;
import io.containerfs.testing.PrivilegedCondition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/container-fs (src/main/c/launcher/launcher.c, built by mvn package) runs the jar with a class
 * archive it makes on its first run. The JVM prints notes about archives on stdout, which
 * belongs to the container: the first run (which trains) and a later one (which maps the
 * archive) must print exactly what java -jar prints.
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

    /** {@code pull --file} loads classes a run never does (Commons Compress, the extractor): it gets an archive of its own. */
    @Test
    void aPullFileIsTrainedOnAPullFileAndARunOnARun() throws IOException {
        Path cache = Files.createDirectory(tmp.resolve("cache"));
        Path rootfs = Files.createDirectory(tmp.resolve("rootfs"));
        Path cds = cache.resolve("container-fs/cds");
        try {
            for (int i = 0; i < 2; i++) {
                Commands.Result r = launcher(cache, null, "pull", "--quiet", "--file",
                        Fixtures.alpineTarball().toString(), rootfs.resolve("p" + i).toString());
                assertEquals(0, r.exitCode(), r::toString);
                assertTrue(Files.isDirectory(rootfs.resolve("p" + i).resolve("etc")), r::toString);
            }
            List<Path> afterPulls = archives(cds);
            assertEquals(1, afterPulls.size(), () -> "one archive for both pulls, nothing left of the training: " + afterPulls);
            assertTrue(afterPulls.get(0).getFileName().toString().endsWith("-pull-file.jsa"), afterPulls::toString);

            assertEquals(0, launcher(cache, null, "--version").exitCode());
            assertEquals(2, archives(cds).size(), () -> "the run's own beside it: " + archives(cds));
        } finally {
            Commands.run("rm", "-rf", rootfs.toString()); // Alpine's absolute symlinks would make @TempDir warn
        }
    }

    /**
     * A pull from a mirror gets an archive of its own, trained on one (PullTraining, a mirror on
     * 127.0.0.1 inside the training JVM): a later pull from a mirror finds its HTTP client, the
     * index's YAML and container-fs's own classes there, not in the jar and the runtime image
     * (some 1,300 classes loaded from outside an archive trained on {@code pull --file}).
     */
    @Test
    void aPullFromAMirrorFindsItsClassesInItsArchive() throws IOException {
        Path cache = Files.createDirectory(tmp.resolve("cache"));
        Path rootfs = Files.createDirectory(tmp.resolve("rootfs"));
        Path log = tmp.resolve("class-load.log");
        try (MirrorServer mirror = MirrorServer.start(tmp)) {
            Commands.Result first = launcher(cache, null, "pull", "--quiet", "--mirror", mirror.url().toString(),
                    "--cache-dir", tmp.resolve("first-cache").toString(), "alpine:v3.20", rootfs.resolve("first").toString());
            assertEquals(0, first.exitCode(), first::toString);
            assertTrue(Files.isDirectory(rootfs.resolve("first/etc")), first::toString);
            List<Path> archive = archives(cache.resolve("container-fs/cds"));
            assertEquals(1, archive.size(), archive::toString);
            assertTrue(archive.get(0).getFileName().toString().endsWith("-pull.jsa"), archive::toString);

            // The launcher's options for this JDK: the serial collector from 18.
            String collector = Runtime.version().feature() == 17 ? "-XX:+UseG1GC" : "-XX:+UseSerialGC";
            Commands.Result r = Commands.run(null, null, List.of(thisJava(), "-XX:TieredStopAtLevel=1", collector,
                    "-XX:-UsePerfData", "-XX:SharedArchiveFile=" + archive.get(0), "-Xlog:class+load=info:file=" + log,
                    "-cp", Fixtures.jar().toString(), "io.containerfs.cli.Main", "pull", "--quiet",
                    "--mirror", mirror.url().toString(), "--cache-dir", tmp.resolve("second-cache").toString(),
                    "alpine:v3.20", rootfs.resolve("second").toString()), Map.of("XDG_CACHE_HOME", cache.toString()));

            assertEquals(0, r.exitCode(), r::toString);
            assertEquals(2, mirror.requests(MirrorServer.TARBALL), "each pull downloaded from the mirror");
            List<String> outside = Files.readAllLines(log).stream()
                    .filter(line -> !line.contains("source: shared objects file")) // "(top)" for the dynamic one
                    .map(line -> line.substring(line.indexOf("] ", line.indexOf("class,load")) + 2))
                    .map(rest -> rest.substring(0, rest.indexOf(' ')))
                    .filter(name -> name.startsWith("io.containerfs.") || name.startsWith("java.net.http.")
                            || name.startsWith("jdk.internal.net.http.") || name.startsWith("org.snakeyaml."))
                    .filter(name -> !name.contains("$$Lambda")) // spun at run time, as the JVM may
                    .toList();
            // The big three from the archive; of the rest, a few may differ with the timing of a
            // larger download (some 300 came from outside an archive trained on pull --file).
            assertEquals(List.of(), RunPathClassesIT.matching(outside, List.of("io.containerfs.pull.MirrorClient",
                    "io.containerfs.pull.ReleaseIndex", "jdk.internal.net.http.HttpClientImpl",
                    "org.snakeyaml.engine.v2.api.Load")), "loaded from outside the archive");
            assertTrue(outside.size() < 10, () -> "loaded from outside the archive: " + outside);
        } finally {
            Commands.run("rm", "-rf", rootfs.toString()); // Alpine's absolute symlinks would make @TempDir warn
        }
    }

    /**
     * The OCI runtime's calls get an archive of their own, trained on one container's create,
     * state, start, kill and delete (OciTraining): a later create, as Podman or containerd makes
     * it, finds config.json's parser, the records and the runtime's classes there, not in the jar.
     * The training leaves no container, cgroup or mount behind.
     */
    @Test
    @Privileged
    void anOciCreateFindsItsClassesInItsArchive() throws IOException, InterruptedException {
        Path cache = Files.createDirectory(tmp.resolve("cache"));
        Path state = tmp.resolve("state");
        List<String> mounts = HostMounts.snapshot();
        // exec, since state, start, kill, delete, list and ps start no JVM (the launcher's oci.c).
        Commands.Result first = launcher(cache, null, "--root", state.toString(), "exec", "nosuch", "true");
        assertEquals(new Commands.Result(125, "", "container-fs: container nosuch does not exist\n"), first);
        List<Path> archive = archives(cache.resolve("container-fs/cds"));
        assertEquals(1, archive.size(), () -> "one archive, nothing left of the training: " + archive);
        assertTrue(archive.get(0).getFileName().toString().endsWith("-oci.jsa"), archive::toString);
        assertEquals(mounts, HostMounts.snapshot(), "the training left no mount behind");
        assertEquals("", Commands.run("sh", "-c", "ls -d /sys/fs/cgroup/*/container-fs.oci-container-fs-training-*"
                + " /sys/fs/cgroup/container-fs.oci-container-fs-training-* 2>/dev/null").stdout(), "nor a cgroup");

        Path bundle = tmp.resolve("bundle");
        for (String mountPoint : List.of("proc", "dev", "sys")) {
            Files.createDirectories(bundle.resolve("rootfs").resolve(mountPoint));
        }
        assertEquals(0, Commands.run(bundle, null, List.of(Fixtures.launcher().toString(), "spec"),
                launcherEnv(cache, null)).exitCode());
        Path config = bundle.resolve("config.json");
        Files.writeString(config, Files.readString(config).replace("\"terminal\": true", "\"terminal\": false")
                .replace("\"readonly\": true", "\"readonly\": false"));
        Path log = tmp.resolve("class-load.log");
        String collector = Runtime.version().feature() == 17 ? "-XX:+UseG1GC" : "-XX:+UseSerialGC";
        try {
            // The created container's process outlives create and keeps its stdio: files, not pipes.
            Process create = new ProcessBuilder(thisJava(), "-XX:TieredStopAtLevel=1", collector, "-XX:-UsePerfData",
                    "-XX:SharedArchiveFile=" + archive.get(0), "-Xlog:class+load=info:file=" + log, "-cp",
                    Fixtures.jar().toString(), "io.containerfs.cli.Main", "--root", state.toString(), "create",
                    "--bundle", bundle.toString(), "archived")
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(tmp.resolve("create.out").toFile())
                    .redirectError(tmp.resolve("create.err").toFile()).start();

            assertTrue(create.waitFor(60, TimeUnit.SECONDS), "create returned");
            assertEquals(0, create.exitValue(), () -> readQuietly(tmp.resolve("create.err")));
            List<String> outside = Files.readAllLines(log).stream()
                    .filter(line -> !line.contains("source: shared objects file"))
                    .map(line -> line.substring(line.indexOf("] ", line.indexOf("class,load")) + 2))
                    .map(rest -> rest.substring(0, rest.indexOf(' ')))
                    .filter(name -> name.startsWith("io.containerfs.") || name.startsWith("org.snakeyaml."))
                    .toList();
            assertEquals(List.of(), outside, "loaded from outside the archive");
        } finally {
            launcher(cache, null, "--root", state.toString(), "delete", "--force", "archived");
        }
        assertEquals(mounts, HostMounts.snapshot(), "the host's mount table changed");
    }

    /** Any {@code --} makes a run to Main, so to the launcher too: a first layer named pull trains a run's archive. */
    @Test
    void aRunWhoseFirstLayerIsNamedPullGetsARunsArchive() throws IOException {
        Path cache = Files.createDirectory(tmp.resolve("cache"));

        Commands.Result r = launcher(cache, null, "pull", "writedir", "--", "true");

        assertEquals(125, r.exitCode(), r::toString);
        assertTrue(r.stderr().contains("'pull' is not a directory"), r::toString);
        List<Path> archive = archives(cache.resolve("container-fs/cds"));
        assertEquals(1, archive.size(), archive::toString);
        assertTrue(archive.get(0).getFileName().toString().matches("container-fs-[0-9-]+-jdk[0-9]+-[0-9-]+-o[0-9]+\\.jsa"),
                archive::toString);
    }

    /**
     * A new archive forgets what other builds left more than a day before, a training directory
     * with files in it too, but not this build's own older archives (nor a newer build's).
     */
    @Test
    void aNewArchiveForgetsOtherBuildsOldLeftoversNotItsOwn() throws IOException {
        Path cache = Files.createDirectory(tmp.resolve("cache"));
        Path rootfs = Files.createDirectory(tmp.resolve("rootfs"));
        Path cds = cache.resolve("container-fs/cds");
        assertEquals(0, launcher(cache, null, "--version").exitCode());
        Path own = archives(cds).get(0);
        String build = own.getFileName().toString().replace(".jsa", "");
        FileTime old = FileTime.from(Instant.now().minus(Duration.ofDays(3)));
        Files.setLastModifiedTime(own, old);
        Path otherArchive = Files.createFile(cds.resolve("container-fs-1-2-3-jdk17-4-5-6.jsa"));
        Path otherTraining = Files.createDirectories(cds.resolve("container-fs-1-2-3-jdk17-4-5-6.77.pull/dest"));
        Files.writeString(otherTraining.resolve("f"), "x");
        Path lookalike = Files.createFile(cds.resolve(build + "7.jsa")); // another JVM's inode, one digit longer
        for (Path p : List.of(otherArchive, otherTraining.getParent(), lookalike)) {
            Files.setLastModifiedTime(p, old);
        }
        Path recent = Files.createFile(cds.resolve("container-fs-9-9-9-jdk17-9-9-9.jsa"));
        try {
            Commands.Result r = launcher(cache, null, "pull", "--quiet", "--file", Fixtures.alpineTarball().toString(),
                    rootfs.resolve("p").toString());
            assertEquals(0, r.exitCode(), r::toString);

            assertEquals(List.of(build + "-pull-file.jsa", build + ".jsa", recent.getFileName().toString()),
                    archives(cds).stream().map(p -> p.getFileName().toString()).sorted().toList());
        } finally {
            Commands.run("rm", "-rf", rootfs.toString()); // Alpine's absolute symlinks would make @TempDir warn
        }
    }

    /** Whoever may rename the cache's parent could swap the archive: a directory above it others may write. */
    @Test
    void aCacheBelowADirectoryOthersMayWriteGetsNoArchive() throws IOException {
        Path open = Files.createDirectory(tmp.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path cache = Files.createDirectory(open.resolve("cache"));

        Commands.Result r = launcher(cache, null, "--version");

        assertEquals(0, r.exitCode(), r::toString);
        Path cds = cache.resolve("container-fs/cds");
        assertEquals(List.of(), Files.isDirectory(cds) ? archives(cds) : List.of());
        assertEquals(0, Commands.run("chmod", "1777", open.toString()).exitCode()); // sticky: no Java API for it
        assertEquals(0, launcher(cache, null, "--version").exitCode());
        assertEquals(1, archives(cds).size(), "sticky, as /tmp: an archive is made");
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

    @Test
    void foundThroughASymlinkItRunsTheJarOfItsCheckoutNamingTheArchiveAfterIt() throws IOException {
        // As installed: /usr/local/bin/container-fs -> CHECKOUT/bin/container-fs.
        Path link = Files.createSymbolicLink(Files.createDirectory(tmp.resolve("bin")).resolve("container-fs"),
                Fixtures.launcher());
        Path jar = Fixtures.basedir().resolve("target/container-fs.jar");
        Path cache = Files.createDirectory(tmp.resolve("cache"));
        Commands.Result expected = Commands.run(null, null, List.of(thisJava(), "-jar", jar.toString(), "--version"));

        Commands.Result r = Commands.run(null, null, List.of(link.toString(), "--version"),
                Map.of("XDG_CACHE_HOME", cache.toString(), "CONTAINERFS_JAVA", thisJava(), "CONTAINERFS_JAR", "",
                        "TMPDIR", tmp.toString()));

        assertEquals(expected, r);
        // The archive's name holds the jar's size, mtime and inode, as the shell launcher named it.
        String jarId = Files.size(jar) + "-"
                + Files.getLastModifiedTime(jar).to(TimeUnit.SECONDS) + "-"
                + Files.getAttribute(jar, "unix:ino") + "-jdk";
        List<Path> made = archives(cache.resolve("container-fs/cds"));
        assertEquals(1, made.size(), made::toString);
        assertTrue(made.get(0).getFileName().toString().startsWith("container-fs-" + jarId), made::toString);
    }

    @Test
    void itsOwnErrorsAreOneLineAndExitStatus125() throws IOException {
        Path cache = Files.createDirectory(tmp.resolve("cache"));
        Path missing = tmp.resolve("no-such.jar");
        Map<String, String> env = Map.of("XDG_CACHE_HOME", cache.toString(), "CONTAINERFS_JAVA", thisJava(),
                "CONTAINERFS_JAR", missing.toString());
        assertEquals(new Commands.Result(125, "", "container-fs: " + missing
                + " not found; build it with 'mvn -q package -DskipTests', or set CONTAINERFS_JAR\n"),
                Commands.run(null, null, List.of(Fixtures.launcher().toString(), "--version"), env));

        Map<String, String> noJava = new HashMap<>(env);
        noJava.put("CONTAINERFS_JAVA", "no-such-java");
        assertEquals(new Commands.Result(125, "",
                "container-fs: no java on PATH; install a JDK 17 or newer, or set CONTAINERFS_JAVA\n"),
                Commands.run(null, null, List.of(Fixtures.launcher().toString(), "--version"), noJava));
    }

    /**
     * A JDK whose training makes no archive (here a java that only logs its arguments): the first
     * run trains once and leaves ARCHIVE.none, later runs do not train, and the arguments reach
     * java whole, after the launcher's options. JDK 17 gets G1, named (the JVM picks the serial
     * collector itself on a small machine): with any other it cannot map its CDS archive's heap
     * objects, the module graph among them.
     */
    @Test
    void aTrainingThatMakesNoArchiveIsNotRepeatedAndTheArgumentsPassWhole() throws IOException {
        Path log = tmp.resolve("java.log");
        Path java = fakeJdk("17.0.99", log);
        Path cache = Files.createDirectory(tmp.resolve("cache"));

        for (int i = 0; i < 2; i++) {
            Commands.Result r = launcher(cache, java.toString(), "a b", "", "*");
            assertEquals(new Commands.Result(0, "", ""), r);
        }

        List<String> runs = List.of(Files.readString(log).split("---\n", -1));
        assertEquals(4, runs.size(), () -> "one training, two runs: " + runs);
        assertTrue(runs.get(1).startsWith("-XX:TieredStopAtLevel=1\n-XX:+UseG1GC\n-XX:-UsePerfData\n"
                + "-Xlog:disable\n-XX:ArchiveClassesAtExit="), runs.get(1));
        assertTrue(runs.get(1).contains("\n-cp\n" + Fixtures.jar() + "\nio.containerfs.cli.Main\n"), runs.get(1));
        // No archive: -jar, whose manifest names Main.
        assertEquals("-XX:TieredStopAtLevel=1\n-XX:+UseG1GC\n-XX:-UsePerfData\n-Xlog:disable\n"
                + "-Xlog:all=error:stderr\n-jar\n" + Fixtures.jar() + "\na b\n\n*\n", runs.get(3));
        List<Path> left = archives(cache.resolve("container-fs/cds"));
        assertEquals(1, left.size(), () -> "only the marker, nothing left of the training: " + left);
        assertTrue(left.get(0).toString().endsWith(".none"), left::toString);
    }

    /**
     * From JDK 24, -cp needs --enable-native-access=ALL-UNNAMED for JNI to load without a warning
     * (-jar takes it from the manifest), and an AOT cache is used only with the options it was
     * made with: recorded, made and used with it. The serial collector from JDK 18. (The fake
     * java writes a cache when asked to make one.)
     */
    @Test
    void anAotCacheIsRecordedMadeAndUsedWithNativeAccess() throws IOException {
        Path log = tmp.resolve("java.log");
        Path java = fakeJdk("25.0.1", log);
        Path cache = Files.createDirectory(tmp.resolve("cache"));

        assertEquals(new Commands.Result(0, "", ""), launcher(cache, java.toString(), "x"));

        List<String> runs = List.of(Files.readString(log).split("---\n", -1));
        assertEquals(4, runs.size(), () -> "record, create, run: " + runs);
        List<Path> made = archives(cache.resolve("container-fs/cds"));
        assertEquals(1, made.size(), made::toString);
        assertTrue(made.get(0).getFileName().toString().endsWith("-o2.aot"), made::toString);
        assertEquals("-XX:TieredStopAtLevel=1\n-XX:+UseSerialGC\n-XX:-UsePerfData\n-Xlog:disable\n"
                + "-Xlog:all=error:stderr\n-XX:AOTCache=" + made.get(0) + "\n--enable-native-access=ALL-UNNAMED\n"
                + "-cp\n" + Fixtures.jar() + "\nio.containerfs.cli.Main\nx\n", runs.get(3));
        assertTrue(runs.get(1).startsWith("-XX:TieredStopAtLevel=1\n-XX:+UseSerialGC\n-XX:-UsePerfData\n"
                + "-Xlog:disable\n-XX:AOTMode=record\n-XX:AOTConfiguration="), runs.get(1));
        assertTrue(runs.get(1).contains("\n--enable-native-access=ALL-UNNAMED\n-cp\n" + Fixtures.jar()
                + "\nio.containerfs.cli.Main\n"), runs.get(1));
        assertTrue(runs.get(2).contains("\n-XX:AOTMode=create\n"), runs.get(2));
        assertTrue(runs.get(2).endsWith("\n--enable-native-access=ALL-UNNAMED\n-cp\n" + Fixtures.jar() + "\n"),
                runs.get(2));
    }

    /**
     * A later run through the launcher opens not the jar at all: its classes come from the archive
     * and the native library's checksums from a class of it, BundledLibrary (-jar made the JVM
     * read the jar's whole central directory, and so did NativeLoader: 2 ms each on JDK 17).
     * Every open(2) of the run, its JVM's threads included, is in strace's log. On JDK 17 and 25,
     * a container on two empty layers whose command is missing (as root), as the training's.
     */
    @Test
    void aLaterRunNeverOpensTheJar() throws IOException {
        PrivilegedCondition.requireInCi(Fixtures.onPath("strace"), "strace (Debian package strace)");
        List<String> javas = Files.isExecutable(TEMURIN_25) ? List.of(thisJava(), TEMURIN_25.toString())
                : List.of(thisJava());
        for (String java : javas) {
            Path cache = Files.createDirectories(tmp.resolve("cache-" + javas.indexOf(java)));
            Path log = tmp.resolve("strace-" + javas.indexOf(java) + ".log");
            List<String> run = List.of(Fixtures.launcher().toString(),
                    Files.createDirectories(tmp.resolve("lower-" + javas.indexOf(java))).toString(),
                    Files.createDirectories(tmp.resolve("upper-" + javas.indexOf(java))).toString(),
                    "--", "/nonexistent");
            Commands.run(null, null, run, launcherEnv(cache, java)); // the first run trains

            Commands.Result r = Commands.run(null, null, Commands.concat(List.of("strace", "-f", "-qq", "-o",
                    log.toString(), "-e", "trace=open,openat"), run), launcherEnv(cache, java));

            // Rootless too (issue 26), where the kernel's overlayfs takes userxattr (5.11 and later).
            assertEquals(127, r.exitCode(), r::toString);
            assertTrue(r.stderr().contains("exec `/nonexistent`"), r::toString);
            List<String> opens = Files.readAllLines(log);
            assertTrue(opens.stream().anyMatch(l -> l.contains("libcontainer-fs.so")), () -> java + ": " + opens);
            assertEquals(List.of(), opens.stream().filter(l -> l.contains(Fixtures.jar().toString())).toList(), java);
        }
    }

    /**
     * A JDK of this version whose java logs its arguments to log, each run after a --- line, and
     * writes the AOT cache it is asked to make (JDK 24 and later).
     */
    private Path fakeJdk(String version, Path log) throws IOException {
        Path jdk = tmp.resolve("jdk");
        Path java = Files.createDirectories(jdk.resolve("bin")).resolve("java");
        Files.writeString(java, "#!/bin/sh\nprintf '%s\\n' --- \"$@\" >>'" + log + "'\n"
                + "for a; do case $a in -XX:AOTMode=create) create=1 ;; -XX:AOTCache=*) out=${a#*=} ;; esac; done\n"
                + "[ -z \"$create\" ] || echo cache >\"$out\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(jdk.resolve("release"), "IMPLEMENTOR=\"test\"\nJAVA_VERSION=\"" + version + "\"\n");
        Files.writeString(Files.createDirectories(jdk.resolve("lib/server")).resolve("libjvm.so"), "not a JVM");
        return java;
    }

    /** launcher/ sits under src/main/c beside the JNI library's sources (src/main/c/Makefile leaves it out of it). */
    @Test
    void theJniLibraryHoldsNoneOfTheLauncher() {
        Path library = Fixtures.basedir().resolve("target/classes/native/amd64-Linux/libcontainer-fs.so");
        Commands.Result r = Commands.run("nm", "--dynamic", "--defined-only", library.toString());

        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.stdout().lines().noneMatch(l -> l.endsWith(" main")), r::stdout);
    }

    private Commands.Result launcher(Path cache, String java, String... args) {
        List<String> command = Commands.concat(List.of(Fixtures.launcher().toString()), List.of(args));
        return Commands.run(null, null, command, launcherEnv(cache, java));
    }

    private Map<String, String> launcherEnv(Path cache, String java) {
        Map<String, String> env = new HashMap<>(Map.of("XDG_CACHE_HOME", cache.toString(),
                "CONTAINERFS_JAR", Fixtures.jar().toString(), "TMPDIR", tmp.toString()));
        env.put("CONTAINERFS_JAVA", java != null ? java : thisJava());
        return env;
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return e.toString();
        }
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
