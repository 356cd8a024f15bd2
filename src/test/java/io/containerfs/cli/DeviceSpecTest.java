package io.containerfs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.linux.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --device as docker run reads it, on the host's /dev/null and /dev/zero, which every Linux has. */
class DeviceSpecTest {
    @TempDir
    Path tmp;

    @Test
    void hostThenAnOptionalPathThenOptionalPermissions() throws UsageException {
        assertEquals(new Device("/dev/null", "/dev/null", true, true, true), DeviceSpec.parse("/dev/null"));
        assertEquals(new Device("/dev/null", "/dev/null", true, false, false), DeviceSpec.parse("/dev/null:r"));
        assertEquals(new Device("/dev/null", "/dev/xvda", true, true, true), DeviceSpec.parse("/dev/null:/dev/xvda"));
        assertEquals(new Device("/dev/zero", "/dev/b", false, true, true), DeviceSpec.parse("/dev/zero:/dev/a/../b:mw"));
    }

    /** A symlink on the host is followed (the node is the device's); the path in the container stays the one given. */
    @Test
    void aSymlinkToADeviceIsFollowed() throws IOException, UsageException {
        Path link = Files.createSymbolicLink(tmp.resolve("null"), Path.of("/dev/null"));
        assertEquals(new Device("/dev/null", "/dev/mine", true, true, true), DeviceSpec.parse(link + ":/dev/mine"));
    }

    @Test
    void badValuesAreOneLineEach() throws IOException {
        Path file = Files.writeString(tmp.resolve("file"), "x");
        assertMessage(file.toString(), "is not a character or block device");
        assertMessage(tmp.toString(), "is not a character or block device");
        assertMessage(tmp + "/none", "does not exist");
        assertMessage("dev/null", "must be absolute");
        assertMessage("/dev/null:/tmp/x", "below /dev");
        assertMessage("/dev/null:/dev", "below /dev");
        assertMessage("/dev/null:/dev/..", "below /dev");
        assertMessage("/dev/null:/dev/x:rr", "PERMS 'rr' must be made of r (read), w (write) and m (mknod)");
        assertMessage("/dev/null:/dev/x:", "PERMS '' must be made of");
        assertMessage("/dev/null:/dev/x:r:w", "give HOST[:CONTAINER][:PERMS]");
        assertMessage(":/dev/x", "give HOST[:CONTAINER][:PERMS]");
    }

    private static void assertMessage(String spec, String part) {
        String message = assertThrows(UsageException.class, () -> DeviceSpec.parse(spec)).getMessage();
        assertTrue(message.contains(part) && message.contains("'" + spec + "'") && !message.contains("\n"),
                spec + ": " + message);
    }
}
