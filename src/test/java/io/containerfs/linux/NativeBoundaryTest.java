package io.containerfs.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
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

    /** jni_native.c reads these by name and type: a rename here must be one there too. */
    @Test
    void theRecordComponentsTheBridgeReadsByNameAreThere() {
        assertComponents(Isolation.class, "capAdd:long", "capDrop:long", "privileged:boolean",
                "noNewPrivileges:boolean", "seccompUnconfined:boolean", "networkNone:boolean");
        assertComponents(Limits.class, "memory:long", "memorySwap:long", "pidsLimit:long", "cpuQuota:long",
                "stats:boolean");
        assertComponents(Execution.class, "envHost:boolean", "tty:boolean", "init:boolean");
        assertComponents(Mount.class, "readOnly:boolean");
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
