package io.containerfs.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Fixtures;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.nio.file.Files;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The shape of the JNI boundary (issue 21): options cross as records, a few small calls, never a
 * long positional list where two values of one type can swap unseen.
 */
class NativeBoundaryTest {
    @Test
    void noNativeMethodTakesMoreThanEightParameters() {
        List<String> tooLong = new ArrayList<>();
        for (Method m : Native.class.getDeclaredMethods()) {
            if (Modifier.isNative(m.getModifiers()) && m.getParameterCount() > 8) {
                tooLong.add(m.getName() + " (" + m.getParameterCount() + ")");
            }
        }
        assertEquals(List.of(), tooLong);
    }

    /**
     * jni_native.c reads each record's numbers and flags by component name and type
     * ({@code boolean_field(env, isolation, "privileged")}), which no compiler checks: every such
     * read names a component of that type in its record, and each record is read.
     */
    @Test
    void everyComponentTheBridgeReadsByNameIsInItsRecord() throws IOException {
        String bridge = Files.readString(Fixtures.basedir().resolve("src/main/c/jni/jni_native.c"));
        Map<String, Class<? extends Record>> records = Map.ofEntries(Map.entry("isolation", Isolation.class),
                Map.entry("limits", Limits.class), Map.entry("execution", Execution.class),
                Map.entry("mount", Mount.class), Map.entry("device", Device.class),
                Map.entry("profile", SeccompProfile.class), Map.entry("rule", SeccompProfile.Rule.class),
                Map.entry("condition", SeccompProfile.Condition.class), Map.entry("port", Network.PublishedPort.class),
                Map.entry("rlimit", Rlimit.class), Map.entry("bundle", Container.Bundle.class),
                Map.entry("capabilities", Capabilities.class),
                Map.entry("hook", Hook.class), Map.entry("node", Device.Node.class),
                Map.entry("device_rule", Device.Rule.class));
        Matcher read = Pattern.compile("(boolean|long|int)_field\\(env, (\\w+), \"(\\w+)\"\\)").matcher(bridge);
        Set<String> readRecords = new HashSet<>();
        int reads = 0;
        while (read.find()) {
            Class<? extends Record> record = records.get(read.group(2));
            assertTrue(record != null, "a read of an unknown record: " + read.group());
            assertComponents(record, read.group(3) + ":" + read.group(1));
            readRecords.add(read.group(2));
            reads++;
        }
        assertEquals(records.keySet(), readRecords, "every record is read");
        assertTrue(reads >= 15, "the bridge reads " + reads + " components");
    }

    private static void assertComponents(Class<? extends Record> record, String... wanted) {
        List<String> have = new ArrayList<>();
        for (RecordComponent c : record.getRecordComponents()) {
            have.add(c.getName() + ":" + c.getType().getName());
        }
        for (String w : wanted) {
            assertTrue(have.contains(w), record.getSimpleName() + " has no component " + w + " (has " + have + ")");
        }
    }
}
