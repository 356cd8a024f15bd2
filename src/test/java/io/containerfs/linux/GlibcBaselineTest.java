package io.containerfs.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.containerfs.testing.Commands;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.PrivilegedCondition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 28: what the build made runs on glibc 2.31 (Ubuntu 20.04, Debian 11), whichever glibc built
 * it. Reads the symbol versions each native file asks of the C library ({@code objdump -T}) and
 * names every symbol newer than GLIBC_2.31, with its file. include/glibc_baseline.h says how they
 * are kept old; BullseyeBuildIT runs them on a real 2.31.
 */
class GlibcBaselineTest {
    private static final int[] BASELINE = {2, 31};
    /** "(GLIBC_2.2.5) dlopen" or "GLIBC_2.14   memcpy", at the end of an objdump -T line. */
    private static final Pattern VERSIONED = Pattern.compile("\\(?GLIBC_([0-9.]+|PRIVATE)\\)?\\s+(\\S+)$");

    @Test
    void theLibrariesAndProgramsNeedNoGlibcNewerThan231() throws IOException {
        List<Path> files = builtFiles();
        List<String> newer = new ArrayList<>();
        for (Path file : files) {
            newer.addAll(newerThanBaseline(file));
        }
        assertEquals(List.of(), newer, "symbols newer than GLIBC_2.31 in " + files);
    }

    /** The check itself: a library built here without glibc_baseline.h needs GLIBC_2.33's stat. */
    @Test
    void aStatCallWithoutTheBaselineHeaderIsCaught(@TempDir Path tmp) throws IOException {
        Path source = Files.writeString(tmp.resolve("s.c"),
                "#include <sys/stat.h>\nint size(const char *p) { struct stat s; return stat(p, &s) ? -1 : (int)s.st_size; }\n");
        Path plain = tmp.resolve("plain.so");
        Path pinned = tmp.resolve("pinned.so");
        compile(source, plain);
        compile(source, pinned, "-include", Fixtures.basedir().resolve("include/glibc_baseline.h").toString());

        if (glibcAtLeast(2, 33)) {
            List<String> newer = newerThanBaseline(plain);
            assertEquals(1, newer.size(), newer::toString);
            assertTrue(newer.get(0).matches("stat GLIBC_2\\.3[3-9].* in .*plain\\.so"), newer::toString);
        }
        assertEquals(List.of(), newerThanBaseline(pinned));
    }

    /** The JNI libraries in the jar's native/ (every architecture), both programs and the release's. */
    private static List<Path> builtFiles() throws IOException {
        Path base = Fixtures.basedir();
        List<Path> files = new ArrayList<>();
        try (Stream<Path> libraries = Files.list(base.resolve("target/classes/native"))) {
            libraries.map(dir -> dir.resolve("libcontainer-fs.so")).filter(Files::isRegularFile).sorted().forEach(files::add);
        }
        assertFalse(files.isEmpty(), "no JNI library in target/classes/native");
        files.add(Fixtures.cProgram());
        files.add(Fixtures.launcher());
        try (Stream<Path> releases = Files.list(base.resolve("target/release"))) {
            releases.sorted().forEach(dir -> {
                files.add(dir.resolve("container-fs"));
                files.add(dir.resolve("bin/container-fs"));
            });
        }
        for (Path file : files) {
            assertTrue(Files.isRegularFile(file), file + " was not built");
        }
        return files;
    }

    /** "SYMBOL GLIBC_X.Y in FILE" for each symbol FILE needs at a version newer than 2.31. */
    static List<String> newerThanBaseline(Path file) {
        PrivilegedCondition.requireInCi(Fixtures.onPath("objdump"), "objdump (Debian package binutils)");
        Commands.Result r = Commands.run("objdump", "-T", file.toString());
        if (r.exitCode() != 0) {
            // A static program has no dynamic symbols: it asks nothing of the machine's libc.
            assertTrue(r.stderr().contains("not a dynamic object"), r::toString);
            return List.of();
        }
        List<String> newer = new ArrayList<>();
        for (String line : r.stdout().split("\n")) {
            Matcher m = VERSIONED.matcher(line.strip());
            if (m.find() && isNewer(m.group(1))) {
                newer.add(m.group(2) + " GLIBC_" + m.group(1) + " in " + file);
            }
        }
        return newer;
    }

    /** GLIBC_PRIVATE is newer than any: it ties the file to the glibc that built it. */
    static boolean isNewer(String version) {
        if (version.equals("PRIVATE")) {
            return true;
        }
        String[] parts = version.split("\\.");
        for (int i = 0; i < BASELINE.length; i++) {
            int part = i < parts.length ? Integer.parseInt(parts[i]) : 0;
            if (part != BASELINE[i]) {
                return part > BASELINE[i];
            }
        }
        return false;
    }

    @Test
    void versionsCompareAsNumbers() {
        assertFalse(isNewer("2.2.5"));
        assertFalse(isNewer("2.17"));
        assertFalse(isNewer("2.31"));
        assertTrue(isNewer("2.32"));
        assertTrue(isNewer("2.34"));
        assertTrue(isNewer("3.0"));
        assertTrue(isNewer("PRIVATE"));
    }

    private static void compile(Path source, Path out, String... options) {
        List<String> command = new ArrayList<>(List.of("cc", "-std=gnu11", "-D_GNU_SOURCE", "-fPIC", "-shared"));
        command.addAll(List.of(options));
        command.addAll(List.of("-o", out.toString(), source.toString()));
        Commands.Result r = Commands.run(null, null, command);
        if (r.exitCode() != 0) {
            fail("cc failed: " + r);
        }
    }

    /** The build machine's glibc, from getconf GNU_LIBC_VERSION ("glibc 2.36"). */
    private static boolean glibcAtLeast(int major, int minor) {
        String[] v = Commands.run("getconf", "GNU_LIBC_VERSION").stdout().strip().replace("glibc ", "").split("\\.");
        int ma = Integer.parseInt(v[0]);
        int mi = Integer.parseInt(v[1]);
        return ma > major || ma == major && mi >= minor;
    }
}
