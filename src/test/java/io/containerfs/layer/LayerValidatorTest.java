package io.containerfs.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.linux.NativeLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerValidatorTest {
    @TempDir
    Path tmp;

    private Path rootfs;
    private Path app;
    private Path writedir;
    private final LayerValidator validator = new LayerValidator();

    /** The layers' real paths come from the core, in one call (Native.realDirectories). */
    @BeforeAll
    static void nativeLibrary() {
        NativeLoader.load();
    }

    @BeforeEach
    void layers() throws IOException {
        rootfs = Files.createDirectory(tmp.resolve("rootfs"));
        app = Files.createDirectory(tmp.resolve("app"));
        writedir = Files.createDirectory(tmp.resolve("writedir"));
    }

    /** The layers as the user types them. */
    private static List<String> words(List<Path> layers) {
        List<String> words = new ArrayList<>();
        for (Path layer : layers) {
            words.add(layer.toString());
        }
        return words;
    }

    private String error(List<Path> layers, Optional<Path> workdir) {
        return assertThrows(LayerException.class, () -> validator.validate(words(layers), workdir)).getMessage();
    }

    private String error(Path... layers) {
        return error(List.of(layers), Optional.empty());
    }

    @Test
    void acceptsTheCourseLayout() throws LayerException, IOException {
        LayerStack stack = validator.validate(words(List.of(rootfs, app, writedir)), Optional.empty());
        assertEquals(words(List.of(rootfs.toRealPath(), app.toRealPath())), stack.lowers());
        assertEquals(Optional.of(writedir.toRealPath().toString()), stack.upper());
    }

    @Test
    void resolvesRelativeAndSymlinkedLayersToRealPaths() throws LayerException, IOException {
        Path link = Files.createSymbolicLink(tmp.resolve("link"), app);
        LayerStack stack = validator.validate(words(List.of(rootfs, link, writedir)), Optional.empty());
        assertEquals(app.toRealPath().toString(), stack.lowers().get(1));
    }

    @Test
    void missingLayer() {
        assertEquals("layer '" + tmp.resolve("nope") + "' does not exist", error(rootfs, tmp.resolve("nope"), writedir));
    }

    @Test
    void layerThatIsAFile() throws IOException {
        Path file = Files.createFile(tmp.resolve("file"));
        assertEquals("layer '" + file + "' is not a directory", error(rootfs, file));
    }

    /** Here the charset is UTF-8 (pom.xml), which cannot write an unpaired surrogate; under LC_ALL=C see WhatTheContainerGetsIT. */
    @Test
    void aLayerTheCharsetCannotWriteIsNamedAndANulKeepsItsOwnMessage() {
        String lone = tmp + "/x\uD800";
        LayerException e = assertThrows(LayerException.class,
                () -> validator.validate(List.of(rootfs.toString(), lone, writedir.toString()), Optional.empty()));
        assertEquals("layer '" + lone + "' cannot be named in the system's character set UTF-8; set a UTF-8 locale,"
                + " e.g. LC_ALL=C.UTF-8", e.getMessage());

        IllegalArgumentException nul = assertThrows(IllegalArgumentException.class,
                () -> validator.validate(List.of(rootfs.toString(), "/a\0b", writedir.toString()), Optional.empty()));
        assertTrue(nul.getMessage().contains("holds a NUL character"), nul.getMessage());
    }

    @Test
    void sameDirectoryTwice() throws IOException {
        Path link = Files.createSymbolicLink(tmp.resolve("again"), rootfs);
        assertTrue(error(rootfs, link, writedir).contains("are the same directory"));
        assertTrue(error(rootfs, writedir, writedir).contains("are the same directory"));
    }

    @Test
    void writedirInsideALowerLayer() throws IOException {
        Path inside = Files.createDirectory(rootfs.resolve("upper"));
        assertTrue(error(rootfs, app, inside).contains("is inside the lower layer '" + rootfs + "'"));
    }

    @Test
    void lowerLayerInsideWritedir() throws IOException {
        Path inside = Files.createDirectory(writedir.resolve("lower"));
        assertTrue(error(rootfs, inside, writedir).contains("lower layer '" + inside + "' is inside WRITEDIR"));
    }

    @Test
    void workdirMustExistAndStayOutOfTheLayers() throws IOException {
        assertTrue(error(List.of(rootfs, writedir), Optional.of(tmp.resolve("nowork"))).contains("does not exist"));
        Path inUpper = Files.createDirectory(writedir.resolve("work"));
        assertTrue(error(List.of(rootfs, writedir), Optional.of(inUpper)).contains("overlaps the layer"));
    }

    @Test
    void workdirBesideWritedirIsAccepted() throws IOException, LayerException {
        Path work = Files.createDirectory(tmp.resolve("work"));
        assertEquals(Optional.of(work.toRealPath().toString()),
                validator.validate(words(List.of(rootfs, writedir)), Optional.of(work)).workdir());
    }
}
