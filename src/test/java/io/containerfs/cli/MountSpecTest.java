package io.containerfs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.linux.Mount;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
