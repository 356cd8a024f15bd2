package io.containerfs.linux;

/**
 * A mount inside the container, made before the command runs: a bind mount of a host directory
 * or file ({@code source}), or a tmpfs ({@code source} null, {@code tmpfsOptions} as mount(8)
 * reads them).
 *
 * @param target an absolute, normalized path in the container, never "/"
 * @param nosuid a bind's setuid bits do nothing (an OCI config's {@code nosuid})
 * @param noexec nothing on a bind can be executed (an OCI config's {@code noexec})
 * @param cgroup an OCI config's {@code cgroup} mount: the container's own cgroup, read-only
 *     ({@code source} and {@code tmpfsOptions} null; src/main/c/core/rootfs.c)
 */
public record Mount(String source, String target, String tmpfsOptions, boolean readOnly, boolean nosuid,
        boolean noexec, boolean cgroup) {
    /** A bind or a tmpfs. */
    public Mount(String source, String target, String tmpfsOptions, boolean readOnly, boolean nosuid,
            boolean noexec) {
        this(source, target, tmpfsOptions, readOnly, nosuid, noexec, false);
    }

    /** The container's own cgroup on {@code target}, read-only. */
    public static Mount ownCgroup(String target) {
        return new Mount(null, target, null, true, true, true, true);
    }

    /** A {@code -v} or {@code --tmpfs} mount. */
    public Mount(String source, String target, String tmpfsOptions, boolean readOnly) {
        this(source, target, tmpfsOptions, readOnly, false, false);
    }
}
