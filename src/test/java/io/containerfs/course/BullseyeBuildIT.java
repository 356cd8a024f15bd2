package io.containerfs.course;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Commands;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.HostMounts;
import io.containerfs.testing.Privileged;
import io.containerfs.testing.PrivilegedCondition;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 28, the course's Ubuntu 20.04 has glibc 2.31: scripts/check-bullseye.sh builds the native
 * parts in a minimal Debian 11 (glibc 2.31, gcc 10, OpenJDK 17), and runs there what this machine
 * built: the jar's pull (its checksums by libcrypto 1.1), then fib with the jar, with the C front
 * end, and with the front end and the JNI library built on Debian 11; and a zstd layer's pull,
 * decoded by Debian 11's libzstd 1.4.8. The Debian root is made once
 * with debootstrap and kept in ~/.cache/container-fs-tests (a minute more on the first run); a run
 * then takes about 20 seconds. GlibcBaselineTest checks the symbol versions without running them.
 */
@Privileged
class BullseyeBuildIT {
    private static final String FIB = Fixtures.FIB_OUTPUT.replace('\n', ' ');

    @Test
    void whatThisMachineBuiltAndWhatDebian11BuildsRunFibOnGlibc231() {
        PrivilegedCondition.requireInCi(Fixtures.onPath("debootstrap"), "debootstrap (Debian package debootstrap)");
        PrivilegedCondition.requireInCi(Fixtures.onPath("unshare"), "unshare (Debian package util-linux)");
        String tarball = Fixtures.alpineTarball().toString();
        String app = Fixtures.appLayer().toString();
        List<String> mountsBefore = HostMounts.snapshot();

        Commands.Result r = CourseScripts.run("check-bullseye", Duration.ofMinutes(15),
                List.of(CourseScripts.script("scripts/check-bullseye.sh").toString(), tarball, app));

        assertEquals(0, r.exitCode(), r::toString);
        String out = r.stdout();
        assertTrue(out.contains(", ldd (Debian GLIBC 2.31-"), "it ran on glibc 2.31: " + r);
        assertTrue(out.contains("pull: file=libcrypto.so.1.1 [0];  dynamically loaded, by libcontainer-fs.so\n"), r::toString);
        assertTrue(out.contains("pull: " + Fixtures.ALPINE_VERSION + " extracted\n"), r::toString);
        assertTrue(out.contains("zstd pull: file=libzstd.so.1 [0];  dynamically loaded, by libcontainer-fs.so\n"),
                r::toString);
        assertTrue(out.contains("zstd pull: " + Fixtures.ALPINE_VERSION + " unpacked\n"), r::toString);
        for (String who : List.of("the jar built here", "the C front end built here",
                "the C front end built on Debian 11", "the JNI library built on Debian 11")) {
            assertTrue(out.contains(who + ": " + FIB + "\n"), who + " ran fib: " + r);
        }
        assertEquals(mountsBefore, HostMounts.snapshot(), "the check left something mounted");
    }
}
