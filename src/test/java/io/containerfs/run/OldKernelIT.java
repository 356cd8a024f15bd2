package io.containerfs.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Commands;
import io.containerfs.testing.ContainerDirs;
import io.containerfs.testing.ContainerFs.FrontEnd;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.LiveProcess;
import io.containerfs.testing.Privileged;
import io.containerfs.testing.PrivilegedCondition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The course VM runs Linux 5.4. Each front end runs here under {@code target/c-tests/enosys}
 * ({@code src/test/c/enosys.c}), a seccomp filter that answers ENOSYS for every system call newer
 * than 5.4 and for the new mount API, as that kernel would: the fallbacks must do the work.
 */
@Privileged
@ParameterizedClass
@EnumSource(FrontEnd.class)
class OldKernelIT {
    static final String TOO_LONG_FOR_ONE_PAGE = "container-fs: build overlay options: the layer paths make an option"
            + " string longer than mount(2)'s limit of 4095 bytes; past it they are given one by one, which needs"
            + " Linux 6.8 (fsopen(2), overlayfs's lowerdir+) and paths under 256 bytes each; use shorter paths or"
            + " fewer layers\n";

    @Parameter
    FrontEnd frontEnd;

    @RegisterExtension
    final ContainerDirs run = ContainerDirs.onAlpine();

    static Path enosys() {
        Path helper = Fixtures.basedir().resolve("target/c-tests/enosys");
        assertTrue(Files.isExecutable(helper), helper + " is built by make -C src/main/c test");
        return helper;
    }

    private List<String> asOn54(List<Path> lowers, String... command) {
        List<String> words = new ArrayList<>(List.of(enosys().toString()));
        words.addAll(frontEnd.command());
        words.add(run.rootfs().toString());
        lowers.forEach(p -> words.add(p.toString()));
        words.addAll(List.of(run.writedir().toString(), "--"));
        words.addAll(List.of(command));
        return words;
    }

    private Commands.Result run(List<Path> lowers, String... command) {
        return Commands.run(null, null, asOn54(lowers, command), Map.of("TMPDIR", run.tmpdir().toString()));
    }

    @Test
    void theHelperAnswersEnosysForANewerCall() {
        // The child's close_range(2) (Linux 5.9), as strace sees it; the fallback then walks /proc/self/fd.
        PrivilegedCondition.requireInCi(Fixtures.onPath("strace"), "strace (Debian package strace)");
        List<String> words = new ArrayList<>(List.of(enosys().toString(), "strace", "-f", "-qq", "-e",
                "trace=close_range", "-e", "signal=none"));
        words.addAll(asOn54(List.of(), "true").subList(1, asOn54(List.of(), "true").size()));
        Commands.Result r = Commands.run(null, null, words, Map.of("TMPDIR", run.tmpdir().toString()));
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.stderr().contains("close_range(3, 4294967295, CLOSE_RANGE_CLOEXEC) = -1 ENOSYS"), r.stderr());
    }

    @Test
    void underTheAsLinux54ProfileTheTestsThemselvesRunUnderTheFilter() throws IOException {
        if (ManyLayersIT.asLinux54()) {
            assertTrue(Files.readString(Path.of("/proc/self/status")).contains("\nSeccomp:\t2\n"),
                    "CONTAINERFS_AS_LINUX=5.4 but this JVM has no seccomp filter");
        }
    }

    @Test
    void theCommandRunsWithOnlyDescriptors0To2() {
        Commands.Result r = run(List.of(), "sh", "-c", "cat /etc/alpine-release; ls /proc/1/fd; true");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(Fixtures.ALPINE_VERSION + "\n0\n1\n2\n", r.stdout());
    }

    @Test
    void layersPastOnePageAreRefusedTheSameWayEveryTime() throws IOException {
        List<Path> layers = ManyLayersIT.layersOf150Characters(run.dir(), 40);
        Commands.Result first = run(layers, "true");
        Commands.Result second = run(layers, "true");

        assertEquals(125, first.exitCode(), first::toString);
        assertEquals(TOO_LONG_FOR_ONE_PAGE, first.stderr());
        assertEquals(first.toString(), second.toString());
    }

    @Test
    void overlappingLayersAreStillNamedWithoutTheKernelsLog() throws IOException {
        Path layer = Files.createDirectories(run.dir().resolve("layer/sub"));
        Path bound = Files.createDirectory(run.dir().resolve("bound"));
        assertEquals(0, Commands.run("mount", "--bind", layer.getParent().toString(), bound.toString()).exitCode());
        try {
            Commands.Result r = run(List.of(layer, bound), "true");
            assertEquals(125, r.exitCode(), r::toString);
            assertTrue(r.stderr().contains("(overlayfs found overlapping layers"), r.stderr());
        } finally {
            Commands.run("umount", bound.toString());
        }
    }

    @Test
    void aSecondContainerOnTheSameWritedirIsRefusedAndKillingTheFirstFreesIt() throws Exception {
        try (LiveProcess first = new LiveProcess(asOn54(List.of(), "sh", "-c", "echo started; sleep 300"),
                Map.of("TMPDIR", run.tmpdir().toString()))) {
            first.awaitOutput("started", Duration.ofSeconds(30));
            Commands.Result second = run(List.of(), "true");
            assertEquals(125, second.exitCode(), second::toString);
            assertTrue(second.stderr().contains("is in use by the container of process "), second.stderr());
            first.signal("KILL");
            first.waitFor(Duration.ofSeconds(30));
        }
        Commands.Result next = run(List.of(), "true");
        assertEquals(0, next.exitCode(), "no stale lock, and what the killed run left is swept: " + next);
    }
}
