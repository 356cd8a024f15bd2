package io.containerfs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** An empty word is never a directory: Path.of("") would be the current one. */
class EmptyWordTest {
    private static UsageException parse(String... args) {
        CommandLineSpec spec = new CommandLineSpec();
        return assertThrows(UsageException.class, () -> spec.parseRun(args, spec.parseOptions(args)));
    }

    @Test
    void anEmptyLayerWritedirOrWorkDirectoryIsRefused() {
        assertEquals("an empty layer name; give a directory (. for the current one)",
                parse("rootfs", "", "w", "--", "true").getMessage());
        assertEquals("an empty layer name; give a directory (. for the current one)",
                parse("rootfs", "", "--", "true").getMessage());
        assertEquals("an empty work directory name; give a directory (. for the current one)",
                parse("--overlay-workdir", "", "rootfs", "w", "--", "true").getMessage());
    }
}
