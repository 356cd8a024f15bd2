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
        assertEquals("SIZE=1G", MountSpec.tmpfs("/run:SIZE=1G").tmpfsOptions());
        for (String size : List.of("64MiB", "64mb", "64 m", "-1", "8589934592g")) {
            assertEquals("invalid --tmpfs option 'size=" + size + "' in '/run:size=" + size
                    + "': give size=N (e.g. size=64m) or mode=OCTAL",
                    assertThrows(UsageException.class, () -> MountSpec.tmpfs("/run:size=" + size)).getMessage());
        }
    }

    /** tmpfs(5): size=0 is no limit at all, the opposite of what it says (issue 23, item 14). */
    @Test
    void aTmpfsOfSizeZeroIsRefused() {
        for (String size : List.of("0", "0k", "00m", "0G")) {
            assertEquals("invalid --tmpfs option 'size=" + size + "' in '/x:size=" + size + "': tmpfs reads size=0"
                    + " as no limit at all; give a size above 0 (e.g. size=64m)",
                    assertThrows(UsageException.class, () -> MountSpec.tmpfs("/x:size=" + size)).getMessage());
        }
    }

    /** As runc: /proc is mounted and guarded by container-fs, so nothing is mounted on or in it (item 16). */
    @Test
    void targetsInProcAreRefused() {
        for (String target : List.of("/proc", "/proc/", "/proc/sys", "//proc/./1/../kcore", "/x/../proc")) {
            String normal = java.nio.file.Path.of(target).normalize().toString();
            assertEquals("--tmpfs '" + target + "': '" + normal + "' is in /proc, the kernel's files that"
                    + " container-fs mounts and guards itself; choose a path outside /proc",
                    assertThrows(UsageException.class, () -> MountSpec.tmpfs(target)).getMessage());
            assertTrue(assertThrows(UsageException.class, () -> MountSpec.volume(tmp + ":" + target)).getMessage()
                    .endsWith("is in /proc, the kernel's files that container-fs mounts and guards itself; choose a"
                            + " path outside /proc"));
        }
    }

    @Test
    void aTargetBesideProcIsNotInIt() throws UsageException {
        assertEquals("/procs", MountSpec.tmpfs("/procs").target());
        assertEquals("/data/proc", MountSpec.tmpfs("/data/proc").target());
    }
}
