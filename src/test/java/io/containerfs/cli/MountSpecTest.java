package io.containerfs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.linux.Mount;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MountSpecTest {
    @TempDir
    Path tmp;

    @Test
    void volumesAreHostColonContainerWithAnOptionalMode() throws IOException, UsageException {
        Path src = Files.createDirectory(tmp.resolve("src"));
        assertEquals(new Mount(src.toRealPath().toString(), "/src", null, true), MountSpec.volume(src + ":/src/:ro"));
        assertEquals(new Mount(src.toRealPath().toString(), "/a/b", null, false), MountSpec.volume(src + ":/a/./b:rw"));
        assertEquals("/etc", MountSpec.volume(src + ":/../etc").target(), "'..' cannot climb above the container's /");
    }

    @Test
    void badVolumesAreOneLineEach() {
        assertTrue(assertThrows(UsageException.class, () -> MountSpec.volume(tmp + "/nope:/x")).getMessage()
                .contains("does not exist; create it first"));
        assertTrue(assertThrows(UsageException.class, () -> MountSpec.volume(tmp + ":relative")).getMessage()
                .contains("must be absolute"));
        assertTrue(assertThrows(UsageException.class, () -> MountSpec.volume(tmp + ":/")).getMessage()
                .contains("below /"));
        assertTrue(assertThrows(UsageException.class, () -> MountSpec.volume(tmp + ":/x:rx")).getMessage()
                .startsWith("invalid --volume"));
    }

    @Test
    void tmpfsTakesSizeAndMode() throws UsageException {
        assertEquals(new Mount(null, "/tmp", "", false), MountSpec.tmpfs("/tmp"));
        assertEquals(new Mount(null, "/run", "size=64m,mode=755", false), MountSpec.tmpfs("/run:size=64m,mode=755"));
        assertTrue(assertThrows(UsageException.class, () -> MountSpec.tmpfs("/tmp:exec")).getMessage()
                .startsWith("invalid --tmpfs option 'exec'"));
    }

    /** The value goes to the kernel as written: only the spellings tmpfs reads, and no more than a long. */
    @Test
    void aTmpfsSizeIsOneTheKernelReadsAsWritten() throws UsageException {
        assertEquals("size=0", MountSpec.tmpfs("/run:size=0").tmpfsOptions(), "tmpfs's no limit");
        assertEquals("SIZE=1G", MountSpec.tmpfs("/run:SIZE=1G").tmpfsOptions());
        for (String size : List.of("64MiB", "64mb", "64 m", "-1", "8589934592g")) {
            assertEquals("invalid --tmpfs option 'size=" + size + "' in '/run:size=" + size
                    + "': give size=N (e.g. size=64m) or mode=OCTAL",
                    assertThrows(UsageException.class, () -> MountSpec.tmpfs("/run:size=" + size)).getMessage());
        }
    }
}
