package io.containerfs.pull;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Commands;
import io.containerfs.testing.OciLayouts;
import io.containerfs.testing.TarBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** OCI layouts made to do harm to the machine that pulls them: each is refused in one line. */
class HostileLayoutTest {
    @TempDir
    Path tmp;

    private Image read(Path layout) throws PullException {
        return new OciLayout(layout, Platform.of(System.getProperty("os.arch"))).read(Optional.empty());
    }

    @Test
    void aLayerSmallerThanItsManifestSaysIsRefusedBeforeItIsUnpacked() throws IOException {
        // The cap on what a layer unpacks to is 20 times its size: a manifest claiming 1 TiB would
        // let a gzip bomb of a few KiB fill 20 TiB before its size is found wrong at its end.
        byte[] tar = new TarBuilder().file("zeros", 0644, "\0".repeat(1 << 20)).tarBytes();
        byte[] bomb = TarBuilder.gzip(tar);
        Path layout = OciLayouts.oneLayer(tmp.resolve("layout"), bomb, "+gzip", OciLayouts.sha256(tar));
        Path manifest = tmp.resolve("layout/blobs/sha256/" + manifestHex(layout));
        String lie = Files.readString(manifest).replace("\"size\":" + bomb.length + "}", "\"size\":" + (1L << 40) + "}");
        Files.delete(manifest);
        String hex = OciLayouts.sha256(lie.getBytes(StandardCharsets.UTF_8)).substring(7);
        Files.writeString(layout.resolve("blobs/sha256/" + hex), lie);
        Files.writeString(layout.resolve("index.json"), Files.readString(layout.resolve("index.json"))
                .replace(manifest.getFileName().toString(), hex).replaceAll("\"size\":\\d+", "\"size\":" + lie.length()));
        PullException e = assertThrows(PullException.class, () -> read(layout));
        assertTrue(e.getMessage().contains("has " + bomb.length + " bytes, not the " + (1L << 40)), e.getMessage());
    }

    private static String manifestHex(Path layout) throws IOException {
        String index = Files.readString(layout.resolve("index.json"));
        int at = index.indexOf("sha256:") + 7;
        return index.substring(at, at + 64);
    }

    @Test
    void anIndexThatIsNotARegularFileIsRefusedNotReadForever() throws IOException {
        Path layout = Files.createDirectory(tmp.resolve("fifo"));
        Commands.Result r = Commands.run("mkfifo", layout.resolve("index.json").toString());
        assertTrue(r.exitCode() == 0, r::toString);
        Path zero = Files.createDirectory(tmp.resolve("zero"));
        Files.createSymbolicLink(zero.resolve("index.json"), Path.of("/dev/zero"));
        for (Path hostile : new Path[] {layout, zero}) {
            PullException e = assertTimeoutPreemptively(Duration.ofSeconds(20),
                    () -> assertThrows(PullException.class, () -> read(hostile)));
            assertTrue(e.getMessage().contains("index.json is not a regular file"), e.getMessage());
        }
    }
}
