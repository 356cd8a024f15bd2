package io.containerfs.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What every integration test of a run sets up and checks, as one JUnit 5 extension. Before each
 * test: the layers from {@link Fixtures}, and a temporary directory of the test's own holding a
 * fresh WRITEDIR and a TMPDIR for container-fs, with the {@link LeftBehind} snapshot of the host.
 * After it, whatever the test did: no mount, temporary or work directory left; then the directory
 * is removed. The check runs after the class's own {@code @AfterEach} methods, which may unmount
 * what the test mounted.
 *
 * <pre>
 * &#64;RegisterExtension
 * final ContainerDirs run = ContainerDirs.onAlpine();
 * </pre>
 *
 * When the set-up stops early (no Alpine tarball, no musl-gcc: a skip, or a failure under
 * {@code CI=true}; no root: {@link PrivilegedCondition} stops first), the test does not run and
 * there is nothing to check: the after-each then does nothing, rather than fail on what was never
 * made (issue 22).
 */
public final class ContainerDirs implements BeforeEachCallback, AfterEachCallback {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(ContainerDirs.class);

    private enum Layers { NONE, ALPINE, ALPINE_AND_APP }

    private final Layers layers;

    private Path dir;
    private Path rootfs;
    private Path app;
    private Path writedir;
    private Path tmpdir;
    /** Null until the before-each has finished. */
    private LeftBehind leftBehind;

    private ContainerDirs(Layers layers) {
        this.layers = layers;
    }

    /** Only the directories: the test names its layers itself. */
    public static ContainerDirs withoutLayers() {
        return new ContainerDirs(Layers.NONE);
    }

    /** With the Alpine root filesystem, {@link #rootfs()}. */
    public static ContainerDirs onAlpine() {
        return new ContainerDirs(Layers.ALPINE);
    }

    /** With the Alpine root filesystem and the course's app layer, {@link #app()}. */
    public static ContainerDirs onAlpineWithApp() {
        return new ContainerDirs(Layers.ALPINE_AND_APP);
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        leftBehind = null;
        if (layers != Layers.NONE) {
            rootfs = Fixtures.alpineRootfs();
        }
        if (layers == Layers.ALPINE_AND_APP) {
            app = Fixtures.appLayer();
        }
        Path made = Files.createTempDirectory("container-fs-it-");
        dir = made;
        // Closed by JUnit once the test is over, after every after-each.
        context.getStore(NAMESPACE).put("dir", (AutoCloseable) () -> remove(made));
        writedir = Files.createDirectory(dir.resolve("writedir"));
        tmpdir = Files.createDirectory(dir.resolve("run-tmp"));
        leftBehind = LeftBehind.before(tmpdir, dir);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (leftBehind != null) {
            leftBehind.assertNothing();
        }
    }

    /**
     * Without following a symlink (Alpine's are absolute) and without crossing into another
     * filesystem: should a test leave something mounted in it, what is mounted stays untouched.
     */
    private static void remove(Path dir) {
        Commands.Result r = Commands.run("rm", "-rf", "--one-file-system", dir.toString());
        if (r.exitCode() != 0) {
            throw new IllegalStateException("cannot remove the test's directory: " + r);
        }
    }

    /** The test's own directory, which the others are in: a work directory beside WRITEDIR would be here. */
    public Path dir() {
        return required(dir, "directory");
    }

    public Path rootfs() {
        return required(rootfs, "rootfs");
    }

    public Path app() {
        return required(app, "app");
    }

    /** {@code dir/writedir}, empty. */
    public Path writedir() {
        return required(writedir, "writedir");
    }

    /** {@code dir/run-tmp}: the TMPDIR to give container-fs. */
    public Path tmpdir() {
        return required(tmpdir, "tmpdir");
    }

    /** The layers it was made with, bottom to top, then WRITEDIR: the stack a test runs on unless it builds its own. */
    public List<Path> stack() {
        List<Path> stack = new ArrayList<>();
        if (layers != Layers.NONE) {
            stack.add(rootfs());
        }
        if (layers == Layers.ALPINE_AND_APP) {
            stack.add(app());
        }
        stack.add(writedir());
        return stack;
    }

    private Path required(Path path, String what) {
        if (path == null || leftBehind == null) {
            throw new IllegalStateException("no " + what + ": this ContainerDirs was not made with it, or its"
                    + " set-up has not run");
        }
        return path;
    }
}
