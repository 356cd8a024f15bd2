package io.containerfs.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.containerfs.testing.Commands;
import io.containerfs.testing.Privileged;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

/**
 * linux.sysctl writes only a namespace the container has of its own: net.* in its own network
 * namespace, kernel.shm* and the rest in its own IPC namespace. A config that joins the host's by
 * path (here this test's, which is the host's) is as much the host's as one that lists none, and
 * runc refuses both ("sysctl not allowed in host network namespace"): the write would change
 * the host's value for every program on it. Refused in one line, and the host's value stays.
 */
@Privileged
class OciHostSysctlIT extends OciBundleTest {
    OciHostSysctlIT() {
        super("it-sysctl-");
    }

    @Test
    void aNetSysctlInTheHostsNetworkNamespaceJoinedByPathIsRefused() throws IOException {
        refusedAndTheHostKeepsItsValue("network", "net", "net.ipv4.tcp_keepalive_intvl");
    }

    @Test
    void anIpcSysctlInTheHostsIpcNamespaceJoinedByPathIsRefused() throws IOException {
        refusedAndTheHostKeepsItsValue("ipc", "ipc", "kernel.shmmni");
    }

    private void refusedAndTheHostKeepsItsValue(String type, String nsName, String key) throws IOException {
        Path file = Path.of("/proc/sys/" + key.replace('.', '/'));
        String before = value(file);
        String other = Integer.toString(Integer.parseInt(before) - 1);
        String ns = "/proc/" + ProcessHandle.current().pid() + "/ns/" + nsName;
        Path config = bundle.resolve("config.json");
        Files.writeString(config, Files.readString(config).replace("\"terminal\": true", "\"terminal\": false")
                .replaceFirst("\"args\": \\[[^\\]]*\\]", "\"args\": [\"true\"]")
                .replace("\"type\": \"" + type + "\"", "\"type\": \"" + type + "\", \"path\": \"" + ns + "\"")
                .replace("\"linux\": {", Matcher.quoteReplacement("\"linux\": {\"sysctl\": {\"" + key + "\": \""
                        + other + "\"},")));
        String id = id(type);
        try {
            Commands.Result run = oci("run", "--bundle", bundle.toString(), id);

            assertEquals(before, value(file), "the host's " + key + " changed: " + run);
            assertEquals(new Commands.Result(125, "", "container-fs: write sysctl on `" + key + "`: Operation not"
                    + " permitted (a sysctl is written only in a namespace the container has of its own: net.* in its"
                    + " network namespace, kernel.msg*, kernel.sem, kernel.shm* and fs.mqueue.* in its IPC namespace;"
                    + " one joined by path that is the runtime's own is the host's)\n"), run);
            assertFalse(Files.exists(root.resolve(id)), "no state left");
        } finally {
            Files.writeString(file, before);
        }
    }

    /** The file's first line: Files.readString trusts the size that /proc gives, 0, and reads one byte. */
    private static String value(Path file) throws IOException {
        return Files.readAllLines(file).get(0).trim();
    }
}
