package io.containerfs.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.OciLayouts;
import io.containerfs.testing.Privileged;
import io.containerfs.testing.TarBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An image's layer made to do harm to the machine that pulls it, unpacked into a layer store as
 * pull unpacks it: each is refused in one line, and the store keeps nothing of it.
 */
@Privileged
class HostileLayerTest {
    @TempDir
    Path tmp;

    private Path store() {
        return tmp.resolve("store");
    }

    /** Unpacks the tar as a docker archive's layer (its diff_id alone names it). */
    private Path unpack(byte[] tar) throws PullException {
        return new LayerStore(store(), false, false).unpack(() -> new ByteArrayInputStream(tar), null,
                OciLayouts.sha256(tar), tar.length, "the layer", Progress.NONE);
    }

    private String refusal(byte[] tar) throws IOException {
        PullException e = assertThrows(PullException.class, () -> unpack(tar));
        try (Stream<Path> left = Files.list(store().resolve("sha256"))) {
            assertEquals(List.of(), left.toList(), "nothing in the store, no half-unpacked layer: " + e.getMessage());
        }
        return e.getMessage();
    }

    /**
     * A sparse file as GNU tar writes it in a pax archive (format 0.1): one byte in the archive,
     * {@code realSize} bytes once unpacked. Commons Compress hands over every byte, holes as zeros.
     */
    static TarBuilder sparse(TarBuilder tar, String name, long realSize) {
        String records = record("GNU.sparse.size", Long.toString(realSize)) + record("GNU.sparse.numblocks", "1")
                + record("GNU.sparse.map", (realSize - 1) + ",1");
        return tar.add(TarBuilder.entry("PaxHeaders/" + name, TarArchiveEntry.LF_PAX_EXTENDED_HEADER_LC, 0644),
                        records.getBytes(StandardCharsets.UTF_8))
                .add(TarBuilder.entry(name, TarArchiveEntry.LF_NORMAL, 0644), new byte[] {'x'});
    }

    /** A pax record: its length in decimal counts itself. */
    private static String record(String key, String value) {
        String rest = " " + key + "=" + value + "\n";
        int length = rest.length() + 1;
        while (Integer.toString(length).length() + rest.length() != length) {
            length++;
        }
        return length + rest;
    }

    @Test
    void aSparseFileCountsAtTheSizeItUnpacksTo() throws IOException {
        long realSize = 2 * ExtractionLimits.MIN_BYTES;
        byte[] tar = sparse(new TarBuilder(), "big", realSize).tarBytes();
        assertTrue(tar.length < 16 << 10, "a bomb: " + tar.length + " bytes");
        String message = refusal(tar);
        assertTrue(message.contains("(uncompressed) is longer than " + ExtractionLimits.MIN_BYTES + " bytes"), message);
    }

    @Test
    void theDirectoriesAnEntrysNameImpliesCountAsEntries() throws IOException {
        // 600 entries, each 20 directories deep: 12,000 directories, each a block of the disk. An
        // entry's name may hold 2,000 of them (PATH_MAX), so 10,000 entries could make 20 million.
        TarBuilder tar = new TarBuilder();
        for (int i = 0; i < 600; i++) {
            tar.file("d" + i + "/" + "a/".repeat(19) + "f", 0644, "");
        }
        String message = refusal(tar.tarBytes());
        assertTrue(message.contains("more than " + ExtractionLimits.MIN_ENTRIES + " entries"), message);
    }

    @Test
    void aWhiteoutsNameIsNeverADirectoryOnTheWay() throws IOException {
        // fuse-overlayfs would read such a directory as a whiteout, or its parent as opaque.
        String message = refusal(new TarBuilder().file(".wh.etc/passwd", 0644, "").tarBytes());
        assertTrue(message.contains("'.wh.etc/passwd'") && message.contains("whiteout"), message);
        message = refusal(new TarBuilder().dir("data", 0755).file("data/.wh..wh..opq/x", 0644, "").tarBytes());
        assertTrue(message.contains("'data/.wh..wh..opq/x'") && message.contains("whiteout"), message);
    }

    @Test
    void noOtherUserOfTheHostReachesALayersSetuidFiles() throws IOException, PullException {
        byte[] tar = new TarBuilder().dir("bin", 0755).file("bin/rootshell", 04755, "#!/bin/sh\n").tarBytes();
        Path layer = unpack(tar);
        assertEquals(04755, Files.getAttribute(layer.resolve("bin/rootshell"), "unix:mode", LinkOption.NOFOLLOW_LINKS)
                instanceof Integer mode ? mode & 07777 : -1, "the image's file as the image has it");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store().resolve("sha256"))),
                "the store's layers are for the runtime alone: a user of the host may not exec the image's setuid files");

        // A store an earlier pull left open to all is closed by the next unpack.
        Files.setPosixFilePermissions(store().resolve("sha256"), PosixFilePermissions.fromString("rwxr-xr-x"));
        unpack(new TarBuilder().file("another", 0644, "").tarBytes());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store().resolve("sha256"))));
    }
}
