package io.containerfs.course;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Commands;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.Privileged;
import io.containerfs.testing.PrivilegedCondition;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 28, arm64 laptops: scripts/check-arm64.sh runs the jar in Debian 11's arm64 OpenJDK 17
 * (glibc 2.31) under qemu-user, where NativeLoader must take native/aarch64-Linux/libcontainer-fs.so
 * and pull must check the tarball's SHA-256 through it and the arm64 libcrypto 1.1. No container
 * runs there (the script says why); the arm64 Debian root is kept in ~/.cache/container-fs-tests
 * (a minute more on the first run); a run then takes about 20 seconds.
 */
@Privileged
class Arm64JvmIT {

    @Test
    void theArm64LibraryLoadsInAnArm64JvmAndOpensLibcrypto() {
        PrivilegedCondition.requireInCi(Fixtures.onPath("debootstrap"), "debootstrap (Debian package debootstrap)");
        PrivilegedCondition.requireInCi(Fixtures.onPath("qemu-aarch64-static"), "qemu-aarch64-static (Debian package qemu-user-static)");
        PrivilegedCondition.requireInCi(Fixtures.basedir().resolve("target/release/aarch64/container-fs").toFile().isFile(),
                "the arm64 build (Debian packages gcc-aarch64-linux-gnu, libc6-dev-arm64-cross)");
        String tarball = Fixtures.alpineTarball().toString();

        Commands.Result r = CourseScripts.run("check-arm64", Duration.ofMinutes(15),
                List.of(CourseScripts.script("scripts/check-arm64.sh").toString(), tarball));

        assertEquals(0, r.exitCode(), r::toString);
        String out = r.stdout();
        assertTrue(out.contains(" arm64, openjdk version \"17."), r::toString);
        assertTrue(out.contains(", os.arch aarch64\n"), r::toString);
        assertTrue(out.contains("library: libcontainer-fs.so for AArch64, loaded by the arm64 JVM\n"), r::toString);
        assertTrue(out.contains("libcrypto: libcrypto.so.1.1 opened by libcontainer-fs.so\n"), r::toString);
        assertTrue(out.contains("pull: " + Fixtures.ALPINE_VERSION + " extracted\n"), r::toString);
        assertTrue(out.contains("arm64 C front end: exit 125, container-fs: missing '--' between the layers and the command\n"),
                r::toString);
    }
}
