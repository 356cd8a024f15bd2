package io.containerfs.layer;

/**
 * The names by which an image layer says that something of a lower layer is gone: the OCI image
 * spec's whiteouts (image-spec layer.md), which are AUFS's. pull turns them into overlayfs's own (a
 * 0/0 character device, an opaque xattr), or keeps them as files in a layer marked
 * {@link #FILE_WHITEOUTS} where an ordinary user cannot make the device; {@link MergedFile} reads
 * both as the overlay will.
 */
public final class Whiteouts {
    /** {@code .wh.NAME} hides NAME of every lower layer. */
    public static final String PREFIX = ".wh.";
    /** In a directory, hides everything lower layers hold in it. */
    public static final String OPAQUE = ".wh..wh..opq";
    /**
     * At a layer's root: its whiteouts are files, as fuse-overlayfs reads them, which the kernel's
     * overlayfs would show as files (the C core's FILE_WHITEOUTS, src/main/c/core/fuse_overlay.c,
     * looks for it). AUFS's name for its own marker there; fuse-overlayfs hides every .wh. name.
     */
    public static final String FILE_WHITEOUTS = ".wh..wh.aufs";

    private Whiteouts() {}
}
