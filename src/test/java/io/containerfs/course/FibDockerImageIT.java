package io.containerfs.course;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Commands;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.HostMounts;
import io.containerfs.testing.Privileged;
import io.containerfs.testing.PrivilegedCondition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Part 1: examples/fib/Dockerfile built and run by a real Docker engine (a private dockerd the
 * script starts and stops), as {@code docker build -t fib .} and {@code docker run --rm fib}.
 */
@Privileged
class FibDockerImageIT {

    @Test
    void dockerfileIsTheCoursesAlpineImageWithAnExecFormCmd() throws IOException {
        List<String> instructions = Files.readAllLines(Fixtures.basedir().resolve("examples/fib/Dockerfile"))
                .stream().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        assertEquals(List.of("FROM alpine:latest", "COPY fib /usr/bin/", "CMD [\"/usr/bin/fib\"]"), instructions);
    }

    @Test
    void dockerRunOfTheBuiltImagePrintsTheFibonacciNumbers() throws IOException {
        PrivilegedCondition.requireInCi(Fixtures.onPath("dockerd") && Fixtures.onPath("docker"),
                "dockerd and docker (Debian package docker.io)");
        PrivilegedCondition.requireInCi(Fixtures.onPath("musl-gcc"), "musl-gcc (Debian package musl-tools)");
        Path tarball = Fixtures.alpineTarball();
        List<String> mountsBefore = HostMounts.snapshot();
        Set<Path> tempDirsBefore = dockerTempDirs();

        Commands.Result r = CourseScripts.run("docker-fib-check", Duration.ofMinutes(10),
                List.of(CourseScripts.script("scripts/docker-fib-check.sh").toString(),
                        tarball.toString()));

        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(Fixtures.FIB_OUTPUT, r.stdout(), "what `docker run --rm fib` printed");
        assertTrue(r.stderr().contains("docker run --rm fib"), r::toString);
        assertEquals(mountsBefore, HostMounts.snapshot(), "the check left something mounted");
        assertEquals(tempDirsBefore, dockerTempDirs(), "the check left its dockerd directory behind");
        assertTrue(ProcessHandle.allProcesses().noneMatch(p -> p.info().commandLine().orElse("")
                .contains("/tmp/docker-fib.")), "a dockerd or containerd of the check is still running");
    }

    private static Set<Path> dockerTempDirs() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/tmp"))) {
            return s.filter(p -> p.getFileName().toString().startsWith("docker-fib.")).collect(Collectors.toSet());
        }
    }
}
