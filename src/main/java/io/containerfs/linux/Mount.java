package io.containerfs.linux;

/**
 * A mount inside the container, made before the command runs: a bind mount of a host directory
 * or file ({@code source}), or a tmpfs ({@code source} null, {@code tmpfsOptions} as mount(8)
 * reads them).
 *
 * @param target an absolute, normalized path in the container, never "/"
 */
public record Mount(String source, String target, String tmpfsOptions, boolean readOnly) {}
