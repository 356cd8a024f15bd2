package io.containerfs.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Commands;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.Privileged;
import io.containerfs.testing.TarBuilder;
import io.containerfs.testing.TreeSnapshot;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.io.file.PathUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The extractor on hand-crafted archives: hostile entries are refused with the entry named and
 * leave nothing behind; what is accepted comes out as tar --same-owner -xpf makes it.
 */
class RootfsExtractorTest {
    @TempDir
    Path tmp;

    private Path out;
    private Path outside;

    @BeforeEach
    void directories() throws IOException {
        out = Files.createDirectory(tmp.resolve("out"));
        outside = Files.createDirectory(tmp.resolve("outside"));
        Files.writeString(outside.resolve("secret"), "host file\n");
    }

    @AfterEach
    void removeTrees() throws IOException {
        PathUtils.cleanDirectory(tmp); // without following the absolute symlinks, and without @TempDir's warnings
    }

    private Path rootfs() {
        return out.resolve("rootfs");
    }

    private Extracted extract(Path archive, ExtractionLimits limits, Optional<String> sha256) throws PullException {
        return new RootfsExtractor(limits, true, false, Progress.NONE)
                .extract(archive, TargetDirectory.check(rootfs()), new ExpectedSha256(sha256));
    }

    /** As pull --allow-devices does as root. */
    private Extracted extractWithNodes(Path archive) throws PullException {
        return new RootfsExtractor(ExtractionLimits.forArchiveSize(size(archive)), true, true, Progress.NONE)
                .extract(archive, TargetDirectory.check(rootfs()), new ExpectedSha256(Optional.empty()));
    }

    private String refusalWithNodes(TarBuilder tar) throws IOException {
        Path archive = tar.writeTarGz(tmp.resolve("hostile.tar.gz"));
        PullException e = assertThrows(PullException.class, () -> extractWithNodes(archive));
        assertNothingLeft();
        return e.getMessage();
    }

    private Extracted extract(Path archive) throws PullException {
        return extract(archive, ExtractionLimits.forArchiveSize(size(archive)), Optional.empty());
    }

    /** Extraction fails, and neither DIR nor its temporary sibling is left in out/. */
    private String refusal(Path archive, ExtractionLimits limits) throws IOException {
        PullException e = assertThrows(PullException.class, () -> extract(archive, limits, Optional.empty()));
        assertNothingLeft();
        return e.getMessage();
    }

    private String refusal(TarBuilder tar) throws IOException {
        Path archive = tar.writeTarGz(tmp.resolve("hostile.tar.gz"));
        return refusal(archive, ExtractionLimits.forArchiveSize(size(archive)));
    }

