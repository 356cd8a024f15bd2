package io.containerfs.linux;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.Path;

/** Reading a small file whole on the run path: a /proc file, the cached library. */
final class SmallFile {
    private SmallFile() {}

    /**
     * The file's bytes, read through java.io, whose classes the JVM has loaded before main runs;
     * Files.readAllBytes would first load some twenty channel classes, about 2 ms to a JVM that has
     * just started (docs/BENCHMARKS.md).
     */
    static byte[] read(Path file) throws IOException {
        try (FileInputStream in = new FileInputStream(file.toFile())) {
            return in.readAllBytes();
        }
    }
}
