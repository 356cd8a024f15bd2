package io.containerfs.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.io.file.PathUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where the tests' Alpine tarball comes from, and the download a fresh clone relies on, against a
 * mirror on 127.0.0.1 (the real CDN is set with CONTAINERFS_ALPINE_DOWNLOAD the same way).
 */
class AlpineMirrorTest {
    private static final List<String> LAYOUT = List.of(AlpineMirror.TARBALL, AlpineMirror.TARBALL + ".sha256",
            AlpineMirror.TARBALL + ".sha512", "latest-releases.yaml");

    @TempDir
    Path tmp;

    @Test
    void downloadsOnceAndLaysOutTheMirrorAsTheLocalCopyIs() throws IOException {
        Path reference = Fixtures.mirror().resolve(AlpineMirror.BRANCH_DIR);
        Path cached = tmp.resolve("cache/alpine-mirror");
        try (MirrorServer server = MirrorServer.start(tmp)) {
            assertEquals(cached, AlpineMirror.download(server.url(), cached));
            assertEquals(cached, AlpineMirror.download(server.url(), cached));
            assertEquals(1, server.requests(MirrorServer.TARBALL), "the second call uses the cached copy");
        }
        for (String name : LAYOUT) {
            assertArrayEquals(Files.readAllBytes(reference.resolve(name)),
                    Files.readAllBytes(cached.resolve(AlpineMirror.BRANCH_DIR + name)), name);
        }
        assertEquals(LAYOUT.stream().sorted().toList(), names(cached.resolve(AlpineMirror.BRANCH_DIR)),
                "nothing else, no .part file");
    }

    @Test
    void aDamagedCachedTarballIsDownloadedAgain() throws IOException {
        Path cached = tmp.resolve("cache/alpine-mirror");
        Path tarball = cached.resolve(AlpineMirror.BRANCH_DIR + AlpineMirror.TARBALL);
        try (MirrorServer server = MirrorServer.start(tmp)) {
            AlpineMirror.download(server.url(), cached);
            byte[] damaged = Files.readAllBytes(tarball);
            damaged[damaged.length / 2] ^= 1;
            Files.write(tarball, damaged);

            AlpineMirror.download(server.url(), cached);

            assertEquals(2, server.requests(MirrorServer.TARBALL));
        }
        assertEquals(AlpineMirror.SHA256, AlpineMirror.sha256(tarball));
    }

    @Test
    void aTarballWithTheWrongChecksumIsRefusedAndLeavesNoFile() throws IOException {
        Path served = Files.createDirectory(tmp.resolve("served"));
        Path cached = tmp.resolve("cache/alpine-mirror");
        try (MirrorServer server = MirrorServer.serve(served)) {
            server.respond(MirrorServer.TARBALL, MirrorServer.body(new byte[(int) AlpineMirror.SIZE]));
            IOException e = assertThrows(IOException.class, () -> AlpineMirror.download(server.url(), cached));
            assertTrue(e.getMessage().contains(AlpineMirror.TARBALL + " sent " + AlpineMirror.SIZE
                    + " bytes with SHA-256 "), e.getMessage());
            assertTrue(e.getMessage().endsWith("not the pinned " + AlpineMirror.SIZE + " bytes with SHA-256 "
                    + AlpineMirror.SHA256), e.getMessage());
        }
        assertEquals(List.of(), names(cached.resolve(AlpineMirror.BRANCH_DIR)), "no tarball, no .part, no index");
    }

    @Test
    void aCutOffOrOversizedOrMissingTarballLeavesNoFile() throws IOException {
        Path served = Files.createDirectory(tmp.resolve("served"));
        Path cached = tmp.resolve("cache/alpine-mirror");
        byte[] tooLong = new byte[(int) AlpineMirror.SIZE + 10];
        try (MirrorServer server = MirrorServer.serve(served)) {
            server.respond(MirrorServer.TARBALL, MirrorServer.truncated(tooLong, 1000));
            assertTrue(assertThrows(IOException.class, () -> AlpineMirror.download(server.url(), cached))
                    .getMessage().contains(" broke off: "));
            server.respond(MirrorServer.TARBALL, MirrorServer.chunked(tooLong));
            assertTrue(assertThrows(IOException.class, () -> AlpineMirror.download(server.url(), cached))
                    .getMessage().contains(" sent more than " + AlpineMirror.SIZE + " bytes"));
            server.respond(MirrorServer.TARBALL, MirrorServer.status(404));
            assertTrue(assertThrows(IOException.class, () -> AlpineMirror.download(server.url(), cached))
                    .getMessage().endsWith(AlpineMirror.TARBALL + " answered HTTP 404"));
        }
        assertEquals(List.of(), names(cached.resolve(AlpineMirror.BRANCH_DIR)));
    }

