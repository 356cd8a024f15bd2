package io.containerfs.linux;

/**
 * A mount inside the container, made before the command runs: a bind mount of a host directory
 * or file ({@code source}), or a tmpfs ({@code source} null, {@code tmpfsOptions} as mount(8)
 * reads them).
 *
 * @param target an absolute, normalized path in the container, never "/"
 * @param nosuid a bind's setuid bits do nothing (an OCI config's {@code nosuid})
 * @param noexec nothing on a bind can be executed (an OCI config's {@code noexec})
 */
public record Mount(String source, String target, String tmpfsOptions, boolean readOnly, boolean nosuid,
        boolean noexec) {
    /** A {@code -v} or {@code --tmpfs} mount. */
    public Mount(String source, String target, String tmpfsOptions, boolean readOnly) {
        this(source, target, tmpfsOptions, readOnly, false, false);
    }
}
