package io.containerfs.linux;

/**
 * A host device given to the container ({@code --device HOST[:CTR][:PERMS]}): the core makes a node
 * at {@code target} in the container's /dev with the host node's type, numbers, mode and owner, and
 * adds a rule to the container's device cgroup that allows what the flags say
 * ({@code src/main/c/core/devices.c}).
 *
 * @param host a character or block device of the host; a symlink to one is followed
 * @param target an absolute, normalized path below /dev in the container
 * @param read open for reading ({@code r})
 * @param write open for writing ({@code w})
 * @param mknod make a node of it ({@code m}); any node may be made in any case, as in Docker
 */
public record Device(String host, String target, boolean read, boolean write, boolean mknod) {}
