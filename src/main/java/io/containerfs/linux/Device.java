package io.containerfs.linux;

import java.util.Optional;

/**
 * A device node made in the container's /dev ({@code src/main/c/core/devices.c}). For
 * {@code --device HOST[:CTR][:PERMS]}, the host node's type, numbers, mode and owner, and a rule of
 * the container's device cgroup that allows what the flags say. For an OCI config's
 * {@code linux.devices} entry, the {@link Node} it lists and no rule of its own: the config's
 * {@code linux.resources.devices} rules ({@link Rule}) decide whether it opens, as in runc.
 *
 * @param host a character or block device of the host; a symlink to one is followed. With a
 *     {@code node}: the same path as {@code target}, bound in its place where mknod(2) is refused
 *     (a user namespace) if the host's node there is that very device
 * @param target an absolute, normalized path below /dev in the container
 * @param read open for reading ({@code r})
 * @param write open for writing ({@code w})
 * @param mknod make a node of it ({@code m}); any node may be made in any case, as in Docker
 * @param node the node's own type, numbers, mode and owner, not the host's
 */
public record Device(String host, String target, boolean read, boolean write, boolean mknod, Optional<Node> node) {

    /** {@code --device}: the host's node, allowed as the flags say. */
    public Device(String host, String target, boolean read, boolean write, boolean mknod) {
        this(host, target, read, write, mknod, Optional.empty());
    }

    /** An OCI {@code linux.devices} entry at {@code path}: no rule of its own. */
    public static Device node(String path, Node node) {
        return new Device(path, path, false, false, false, Optional.of(node));
    }

    /**
     * A node as {@code linux.devices} lists it.
     *
     * @param mode {@link Native#S_IFCHR}, {@link Native#S_IFBLK} or {@link Native#S_IFIFO} plus the
     *     permission bits (fileMode)
     * @param major ignored for a FIFO
     * @param minor ignored for a FIFO
     */
    public record Node(int mode, int major, int minor, int uid, int gid) {}

    /**
     * A rule that allows what its flags say on the nodes it matches: a {@code linux.resources.devices}
     * allow rule, added to the core's defaults.
     *
     * @param block block devices, else character devices
     * @param major -1: every number
     * @param minor -1: every number
     */
    public record Rule(boolean block, int major, int minor, boolean read, boolean write, boolean mknod) {}
}
