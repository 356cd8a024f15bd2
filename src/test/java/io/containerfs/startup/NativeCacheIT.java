package io.containerfs.startup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Commands;
import io.containerfs.testing.Fixtures;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar extracts its native library once into the user's cache and loads that copy
 * afterwards; a copy that differs is replaced, and a cache others could change is not used.
 * Each run stops early (a missing layer as root, the root check otherwise): after the library
 * is loaded, so it runs anywhere.
 */
class NativeCacheIT {
    private static final String RESOURCE = "native/amd64-Linux/libcontainer-fs.so";

    @TempDir
    Path tmp;

    private Path xdg;
    private Path javaTmp;
    private byte[] library;
    private Path cached;

    @BeforeEach
    void paths() throws Exception {
        xdg = Files.createDirectory(tmp.resolve("xdg"));
        javaTmp = Files.createDirectory(tmp.resolve("java-tmp"));
        try (JarFile jar = new JarFile(Fixtures.jar().toFile());
                InputStream so = jar.getInputStream(jar.getEntry(RESOURCE))) {
            library = so.readAllBytes();
        }
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(library));
        cached = xdg.resolve("container-fs/native").resolve(hash).resolve("libcontainer-fs.so");
    }

    @Test
    void theFirstRunExtractsAndTheNextOneReusesTheCopy() throws IOException {
        run();
        assertArrayEquals(library, Files.readAllBytes(cached));
        Object inode = Files.getAttribute(cached, "unix:ino");
        Object changed = Files.getAttribute(cached, "unix:ctime");

        run();

        assertEquals(inode, Files.getAttribute(cached, "unix:ino"));
        assertEquals(changed, Files.getAttribute(cached, "unix:ctime"));
        assertEquals(List.of(), list(javaTmp), "nothing extracted to java.io.tmpdir");
    }

    @Test
    void aTamperedCopyIsReplacedBeforeItIsLoaded() throws IOException {
        run();
        Files.setPosixFilePermissions(cached, PosixFilePermissions.fromString("rwx------"));
        Files.write(cached, "not a library".getBytes(StandardCharsets.US_ASCII));

        run(); // loading "not a library" would fail with "invalid ELF header"

        assertArrayEquals(library, Files.readAllBytes(cached));
    }

    @Test
    void aCacheOthersMayWriteIsNotUsedAndNothingIsLeftBehind() throws IOException {
        Files.setPosixFilePermissions(xdg, PosixFilePermissions.fromString("rwxrwxrwx"));

        run();

        assertEquals(List.of(), list(xdg), "nothing written into a directory others may change");
        assertEquals(List.of(), list(javaTmp), "the private copy is deleted after loading");
    }

    /** A run that loads the library and stops: exit 125 with the message of the check that stopped it. */
    private void run() {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + javaTmp, "-jar", Fixtures.jar().toString(),
                tmp.resolve("missing-lower").toString(), tmp.resolve("missing-upper").toString(), "--", "true");
        Commands.Result r = Commands.run(null, null, command,
                Map.of("XDG_CACHE_HOME", xdg.toString(), "TMPDIR", javaTmp.toString()));
        assertEquals(125, r.exitCode(), r::toString);
        assertTrue(r.stderr().contains("is not a directory"), r::toString); // as root, and rootless (issue 26)
        assertFalse(r.stderr().contains("native library"), r::toString);
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }
}
