package io.containerfs.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Commands;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.HostMounts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the OCI runtime's tests share: a bundle of Alpine's root filesystem with our own spec's
 * config.json, a state directory of its own ({@code --root}), the launcher called as an engine
 * calls it, and after each test every container it named deleted and the host's mount table
 * as it was.
 */
abstract class OciBundleTest {
    static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path tmp;

    Path bundle;
    Path root;
    private List<String> mounts;
    private final List<String> ids = new ArrayList<>();
    private final String idPrefix;

    /** @param idPrefix what this class's container ids start with, e.g. {@code it-hook-} */
    OciBundleTest(String idPrefix) {
        this.idPrefix = idPrefix;
    }

    @BeforeEach
    void makeBundle() throws IOException {
        bundle = Files.createDirectory(tmp.resolve("bundle"));
        root = tmp.resolve("state");
        Path rootfs = Files.createDirectory(bundle.resolve("rootfs"));
        Commands.Result tar = Commands.run("tar", "--same-owner", "-xzpf", Fixtures.alpineTarball().toString(), "-C",
                rootfs.toString());
        assertEquals(0, tar.exitCode(), tar::toString);
        Commands.Result spec = oci("spec", "--bundle", bundle.toString());
        assertEquals(0, spec.exitCode(), spec::toString);
        mounts = HostMounts.snapshot();
    }

    /** After the subclass's own @AfterEach. */
    @AfterEach
    void nothingLeftBehind() {
        for (String id : ids) {
            oci("delete", "--force", id); // a failed test's container, never another's
        }
        assertEquals(mounts, HostMounts.snapshot(), "the host's mount table changed");
    }

    /** A container id of this test's, deleted after it. */
    String id(String name) {
        String id = idPrefix + name + "-" + ProcessHandle.current().pid();
        ids.add(id);
        return id;
    }

    /** The launcher with {@code --root ROOT}, its input empty. */
    Commands.Result oci(String... args) {
        List<String> command = new ArrayList<>(List.of(Fixtures.launcher().toString(), "--root", root.toString()));
        command.addAll(List.of(args));
        return Commands.run(tmp, "", command);
    }

    /**
     * create's process, its output in files: the container keeps the caller's stdout and stderr
     * (an engine passes its own pipes), so a pipe read to its end would wait for the container.
     */
    Process detached(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Fixtures.launcher().toString(), "--root", root.toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(tmp.resolve("create.out").toFile()).redirectError(tmp.resolve("create.err").toFile())
                .start();
    }

    String state(String id) {
        Commands.Result r = oci("state", id);
        assertEquals(0, r.exitCode(), r::toString);
        return r.stdout();
    }

    /** A field of the state JSON: a string's contents or a number. */
    static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\": (?:\"([^\"]*)\"|(-?\\d+))").matcher(json);
        assertTrue(m.find(), () -> name + " in " + json);
        return m.group(1) != null ? m.group(1) : m.group(2);
    }

    static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        waitFor(condition, () -> what);
    }

    static void waitFor(BooleanSupplier condition, Supplier<String> what) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < end, what);
            Thread.sleep(50);
        }
    }
}
