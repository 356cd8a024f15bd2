package io.containerfs.cli;

import io.containerfs.linux.Device;
import io.containerfs.linux.Native;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * {@code --device HOST[:CONTAINER][:PERMS]}, as docker run reads it: PERMS is made of r, w and m
 * (default rwm); with two parts, the second is PERMS when it reads as such, else CONTAINER, which
 * defaults to HOST. Everything is checked here, before anything is made; the core makes the node
 * and its rule (src/main/c/core/devices.c).
 */
final class DeviceSpec {
    private DeviceSpec() {}

    static Device parse(String spec) throws UsageException {
        String[] parts = spec.split(":", -1);
        String host = parts[0];
        String target = host;
        String permissions = "rwm";
        if (parts.length == 2 && isPermissions(parts[1])) {
            permissions = parts[1];
        } else if (parts.length == 2) {
            target = parts[1];
        } else if (parts.length == 3) {
            target = parts[1];
            permissions = parts[2];
        }
        if (parts.length > 3 || host.isEmpty() || target.isEmpty()) {
            throw new UsageException("invalid --device '" + spec + "': give HOST[:CONTAINER][:PERMS], e.g. /dev/loop0"
                    + " or /dev/loop0:/dev/xvda:r");
        }
        if (!isPermissions(permissions)) {
            throw new UsageException("invalid --device '" + spec + "': PERMS '" + permissions + "' must be made of r"
                    + " (read), w (write) and m (mknod), each at most once, e.g. rw");
        }
        return new Device(hostDevice(spec, host), target(spec, target), permissions.indexOf('r') >= 0,
                permissions.indexOf('w') >= 0, permissions.indexOf('m') >= 0);
    }

    /** Docker's rule: one to three of r, w and m, none twice. */
    private static boolean isPermissions(String s) {
        return !s.isEmpty() && s.length() <= 3 && s.chars().allMatch(c -> c == 'r' || c == 'w' || c == 'm')
                && s.chars().distinct().count() == s.length();
    }

    /** The host's node, its symlinks followed, which must be a character or block device. */
    private static String hostDevice(String spec, String host) throws UsageException {
        Path real;
        int mode;
        try {
            if (!host.startsWith("/")) {
                throw new UsageException("--device '" + spec + "': the host path '" + host + "' must be absolute,"
                        + " e.g. /dev/loop0");
            }
            real = Path.of(host).toRealPath();
            mode = (Integer) Files.getAttribute(real, "unix:mode");
        } catch (NoSuchFileException e) {
            throw new UsageException("--device '" + spec + "': the host path '" + host + "' does not exist");
        } catch (IOException | IllegalArgumentException | UnsupportedOperationException e) {
            throw new UsageException("--device '" + spec + "': the host path '" + host + "' cannot be read: "
                    + e.getMessage());
        }
        int type = mode & 0170000;
        if (type != Native.S_IFCHR && type != Native.S_IFBLK) {
            throw new UsageException("--device '" + spec + "': '" + host + "' is not a character or block device;"
                    + " --device gives the container a device node of the host (-v a file or directory)");
        }
        return real.toString();
    }

    /**
     * Below /dev, normalized: the core makes the node on the container's own /dev, a tmpfs where
     * nodes work (the root and volumes are nodev).
     */
    private static String target(String spec, String target) throws UsageException {
        Path normal = target.startsWith("/") && target.indexOf('\0') < 0 ? Path.of(target).normalize() : null;
        if (normal == null || !normal.startsWith("/dev") || normal.getNameCount() < 2) {
            throw new UsageException("--device '" + spec + "': the path in the container '" + target + "' must be"
                    + " absolute and below /dev, e.g. /dev/xvda");
        }
        return normal.toString();
    }
}
