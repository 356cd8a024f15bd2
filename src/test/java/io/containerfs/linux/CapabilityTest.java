package io.containerfs.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class CapabilityTest {
    /** The kernel's own numbering, from the header every Linux C toolchain ships (linux-libc-dev). */
    @Test
    void numbersAreTheKernelsOwn() throws IOException {
        Matcher m = Pattern.compile("(?m)^#define CAP_(\\w+)\\s+(\\d+)\\s*$")
                .matcher(Files.readString(Path.of("/usr/include/linux/capability.h")));
        Map<Integer, String> header = new TreeMap<>();
        while (m.find()) {
            if (!m.group(1).equals("LAST_CAP")) {
                header.put(Integer.parseInt(m.group(2)), m.group(1));
            }
        }
        Map<Integer, String> ours = new TreeMap<>();
        for (Capability c : Capability.values()) {
            ours.put(c.ordinal(), c.name());
        }
        assertEquals(header, ours);
    }

    @Test
    void namesAreReadAsCapabilities7WritesThem() {
        assertEquals(1L << 21, Capability.parse("SYS_ADMIN"));
        assertEquals(1L << 21, Capability.parse("CAP_SYS_ADMIN"));
        assertEquals(1L << 13, Capability.parse("cap_net_raw"));
        assertEquals(Capability.ALL, Capability.parse("all"));
    }

    @Test
    void anUnknownNameSaysWhatWouldDo() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Capability.parse("SYS_FOO"));
        assertTrue(e.getMessage().startsWith("unknown capability 'SYS_FOO'"), e.getMessage());
    }
}
