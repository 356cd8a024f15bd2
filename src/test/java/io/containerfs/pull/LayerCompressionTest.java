package io.containerfs.pull;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Commands;
import io.containerfs.testing.Privileged;
import io.containerfs.testing.TarBuilder;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which decompressor a layer gets (its media type, else its first bytes), and zstd decoded by the
 * system's libzstd (ZstdLayer, pull/zstd.c) as the zstd tool (Debian's {@code zstd}) writes it:
 * several frames, skippable frames between them as zstd:chunked has, frames with and without
 * checksums, blocks of every kind, fed in pieces of any size. Then a zstd layer through the layer
 * store: its diff_id checked, and a zstd bomb stopped by the same limit as gzip.
 */
class LayerCompressionTest {
    private static final String OCI = "application/vnd.oci.image.layer.v1.tar";
    private static final String DOCKER = "application/vnd.docker.image.rootfs.diff.tar";
    private static final byte[] GZIP_START = {0x1f, (byte) 0x8b, 8, 0};
    private static final byte[] ZSTD_START = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd};
    private static final byte[] TAR_START = "etc/".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path tmp;

    @Test
    void theMediaTypeChoosesTheDecompressor() {
        assertEquals(LayerCompression.NONE, LayerCompression.named(OCI));
        assertEquals(LayerCompression.GZIP, LayerCompression.named(OCI + "+gzip"));
        assertEquals(LayerCompression.ZSTD, LayerCompression.named(OCI + "+zstd"));
        assertEquals(LayerCompression.ZSTD, LayerCompression.named("application/vnd.oci.image.layer.nondistributable.v1.tar+zstd"));
        assertEquals(LayerCompression.NONE, LayerCompression.named(DOCKER));
        assertEquals(LayerCompression.GZIP, LayerCompression.named(DOCKER + ".gzip"));
        assertEquals(LayerCompression.GZIP, LayerCompression.named("application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"));
        assertEquals(LayerCompression.ZSTD, LayerCompression.named(DOCKER + ".zstd"));
        assertNull(LayerCompression.named(""), "a docker archive names none");
        assertNull(LayerCompression.named(OCI + "+gzip+encrypted"));
    }

    @Test
    void withoutAKnownMediaTypeTheFirstBytesChoose() throws PullException {
        assertEquals(LayerCompression.ZSTD, LayerCompression.of("", ZSTD_START, "the layer"));
        assertEquals(LayerCompression.GZIP, LayerCompression.of("", GZIP_START, "the layer"));
        assertEquals(LayerCompression.NONE, LayerCompression.of("", TAR_START, "the layer"));
        assertEquals(LayerCompression.NONE, LayerCompression.of("", new byte[0], "the layer"));
        assertEquals(LayerCompression.ZSTD, LayerCompression.of(OCI + "+zstd", ZSTD_START, "the layer"));
        assertEquals(LayerCompression.GZIP, LayerCompression.of(DOCKER + ".gzip", GZIP_START, "the layer"));
    }

    @Test
    void aLayerThatIsNotWhatItsMediaTypeSaysIsOneLine() {
        PullException gzip = assertThrows(PullException.class,
                () -> LayerCompression.of(OCI + "+zstd", GZIP_START, "the layer sha256:ab"));
        assertEquals("the layer sha256:ab is not zstd as its media type " + OCI + "+zstd says: it does not start"
                + " with zstd's magic number; the image is damaged", gzip.getMessage());
        PullException tar = assertThrows(PullException.class,
                () -> LayerCompression.of(DOCKER + ".gzip", TAR_START, "the layer sha256:ab"));
        assertTrue(tar.getMessage().contains("is not gzip as its media type"), tar.getMessage());
        assertThrows(PullException.class, () -> LayerCompression.of(OCI + "+zstd", new byte[] {0x28}, "the layer"));
    }

    /** {@code zstd ARGS} on these bytes, through files: the bytes it writes. */
    private byte[] zstd(byte[] data, String... args) throws IOException {
        Path in = Files.write(Files.createTempFile(tmp, "in", ""), data);
        Path out = tmp.resolve(in.getFileName() + ".zst");
        List<String> command = new java.util.ArrayList<>(List.of("zstd", "-q", "-f"));
        command.addAll(List.of(args));
        command.addAll(List.of(in.toString(), "-o", out.toString()));
        Commands.Result r = Commands.run(null, null, command);
        assertEquals(0, r.exitCode(), r.toString());
        return Files.readAllBytes(out);
    }

    /** A skippable frame (RFC 8878 3.1.2) of this magic number's low nibble, with n bytes of payload. */
    private static byte[] skippable(int nibble, int n) {
        ByteBuffer frame = ByteBuffer.allocate(8 + n).order(ByteOrder.LITTLE_ENDIAN);
        frame.putInt(0x184d2a50 | nibble).putInt(n);
        Arrays.fill(frame.array(), 8, 8 + n, (byte) 0xfd);
        return frame.array();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static byte[] decoded(byte[] zstd) throws IOException {
        return decoded(new ByteArrayInputStream(zstd));
    }

    private static byte[] decoded(InputStream zstd) throws IOException {
        try (InputStream in = LayerCompression.ZSTD.decompressing(zstd)) {
            return in.readAllBytes();
        } catch (PullException e) {
            throw new AssertionError("libzstd.so.1 is there (Debian's libzstd1, which apt needs)", e);
        }
    }

    /** The bytes of {@code in}, {@code piece} bytes at most per read, as a slow network gives them. */
    private static InputStream inPieces(byte[] in, int piece) {
        return new ByteArrayInputStream(in) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, piece));
            }
        };
    }

    @Test
    void zstdFramesAreDecodedAndSkippableFramesLeftOut() throws IOException {
        byte[] random = new byte[300_000]; // raw blocks, more than one (a block holds 128 KiB at most)
        new Random(7).nextBytes(random);
        byte[] first = concat(random, new byte[300_000], "text text text text\n".repeat(5000).getBytes(StandardCharsets.UTF_8));
        byte[] second = "the second frame\n".getBytes(StandardCharsets.UTF_8);
        byte[] stream = concat(skippable(0, 0), zstd(first, "--check"), skippable(0xf, 70_000), zstd(second, "--no-check"),
                zstd(new byte[0]), skippable(3, 12));
        assertArrayEquals(concat(first, second), decoded(stream));
        assertArrayEquals(concat(first, second), decoded(inPieces(stream, 1)), "one byte at a time");
        assertArrayEquals(concat(first, second), decoded(inPieces(stream, 1000)));
        byte[] oneByOne;
        try (InputStream in = LayerCompression.ZSTD.decompressing(new ByteArrayInputStream(stream))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int b; (b = in.read()) != -1; ) {
                out.write(b);
            }
            assertEquals(-1, in.read(), "the end stays the end");
            oneByOne = out.toByteArray();
        } catch (PullException e) {
            throw new AssertionError(e);
        }
        assertArrayEquals(concat(first, second), oneByOne, "read() a byte at a time");
    }

    /** {@code zstd --long=LOG} from a pipe, as zstd:chunked's encoder writes: no content size, a large window asked for. */
    private byte[] zstdStreamed(byte[] data, int windowLog) throws IOException {
        Path in = Files.write(Files.createTempFile(tmp, "in", ""), data);
        Path out = tmp.resolve(in.getFileName() + ".zst");
        Commands.Result r = Commands.run("sh", "-c", "zstd -q --long=" + windowLog + " -c < " + in + " > " + out);
        assertEquals(0, r.exitCode(), r.toString());
        return Files.readAllBytes(out);
    }

    /**
     * zstd:chunked's 32 MiB window, and the 128 MiB of {@code zstd --long}, are decoded whole: a
     * frame that refers 10 MiB back (which a decoder that kept 8 MiB could not follow). A frame
     * asking for 256 MiB is refused before its window is allocated.
     */
    @Test
    void framesAskingForWindowsUpTo128MiBAreDecodedAndLargerOnesRefused() throws IOException {
        byte[] data = "a small frame that asks for 32 MiB\n".repeat(20_000).getBytes(StandardCharsets.UTF_8);
        byte[] stream = zstdStreamed(data, 25);
        assertEquals(25, 10 + ((stream[5] & 0xff) >>> 3), "the frame asks for a 32 MiB window");
        assertArrayEquals(data, decoded(stream));

        // 10 MiB of noise twice: the second copy refers 10 MiB back.
        byte[] noise = new byte[10 << 20];
        new Random(3).nextBytes(noise);
        byte[] twice = concat(noise, noise);
        byte[] far = zstdStreamed(twice, 27);
        assertTrue(far.length < 11 << 20, "the second copy is a match 10 MiB back: " + far.length);
        assertArrayEquals(twice, decoded(far));

        byte[] huge = zstdStreamed(data, 28);
        assertEquals(28, 10 + ((huge[5] & 0xff) >>> 3), "the frame asks for a 256 MiB window");
        IOException refused = assertThrows(IOException.class, () -> decoded(huge));
        assertTrue(refused.getMessage().startsWith("not valid zstd: "), refused.getMessage());
    }

    @Test
    void damagedZstdIsAnIOException() throws IOException {
        byte[] data = "hello zstd\n".repeat(1000).getBytes(StandardCharsets.UTF_8);
        byte[] good = zstd(data);
        IOException truncated = assertThrows(IOException.class, () -> decoded(Arrays.copyOf(good, good.length - 5)));
        assertEquals("not valid zstd: the stream ends inside a frame, at byte " + (good.length - 5), truncated.getMessage());
        IOException cutInHeader = assertThrows(IOException.class, () -> decoded(concat(good, Arrays.copyOf(good, 3))));
        assertTrue(cutInHeader.getMessage().contains("ends inside a frame"), cutInHeader.getMessage());
        IOException trailing = assertThrows(IOException.class, () -> decoded(concat(good, TAR_START)));
        assertTrue(trailing.getMessage().startsWith("not valid zstd: ") && !trailing.getMessage().contains("ends inside"),
                trailing.getMessage());
        byte[] flipped = good.clone();
        flipped[flipped.length / 2] ^= 0x55;
        flipped[flipped.length / 2 + 1] ^= 0x55;
        assertThrows(IOException.class, () -> decoded(flipped), "the frame's checksum (zstd writes one) fails");
    }

    @Test
    void aClosedDecoderIsNotUsedAgain() throws Exception {
        InputStream in = LayerCompression.ZSTD.decompressing(new ByteArrayInputStream(zstd(new byte[10])));
        in.close();
        in.close();
        assertThrows(IOException.class, () -> in.read(new byte[10], 0, 10));
    }

    private static String sha256(byte[] bytes) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private Path unpack(LayerStore store, byte[] blob, String diffId) throws PullException {
        Descriptor descriptor = new Descriptor(OCI + "+zstd", sha256(blob), blob.length);
        return store.unpack(() -> new ByteArrayInputStream(blob), descriptor, diffId, blob.length,
                "the layer " + descriptor.digest(), Progress.NONE);
    }

    private static List<Path> storeEntries(Path store) throws IOException {
        try (Stream<Path> entries = Files.list(Files.createDirectories(store.resolve("sha256")))) {
            return entries.toList();
        }
    }

    @Test
    @Privileged
    void aZstdLayerIsStoredUnderItsDiffIdWhichIsChecked() throws IOException, PullException {
        byte[] tar = new TarBuilder().dir("etc", 0755).file("etc/motd", 0644, "zstd layer\n")
                .file("etc/.wh.doomed", 0644, "").tarBytes();
        byte[] blob = zstd(tar);
        LayerStore store = new LayerStore(tmp.resolve("store"), false, false);
        Path dir = unpack(store, blob, sha256(tar));
        assertEquals(store.directory(sha256(tar)), dir);
        assertEquals("zstd layer\n", Files.readString(dir.resolve("etc/motd")));
        assertTrue(Files.readAttributes(dir.resolve("etc/doomed"), "unix:mode").get("mode") instanceof Integer mode
                && (mode & 0170000) == 0020000, "the whiteout is overlayfs's: a character device");

        byte[] other = new TarBuilder().file("etc/motd", 0644, "another\n").tarBytes();
        PullException wrong = assertThrows(PullException.class, () -> unpack(store, zstd(other), sha256(tar).replace('a', 'b')));
        assertTrue(wrong.getMessage().contains("(uncompressed) has the digest " + sha256(other)), wrong.getMessage());
        assertEquals(List.of(dir), storeEntries(tmp.resolve("store")), "nothing else, no half-unpacked layer");
    }

    @Test
    @Privileged
    void aZstdBombStopsAtTheSameLimitAsGzip() throws IOException {
        // 64 MiB of zeros: zstd makes a few KiB of it, far past 20 times that and the 32 MiB floor.
        byte[] tar = new TarBuilder().add(TarBuilder.entry("zeros", org.apache.commons.compress.archivers.tar
                .TarConstants.LF_NORMAL, 0644), new byte[64 << 20]).tarBytes();
        byte[] blob = zstd(tar, "-19");
        assertTrue(blob.length < 100_000, "a bomb: " + blob.length);
        PullException e = assertThrows(PullException.class,
                () -> unpack(new LayerStore(tmp.resolve("store"), false, false), blob, sha256(tar)));
        assertTrue(e.getMessage().contains("(uncompressed) is longer than " + ExtractionLimits.MIN_BYTES + " bytes"),
                e.getMessage());
        assertEquals(List.of(), storeEntries(tmp.resolve("store")));
    }
}
