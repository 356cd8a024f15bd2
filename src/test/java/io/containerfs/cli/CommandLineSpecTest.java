package io.containerfs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.linux.Capability;
import io.containerfs.linux.Isolation;
import io.containerfs.linux.Limits;
import io.containerfs.linux.Mount;
import io.containerfs.linux.Network;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandLineSpecTest {
    private final CommandLineSpec spec = new CommandLineSpec();

    private RunRequest parse(String... args) throws UsageException {
        ParsedOptions line = spec.parseOptions(args);
        return spec.parseRun(args, line);
    }

    private String error(String... args) {
        return assertThrows(UsageException.class, () -> parse(args)).getMessage();
    }

    @Test
    void layersAreListedBottomToTopWithTheWritableOneLast() throws UsageException {
        RunRequest r = parse("rootfs", "app", "writedir", "--", "sh");
        assertEquals(List.of("rootfs", "app", "writedir"), r.layers());
        assertEquals(List.of("sh"), r.command());
        assertEquals(Optional.empty(), r.overlayWorkdir());
        assertFalse(r.trace());
    }

    @Test
    void everythingAfterTheSeparatorBelongsToTheContainer() throws UsageException {
        RunRequest r = parse("a", "b", "--", "ls", "-la", "--help", "--", "--trace", "-w", "x");
        assertEquals(List.of("ls", "-la", "--help", "--", "--trace", "-w", "x"), r.command());
        assertFalse(r.trace());
        assertEquals(Optional.empty(), r.overlayWorkdir());
    }

    @Test
    void optionsBeforeTheLayers() throws UsageException {
        RunRequest r = parse("--trace", "--overlay-workdir", "/w", "a", "b", "--", "true");
        assertTrue(r.trace());
        assertEquals(Optional.of(Path.of("/w")), r.overlayWorkdir());
        assertEquals(List.of("a", "b"), r.layers());
    }

    @Test
    void helpIsAnOptionOnlyBeforeTheSeparator() throws UsageException {
        assertTrue(spec.parseOptions(new String[] {"--help"}).has(CommandLineSpec.HELP));
        assertFalse(spec.parseOptions(new String[] {"a", "b", "--", "--help"}).has(CommandLineSpec.HELP));
    }

    @Test
    void wordsWithoutOptionsAreWhatCommonsCliWouldReturn() throws UsageException {
        List<String[]> lines = List.of(new String[] {"rootfs", "app", "w", "--", "sh"}, new String[] {"a", "", "b"},
                new String[] {"x y", "=z", "--", "-e", "A=1"}, new String[] {}, new String[] {"a", "--"});
        for (String[] words : lines) {
            ParsedOptions fast = spec.parseOptions(words);
            int separator = Arrays.asList(words).indexOf("--");
            ParsedOptions full = spec.parseWithCommonsCli(
                    separator < 0 ? words : Arrays.copyOfRange(words, 0, separator));
            assertEquals(full.words(), fast.words(), Arrays.toString(words));
            for (String option : List.of(CommandLineSpec.HELP, CommandLineSpec.ENV, CommandLineSpec.TRACE)) {
                assertFalse(fast.has(option));
                assertFalse(full.has(option));
            }
        }
    }

    /** Layers that are directories, then no "--": the separator is what is missing. */
    @Test
    void missingSeparator(@TempDir Path tmp) {
        assertTrue(error(tmp.toString(), "app", "writedir", "sh").contains("missing '--'"));
    }

    /** A newcomer's docker habit: an image name where a directory belongs. */
    @Test
    void aFirstWordThatIsNoDirectoryGetsAHintAboutPull() {
        assertEquals("'alpine' is not a directory: a layer is a directory; container-fs pull alpine DIR makes one",
                error("alpine", "sh"));
    }

    /** -h NAME is --hostname NAME, as in docker run; only --help prints the help. */
    @Test
    void shortHIsTheHostname() throws UsageException {
        RunRequest r = parse("-h", "myhost", "rootfs", "writedir", "--", "hostname");
        assertEquals(Optional.of("myhost"), r.isolation().hostname());
        assertEquals(List.of("rootfs", "writedir"), r.layers());
        assertTrue(CommandLineSpec.asksForHelp(new String[] {"-h"}));
        assertFalse(CommandLineSpec.asksForHelp(new String[] {"-h", "myhost"}));
    }

    @Test
    void noArgumentsGetTheShortUsageAndExitTwo() {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int status = new Main(new java.io.PrintStream(out), new java.io.PrintStream(err)).run(new String[0]);
        assertEquals(2, status);
        assertEquals("", out.toString());
        String usage = err.toString();
        assertTrue(usage.startsWith("usage: container-fs [OPTIONS] LAYER... WRITEDIR -- COMMAND [ARG...]\n"
                + "       container-fs pull "), usage);
        assertTrue(usage.contains("container-fs pull alpine rootfs"), usage);
    }

    @Test
    void fewerThanTwoLayers() {
        assertTrue(error("rootfs", "--", "sh").contains("at least two layers"));
        assertTrue(error("--", "sh").contains("got 0"));
    }

    @Test
    void noCommand() {
        assertTrue(error("rootfs", "writedir", "--").contains("no command after '--'"));
    }

    @Test
    void optionAfterTheLayers() {
        assertTrue(error("rootfs", "--trace", "writedir", "--", "sh").contains("'--trace' must come before the layers"));
    }

    @Test
    void unknownOption() {
        assertEquals("unknown option '--frobnicate' (see --help)", error("--frobnicate", "a", "b", "--", "sh"));
        assertEquals("unknown option '-x' (see --help)", error("a", "-x", "b", "--", "sh"));
    }

    @Test
    void workdirNeedsAValue() {
        assertThrows(UsageException.class, () -> spec.parseOptions(new String[] {"--overlay-workdir"}));
    }

    @Test
    void helpNamesTheExitCodes() {
        StringWriter text = new StringWriter();
        spec.printHelp(new PrintWriter(text));
        String help = text.toString();
        for (String expected : List.of("LAYER... WRITEDIR -- COMMAND", "--overlay-workdir", "--trace", "--env",
                "--volume", "--memory", "--cap-add", "125", "126", "127", "128+N")) {
            assertTrue(help.contains(expected), "help lacks " + expected + ":\n" + help);
        }
    }

    @Test
    void theContainerIsContainedUnlessAnOptionLoosensIt() throws UsageException {
        assertEquals(Isolation.CONTAINED, parse("a", "b", "--", "sh").isolation());
    }

    @Test
    void isolationOptionsAreReadAsDockerReadsThem() throws UsageException {
        Isolation i = parse("--hostname", "web-1.local", "--cap-add", "SYS_ADMIN", "--cap-add", "cap_net_admin",
                "--cap-drop", "ALL", "--security-opt", "no-new-privileges", "--security-opt", "seccomp=unconfined",
                "--privileged", "a", "b", "--", "sh").isolation();
        assertEquals(Optional.of("web-1.local"), i.hostname());
        assertEquals((1L << 21) | (1L << 12), i.capAdd());
        assertEquals(Capability.ALL, i.capDrop());
        assertTrue(i.noNewPrivileges());
        assertTrue(i.seccompUnconfined());
        assertTrue(i.privileged());
        assertTrue(parse("--security-opt", "no-new-privileges:true", "a", "b", "--", "sh").isolation().noNewPrivileges());
    }

    @Test
    void badIsolationValuesAreOneLineEach() {
        assertTrue(error("--cap-add", "SYS_FOO", "a", "b", "--", "sh")
                .startsWith("--cap-add: unknown capability 'SYS_FOO'"));
        assertEquals("unsupported --security-opt 'apparmor=unconfined': use no-new-privileges, seccomp=unconfined or"
                + " seccomp=FILE",
                error("--security-opt", "apparmor=unconfined", "a", "b", "--", "sh"));
        assertTrue(error("--hostname", "bad name", "a", "b", "--", "sh").startsWith("invalid --hostname 'bad name'"));
        assertTrue(error("--hostname", "x".repeat(65), "a", "b", "--", "sh").startsWith("invalid --hostname"));
    }

    @Test
    void limitsAreReadAsDockerReadsThem() throws UsageException {
        Limits l = parse("-m", "32m", "--memory-swap", "1g", "--pids-limit", "20", "--cpus", "0.5", "--stats",
                "a", "b", "--", "sh").limits();
        assertEquals(new Limits(32L << 20, 1L << 30, 20, 50_000, 0, true), l);
        assertEquals(Limits.NONE, parse("a", "b", "--", "sh").limits());
        assertEquals(8L << 20, parse("--memory", "8192K", "a", "b", "--", "sh").limits().memory());
        assertEquals(7_000_000L, parse("--memory", "7000000", "a", "b", "--", "sh").limits().memory());
        assertEquals(64L << 20, parse("--memory", "64MiB", "a", "b", "--", "sh").limits().memory());
        assertEquals(-1, parse("-m", "8m", "--memory-swap", "-1", "a", "b", "--", "sh").limits().memorySwap());
        assertEquals(0, parse("--pids-limit", "-1", "a", "b", "--", "sh").limits().pidsLimit(), "Docker's unlimited");
        assertEquals(512, parse("--cpu-shares", "512", "a", "b", "--", "sh").limits().cpuShares());
        assertEquals(0, parse("--cpu-shares", "1024", "a", "b", "--", "sh").limits().cpuShares(), "the default");
    }

    @Test
    void badLimitsAreOneLineEach() {
        assertEquals("invalid --memory 'lots': give a size such as 32m, 1g or 512k",
                error("--memory", "lots", "a", "b", "--", "sh"));
        assertEquals("--memory 1m is too small: give at least 6m", error("-m", "1m", "a", "b", "--", "sh"));
        assertEquals("invalid --memory '0': out of range", error("-m", "0", "a", "b", "--", "sh"));
        assertEquals("invalid --memory-swap '8589934592g': out of range",
                error("-m", "8m", "--memory-swap", "8589934592g", "a", "b", "--", "sh"));
        assertEquals("--memory-swap needs --memory: it limits memory and swap together",
                error("--memory-swap", "1g", "a", "b", "--", "sh"));
        assertTrue(error("-m", "64m", "--memory-swap", "32m", "a", "b", "--", "sh").contains("is less than --memory"));
        assertTrue(error("--pids-limit", "many", "a", "b", "--", "sh").startsWith("invalid --pids-limit 'many'"));
        assertTrue(error("--cpus", "0", "a", "b", "--", "sh").startsWith("invalid --cpus '0': give a number from 0.01 to"));
        assertTrue(error("--cpus", "9999", "a", "b", "--", "sh").startsWith("invalid --cpus '9999'"));
        assertEquals("invalid --cpu-shares '1': give a whole number from 2 to 262144 (1024 is the default)",
                error("--cpu-shares", "1", "a", "b", "--", "sh"));
        assertTrue(error("--cpu-shares", "half", "a", "b", "--", "sh").startsWith("invalid --cpu-shares 'half'"));
    }

    /** Issue 23, #17: past the kernel's PID_MAX_LIMIT the core failed at "make cgroup"; now nothing is made. */
    @Test
    void aPidsLimitAboveTheKernelsIsRefusedBeforeAnythingIsMade() throws UsageException {
        assertEquals(4194304, parse("--pids-limit", "4194304", "a", "b", "--", "sh").limits().pidsLimit());
        String tooMany = "': at most 4194304, the kernel's largest (0 or -1: no limit)";
        assertEquals("invalid --pids-limit '4194305" + tooMany, error("--pids-limit", "4194305", "a", "b", "--", "sh"));
        assertEquals("invalid --pids-limit '99999999999" + tooMany,
                error("--pids-limit", "99999999999", "a", "b", "--", "sh"));
        assertEquals("invalid --pids-limit '99999999999999999999999" + tooMany,
                error("--pids-limit", "99999999999999999999999", "a", "b", "--", "sh"));
        assertEquals("invalid --pids-limit '-2': give a number of processes, e.g. 100",
                error("--pids-limit", "-2", "a", "b", "--", "sh"));
        assertEquals("invalid --pids-limit '-99999999999999999999999': give a number of processes, e.g. 100",
                error("--pids-limit", "-99999999999999999999999", "a", "b", "--", "sh"));
    }

    /** Issue 23, #17: -w /a/../../b made both /a and /b; docker run cleans the path first. */
    @Test
    void workdirIsCleanedAsDockerCleansIt() throws UsageException {
        for (String[] given : new String[][] {{"/a/../../b", "/b"}, {"/", "/"}, {"/..", "/"}, {"//x/./y//", "/x/y"},
                {"/a/b/../c/.", "/a/c"}, {"/...", "/..."}}) {
            assertEquals(Optional.of(given[1]), parse("-w", given[0], "a", "b", "--", "sh").start().cwd(), given[0]);
        }
    }

    @Test
    void stepIsAFlagOfHowTheCommandStarts() throws UsageException {
        assertTrue(parse("--step", "a", "b", "--", "fib").start().step());
        assertFalse(parse("a", "b", "--", "fib").start().step());
    }

    @Test
    void dockerRunsEverydayOptionsAreReadAsItReadsThem() throws UsageException {
        RunRequest r = parse("-it", "-e", "FOO=1", "-e", "BAR=", "-w", "/tmp", "-u", "nobody:nogroup", "--init",
                "--network", "none", "--tmpfs", "/run:size=1m", "--read-only", "a", "b", "--", "sh");
        assertEquals(new RunRequest.Command(List.of("FOO=1", "BAR="), false, Optional.of("/tmp"),
                Optional.of("nobody:nogroup"), true, true, false), r.start());
        assertEquals(Network.Mode.NONE, r.isolation().network().mode());
        assertTrue(r.readOnly());
        assertEquals(List.of(new Mount(null, "/run", "size=1m", false)), r.mounts());
        assertEquals(List.of("a", "b"), r.layers());
    }

    @Test
    void badEverydayOptionsAreOneLineEach() {
        assertTrue(error("-w", "tmp", "a", "b", "--", "sh").startsWith("invalid --workdir 'tmp': give an absolute path"));
        assertEquals("unsupported --network 'slirp': use private (the default), none or host",
                error("--network", "slirp", "a", "b", "--", "sh"));
        assertTrue(error("--read-only", "a", "--", "sh").startsWith("need at least two layers before '--' with --read-only"));
        assertTrue(error("--read-only", "--overlay-workdir", "/w", "a", "b", "--", "sh").contains("no work directory"));
    }

    @Test
    void theNetworkIsPrivateByDefaultAndBridgeIsItsOtherName() throws UsageException {
        assertEquals(Network.PRIVATE, parse("a", "b", "--", "sh").isolation().network());
        assertEquals(Network.PRIVATE, parse("--network", "bridge", "a", "b", "--", "sh").isolation().network());
        assertEquals(Network.Mode.HOST, parse("--network", "host", "a", "b", "--", "sh").isolation().network().mode());
    }

    @Test
    void publishedPortsAreReadAsDockerReadsThem() throws UsageException {
        Network n = parse("-p", "8080:80", "--publish", "127.0.0.1:5353:53/udp", "-p", "10.1.2.3:1:65535/tcp", "a", "b",
                "--", "sh").isolation().network();
        assertEquals(List.of(new Network.PublishedPort(0, 8080, 80, false),
                new Network.PublishedPort(0x7f000001, 5353, 53, true),
                new Network.PublishedPort(0x0a010203, 1, 65535, false)), n.ports());
    }

    @Test
    void badPublishedPortsAreOneLineEach() {
        for (String bad : new String[] {"80", "0:80", "80:65536", "x:80", "1.2.3:80:80", "256.0.0.1:80:80", "80:80/sctp",
                "::1:80:80", "80:80/", " 80:80", "99999999999:80"}) {
            String e = error("-p", bad, "a", "b", "--", "sh");
            assertTrue(e.startsWith("invalid -p '" + bad + "': "), e);
            assertFalse(e.contains("\n"), e);
        }
        assertEquals("-p 80:80: --network none has no ports to publish; -p needs the private network (the default)",
                error("--network", "none", "-p", "80:80", "a", "b", "--", "sh"));
        assertEquals("-p 80:80: --network host has no ports to publish; -p needs the private network (the default)",
                error("-p", "80:80", "--network", "host", "a", "b", "--", "sh"));
        assertEquals("-p 127.0.0.1:80:81: the host's port 80 is published twice",
                error("-p", "80:80", "-p", "127.0.0.1:80:81", "a", "b", "--", "sh"));
    }
}
