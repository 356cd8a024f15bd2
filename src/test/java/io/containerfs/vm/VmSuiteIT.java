package io.containerfs.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Commands;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.Privileged;
import io.containerfs.testing.PrivilegedCondition;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 28, "tested on real kernels": scripts/vm-test.sh boots Debian 11 (Linux 5.10, glibc 2.31,
 * cgroup v2 only) under QEMU and runs scripts/vm-suite.sh in it with this build's jar and plain C
 * front end. The image is made once with debootstrap and kept in ~/.cache/container-fs-tests
 * (two to five minutes on the first run); a run then takes one to two minutes under TCG. The VM's
 * whole console is kept in target/course-logs/vm-console.log.
 */
@Privileged
class VmSuiteIT {
    /** Every test of scripts/vm-suite.sh, in its order: none may go missing. */
    private static final List<String> TESTS = List.of("jar-fib", "c-front-end-fib", "memory-limit-oom",
            "memory-under-limit", "limits-written", "pids-limit", "read-only-volume-submount",
            "overlay-option-string", "overlay-past-one-page", "nothing-left");

    @Test
    void theCourseRunAndTheLimitsWorkOnDebian11sLinux510WithCgroupV2() {
        PrivilegedCondition.requireInCi(Fixtures.onPath("qemu-system-x86_64"),
                "qemu-system-x86_64 (Debian package qemu-system-x86)");
        PrivilegedCondition.requireInCi(Fixtures.onPath("debootstrap"), "debootstrap (Debian package debootstrap)");
        PrivilegedCondition.requireInCi(Fixtures.onPath("mkfs.ext4"), "mkfs.ext4 (Debian package e2fsprogs)");
        Path logs = Fixtures.basedir().resolve("target/course-logs");
        List<String> command = List.of(Fixtures.basedir().resolve("scripts/vm-test.sh").toString(),
                "--jar", Fixtures.jar().toString(),
                "--c-front-end", Fixtures.cProgram().toString(),
                "--alpine", Fixtures.alpineTarball().toString(),
                "--app", Fixtures.appLayer().toString(),
                "--console", logs.resolve("vm-console.log").toString());

        Commands.Result r = Commands.run(Fixtures.basedir(), null, command, Map.of(), Duration.ofMinutes(20),
                logs.resolve("vm-test"));

        assertEquals(0, r.exitCode(), r::toString);
        String out = r.stdout();
        assertTrue(out.contains("VMTEST info kernel 5.10."), r::toString);
        assertTrue(out.contains(", glibc 2.31, cgroup2fs, "), r::toString);
        for (String test : TESTS) {
            assertTrue(out.contains("VMTEST ok " + test + "\n"), () -> test + " did not pass: " + r);
        }
        assertTrue(out.contains("VMTEST done 0 failed\n"), r::toString);
    }
}
