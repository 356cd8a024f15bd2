package io.containerfs.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.cli.ExitCode;
import io.containerfs.cli.Main;
import io.containerfs.testing.AlpineMirror;
import io.containerfs.testing.Commands;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.MirrorServer;
import io.containerfs.testing.Privileged;
import io.containerfs.testing.TarBuilder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.io.file.PathUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * container-fs pull against a mirror on 127.0.0.1 that misbehaves in every way the issue lists.
 * Each failure must exit 125 with one line on stderr and leave nothing behind: no DIR, no
 * temporary sibling of it, no .part file in the cache. Runs in-process through {@link Main}, from
 * the packaged jar (an integration test: it serves HTTP and, as root, sets the archive's owners).
 */
@Privileged
class PullCommandIT {
    private static final String SHA256 = AlpineMirror.SHA256;

    @TempDir
    Path tmp;

    private MirrorServer mirror;
    private Path cache;
    private Path out;
    private byte[] tarball;

    @BeforeEach
    void startMirror() throws IOException {
        mirror = MirrorServer.start(tmp);
        cache = tmp.resolve("cache");
        out = Files.createDirectory(tmp.resolve("out"));
        tarball = Files.readAllBytes(Fixtures.alpineTarball());
    }

    @AfterEach
    void stopMirror() throws IOException {
        MirrorServer.stop(mirror, tmp);
    }

    /** pull with the test's mirror and cache, quiet, into out/rootfs unless DIR is among the words. */
    private Commands.Result pull(String... words) {
        List<String> args = new ArrayList<>(List.of("pull", "--quiet", "--mirror", mirror.url().toString(),
                "--cache-dir", cache.toString()));
        args.addAll(Arrays.asList(words));
        return run(args);
    }

    private static Commands.Result run(List<String> args) {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        int code = new Main(new PrintStream(stdout, true, StandardCharsets.UTF_8),
                new PrintStream(stderr, true, StandardCharsets.UTF_8)).run(args.toArray(String[]::new));
        return new Commands.Result(code, stdout.toString(StandardCharsets.UTF_8), stderr.toString(StandardCharsets.UTF_8));
    }

    private String rootfs() {
        return out.resolve("rootfs").toString();
    }

    /** Exit 125, one line on stderr holding each part, and nothing left in out/ or as .part in the cache. */
    private void assertFailed(Commands.Result r, String... parts) throws IOException {
        assertEquals(ExitCode.FAILED.code(), r.exitCode(), r.toString());
        assertTrue(r.stderr().startsWith("container-fs: "), r.stderr());
        assertEquals(1, r.stderr().lines().count(), "one line on stderr: " + r.stderr());
        for (String part : parts) {
            assertTrue(r.stderr().contains(part), "expected '" + part + "' in: " + r.stderr());
        }
        assertEquals("", r.stdout());
        try (Stream<Path> left = Files.list(out)) {
            assertEquals(List.of(), left.toList(), "out/ must stay empty");
        }
        if (Files.exists(cache)) {
            try (Stream<Path> files = Files.walk(cache)) {
                assertEquals(List.of(), files.filter(p -> p.toString().endsWith(".part")).toList());
            }
        }
        assertFalse(Files.exists(cache.resolve(Fixtures.TARBALL)), "a bad download must not enter the cache");
    }

    private void assertPulled(Commands.Result r, String dir) {
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("installed Alpine 3.20.3 (branch v3.20, x86_64) into " + dir + "\nsha256 " + SHA256 + "\n",
                r.stdout());
        assertTrue(Files.isRegularFile(Path.of(dir, "etc/alpine-release")));
    }

    @Test
    void pullsAndThenReusesTheCacheWithoutDownloadingAgain() throws IOException {
        assertPulled(pull("alpine:v3.20", rootfs(), "--arch", "x86_64"), rootfs());
        String second = out.resolve("second").toString();
        assertPulled(pull("alpine:v3.20", second, "--arch", "x86_64"), second);
        assertEquals(1, mirror.requests(MirrorServer.TARBALL), "the second pull takes the tarball from the cache");
        assertEquals(2, mirror.requests(MirrorServer.INDEX));
        assertEquals("3.20.3\n", Files.readString(Path.of(second, "etc/alpine-release")));
    }

    @Test
    void usesTheCachedTarballWhenTheMirrorIsGone() throws IOException {
        assertPulled(pull("alpine:v3.20", rootfs(), "--arch", "x86_64"), rootfs());
        mirror.close();
        String offline = out.resolve("offline").toString();
        List<String> args = List.of("pull", "--mirror", mirror.url().toString(), "--cache-dir", cache.toString(),
                "--arch", "x86_64", "alpine:v3.20", offline);
        Commands.Result r = run(args);
        assertPulled(r, offline);
        assertTrue(r.stderr().contains("cannot reach the mirror"), r.stderr());
        assertTrue(r.stderr().contains("from the cache, Alpine 3.20.3 as of the last pull"), r.stderr());
    }

    /** The cached copy is checked as it is extracted, not read once more before. */
    @Test
    void aCachedTarballDamagedSinceItsDownloadIsDownloadedAgain() throws IOException {
        assertPulled(pull("alpine:v3.20", rootfs(), "--arch", "x86_64"), rootfs());
        Path cached = cache.resolve(Fixtures.TARBALL);
        byte[] damaged = tarball.clone();
        damaged[damaged.length / 2] ^= 1; // same size: only the checksums, read as it is extracted, can tell
        Files.write(cached, damaged);
        String second = out.resolve("second").toString();
        List<String> args = List.of("pull", "--mirror", mirror.url().toString(), "--cache-dir", cache.toString(),
                "--arch", "x86_64", "alpine:v3.20", second);
        Commands.Result r = run(args);
        assertPulled(r, second);
        assertTrue(r.stderr().contains("the cached " + cached + " is damaged; downloading it again"), r.stderr());
        assertEquals(2, mirror.requests(MirrorServer.TARBALL), "the damaged copy was replaced from the mirror");
        assertTrue(Arrays.equals(tarball, Files.readAllBytes(cached)), "the cache holds the right bytes again");
        try (Stream<Path> left = Files.list(out)) {
            assertEquals(2, left.count(), "rootfs and second, no half-extracted sibling: " + out);
        }
    }

    @Test
    void aDamagedCachedTarballIsNotUsedWhenTheMirrorIsGone() throws IOException {
        assertPulled(pull("alpine:v3.20", rootfs(), "--arch", "x86_64"), rootfs());
        Path cached = cache.resolve(Fixtures.TARBALL);
        byte[] damaged = tarball.clone();
        damaged[damaged.length / 2] ^= 1;
        Files.write(cached, damaged);
        mirror.close();
        PathUtils.deleteDirectory(Path.of(rootfs()));
        List<String> args = List.of("pull", "--mirror", mirror.url().toString(), "--cache-dir", cache.toString(),
                "--arch", "x86_64", "alpine:v3.20", rootfs());
        Commands.Result r = run(args);
        assertEquals(125, r.exitCode(), r.toString());
        assertTrue(r.stderr().contains("the cached " + cached + " is damaged, so it was removed"), r.stderr());
        assertTrue(r.stderr().endsWith("\n") && r.stderr().lines().reduce((a, b) -> b).orElse("")
                .startsWith("container-fs: cannot reach the mirror"), "the last line says why: " + r.stderr());
        assertFalse(Files.exists(cached), "the damaged copy is gone from the cache");
        assertFalse(Files.exists(Path.of(rootfs())), "nothing installed");
    }

    /** A cached tarball that is intact and refused for what it holds is the archive's fault: not downloaded again. */
    @Test
    void anIntactCachedTarballThatIsRefusedIsNotDownloadedAgain() throws IOException {
        assertPulled(pull("alpine:v3.20", rootfs(), "--arch", "x86_64"), rootfs());
        String second = out.resolve("second").toString();
        Commands.Result r = pull("alpine:v3.20", second, "--arch", "x86_64", "--max-entries", "10");
        assertEquals(ExitCode.FAILED.code(), r.exitCode(), r.toString());
        assertTrue(r.stderr().contains("has more than 10 entries"), r.stderr());
        assertEquals(1, r.stderr().lines().count(), "one line on stderr: " + r.stderr());
        assertFalse(Files.exists(Path.of(second)), "nothing installed");
        assertEquals(1, mirror.requests(MirrorServer.TARBALL), "the intact copy was not downloaded again");
        assertTrue(Arrays.equals(tarball, Files.readAllBytes(cache.resolve(Fixtures.TARBALL))), "and it stays");
    }

    @Test
    void latestStableIsTheDefaultBranch() throws IOException {
        Commands.Result r = pull(rootfs(), "--arch", "x86_64");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stdout().startsWith("installed Alpine 3.20.3 (branch latest-stable, x86_64)"), r.stdout());
        assertEquals(1, mirror.requests("v3.20/releases/x86_64/latest-releases.yaml"));
    }

    @Test
    void followsARedirectToAnotherPath() throws IOException {
        mirror.respond(MirrorServer.TARBALL, MirrorServer.redirect("/elsewhere/" + Fixtures.TARBALL));
        mirror.respond("elsewhere/" + Fixtures.TARBALL, MirrorServer.body(tarball));
        assertPulled(pull("alpine:v3.20", rootfs(), "--arch", "x86_64"), rootfs());
        assertEquals(1, mirror.requests("elsewhere/" + Fixtures.TARBALL));
    }

    @Test
    void refusesADownloadWithTheWrongSha256() throws IOException {
        String wrong = "0123456789abcdef".repeat(4);
        mirror.respond(MirrorServer.INDEX, MirrorServer.body(mirror.read(MirrorServer.INDEX)
                .replace(SHA256, wrong).getBytes(StandardCharsets.UTF_8)));
        assertFailed(pull("alpine:v3.20", rootfs(), "--arch", "x86_64"),
                "has SHA-256 " + SHA256 + ", but latest-releases.yaml says " + wrong, "try again");
    }

    @Test
    void refusesATruncatedDownload() throws IOException {
        mirror.respond(MirrorServer.TARBALL, MirrorServer.truncated(tarball, tarball.length / 2));
        assertFailed(pull("alpine:v3.20", rootfs(), "--arch", "x86_64"),
                "the download of " + mirror.url() + "/" + MirrorServer.TARBALL + " broke off after",
                "of " + tarball.length + " bytes", "try again");
    }

    @Test
    void refusesABodyLargerThanTheIndexSays() throws IOException {
        byte[] bigger = Arrays.copyOf(tarball, tarball.length + 4096);
        mirror.respond(MirrorServer.TARBALL, MirrorServer.chunked(bigger));
        assertFailed(pull("alpine:v3.20", rootfs(), "--arch", "x86_64"),
                "sent more than the " + tarball.length + " bytes latest-releases.yaml lists");
    }

    @Test
    void namesBranchAndArchWhenTheIndexIsMissing() throws IOException {
        assertFailed(pull("alpine:v9.99", rootfs(), "--arch", "x86_64"),
                "no Alpine branch 'v9.99' for arch 'x86_64'", "answered 404");
        assertFailed(pull("alpine:v3.20", rootfs(), "--arch", "s390x"),
                "no Alpine branch 'v3.20' for arch 's390x'", "--arch");
    }

    @Test
    void saysWhenTheListedFileIsMissing() throws IOException {
        mirror.respond(MirrorServer.TARBALL, MirrorServer.status(404));
        assertFailed(pull("alpine:v3.20", rootfs(), "--arch", "x86_64"),
                "the mirror lists " + Fixtures.TARBALL + " but", "answered 404");
    }

    @Test
    void saysWhenTheMirrorFails() throws IOException {
        mirror.respond(MirrorServer.INDEX, MirrorServer.status(500));
        assertFailed(pull("alpine:v3.20", rootfs(), "--arch", "x86_64"), "answered HTTP 500", "another --mirror");
    }

    @Test
    void suggestsFileOrMirrorWhenTheMirrorIsUnreachable() throws IOException {
        mirror.close(); // its port is now closed
        assertFailed(pull("alpine:v3.20", rootfs(), "--arch", "x86_64"),
                "cannot reach the mirror " + mirror.url(), "--mirror URL", "--file TARBALL");
    }

    @Test
    void refusesMalformedYaml() throws IOException {
        mirror.respond(MirrorServer.INDEX, MirrorServer.body("- flavor: [unclosed\n".getBytes(StandardCharsets.UTF_8)));
        assertFailed(pull("alpine:v3.20", rootfs(), "--arch", "x86_64"), "latest-releases.yaml is not valid YAML");
    }

    @Test
    void saysWhenTheIndexHasNoMiniRootFilesystem() throws IOException {
        mirror.respond(MirrorServer.INDEX, MirrorServer.body(mirror.read(MirrorServer.INDEX)
                .replace("flavor: alpine-minirootfs", "flavor: alpine-standard").getBytes(StandardCharsets.UTF_8)));
        assertFailed(pull("alpine:v3.20", rootfs(), "--arch", "x86_64"), "lists no alpine-minirootfs for v3.20/x86_64");
    }

    @Test
    void refusesADirThatIsNotEmpty() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("full"));
        Files.writeString(dir.resolve("keep"), "mine");
        Commands.Result r = pull("alpine:v3.20", dir.toString(), "--arch", "x86_64");
        assertFailed(r, "'" + dir + "' is not empty", "new or empty directory");
        assertEquals(0, mirror.requests(MirrorServer.INDEX), "checked before any download");
        assertEquals("mine", Files.readString(dir.resolve("keep")));
    }

    @Test
    void extractsAGivenFileAndChecksItsSha256() throws IOException {
        Commands.Result r = pull("--file", Fixtures.alpineTarball().toString(), "--sha256", SHA256.toUpperCase(), rootfs());
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("installed " + Fixtures.TARBALL + " into " + rootfs() + "\nsha256 " + SHA256 + "\n", r.stdout());
        assertEquals(0, mirror.requests(MirrorServer.INDEX), "--file needs no network");
    }

    @Test
    void refusesAGivenFileWithTheWrongSha256() throws IOException {
        assertFailed(pull("--file", Fixtures.alpineTarball().toString(), "--sha256", "ab".repeat(32), rootfs()),
                "has SHA-256 " + SHA256 + ", not the expected " + "ab".repeat(32));
    }

    @Test
    void explainsBadCommandLines() throws IOException {
        assertFailed(pull(), "no DIR given");
        assertFailed(pull("ubuntu:22.04", rootfs()), "pull knows alpine[:BRANCH], docker://[REGISTRY/]NAME[:TAG|@DIGEST],"
                + " oci:LAYOUT[:TAG] and docker-archive:FILE; for a registry's image say docker://ubuntu:22.04");
        assertFailed(pull("alpine:../../etc", rootfs()), "not a branch name");
        assertFailed(pull("--frobnicate", rootfs()), "frobnicate", "pull --help");
        assertFailed(pull("--sha256", SHA256, rootfs()), "--sha256 checks a tarball given with --file");
        assertFailed(pull("--file", "x.tar.gz", "--sha256", "beef", rootfs()), "64 hex digits");
        assertFailed(pull("--file", tmp.resolve("missing.tar.gz").toString(), rootfs()), "check the path");
        assertFailed(run(List.of("pull", "--mirror", "ftp://mirror", rootfs())), "not an http:// or https:// URL");
    }

    @Test
    void helpNamesEveryOption() {
        Commands.Result r = run(List.of("pull", "--help"));
        assertEquals(0, r.exitCode());
        for (String option : List.of("--arch", "--mirror", "--file", "--sha256", "--quiet", "--cache-dir",
                "--max-bytes", "--max-entries", "--allow-devices", "CONTAINERFS_MIRROR", "/root/.cache/container-fs", "125")) {
            assertTrue(r.stdout().contains(option), option + " in:\n" + r.stdout());
        }
    }

    private Path nodesArchive() {
        return new TarBuilder().dir("./", 0755).dir("dev/", 0755).charDevice("dev/null", 1, 3).fifo("dev/initctl")
                .writeTar(tmp.resolve("nodes.tar"));
    }

    @Test
    void withoutAllowDevicesTheRefusalNamesTheOption() throws IOException {
        assertFailed(pull("--file", nodesArchive().toString(), rootfs()),
                "refusing the entry 'dev/null': it is a character device node;",
                "use --allow-devices as root to create it", "was left untouched");
    }

    @Test
    void withAllowDevicesAsRootTheNodesAreMade() throws IOException {
        Commands.Result r = pull("--file", nodesArchive().toString(), "--allow-devices", rootfs());
        assertEquals(0, r.exitCode(), r.toString());
        Map<String, Object> nul = Files.readAttributes(out.resolve("rootfs/dev/null"), "unix:*", LinkOption.NOFOLLOW_LINKS);
        assertEquals(0020666, nul.get("mode"));
        assertEquals((1L << 8) | 3, nul.get("rdev"));
        assertEquals(0010644, Files.getAttribute(out.resolve("rootfs/dev/initctl"), "unix:mode", LinkOption.NOFOLLOW_LINKS));
    }
}