    private void assertNothingLeft() throws IOException {
        try (var left = Files.list(out)) {
            assertEquals(0, left.count(), "out/ must be empty after a failed extraction");
        }
        assertEquals(1, Files.list(outside).count(), "nothing may be written outside DIR");
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void assertContains(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), "expected '" + part + "' in: " + message);
        }
    }

    @Test
    void refusesAClimbOutOfDir() throws IOException {
        String message = refusal(new TarBuilder().dir("./", 0755).file("../escape", 0644, "x"));
        assertContains(message, "refusing the entry '../escape'", "'..'", "hostile.tar.gz", "left untouched");
        assertFalse(Files.exists(tmp.resolve("escape")));
        assertFalse(Files.exists(out.resolve("escape")));
    }

    @Test
    void refusesAnAbsoluteName() throws IOException {
        assertContains(refusal(new TarBuilder().file("/abs", 0644, "x")),
                "refusing the entry '/abs'", "absolute name");
    }

    @Test
    void refusesDotDotInTheMiddle() throws IOException {
        assertContains(refusal(new TarBuilder().dir("a/", 0755).file("a/../../x", 0644, "x")),
                "refusing the entry 'a/../../x'", "'..'");
        assertFalse(Files.exists(tmp.resolve("x")));
    }

    @Test
    void refusesAWriteThroughASymlinkTheArchiveMade() throws IOException {
        // l -> /, then l/<this test's outside dir>/evil: followed, it would land in outside/.
        String evil = "l" + outside + "/evil";
        assertContains(refusal(new TarBuilder().symlink("l", "/").file(evil, 0644, "pwned")),
                "refusing the entry '" + evil + "'", "goes through the symlink 'l'");
        assertFalse(Files.exists(outside.resolve("evil")));
    }

    @Test
    void refusesAHardlinkThroughASymlink() throws IOException {
        assertContains(refusal(new TarBuilder().symlink("l", outside.toString()).hardlink("h", "l/secret")),
                "refusing the entry 'h'", "goes through the symlink 'l'");
    }

    @Test
    void refusesAHardlinkOutOfDir() throws IOException {
        assertContains(refusal(new TarBuilder().hardlink("passwd", "/etc/passwd")),
                "refusing the entry 'passwd'", "absolute hardlink target '/etc/passwd'");
        assertContains(refusal(new TarBuilder().hardlink("secret", "../outside/secret")),
                "refusing the entry 'secret'", "'..'");
    }

    @Test
    void refusesAHardlinkToAnEntryNotYetExtracted() throws IOException {
        assertContains(refusal(new TarBuilder().hardlink("h", "later").file("later", 0644, "x")),
                "refusing the entry 'h'", "not (yet) in the archive");
    }

    @Test
    void refusesToReplaceWhatAnEarlierEntryMade() throws IOException {
        assertContains(refusal(new TarBuilder().symlink("l", outside.resolve("secret").toString())
                        .file("l", 0644, "overwritten")),
                "refusing the entry 'l'", "would replace 'l'");
        assertEquals("host file\n", Files.readString(outside.resolve("secret")));
    }

    @Test
    void refusesDeviceNodesAndFifosAndNamesTheOption() throws IOException {
        assertContains(refusal(new TarBuilder().dir("dev/", 0755).charDevice("dev/null", 1, 3)),
                "refusing the entry 'dev/null': it is a character device node; pull makes none unless asked:"
                        + " use --allow-devices as root to create it");
        assertContains(refusal(new TarBuilder().blockDevice("dev/sda", 8, 0)),
                "refusing the entry 'dev/sda': it is a block device node", "use --allow-devices as root");
        assertContains(refusal(new TarBuilder().fifo("pipe")),
                "refusing the entry 'pipe': it is a FIFO", "use --allow-devices as root to create it");
    }

    /** --allow-devices changes what is made, not the path checks: a node never goes through a symlink. */
    @Test
    @Privileged
    void aDeviceThroughASymlinkIsStillRefusedWithTheOption() throws IOException {
        assertContains(refusalWithNodes(new TarBuilder().symlink("l", outside.toString()).charDevice("l/null", 1, 3)),
                "refusing the entry 'l/null'", "goes through the symlink 'l'");
        assertFalse(Files.exists(outside.resolve("null"), LinkOption.NOFOLLOW_LINKS));
        assertContains(refusalWithNodes(new TarBuilder().symlink("dev", "/dev").fifo("dev/fifo")),
                "refusing the entry 'dev/fifo'", "goes through the symlink 'dev'");
        assertContains(refusalWithNodes(new TarBuilder().symlink("null", outside.resolve("secret").toString())
                        .charDevice("null", 1, 3)),
                "refusing the entry 'null'", "would replace 'null'");
        assertEquals("host file\n", Files.readString(outside.resolve("secret")));
    }

    /**
     * With --allow-devices as root: a character device (1,3), a block device and FIFOs, with
     * owners, setgid and a mode the umask would cut, come out exactly as GNU tar makes them.
     */
    @Test
    @Privileged
    void withTheOptionMakesNodesAsGnuTarDoes() throws Exception {
        // In tree order, as tar -c writes it (GNU tar sets dev/'s mtime when it leaves it).
        Path archive = new TarBuilder()
                .dir("./", 0755)
                .dir("dev/", 0755)
                .node("dev/null", TarArchiveEntry.LF_CHR, 0666, 0, 0, 1, 3)
                .hardlink("dev/null-link", "dev/null")
                .node("dev/tty", TarArchiveEntry.LF_CHR, 0620, 0, 5, 5, 0)
                .node("dev/loop0", TarArchiveEntry.LF_BLK, 0660, 0, 6, 7, 0)
                .node("dev/big", TarArchiveEntry.LF_BLK, 02640, 1234, 5678, 259, 70000)
                .fifo("dev/initctl")
                .node("run-fifo", TarArchiveEntry.LF_FIFO, 0622, 42, 43, 0, 0)
                .writeTar(tmp.resolve("nodes.tar"));

        extractWithNodes(archive);
        Map<String, String> expected = extractedByGnuTar(archive, "-xpf");
        Map<String, String> actual = TreeSnapshot.of(rootfs());
        assertEquals(9, expected.size(), "the comparison covers every entry: " + expected.keySet());
        assertEquals("", TreeSnapshot.diff(expected, actual), "entries that differ from GNU tar's");
        assertTrue(actual.get("dev/null").startsWith("chr mode=666 uid=0 gid=0 mtime=2020-09-13T12:26:40Z rdev=1,3"),
                actual.get("dev/null"));
        assertTrue(actual.get("dev/big").startsWith("blk mode=2640 uid=1234 gid=5678"), actual.get("dev/big"));
        assertTrue(actual.get("dev/big").endsWith("rdev=259,70000"), actual.get("dev/big"));
        assertTrue(actual.get("run-fifo").startsWith("fifo mode=622 uid=42 gid=43"), actual.get("run-fifo"));
    }

    @Test
    void refusesASymlinkTargetJavaCannotMakeExactly() throws IOException {
        assertContains(refusal(new TarBuilder().symlink("lib", "usr//lib/")),
                "refusing the entry 'lib'", "'usr//lib/'");
    }

    @Test
    void refusesAGzipBombByItsHeaderBeforeWritingIt() throws IOException {
        // 64 MiB of zeros gzip to about 64 KiB: far past 20 times that, and past the 32 MiB floor.
        Path bomb = tmp.resolve("bomb.tar.gz");
        long zeros = 64L << 20;
        try (OutputStream file = Files.newOutputStream(bomb);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(file))) {
            TarArchiveEntry entry = TarBuilder.entry("zeros", TarArchiveEntry.LF_NORMAL, 0644);
            entry.setSize(zeros);
            tar.putArchiveEntry(entry);
            byte[] block = new byte[1 << 20];
            for (long written = 0; written < zeros; written += block.length) {
                tar.write(block);
            }
            tar.closeArchiveEntry();
        }
        assertTrue(size(bomb) < (1 << 20), "the bomb is small: " + size(bomb));
        assertContains(refusal(bomb, ExtractionLimits.forArchiveSize(size(bomb))),
                "unpacks to more than " + ExtractionLimits.MIN_BYTES + " bytes", "--max-bytes");
    }

    @Test
    void capsTheBytesOfHeadersToo() throws IOException {
        TarBuilder tar = new TarBuilder();
        for (int i = 0; i < 100; i++) {
            tar.file("empty-" + i, 0644, "");
        }
        Path archive = tar.writeTarGz(tmp.resolve("headers.tar.gz"));
        assertContains(refusal(archive, new ExtractionLimits(20 * 512, 1000)), "unpacks to more than 10240 bytes");
    }

    @Test
    void capsTheBytesASparseFileUnpacksTo() throws IOException {
        // Two sparse files of 600 KiB each, a few KiB of archive: each fits the 1 MiB cap alone.
        TarBuilder tar = HostileLayerTest.sparse(HostileLayerTest.sparse(new TarBuilder(), "a", 600 << 10), "b", 600 << 10);
        Path archive = tar.writeTarGz(tmp.resolve("sparse.tar.gz"));
        assertContains(refusal(archive, new ExtractionLimits(1 << 20, 1000)), "unpacks to more than 1048576 bytes");
    }

    @Test
    void countsTheDirectoriesANameImpliesAsEntries() throws IOException {
        TarBuilder tar = new TarBuilder().file("a/" + "d/".repeat(60) + "f", 0644, "x")
                .file("b/" + "d/".repeat(60) + "f", 0644, "x");
        Path archive = tar.writeTarGz(tmp.resolve("deep.tar.gz"));
        assertContains(refusal(archive, new ExtractionLimits(1 << 20, 100)), "more than 100 entries", "--max-entries");
    }

    @Test
    void capsTheNumberOfEntries() throws IOException {
        TarBuilder tar = new TarBuilder();
        for (int i = 0; i < 11; i++) {
            tar.file("f" + i, 0644, "x");
        }
        Path archive = tar.writeTarGz(tmp.resolve("many.tar.gz"));
        assertContains(refusal(archive, new ExtractionLimits(1 << 20, 10)), "more than 10 entries", "--max-entries");
    }

    @Test
    void refusesACorruptGzipStream() throws IOException {
        byte[] real = Files.readAllBytes(Fixtures.alpineTarball());
        byte[] corrupt = real.clone();
        for (int i = real.length / 2; i < real.length / 2 + 64; i++) {
            corrupt[i] ^= 0x5a;
        }
        Path archive = TarBuilder.write(tmp.resolve("corrupt.tar.gz"), corrupt);
        assertContains(refusal(archive, ExtractionLimits.forArchiveSize(corrupt.length)),
                "corrupt.tar.gz is not a readable tar or tar.gz archive", "get it again");
    }

    @Test
    void refusesATruncatedGzipStream() throws IOException {
        byte[] real = Files.readAllBytes(Fixtures.alpineTarball());
        Path archive = TarBuilder.write(tmp.resolve("cut.tar.gz"), Arrays.copyOf(real, real.length - 100));
        assertContains(refusal(archive, ExtractionLimits.forArchiveSize(real.length)),
                "cut.tar.gz is not a readable tar or tar.gz archive");
    }

    @Test
    void refusesAnArchiveWithTheWrongChecksumAndLeavesNothing() throws IOException {
        Path archive = new TarBuilder().file("a", 0644, "x").writeTarGz(tmp.resolve("a.tar.gz"));
        String wrong = "0".repeat(64);
        PullException e = assertThrows(PullException.class,
                () -> extract(archive, ExtractionLimits.forArchiveSize(size(archive)), Optional.of(wrong)));
        assertContains(e.getMessage(), "a.tar.gz has SHA-256 ", "not the expected " + wrong);
        assertNothingLeft();
    }

    /** A mirror's release is checked whole as it is extracted: size, SHA-256 and SHA-512. */
    @Test
    void refusesAnArchiveWhoseSha512IsNotTheReleasesAndLeavesNothing() throws Exception {
        Path archive = new TarBuilder().file("a", 0644, "x").writeTarGz(tmp.resolve("a.tar.gz"));
        Fingerprint real = Fingerprint.of(archive);
        Release release = new Release("v3.20", "x86_64", "3.20.3", "a.tar.gz", real.size(), real.sha256(),
                Optional.of("0".repeat(128)));
        PullException e = assertThrows(PullException.class, () -> new RootfsExtractor(
                ExtractionLimits.forArchiveSize(size(archive)), true, false, Progress.NONE)
                .extract(archive, TargetDirectory.check(rootfs()), release));
        assertContains(e.getMessage(), "a.tar.gz has the wrong SHA-512");
        assertNothingLeft();
        Release right = new Release("v3.20", "x86_64", "3.20.3", "a.tar.gz", real.size(), real.sha256(),
                Optional.of(real.sha512()));
        new RootfsExtractor(ExtractionLimits.forArchiveSize(size(archive)), true, false, Progress.NONE)
                .extract(archive, TargetDirectory.check(rootfs()), right);
        assertEquals("x", Files.readString(rootfs().resolve("a")));
    }

    @Test
    void refusesADirThatIsNotEmpty() throws IOException {
        Files.createDirectories(rootfs().resolve("etc"));
        PullException e = assertThrows(PullException.class, () -> TargetDirectory.check(rootfs()));
        assertContains(e.getMessage(), "is not empty", "new or empty directory");
    }

    @Test
    void extractsPlainTarIntoAnEmptyDir() throws Exception {
        Files.createDirectory(rootfs());
        Path archive = new TarBuilder().dir("./", 0755).dir("etc/", 0755).file("etc/hostname", 0644, "box\n")
                .symlink("etc/alias", "hostname").writeTar(tmp.resolve("plain.tar"));
        Extracted extracted = extract(archive);
        assertEquals(4, extracted.entries());
        assertEquals("box\n", Files.readString(rootfs().resolve("etc/alias")));
        assertEquals(Path.of("hostname"), Files.readSymbolicLink(rootfs().resolve("etc/alias")));
        assertEquals(Commands.run("sha256sum", archive.toString()).stdout().substring(0, 64), extracted.sha256());
        try (var left = Files.list(out)) {
            assertEquals(1, left.count(), "only rootfs/ in out/: no temporary sibling left");
        }
    }

    /** --file <(curl ...) gives a pipe, whose available() java.nio cannot answer ("Illegal seek"). */
    @Test
    void extractsFromAPipe() throws Exception {
        byte[] archive = TarBuilder.gzip(new TarBuilder().file("etc/motd", 0644, "hello\n").tarBytes());
        Path fifo = tmp.resolve("archive.tar.gz");
        assertEquals(0, Commands.run("mkfifo", fifo.toString()).exitCode());
        Thread writer = new Thread(() -> {
            try (OutputStream out = Files.newOutputStream(fifo)) {
                out.write(archive);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        writer.start();
        try {
            extract(fifo, ExtractionLimits.forArchiveSize(0), Optional.empty());
        } finally {
            writer.join(10_000);
        }
        assertEquals("hello\n", Files.readString(rootfs().resolve("etc/motd")));
    }

    @Test
    void makesMissingParentsAndAcceptsADirectoryListedTwice() throws Exception {
        Path archive = new TarBuilder().file("usr/share/doc/x", 0644, "x").dir("usr/", 0700).dir("usr/", 0755)
                .writeTarGz(tmp.resolve("parents.tgz"));
        extract(archive);
        assertEquals("x", Files.readString(rootfs().resolve("usr/share/doc/x")));
        assertEquals(0755, (Integer) Files.getAttribute(rootfs().resolve("usr"), "unix:mode") & 07777);
        assertEquals(0755, (Integer) Files.getAttribute(rootfs(), "unix:mode") & 07777,
                "DIR gets 0755 when the archive has no ./ entry, not the temporary directory's 0700");
    }

    /** Modes tar must keep (setuid, setgid, sticky, 0000, a read-only directory with contents), owners, links. */
    @Test
    @Privileged
    void matchesGnuTarOnEveryKindOfEntry() throws Exception {
        TarArchiveEntry ownedLink = TarBuilder.entry("srv/link", TarArchiveEntry.LF_SYMLINK, 0777);
        ownedLink.setLinkName("shared/data");
        ownedLink.setUserId(42);
        ownedLink.setGroupId(43);
        // In tree order, as tar -c writes: GNU tar sets a directory's mtime when it leaves it, so an
        // entry added to it later would change it there (pull sets it after the whole archive).
        TarBuilder tar = new TarBuilder()
                .dir("./", 0755)
                .dir("bin/", 0755)
                .file("bin/su", 04755, "setuid\n")
                .file("bin/wall", 02755, 0, 5, "setgid\n")
                .file("bin/none", 0, "mode 0000\n")
                .file("bin/exec-only", 0111, "--x\n")
                .hardlink("bin/su-link", "bin/su")
                .hardlink("bin/su-link2", "bin/su")
                .symlink("bin/sh", "/bin/busybox")
                .symlink("bin/dangling", "../nowhere")
                .dir("tmp/", 01777)
                .dir("srv/", 0750)
                .dir("srv/shared/", 02775)
                .file("srv/shared/data", 0640, 1234, 5678, "owned by 1234:5678\n")
                .add(ownedLink, null)
                .dir("ro/", 0555)
                .file("ro/inside", 0444, "in a read-only directory\n")
                .file("deep/implicit/parent", 0600, "parents made on the way\n");
        Path archive = tar.writeTarGz(tmp.resolve("kinds.tar.gz"));

        extract(archive);
        Map<String, String> expected = extractedByGnuTar(archive, "-xzpf");
        Map<String, String> actual = TreeSnapshot.of(rootfs());
        // tar makes deep/ and deep/implicit/ with its own umask and the time of extraction; so do we.
        expected.keySet().removeIf(name -> name.equals("deep") || name.equals("deep/implicit"));
        actual.keySet().removeIf(name -> name.equals("deep") || name.equals("deep/implicit"));
        assertEquals(18, expected.size(), "the comparison covers every entry: " + expected.keySet());
        assertEquals("", TreeSnapshot.diff(expected, actual), "entries that differ from GNU tar's");
        assertEquals(04755, (Integer) Files.getAttribute(rootfs().resolve("bin/su"), "unix:mode") & 07777);
        assertEquals(42, Files.getAttribute(rootfs().resolve("srv/link"), "unix:uid", LinkOption.NOFOLLOW_LINKS));
    }

    /**
     * pull skips chown(2) where a new entry already has the archive's owner, which it tells from the
     * directory it extracts into, not from its own ids: under a set-group-ID parent new entries take
     * the parent's group, and every owner must still come out as the archive says.
     */
    @Test
    @Privileged
    void setsTheArchivesOwnersUnderASetGroupIdParent() throws Exception {
        Files.setAttribute(out, "unix:gid", 4321);
        Files.setAttribute(out, "unix:mode", 02775);
        TarArchiveEntry link = TarBuilder.entry("etc/link", TarArchiveEntry.LF_SYMLINK, 0777);
        link.setLinkName("passwd");
        Path archive = new TarBuilder()
                .dir("./", 0755)
                .dir("etc/", 0755)
                .file("etc/passwd", 0644, "root:x:0:0\n")
                .file("etc/shadow", 0640, 0, 42, "root:*\n")
                .add(link, null)
                .writeTarGz(tmp.resolve("owners.tar.gz"));

        extract(archive);
        Map<String, Integer> expectedGid = Map.of("", 0, "etc", 0, "etc/passwd", 0, "etc/shadow", 42, "etc/link", 0);
        for (Map.Entry<String, Integer> e : expectedGid.entrySet()) {
            Path path = e.getKey().isEmpty() ? rootfs() : rootfs().resolve(e.getKey());
            assertEquals(0, Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS), e.getKey());
            assertEquals(e.getValue(), Files.getAttribute(path, "unix:gid", LinkOption.NOFOLLOW_LINKS), e.getKey());
        }
        assertEquals(0755, (Integer) Files.getAttribute(rootfs(), "unix:mode") & 07777);
    }

    /** What {@code tar --same-owner FLAGS archive} makes, as the reference to compare pull with. */
    private Map<String, String> extractedByGnuTar(Path archive, String flags) throws IOException {
        Path byTar = Files.createDirectory(tmp.resolve("by-tar"));
        Commands.Result r = Commands.run("tar", "--same-owner", flags, archive.toString(), "-C", byTar.toString());
        assertEquals(0, r.exitCode(), r.toString());
        return TreeSnapshot.of(byTar);
    }
}
