package io.containerfs.startup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Commands;
import io.containerfs.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pull --file TARBALL DIR} loads none of what made it slow to start (issue 13,
 * docs/BENCHMARKS.md): Commons CLI's parser (its usual command lines are read by hand),
 * ProcessHandle (owner tags come from /proc), an EnumSet, and no lambda of container-fs's own.
 * Read from {@code -Xlog:class+load}. The security providers stay: the archive's SHA-256 is the
 * JDK's, whose look-up starts them (15 to 25 ms), since a hash of our own is not worth that.
 */
class PullPathClassesIT {
    @TempDir
    Path tmp;

    @Test
    void pullFileLoadsNoParserProcessHandleOrLambdaOfItsOwn() throws IOException {
        Path rootfs = tmp.resolve("rootfs");
        List<String> classes = RunPathClassesIT.classesLoadedBy(tmp, "pull", "--quiet", "--file",
                Fixtures.alpineTarball().toString(), rootfs.toString());
        try {
            assertTrue(classes.contains("io.containerfs.pull.SafeTreeWriter"), "the pull got as far as extracting");
            assertTrue(Files.isDirectory(rootfs.resolve("etc")), "and extracted the tree");
            assertEquals(List.of(), RunPathClassesIT.matching(classes, List.of("org.apache.commons.cli.DefaultParser",
                    "org.apache.commons.cli.CommandLine", "org.apache.commons.cli.Options",
                    "java.lang.ProcessHandleImpl", "java.util.EnumSet")));
            assertEquals(List.of(), classes.stream()
                    .filter(c -> c.startsWith("io.containerfs.") && c.contains("$$Lambda")).toList(),
                    "lambdas of container-fs's own");
        } finally {
            // Alpine's absolute symlinks would make @TempDir's clean-up warn about each one.
            Commands.run("rm", "-rf", rootfs.toString());
        }
    }
}