    @Test
    void withoutAnyCopyTheDownloadFailsWithTheReasonInOneLine() throws IOException {
        Path project = Files.createDirectory(tmp.resolve("project"));
        Path empty = Files.createDirectory(tmp.resolve("empty"));
        Path cache = tmp.resolve("cache");
        URI unreachable;
        try (MirrorServer server = MirrorServer.serve(empty)) {
            unreachable = server.url();
        } // its port is closed now
        Map<String, String> offline = Map.of("CONTAINERFS_ALPINE_DOWNLOAD", unreachable.toString());

        IOException none = assertThrows(IOException.class, () -> AlpineMirror.locate(offline, project, cache));
        assertTrue(none.getMessage().startsWith("no " + tmp.resolve("shared/alpine-mirror")
                + ", CONTAINERFS_ALPINE_MIRROR nor ALPINE_TARBALL, and cannot download " + unreachable + "/"),
                none.getMessage());
        assertEquals(1, none.getMessage().lines().count(), "one line: it is the reason a test is skipped");
        assertEquals(List.of(), names(cache.resolve("alpine-mirror/" + AlpineMirror.BRANCH_DIR)));
    }

    @Test
    void aTarballInALPINE_TARBALLIsCheckedAndLaidOutAsADownloadIs() throws IOException {
        Path project = Files.createDirectory(tmp.resolve("project"));
        Path cache = tmp.resolve("cache");
        Path reference = Fixtures.mirror().resolve(AlpineMirror.BRANCH_DIR);
        Map<String, String> given = Map.of("ALPINE_TARBALL", Fixtures.alpineTarball().toString(),
                "CONTAINERFS_ALPINE_DOWNLOAD", "http://127.0.0.1:1/");

        assertEquals(cache.resolve("alpine-mirror"), AlpineMirror.locate(given, project, cache));

        for (String name : LAYOUT) {
            assertArrayEquals(Files.readAllBytes(reference.resolve(name)),
                    Files.readAllBytes(cache.resolve("alpine-mirror/" + AlpineMirror.BRANCH_DIR + name)), name);
        }
        Path wrong = Files.write(tmp.resolve("other.tar.gz"), new byte[1000]);
        IOException e = assertThrows(IOException.class, () -> AlpineMirror.locate(
                Map.of("ALPINE_TARBALL", wrong.toString()), project, tmp.resolve("other-cache")));
        assertTrue(e.getMessage().startsWith("ALPINE_TARBALL=" + wrong + ": " + wrong.toUri() + " sent 1000 bytes"),
                e.getMessage());
        Path missing = tmp.resolve("missing.tar.gz");
        assertEquals("ALPINE_TARBALL=" + missing + ": no such file", assertThrows(IOException.class,
                () -> AlpineMirror.locate(Map.of("ALPINE_TARBALL", missing.toString()), project, cache)).getMessage(),
                "a variable set wrong is not passed over for the cached copy");
        assertEquals(List.of(), names(tmp.resolve("other-cache/alpine-mirror/" + AlpineMirror.BRANCH_DIR)));
    }

    @Test
    void theVariableComesFirstThenTheSharedCopy() throws IOException {
        Path project = Files.createDirectory(tmp.resolve("project"));
        Path empty = Files.createDirectory(tmp.resolve("empty"));
        Path cache = tmp.resolve("cache");
        Map<String, String> offline = Map.of("CONTAINERFS_ALPINE_DOWNLOAD", "http://127.0.0.1:1/");
        Path shared = Files.createDirectories(tmp.resolve("shared")).resolve("alpine-mirror");
        PathUtils.copyDirectory(Fixtures.mirror(), shared);
        assertEquals(shared, AlpineMirror.locate(offline, project, cache));

        Map<String, String> wrongVariable = Map.of("CONTAINERFS_ALPINE_MIRROR", empty.toString());
        assertEquals("CONTAINERFS_ALPINE_MIRROR=" + empty + " has no " + AlpineMirror.BRANCH_DIR + AlpineMirror.TARBALL,
                assertThrows(IOException.class, () -> AlpineMirror.locate(wrongVariable, project, cache)).getMessage(),
                "a variable set wrong is not passed over for the shared copy");

        Path damaged = shared.resolve(AlpineMirror.BRANCH_DIR + AlpineMirror.TARBALL);
        Files.write(damaged, Arrays.copyOf(Files.readAllBytes(damaged), 1000));
        assertTrue(assertThrows(IOException.class, () -> AlpineMirror.locate(offline, project, cache)).getMessage()
                .endsWith(", not the pinned " + AlpineMirror.SHA256));
    }

    private static List<String> names(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
