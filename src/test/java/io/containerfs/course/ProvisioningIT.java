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
 * The VM's provisioning, run for real: scripts/check-provision.sh runs scripts/provision.sh twice
 * in a container-fs container on a debootstrapped Debian 12 (about 4 minutes and 330 MB of
 * packages on a fresh run; the Debian root is kept in target/course/provision for the next run).
 */
@Privileged
class ProvisioningIT {

    @Test
    void provisionInstallsWhatTheCourseNeedsAndASecondRunChangesNothing() {
        PrivilegedCondition.requireInCi(Fixtures.onPath("debootstrap"), "debootstrap (Debian package debootstrap)");
        List<String> mountsBefore = HostMounts.snapshot();

        Commands.Result r = CourseScripts.run("check-provision", Duration.ofMinutes(30),
                List.of(CourseScripts.script("scripts/check-provision.sh").toString(),
                        Fixtures.basedir().resolve("target/course/provision").toString()));

        assertEquals(0, r.exitCode(), r::toString);
        String out = r.stdout();
        assertTrue(out.contains("provision: all packages already installed"), "second run idempotent: " + r);
        assertTrue(out.contains("provision: vagrant is already in the docker group"), r::toString);
        assertTrue(out.contains("java: openjdk version \"17."), r::toString);
        assertTrue(out.contains("javac: javac 17."), r::toString);
        assertTrue(out.contains("maven: Apache Maven 3."), r::toString);
        assertTrue(out.contains("g++: g++ "), "Maven NAR links the JNI library with g++: " + r);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("groups of vagrant: ") && List.of(l.substring(19).split(" "))
                .contains("docker")), r::toString);
        assertTrue(out.contains("fib output:\n" + Fixtures.FIB_OUTPUT), r::toString);
        assertTrue(out.contains("check-provision: ok"), r::toString);
        assertEquals(mountsBefore, HostMounts.snapshot(), "the check left something mounted");
    }
}
