package io.containerfs.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Fixtures;
import io.containerfs.testing.Privileged;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Native.run called as a library would call it, in this JVM. */
class NativeRunTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void load() {
        NativeLoader.load();
    }

    @Test
    void pathsCrossAsRealUtf8NotModifiedUtf8() {
        // The test JVM runs with LC_ALL=C.UTF-8 (pom.xml), so the file-system charset is UTF-8.
        assertArrayEquals(new byte[] {'/', 'a', (byte) 0xf0, (byte) 0x9f, (byte) 0x98, (byte) 0x80},
                Native.encode("/a\uD83D\uDE00"));
    }

    @Test
    void anAsciiPathCrossesAsItsBytesInEveryAsciiCompatibleCharset() {
        assertArrayEquals("/tmp/L/42 x".getBytes(StandardCharsets.UTF_8), Native.encode("/tmp/L/42 x"));
        assertTrue(Native.isAsciiCompatible(StandardCharsets.UTF_8));
        assertTrue(Native.isAsciiCompatible(java.nio.charset.Charset.forName("ANSI_X3.4-1968")), "the C locale's");
        assertFalse(Native.isAsciiCompatible(StandardCharsets.UTF_16), "two bytes for every ASCII character");
    }

    /** The lists of words the core copies when they are plain ASCII give what one word at a time gives. */
    @Test
    void aListIsEncodedAndDecodedAsEachOfItsWords() {
        String[] words = {"/var/tmp/l/42", "", "caf\u00e9", "/a\uD83D\uDE00", "\u007f~", "x".repeat(5000)};
        byte[][] bytes = Native.encode(words);
        for (int i = 0; i < words.length; i++) {
            assertArrayEquals(Native.encode(words[i]), bytes[i], words[i]);
        }
        assertEquals(List.of(words), List.of(Native.decode(bytes)));

        byte[][] raw = {{'/', 'r'}, null, {'a', 0, 'b'}, {(byte) 0xff}, {(byte) 0xc3, (byte) 0xa9}, {}};
        String[] text = Native.decode(raw);
        for (int i = 0; i < raw.length; i++) {
            assertEquals(raw[i] == null ? null : Native.decode(raw[i]), text[i]);
        }
        assertEquals("a\0b", text[2], "a NUL from C is kept, not an end");
        assertEquals("\u00e9", text[4]);

        assertThrows(IllegalArgumentException.class, () -> Native.encode(new String[] {"/ok", "/a\0b"}));
        assertThrows(NullPointerException.class, () -> Native.encode(new String[] {"/ok", null}));
    }

    @Test
    void aNulOrAnUnpairedSurrogateIsRefusedBeforeC() {
        IllegalArgumentException nul = assertThrows(IllegalArgumentException.class,
                () -> Native.run(Container.of(List.of("/a\0b"), "/u", "/tmp", List.of("true"))));
        assertTrue(nul.getMessage().contains("holds a NUL character"), nul.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Native.encode("/x\uD83D"));
    }

    @Test
    void anEmptyCommandIsRefusedBeforeClone() {
        assertThrows(IllegalArgumentException.class,
                () -> Native.run(Container.of(List.of("/l"), "/u", "/tmp", List.of())));
    }

    /** The core's errors reach Java with the step as a number, errno, its message and its exit status. */
    @Test
    void aMissingWritedirIsTheCoresErrorWithItsExitStatus() {
        Path missing = tmp.resolve("caf\u00e9-missing");
        ContainerException e = assertThrows(ContainerException.class, () -> Native.run(
                Container.of(List.of(tmp.toString()), missing.toString(), tmp.toString(), List.of("true"))));
        assertEquals(Step.LAYERS, e.step());
        assertEquals(2, e.errno(), "ENOENT");
        assertEquals(missing.toString(), e.path());
        assertEquals("layer '" + missing + "' does not exist", e.getMessage());
        assertEquals(125, e.exitStatus());
    }

    /**
     * The core checks every layer before it makes anything (layers.c), so a missing one is named in
     * the user's words without a namespace, and nothing is left beside WRITEDIR.
     */
    @Test
    void aMissingLowerLayerIsNamedBeforeAnythingIsMade() throws IOException {
        Path missing = tmp.resolve("caf\u00e9-missing");
        Path upper = Files.createDirectory(tmp.resolve("w"));
        Path mountpoint = Files.createDirectory(tmp.resolve("t"));

        ContainerException e = assertThrows(ContainerException.class, () -> Native.run(
                Container.of(List.of(missing.toString()), upper.toString(), mountpoint.toString(), List.of("true"))));

        assertEquals(Step.LAYERS, e.step(), e::getMessage);
        assertEquals(2, e.errno(), "ENOENT");
        assertEquals(missing.toString(), e.path());
        assertEquals("layer '" + missing + "' does not exist", e.getMessage());
        assertEquals(125, e.exitStatus());
        assertEquals(List.of("t", "w"), names(tmp), "no work directory is made beside WRITEDIR");
        assertEquals(List.of(), names(upper));
    }

    /** A missing one among hundreds of layers is named the same. */
    @Test
    void aMissingLayerAmongHundredsIsNamed() throws IOException {
        List<String> lowers = new java.util.ArrayList<>();
        Path layers = Files.createDirectory(tmp.resolve("layers"));
        for (int i = 0; i < 200; i++) {
            lowers.add(Files.createDirectory(layers.resolve("a-layer-with-a-longer-name-" + i)).toString());
        }
        String missing = layers.resolve("a-layer-with-a-longer-name-gone").toString();
        lowers.add(150, missing);
        Path upper = Files.createDirectory(tmp.resolve("w"));
        Path mountpoint = Files.createDirectory(tmp.resolve("t"));

        ContainerException e = assertThrows(ContainerException.class,
                () -> Native.run(Container.of(lowers, upper.toString(), mountpoint.toString(), List.of("true"))));

        assertEquals(Step.LAYERS, e.step(), e::getMessage);
        assertEquals(missing, e.path());
        assertEquals(2, e.errno(), "ENOENT");
        assertEquals(125, e.exitStatus());
        assertEquals(List.of("layers", "t", "w"), names(tmp), "no work directory is made beside WRITEDIR");
    }

    private static List<String> names(Path dir) throws IOException {
        try (var entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void exceptionsFromCKeepNonAsciiPaths() {
        Path missing = tmp.resolve("caf\u00e9-\uD83D\uDE00");
        NodeException e = assertThrows(NodeException.class,
                () -> Native.makeNode(missing.resolve("x").toString(), Native.S_IFIFO | 0644, 0, 0, -1, -1, 0, 0));
        assertEquals(2, e.errno(), "ENOENT");
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        assertTrue(e.path().getBytes(StandardCharsets.UTF_8).length > e.path().length(), "decoded, not mangled");
    }

    /**
     * The C core takes over process-wide signal dispositions while a container runs; two
     * containers started at once from two threads must not leave the JVM's dispositions changed.
     */
    @Test
    @Privileged
    void containersStartedFromTwoThreadsLeaveTheJvmsSignalsAsTheyWere() throws Exception {
        Path rootfs = Fixtures.alpineRootfs();
        List<String> before = signalDispositions();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Integer>> runs = List.of(
                    pool.submit(() -> runSleep(rootfs, "a")),
                    pool.submit(() -> runSleep(rootfs, "b")));
            for (Future<Integer> run : runs) {
                assertEquals(0, run.get());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(before, signalDispositions());
    }

    /**
     * Until it execs, the container's first process shares this JVM's memory (CLONE_VM) and sets
     * environ to the command's environment: the core puts the JVM's back, which every process
     * this JVM starts later inherits.
     */
    @Test
    @Privileged
    void aProcessStartedAfterARunGetsTheJvmsEnvironmentNotTheContainers() throws Exception {
        String before = env();
        Path dir = Files.createDirectory(tmp.resolve("env"));
        Path upper = Files.createDirectory(dir.resolve("upper"));
        assertEquals(0, Native.run(Container.of(List.of(Fixtures.alpineRootfs().toString()), upper.toString(),
                dir.toString(), List.of("true"))));
        assertEquals(before, env());
    }

    private static String env() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("/usr/bin/env").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor());
        assertTrue(out.contains("PATH="), out);
        return out;
    }

    private int runSleep(Path rootfs, String name) throws IOException, ContainerException {
        Path dir = Files.createDirectory(tmp.resolve(name));
        Path upper = Files.createDirectory(dir.resolve("upper"));
        return Native.run(Container.of(List.of(rootfs.toString()), upper.toString(), dir.toString(),
                List.of("sleep", "1")));
    }

    private static List<String> signalDispositions() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(l -> l.startsWith("SigIgn:") || l.startsWith("SigCgt:"))
                .toList();
    }
}
