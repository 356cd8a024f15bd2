package io.containerfs.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher's training of a pull from a mirror: an index pull reads as a mirror's, and a real pull from it. */
class PullTrainingTest {
    @TempDir
    Path tmp;

    @Test
    void theIndexListsTheTarballAsAMirrorDoes() throws Exception {
        byte[] tarball = {1, 2, 3, 4, 5};
        String file = "alpine-minirootfs-0.0.0-x86_64.tar.gz";

        Release release = ReleaseIndex.minirootfs(PullTraining.index(file, tarball), "latest-stable", "x86_64", "test");

        assertEquals(new Release("latest-stable", "x86_64", "0.0.0", file, 5, hex("SHA-256", tarball),
                Optional.of(hex("SHA-512", tarball))), release);
    }

    /** What the launcher's training does in its JVM: a whole pull, from a mirror on 127.0.0.1 only it serves. */
    @Test
    void aPullFromTheLoopbackMirrorExtractsTheTarball() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("training"));

        int status = PullTraining.pullFromLoopbackMirror(Files.readAllBytes(Fixtures.alpineTarball()), dir);

        try {
            assertEquals(0, status);
            assertTrue(Files.isRegularFile(dir.resolve("from-mirror/etc/alpine-release")));
            assertTrue(Files.isRegularFile(dir.resolve("cache/alpine-minirootfs-0.0.0-" + arch() + ".tar.gz")),
                    "the tarball is kept in the training's own cache");
            if (PullCommand.runningAsRoot()) {
                // As root, the same tarball as a one-layer image from a registry it serves too.
                List<String> layers = Files.readAllLines(dir.resolve("from-registry/layers"));
                assertEquals(1, layers.size(), layers.toString());
                assertTrue(Files.isRegularFile(Path.of(layers.get(0)).resolve("etc/alpine-release")));
            }
        } finally {
            // Alpine's absolute symlinks would make @TempDir's clean-up warn about each one.
            io.containerfs.testing.Commands.run("rm", "-rf", dir.resolve("from-mirror").toString(),
                    dir.resolve("layers").toString());
        }
    }

    private static String arch() {
        return io.containerfs.pull.Architecture.alpineName(System.getProperty("os.arch")).orElse("x86_64");
    }

    private static String hex(String algorithm, byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes));
    }
}
