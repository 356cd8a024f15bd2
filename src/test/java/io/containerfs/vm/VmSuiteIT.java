package io.containerfs.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Commands;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.Privileged;
import io.containerfs.testing.PrivilegedCondition;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 28, "tested on real kernels": scripts/vm-test.sh boots Debian 11 (Linux 5.10, glibc 2.31,
 * cgroup v2 only) under QEMU and runs scripts/vm-suite.sh in it with this build's jar and plain C
 * front end, once on amd64 and once on arm64 (the jar's aarch64 library, the aarch64 C front end,
 * under qemu-system-aarch64). Each image is made once with debootstrap and kept in
 * ~/.cache/container-fs-tests (one to five minutes on the first run); a run then takes one to
 * two minutes under TCG. The VM's whole console is kept in target/course-logs/vm-console-ARCH.log.
 */
@Privileged
class VmSuiteIT {
    /** Every test of scripts/vm-suite.sh, in its order: none may go missing. */
    private static final List<String> TESTS = List.of("jar-fib", "c-front-end-fib", "memory-limit-oom",
            "memory-under-limit", "limits-written", "pids-limit", "device-rules", "read-only-volume-submount",
            "overlay-option-string", "overlay-past-one-page", "nothing-left");

    /**
     * amd64's image has fuse-overlayfs and uidmap, and Alpine's tarball: an ordinary user pulls it
     * and runs a container on fuse-overlayfs, as on any kernel before 5.11, then with --memory and
     * --pids-limit in a cgroup root delegated to it, and after kill -9 of its front end (issue 26).
     */
    private static final List<String> AMD64_TESTS = java.util.stream.Stream.concat(TESTS.stream(),
            java.util.stream.Stream.of("rootless-fuse-overlayfs", "rootless-delegated-memory",
                    "rootless-delegated-kill", "rootless-delegated-pids")).toList();

    @Test
    void theCourseRunAndTheLimitsWorkOnDebian11sLinux510WithCgroupV2() {
        PrivilegedCondition.requireInCi(Fixtures.onPath("qemu-system-x86_64"),
                "qemu-system-x86_64 (Debian package qemu-system-x86)");
        runSuite("amd64", AMD64_TESTS, List.of("--c-front-end", Fixtures.cProgram().toString(),
                "--alpine", Fixtures.alpineTarball().toString(),
                "--app", Fixtures.appLayer().toString()));
    }

    /** The rootfs is the VM's static busybox: the tests' Alpine mirror holds x86_64 only. */
    @Test
    void theSameOnArm64UnderQemuSystemAarch64() {
        PrivilegedCondition.requireInCi(Fixtures.onPath("qemu-system-aarch64"),
                "qemu-system-aarch64 (Debian package qemu-system-arm)");
        PrivilegedCondition.requireInCi(Fixtures.onPath("aarch64-linux-gnu-gcc"),
                "aarch64-linux-gnu-gcc (Debian package gcc-aarch64-linux-gnu)");
        PrivilegedCondition.requireInCi(Fixtures.onPath("cpio"), "cpio (Debian package cpio)");
        PrivilegedCondition.requireInCi(Fixtures.onPath("depmod"), "depmod (Debian package kmod)");
        runSuite("arm64", TESTS, List.of("--c-front-end",
                Fixtures.basedir().resolve("target/release/aarch64/container-fs").toString()));
    }

    private static void runSuite(String arch, List<String> tests, List<String> options) {
        PrivilegedCondition.requireInCi(Fixtures.onPath("debootstrap"), "debootstrap (Debian package debootstrap)");
        PrivilegedCondition.requireInCi(Fixtures.onPath("mkfs.ext4"), "mkfs.ext4 (Debian package e2fsprogs)");
        Path logs = Fixtures.basedir().resolve("target/course-logs");
        List<String> command = new ArrayList<>(List.of(Fixtures.basedir().resolve("scripts/vm-test.sh").toString(),
                "--arch", arch, "--jar", Fixtures.jar().toString(),
                "--console", logs.resolve("vm-console-" + arch + ".log").toString()));
        command.addAll(options);

        Commands.Result r = Commands.run(Fixtures.basedir(), null, command, Map.of(), Duration.ofMinutes(20),
                logs.resolve("vm-test-" + arch));

        assertEquals(0, r.exitCode(), r::toString);
        String out = r.stdout();
        String machine = arch.equals("amd64") ? "x86_64" : "aarch64";
        assertTrue(out.contains("VMTEST info kernel 5.10.0-"), r::toString);
        assertTrue(out.contains("-" + arch + " " + machine + ", glibc 2.31, cgroup2fs, "), r::toString);
        for (String test : tests) {
            assertTrue(out.contains("VMTEST ok " + test + "\n"), () -> test + " did not pass on " + arch + ": " + r);
        }
        assertTrue(out.contains("VMTEST done 0 failed\n"), r::toString);
    }
}
