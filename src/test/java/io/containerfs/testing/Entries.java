package io.containerfs.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** What a directory holds while a process the test started writes into it. */
public final class Entries {
    private Entries() {}

    /** The entries of {@code dir}, sorted; none when it does not exist (yet, or any more). */
    public static List<Path> list(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.sorted().toList();
        }
    }

    /** Waits up to 30 s for an entry whose name contains {@code nameContains}, then a little for it to be written into. */
    public static void await(Path dir, String nameContains) throws Exception {
        for (int i = 0; i < 300; i++) {
            if (list(dir).stream().anyMatch(p -> p.getFileName().toString().contains(nameContains))) {
                Thread.sleep(200); // let it write into it
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no *" + nameContains + "* appeared in " + dir + ": " + list(dir));
    }
}
