package io.containerfs.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class UserNamespaceTest {
    @Test
    void theInitialNamespaceMapsEveryIdToItself() {
        assertTrue(UserNamespace.isIdentity(List.of("         0          0 4294967295")));
    }

    @Test
    void rootlessPodmansMapsTheUserAndItsRange() {
        assertFalse(UserNamespace.isIdentity(List.of("0 1001 1", "1 500000 65536")));
        assertFalse(UserNamespace.isIdentity(List.of("0 0 65536")));
        assertFalse(UserNamespace.isIdentity(List.of()));
    }

    /** The tests run as real root: the state stays in /run, whatever XDG_RUNTIME_DIR says. */
    @Test
    void rootOfTheHostKeepsItsStateInRun() {
        assertEquals(Path.of(OciCommand.DEFAULT_ROOT), OciCommand.defaultRoot("/run/user/1000"));
    }
}
