package io.containerfs.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The option string as the C core builds it (utils.c), called through JNI. */
class OverlayOptionsTest {
    @BeforeAll
    static void load() {
        NativeLoader.load();
    }

    private static String options(String upper, String work, String... lowers) throws ContainerException {
        return Native.overlayOptions(lowers, upper, work);
    }

    @Test
    void lowerLayersGoTopFirst() throws ContainerException {
        assertEquals("lowerdir=/l/app:/l/rootfs,upperdir=/w/up,workdir=/w/work",
                options("/w/up", "/w/work", "/l/rootfs", "/l/app"));
    }

    @Test
    void oneLowerLayer() throws ContainerException {
        assertEquals("lowerdir=/r,upperdir=/u,workdir=/w", options("/u", "/w", "/r"));
    }

    @Test
    void escapesCommaColonAndBackslashButNotSpaces() throws ContainerException {
        assertEquals("lowerdir=/b\\:2:/a\\,1,upperdir=/u p\\\\x,workdir=/w o\\,r\\:k",
                options("/u p\\x", "/w o,r:k", "/a,1", "/b:2"));
    }

    @Test
    void aStringThatFillsThePageExactlyIsKept() throws ContainerException {
        String fixed = "lowerdir=,upperdir=/u,workdir=/w";
        String lower = "/" + "x".repeat(4095 - fixed.length() - 1);
        String s = options("/u", "/w", lower);
        assertEquals(4095, s.length());
    }

    @Test
    void aLongerStringIsRefusedNeverTruncated() {
        String fixed = "lowerdir=,upperdir=/u,workdir=/w";
        String lower = "/" + "x".repeat(4096 - fixed.length() - 1);
        ContainerException e = assertThrows(ContainerException.class, () -> options("/u", "/w", lower));
        assertEquals("build overlay options", e.step());
        assertEquals(7, e.errno(), "E2BIG");
        assertTrue(e.getMessage().contains("longer than the kernel's limit of 4095 bytes"), e.getMessage());
    }

    @Test
    void escapingCountsTowardsTheLimit() {
        String fixed = "lowerdir=,upperdir=/u,workdir=/w";
        String lower = "/" + ",".repeat((4095 - fixed.length() - 1) / 2 + 1);
        assertThrows(ContainerException.class, () -> options("/u", "/w", lower));
    }
}
