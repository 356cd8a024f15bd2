package io.containerfs.pull;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A blob download that is cut goes on from where it stopped, within one pull and in the next:
 * against a registry of the test's own in memory, which can cut a response after some bytes and
 * ignore Range. (RegistryResumeIT does it over HTTP with the real registry and pull.)
 */
class BlobDownloadTest {
    private static final int SIZE = 300_000;

    @TempDir
    Path partials;

    private final byte[] bytes = new byte[SIZE];
    private final Descriptor blob;

    BlobDownloadTest() throws Exception {
        new Random(42).nextBytes(bytes);
        blob = new Descriptor("application/octet-stream", "sha256:"
                + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)), SIZE);
    }

    /** Serves {@link #bytes}: each answer cut after the number of bytes its turn says (-1: not cut). */
    private final class Registry implements BlobDownload.Source {
        final List<Long> offsetsAsked = new ArrayList<>();
        final List<Integer> cutAfter = new ArrayList<>();
        boolean ignoresRange;
        boolean gone;
        long sent;

        @Override
        public BlobDownload.Ranged openAt(long offset) throws PullException {
            offsetsAsked.add(offset);
            if (gone) {
                throw new PullException("cannot reach the registry", new java.net.ConnectException("Connection refused"));
            }
            int start = ignoresRange ? 0 : (int) offset;
            int cut = offsetsAsked.size() <= cutAfter.size() ? cutAfter.get(offsetsAsked.size() - 1) : -1;
            int end = cut < 0 ? SIZE : Math.min(SIZE, start + cut);
            InputStream body = new ByteArrayInputStream(bytes, start, end - start) {
                @Override
                public synchronized int read(byte[] b, int off, int len) {
                    int n = super.read(b, off, len);
                    if (n == -1 && end < SIZE) {
                        throw new UncheckedCut();
                    }
                    sent += Math.max(0, n);
                    return n;
                }
            };
            return new BlobDownload.Ranged(new InputStream() {
                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    try {
                        return body.read(b, off, len);
                    } catch (UncheckedCut e) {
                        throw new SocketException("Connection reset");
                    }
                }
            }, start);
        }
    }

    private static final class UncheckedCut extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }

    private Path partial() {
        return partials.resolve(blob.hex());
    }

    private byte[] readAll(BlobDownload download) throws IOException {
        try (InputStream in = download.stream()) {
            return in.readAllBytes();
        }
    }

    @Test
    void aCutMidStreamIsTakenUpWithARangeAndNothingIsLeft() throws Exception {
        Registry registry = new Registry();
        registry.cutAfter.add(100_000);
        try (BlobDownload download = BlobDownload.start(registry, blob, "the blob", partials, false, 1)) {
            assertArrayEquals(bytes, readAll(download));
            assertTrue(download.resumed());
        }
        assertEquals(List.of(0L, 100_000L), registry.offsetsAsked);
        assertEquals(SIZE, registry.sent, "no byte twice");
        assertFalse(Files.exists(partial()), "read to its end: not kept");
    }

    @Test
    void aDownloadCutTooOftenStopsKeepingWhatItHadAndTheNextGoesOnFromThere() throws Exception {
        Registry registry = new Registry();
        registry.cutAfter.addAll(List.of(50_000, 10_000, 10_000, 10_000));
        try (BlobDownload download = BlobDownload.start(registry, blob, "the blob", partials, false, 1)) {
            BlobDownload.Stopped stopped = assertThrows(BlobDownload.Stopped.class, () -> readAll(download));
            assertEquals("the download of the blob stopped at 0.1 of 0.3 MiB after 3 retries (Connection reset);"
                    + " run the same pull again to continue where it stopped", stopped.getMessage());
        }
        assertEquals(List.of(0L, 50_000L, 60_000L, 70_000L), registry.offsetsAsked);
        assertArrayEquals(java.util.Arrays.copyOf(bytes, 80_000), Files.readAllBytes(partial()), "kept: what came");

        Registry next = new Registry();
        try (BlobDownload download = BlobDownload.start(next, blob, "the blob", partials, false, 1)) {
            assertEquals(80_000, download.kept());
            assertArrayEquals(bytes, readAll(download));
        }
        assertEquals(List.of(80_000L), next.offsetsAsked);
        assertEquals(SIZE - 80_000, next.sent);
        assertFalse(Files.exists(partial()));
    }

    @Test
    void aRegistryGoneStopsTheDownloadWithWhyAndKeepsIt() throws Exception {
        Registry registry = new Registry();
        registry.cutAfter.add(20_000);
        try (BlobDownload download = BlobDownload.start(registry, blob, "the blob", partials, false, 1)) {
            registry.gone = true;
            BlobDownload.Stopped stopped = assertThrows(BlobDownload.Stopped.class, () -> readAll(download));
            assertTrue(stopped.getMessage().contains("(Connection refused); run the same pull again"), stopped.getMessage());
        }
        assertEquals(20_000, Files.size(partial()));
    }

    @Test
    void aServerThatIgnoresRangeStartsFromZeroAtFirstAndIsReadPastMidStream() throws Exception {
        Files.write(partial(), java.util.Arrays.copyOf(bytes, 40_000));
        Registry registry = new Registry();
        registry.ignoresRange = true;
        registry.cutAfter.addAll(List.of(-1));
        try (BlobDownload download = BlobDownload.start(registry, blob, "the blob", partials, false, 1)) {
            assertEquals(0, download.kept(), "the whole blob came: the prefix is not read back");
            assertArrayEquals(bytes, readAll(download));
            assertFalse(download.resumed());
        }
        assertEquals(List.of(40_000L), registry.offsetsAsked);

        Registry midStream = new Registry();
        midStream.cutAfter.add(70_000);
        try (BlobDownload download = BlobDownload.start(midStream, blob, "the blob", partials, false, 1)) {
            midStream.ignoresRange = true;
            assertArrayEquals(bytes, readAll(download));
        }
        assertEquals(List.of(0L, 70_000L), midStream.offsetsAsked);
        assertFalse(Files.exists(partial()));
    }

    @Test
    void aWrongPrefixIsReadBackAsItIsAndAnewIgnoresIt() throws Exception {
        byte[] wrong = java.util.Arrays.copyOf(bytes, 30_000);
        wrong[10] ^= 1;
        Files.write(partial(), wrong);
        try (BlobDownload download = BlobDownload.start(new Registry(), blob, "the blob", partials, false, 1)) {
            assertTrue(download.resumed());
            byte[] got = readAll(download);
            assertEquals(bytes[10] ^ 1, got[10], "not trusted: the caller's digest check refuses it");
        }
        Files.write(partial(), wrong);
        Registry registry = new Registry();
        try (BlobDownload download = BlobDownload.start(registry, blob, "the blob", partials, true, 1)) {
            assertArrayEquals(bytes, readAll(download));
            assertFalse(download.resumed());
        }
        assertEquals(List.of(0L), registry.offsetsAsked);
    }

    @Test
    void anOldOrOverlongPartialIsNotResumed() throws Exception {
        Files.write(partial(), java.util.Arrays.copyOf(bytes, 30_000));
        Files.setLastModifiedTime(partial(), FileTime.from(Instant.now().minus(BlobDownload.MAX_AGE).minusSeconds(60)));
        Registry registry = new Registry();
        try (BlobDownload download = BlobDownload.start(registry, blob, "the blob", partials, false, 1)) {
            assertEquals(0, download.kept());
            assertArrayEquals(bytes, readAll(download));
        }
        Files.write(partial(), new byte[SIZE + 1]);
        try (BlobDownload download = BlobDownload.start(registry, blob, "the blob", partials, false, 1)) {
            assertEquals(0, download.kept());
            assertArrayEquals(bytes, readAll(download));
        }
        assertEquals(List.of(0L, 0L), registry.offsetsAsked);
    }

    @Test
    void aWholePrefixNeedsNoRequest() throws Exception {
        Files.write(partial(), bytes);
        Registry registry = new Registry();
        try (BlobDownload download = BlobDownload.start(registry, blob, "the blob", partials, false, 1)) {
            assertArrayEquals(bytes, readAll(download));
        }
        assertEquals(List.of(), registry.offsetsAsked);
    }

    @Test
    void aSecondDownloadOfTheSameBlobAtOnceKeepsNothingAndLeavesTheFirstsFile() throws Exception {
        Registry first = new Registry();
        first.cutAfter.addAll(List.of(60_000, 0, 0, 0));
        Registry second = new Registry();
        try (BlobDownload one = BlobDownload.start(first, blob, "the blob", partials, false, 1)) {
            try (BlobDownload two = BlobDownload.start(second, blob, "the blob", partials, false, 1)) {
                assertArrayEquals(bytes, readAll(two));
            }
            assertThrows(BlobDownload.Stopped.class, () -> readAll(one));
        }
        assertEquals(60_000, Files.size(partial()), "only the first wrote it, and kept it");
    }

    @Test
    void theSweepRemovesOnlyOldPartials() throws Exception {
        Path old = Files.write(partials.resolve("old"), new byte[1]);
        Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(BlobDownload.MAX_AGE).minusSeconds(60)));
        Path recent = Files.write(partials.resolve("recent"), new byte[1]);
        BlobDownload.sweep(partials);
        assertFalse(Files.exists(old));
        assertTrue(Files.exists(recent));
    }
}
