package io.containerfs.course;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Commands;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.HostMounts;
import io.containerfs.testing.Privileged;
import io.containerfs.testing.PrivilegedCondition;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 22, "two commands on a fresh machine": scripts/check-quickstart.sh runs
 * {@code scripts/quickstart.sh fib} in a minimal Debian 12 that has only a JDK 17 and Maven, with
 * the project's own files and the tests' Alpine mirror copied in. The Debian root is made once
 * with debootstrap and kept in ~/.cache/container-fs-tests (a minute more on the first run); a
 * run then takes about two minutes, most of it the quick start's apt-get and mvn package.
 */
@Privileged
class FreshDebianQuickstartIT {

    @Test
    void theQuickStartRunsFibOnAFreshDebianWithOnlyAJdkAndMaven() {
        PrivilegedCondition.requireInCi(Fixtures.onPath("debootstrap"), "debootstrap (Debian package debootstrap)");
        PrivilegedCondition.requireInCi(Fixtures.onPath("unshare"), "unshare (Debian package util-linux)");
        Path mirror = Fixtures.mirror();
        List<String> mountsBefore = HostMounts.snapshot();

        Commands.Result r = CourseScripts.run("check-quickstart", Duration.ofMinutes(30),
                List.of(CourseScripts.script("scripts/check-quickstart.sh").toString(), mirror.toString()));

        assertEquals(0, r.exitCode(), r::toString);
        String out = r.stdout();
        assertTrue(out.contains("fib output:\n" + Fixtures.FIB_OUTPUT + "container-fs on PATH: "),
                "quickstart.sh fib printed fib's output and nothing else: " + r);
        assertTrue(out.contains("container-fs on PATH: /usr/local/bin/container-fs"
                + " -> /root/work/container-fs/bin/container-fs\n"), r::toString);
        assertTrue(out.contains("container-fs by name: " + Fixtures.ALPINE_VERSION + "\n"), r::toString);
        assertEquals(mountsBefore, HostMounts.snapshot(), "the check left something mounted");
    }
}
