package io.containerfs.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Steps cross JNI as numbers, so the Java enums must list the C enums' names in the same order: a
 * step added on one side only would shift every number after it.
 */
class StepTest {
    @Test
    void stepListsEnumCfsStepOfCfsH() throws IOException {
        assertEquals(cEnum("include/cfs.h", "cfs_step", "CFS_STEP_"), names(Step.values()));
    }

    @Test
    void nodeStepListsEnumCfsNodeStepOfNodesH() throws IOException {
        assertEquals(cEnum("src/main/c/pull/nodes.h", "cfs_node_step", "CFS_NODE_"), names(NodeException.Step.values()));
    }

    @Test
    void networkModeListsEnumCfsNetworkOfCfsH() throws IOException {
        List<String> c = new java.util.ArrayList<>(cEnumConstants("include/cfs.h", "cfs_network", "CFS_NETWORK_"));
        assertEquals(c, names(Network.Mode.values()));
    }

    @Test
    void aNumberOutOfRangeIsNoneNotACrash() {
        assertEquals(Step.NONE, Step.of(-1));
        assertEquals(Step.NONE, Step.of(Step.values().length));
        assertEquals(Step.EXEC, Step.of(Step.EXEC.ordinal()));
    }

    /** The constants of `enum NAME { ... }` without PREFIX, up to the closing *_COUNT. */
    private static List<String> cEnum(String header, String name, String prefix) throws IOException {
        List<String> names = cEnumConstants(header, name, prefix);
        assertEquals("COUNT", names.remove(names.size() - 1), "the enum ends with " + prefix + "COUNT");
        return names;
    }

    /** Every constant of `enum NAME { ... }` without PREFIX. */
    private static List<String> cEnumConstants(String header, String name, String prefix) throws IOException {
        String text = Files.readString(Path.of(header));
        Matcher body = Pattern.compile("enum " + name + " \\{(.*?)\\};", Pattern.DOTALL).matcher(text);
        if (!body.find()) {
            throw new AssertionError("no enum " + name + " in " + header);
        }
        Matcher constant = Pattern.compile("\\b" + prefix + "(\\w+)").matcher(body.group(1).replaceAll("/\\*.*?\\*/", ""));
        List<String> names = new java.util.ArrayList<>();
        while (constant.find()) {
            names.add(constant.group(1));
        }
        return names;
    }

    private static List<String> names(Enum<?>[] values) {
        return Arrays.stream(values).map(v -> v.name().toUpperCase(Locale.ROOT)).toList();
    }
}
