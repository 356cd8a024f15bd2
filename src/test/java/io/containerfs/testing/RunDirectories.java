package io.containerfs.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The directories one test runs container-fs with, inside the test's own temporary directory: a
 * fresh WRITEDIR, and a TMPDIR the root is mounted over; with the {@link LeftBehind} check of
 * both, taken before the run. Make it in {@code @BeforeEach}, check it in {@code @AfterEach}.
 */
public final class RunDirectories {
    private final Path writedir;
    private final Path tmpdir;
    private final LeftBehind leftBehind;

    private RunDirectories(Path writedir, Path tmpdir, LeftBehind leftBehind) {
        this.writedir = writedir;
        this.tmpdir = tmpdir;
        this.leftBehind = leftBehind;
    }

    /** {@code dir/writedir} and {@code dir/run-tmp}, and what the host looks like now. */
    public static RunDirectories in(Path dir) throws IOException {
        Path writedir = Files.createDirectory(dir.resolve("writedir"));
        Path tmpdir = Files.createDirectory(dir.resolve("run-tmp"));
        return new RunDirectories(writedir, tmpdir, LeftBehind.before(tmpdir, dir));
    }

    public Path writedir() {
        return writedir;
    }

    /** The TMPDIR to give container-fs. */
    public Path tmpdir() {
        return tmpdir;
    }

    /** No mount, no temporary or work directory left, whatever the run did. */
    public void assertNothingLeft() {
        leftBehind.assertNothing();
    }
}
