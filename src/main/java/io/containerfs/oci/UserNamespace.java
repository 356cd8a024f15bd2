package io.containerfs.oci;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Whether this process runs in the initial user namespace: there, /proc/self/uid_map maps every id
 * to itself ({@code 0 0 4294967295}); in one an engine made (rootless podman), it maps the user and
 * a range of /etc/subuid, and "root" here owns nothing of the host.
 */
final class UserNamespace {
    private UserNamespace() {}

    static boolean isInitial() {
        try {
            return isIdentity(Files.readAllLines(Path.of("/proc/self/uid_map")));
        } catch (IOException e) {
            return true; // no /proc: nothing to tell; the core's own checks still apply
        }
    }

    /** Whether MAP (uid_map's lines) is the initial namespace's: all 2^32 ids to themselves. */
    static boolean isIdentity(List<String> map) {
        if (map.size() != 1) {
            return false;
        }
        String[] words = map.get(0).trim().split("\\s+");
        return words.length == 3 && words[0].equals("0") && words[1].equals("0") && words[2].equals("4294967295");
    }
}
