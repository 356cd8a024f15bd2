package io.containerfs.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.cli.ParsedOptions;
import io.containerfs.cli.UsageException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PullCommandLineTest {
    private static PullRequest parse(Map<String, String> env, String... args) throws UsageException {
        return new PullCommandLine().parse(args, env, "amd64", "/home/student");
    }

    @Test
    void defaults() throws UsageException {
        PullRequest r = parse(Map.of(), "rootfs");
        assertEquals("latest-stable", r.branch());
        assertEquals("x86_64", r.arch());
        assertEquals(URI.create(MirrorClient.DEFAULT_MIRROR), r.mirror());
        assertEquals(Path.of("/home/student/.cache/container-fs"), r.cacheDir());
        assertEquals(Path.of("rootfs"), r.dir());
        assertEquals(Optional.empty(), r.file());
    }

    @Test
    void theMirrorOptionBeatsTheEnvironmentWhichBeatsTheDefault() throws UsageException {
        Map<String, String> env = Map.of(PullCommandLine.MIRROR_ENV, "http://env.example/alpine");
        assertEquals(URI.create("http://env.example/alpine"), parse(env, "rootfs").mirror());
        assertEquals(URI.create("https://opt.example/alpine"),
                parse(env, "--mirror", "https://opt.example/alpine", "rootfs").mirror());
    }

    @Test
    void theCacheFollowsXdgUnlessGiven() throws UsageException {
        Map<String, String> env = Map.of("XDG_CACHE_HOME", "/var/tmp/xdg");
        assertEquals(Path.of("/var/tmp/xdg/container-fs"), parse(env, "rootfs").cacheDir());
        assertEquals(Path.of("/c"), parse(env, "--cache-dir", "/c", "rootfs").cacheDir());
        assertEquals(Path.of("/home/student/.cache/container-fs"),
                parse(Map.of("XDG_CACHE_HOME", "relative"), "rootfs").cacheDir(), "XDG says: ignore a relative path");
    }

    @Test
    void branchArchAndLimits() throws UsageException {
        PullRequest r = parse(Map.of(), "alpine:edge", "rootfs", "--arch", "aarch64", "--max-bytes", "512M",
                "--max-entries", "20000");
        assertEquals("edge", r.branch());
        assertEquals("aarch64", r.arch());
        assertEquals(Optional.of(512L << 20), r.maxBytes());
        assertEquals(Optional.of(20000L), r.maxEntries());
        assertEquals(Optional.of(512L << 20), parse(Map.of(), "--max-bytes", "512m", "rootfs").maxBytes(),
                "run's grammar (ByteSize)");
        assertEquals(Optional.of(10L << 10), parse(Map.of(), "--max-entries", "10K", "rootfs").maxEntries());
        for (String size : List.of("0", "-1", "999999999999999G", "1.5G")) {
            assertEquals("--max-bytes wants a positive number such as 1000000 or 512M, not '" + size + "'",
                    assertThrows(UsageException.class, () -> parse(Map.of(), "--max-bytes=" + size, "rootfs"))
                            .getMessage());
        }
    }

    @Test
    void refusesWhatCannotBeFetched() {
        assertTrue(assertThrows(UsageException.class, () -> new PullCommandLine()
                .parse(new String[] {"rootfs"}, Map.of(), "arm", "/root")).getMessage()
                .contains("has no single Alpine name; give one with --arch"));
        assertTrue(assertThrows(UsageException.class, () -> parse(Map.of(), "--arch", "../x", "rootfs"))
                .getMessage().contains("not an architecture name"));
        assertTrue(assertThrows(UsageException.class, () -> parse(Map.of(), "--max-bytes", "lots", "rootfs"))
                .getMessage().contains("--max-bytes wants a positive number"));
        assertTrue(assertThrows(UsageException.class, () -> parse(Map.of(), "--file", "a.tgz", "alpine", "rootfs"))
                .getMessage().contains("with --file, give only DIR"));
    }

    @Test
    void devicesAreRefusedUnlessAllowed() throws UsageException {
        assertFalse(parse(Map.of(), "rootfs").allowDevices());
        assertTrue(parse(Map.of(), "--allow-devices", "rootfs").allowDevices());
        assertTrue(parse(Map.of(), "--file", "a.tgz", "rootfs", "--allow-devices").allowDevices());
    }

    @Test
    void helpExplainsAllowDevices() {
        java.io.StringWriter help = new java.io.StringWriter();
        new PullCommandLine().printHelp(new java.io.PrintWriter(help));
        String text = help.toString().replaceAll("\\s+", " ");
        assertTrue(text.contains("--allow-devices as root: create the archive's character and block devices and FIFOs"),
                text);
        assertTrue(text.contains("device nodes and FIFOs, unless --allow-devices is given as root"), text);
    }

    /**
     * The hand-read command lines give what Commons CLI gives for the same words, option by option;
     * every other line is left to Commons CLI.
     */
    @Test
    void commandLinesReadByHandAreWhatCommonsCliWouldReturn() throws UsageException {
        PullCommandLine commandLine = new PullCommandLine();
        List<String[]> byHand = List.of(new String[] {"rootfs"}, new String[] {}, new String[] {"a", "", "b"},
                new String[] {"--file", "a.tgz", "rootfs"}, new String[] {"-q", "--file", "a.tgz", "rootfs"},
                new String[] {"rootfs", "--quiet", "--file", "", "--sha256", "ab"},
                new String[] {"--help"}, new String[] {"-h", "x"},
                new String[] {"alpine:edge", "--arch", "aarch64", "--mirror", "http://m/", "--cache-dir", "c", "r"},
                new String[] {"--max-bytes", "512M", "--max-entries", "9", "--allow-devices", "r", "extra"},
                new String[] {"--file", "=x", "d"});
        for (String[] words : byHand) {
            ParsedOptions fast = PullCommandLine.parseByHand(words);
            assertNotNull(fast, Arrays.toString(words));
            assertSame(commandLine.parseWithCommonsCli(words), fast, Arrays.toString(words));
        }
        List<String[]> toCommonsCli = List.of(new String[] {"--fil", "a.tgz", "r"}, new String[] {"--file=a.tgz", "r"},
                new String[] {"--", "-r"}, new String[] {"-"}, new String[] {"-qh", "r"},
                new String[] {"--file", "a", "--file", "b", "r"}, new String[] {"-q", "-q", "r"},
                new String[] {"--file", "-a.tgz", "r"}, new String[] {"--file"}, new String[] {"--version"},
                new String[] {"--max-bytes", "-1", "r"}, new String[] {"r", "-x"});
        for (String[] words : toCommonsCli) {
            assertNull(PullCommandLine.parseByHand(words), Arrays.toString(words));
        }
        assertEquals(List.of("-r"), commandLine.parseOptions(new String[] {"--", "-r"}).words());
        assertEquals("a.tgz", commandLine.parseOptions(new String[] {"--fil", "a.tgz", "r"}).value("file"));
        assertTrue(assertThrows(UsageException.class, () -> commandLine.parseOptions(new String[] {"r", "-x"}))
                .getMessage().contains("-x"));
    }

    private static void assertSame(ParsedOptions expected, ParsedOptions actual, String what) {
        assertEquals(expected.words(), actual.words(), what);
        for (String option : List.of(PullCommandLine.HELP, PullCommandLine.ARCH, PullCommandLine.MIRROR,
                PullCommandLine.FILE, PullCommandLine.SHA256, PullCommandLine.QUIET, PullCommandLine.CACHE_DIR,
                PullCommandLine.MAX_BYTES, PullCommandLine.MAX_ENTRIES, PullCommandLine.ALLOW_DEVICES)) {
            assertEquals(expected.has(option), actual.has(option), what + " " + option);
            assertEquals(expected.values(option), actual.values(option), what + " " + option);
        }
    }
}
