package io.containerfs.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Fixtures;
import java.nio.file.Files;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReleaseIndexTest {
    private static final String SOURCE = "http://mirror/v3.20/releases/x86_64/latest-releases.yaml";

    private static String realIndex() throws Exception {
        return Files.readString(Fixtures.mirror().resolve("v3.20/releases/x86_64/latest-releases.yaml"));
    }

    private static String entry(String flavor, String file, String version) {
        return "-\n  flavor: " + flavor + "\n  file: " + file + "\n  version: " + version + "\n  size: 1234\n"
                + "  sha256: " + "a".repeat(64) + "\n";
    }

    private static String error(String yaml) {
        return assertThrows(PullException.class, () -> ReleaseIndex.minirootfs(yaml, "v3.20", "x86_64", SOURCE))
                .getMessage();
    }

    @Test
    void readsTheRealIndex() throws Exception {
        Release release = ReleaseIndex.minirootfs(realIndex(), "v3.20", "x86_64", SOURCE);
        assertEquals(new Release("v3.20", "x86_64", "3.20.3", Fixtures.TARBALL, 3490290,
                "d4e6fd67dcf75e40c451560ac7265166c2b72a0f38ddc9aae756a7de3d1efa0c",
                Optional.of("9d5405f61f8a6ebc02461ba75346fbf1a63a4eab8510a0158dd321cee0c4dafe"
                        + "28c2a3d2cb7c3d75e2a8130dae0c3c92382f5b6adeea309eafc97621c5bf6400")), release);
    }

    @Test
    void picksTheMiniRootFilesystemAmongOtherFlavors() throws Exception {
        String yaml = "---\n" + entry("alpine-standard", "alpine-standard-3.20.3-x86_64.iso", "3.20.3")
                + entry("alpine-netboot", "alpine-netboot-3.20.3-x86_64.tar.gz", "3.20.3")
                + entry("alpine-minirootfs", "alpine-minirootfs-20240923-x86_64.tar.gz", "20240923");
        Release release = ReleaseIndex.minirootfs(yaml, "edge", "x86_64", SOURCE);
        assertEquals("alpine-minirootfs-20240923-x86_64.tar.gz", release.file());
        assertEquals("20240923", release.version(), "an all-digit version stays text");
        assertEquals(Optional.empty(), release.sha512());
    }

    @Test
    void refusesMalformedYaml() {
        assertTrue(error("- flavor: [unclosed\n").startsWith(SOURCE + " is not valid YAML ("));
        assertTrue(error("flavor: alpine-minirootfs\n").contains("is not a YAML list of releases"));
    }

    @Test
    void saysWhenNoEntryIsTheMiniRootFilesystem() {
        assertTrue(error(entry("alpine-standard", "x.iso", "3.20.3"))
                .contains("lists no alpine-minirootfs for v3.20/x86_64"));
    }

    @Test
    void refusesFieldsThatCouldEscapeTheCacheOrAreNotChecksums() {
        assertTrue(error(entry("alpine-minirootfs", "../../etc/passwd", "3.20.3")).contains("invalid file '../../etc/passwd'"));
        assertTrue(error(entry("alpine-minirootfs", ".hidden", "3.20.3")).contains("invalid file"));
        assertTrue(error(entry("alpine-minirootfs", "a.tar.gz", "3.20.3").replace("a".repeat(64), "xyz"))
                .contains("invalid sha256 'xyz'"));
        assertTrue(error(entry("alpine-minirootfs", "a.tar.gz", "3.20.3").replace("size: 1234", "size: -1"))
                .contains("invalid size '-1'"));
        assertTrue(error(entry("alpine-minirootfs", "a.tar.gz", "3.20.3").replace("  size: 1234\n", ""))
                .contains("has no size"));
    }
}
