package io.containerfs.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Where pull unpacks an image's layers when --layer-store is not given: root's store, or the user's own. */
class LayerStoreTest {
    @Test
    void rootsStoreIsInVarLib() {
        assertEquals(Path.of("/var/lib/container-fs/layers"), LayerStore.defaultRoot(Map.of(), "/root", true));
    }

    @Test
    void anOrdinaryUsersStoreIsInItsDataDirectory() {
        assertEquals(Path.of("/home/ann/.local/share/container-fs/layers"),
                LayerStore.defaultRoot(Map.of(), "/home/ann", false));
        assertEquals(Path.of("/data/ann/container-fs/layers"),
                LayerStore.defaultRoot(Map.of("XDG_DATA_HOME", "/data/ann"), "/home/ann", false));
        assertEquals(Path.of("/home/ann/.local/share/container-fs/layers"),
                LayerStore.defaultRoot(Map.of("XDG_DATA_HOME", "relative"), "/home/ann", false),
                "a relative XDG_DATA_HOME is ignored, as the XDG base directory spec says");
    }

    @Test
    void theEnvironmentChoosesForBoth() {
        for (boolean root : new boolean[] {true, false}) {
            assertEquals(Path.of("/srv/layers"),
                    LayerStore.defaultRoot(Map.of(LayerStore.ENV, "/srv/layers", "XDG_DATA_HOME", "/d"), "/h", root));
        }
    }
}
