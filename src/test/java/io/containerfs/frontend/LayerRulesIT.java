package io.containerfs.frontend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.containerfs.testing.Commands;
import io.containerfs.testing.ContainerFs.FrontEnd;
import io.containerfs.testing.LeftBehind;
import io.containerfs.testing.Privileged;
import io.containerfs.testing.TreeSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The layer rules live in the core (src/main/c/core/layers.c), so the jar and the plain C front
 * end refuse the same stacks with the same line, byte for byte, and status 125, and leave nothing:
 * no mount, nothing in TMPDIR, no work directory, no change to a layer. The layers here are small
 * directories of the test's own: every rule is decided before anything is mounted.
 */
@Privileged
class LayerRulesIT {
    @TempDir
    Path tmp;

    private Path lower;
    private Path app;
    private Path writedir;

    @BeforeEach
    void layers() throws IOException {
        lower = Files.createDirectory(tmp.resolve("rootfs"));
        Files.writeString(lower.resolve("file"), "lower\n");
        app = Files.createDirectory(tmp.resolve("app"));
        writedir = Files.createDirectory(tmp.resolve("w"));
    }

    @Test
    void aMissingLayer() throws IOException {
        Path missing = tmp.resolve("no-such-layer");
        assertBothSay("layer '" + missing + "' does not exist", lower.toString(), missing.toString(),
                writedir.toString());
    }

    @Test
    void aWritedirInsideALowerLayerIsRefusedAndTheLayerStaysAsItWas() throws IOException {
        Path inside = Files.createDirectory(lower.resolve("upper"));
        Map<String, String> before = TreeSnapshot.of(lower);

        assertBothSay("WRITEDIR '" + inside + "' is inside the lower layer '" + lower
                + "'; put WRITEDIR outside every lower layer", lower.toString(), app.toString(), inside.toString());
        assertEquals(before, TreeSnapshot.of(lower), "the lower layer changed");
    }

    @Test
    void aLowerLayerInsideWritedir() throws IOException {
        Path inside = Files.createDirectory(writedir.resolve("lower"));
        assertBothSay("lower layer '" + inside + "' is inside WRITEDIR '" + writedir
                + "'; put WRITEDIR outside every lower layer", lower.toString(), inside.toString(),
                writedir.toString());
    }

    /** The same directory by another name (a symlink, a trailing slash) is the same layer. */
    @Test
    void aDuplicateLayer() throws IOException {
        Path link = Files.createSymbolicLink(tmp.resolve("again"), lower);
        assertBothSay("layers '" + lower + "' and '" + link + "' are the same directory (" + lower.toRealPath()
                + "); list each layer once", lower.toString(), app.toString(), link.toString(), writedir.toString());
        assertBothSay("layers '" + app + "' and '" + app + "/' are the same directory (" + app.toRealPath()
                + "); list each layer once", lower.toString(), app.toString(), app + "/", writedir.toString());
    }

    @Test
    void aLayerThatIsAFile() throws IOException {
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        assertBothSay("layer '" + file + "' is not a directory", lower.toString(), file.toString(),
                writedir.toString());
    }

    /** A read-only filesystem: even root cannot write there, and overlayfs would fail late. */
    @Test
    void aWritedirThatIsNotWritable() throws IOException {
        Path readOnly = Files.createDirectory(tmp.resolve("ro"));
        Commands.Result mount = Commands.run("mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", readOnly.toString());
        assertEquals(0, mount.exitCode(), mount::toString);
        try {
            assertBothSay("WRITEDIR '" + readOnly + "' is not writable (its filesystem is mounted read-only); the last"
                    + " layer must be a writable directory", lower.toString(), readOnly.toString());
        } finally {
            Commands.run("umount", readOnly.toString());
        }
    }

    /** overlayfs empties its work directory's work/ at every mount: a user's file there would be lost. */
    @Test
    void aWorkDirectoryThatIsNotEmptyKeepsItsFiles() throws IOException {
        Path work = Files.createDirectory(tmp.resolve("work"));
        Files.writeString(work.resolve("keep-me"), "mine\n");

        assertBothSay("make work directory on `" + work.toRealPath() + "`: Directory not empty (overlayfs empties its"
                + " work directory when it mounts: give an empty directory, or no --overlay-workdir for a new one"
                + " beside WRITEDIR)", "--overlay-workdir", work.toString(), lower.toString(), writedir.toString());
        assertEquals("mine\n", Files.readString(work.resolve("keep-me")));
    }

    @Test
    void aWorkDirectoryInsideWritedir() throws IOException {
        Path work = Files.createDirectory(writedir.resolve("work"));
        assertBothSay("work directory '" + work + "' overlaps the layer " + writedir.toRealPath()
                + "; choose a directory beside WRITEDIR, not inside or around a layer", "--overlay-workdir",
                work.toString(), lower.toString(), writedir.toString());
    }

    /** Runs ARGS -- true through both front ends: the same line on stderr, 125, and nothing left. */
    private void assertBothSay(String line, String... args) throws IOException {
        List<String> argv = new ArrayList<>(List.of(args));
        argv.addAll(List.of("--", "true"));
        for (FrontEnd frontEnd : FrontEnd.values()) {
            Path runTmp = Files.createTempDirectory(tmp, "run-tmp-");
            LeftBehind leftBehind = LeftBehind.before(runTmp, writedir.getParent());
            Commands.Result r = frontEnd.runIn(runTmp, null, argv.toArray(String[]::new));
            assertEquals("container-fs: " + line + "\n", r.stderr(), frontEnd + ": " + r);
            assertEquals(125, r.exitCode(), frontEnd + ": " + r);
            assertEquals("", r.stdout(), frontEnd + ": " + r);
            leftBehind.assertNothing();
            Files.delete(runTmp);
        }
    }
}
