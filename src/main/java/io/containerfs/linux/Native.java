package io.containerfs.linux;

/**
 * Every native method of container-fs, implemented in {@code src/main/c/jni_native.c}.
 * Plain strings and arrays cross the boundary; the C side builds the course's {@code args_t}
 * from them. Call {@link NativeLoader#load()} first.
 */
public final class Native {
    /** File type bits of a mode, as {@code <sys/stat.h>} has them (the same on every Linux arch). */
    public static final int S_IFIFO = 0010000;
    public static final int S_IFCHR = 0020000;
    public static final int S_IFBLK = 0060000;

    private Native() {}

    /**
     * Runs {@code command} in a new mount and PID namespace whose root is the overlay of
     * {@code lowers} (bottom to top) and {@code upper}, mounted on {@code mountpoint}.
     *
     * @return the raw {@code waitpid(2)} status of the command
     * @throws ContainerException when a set-up step or the exec failed; the child has been reaped
     */
    public static native int run(
            String[] lowers, String upper, String work, String mountpoint, String[] command, boolean trace)
            throws ContainerException;

    /** The overlay mount(2) option string the C core would pass for these directories. */
    public static native String overlayOptions(String[] lowers, String upper, String work)
            throws ContainerException;

    /**
     * Makes a character or block device or a FIFO at {@code path}, as {@code tar --same-owner -xpf}
     * does: {@code mknod(2)}, then the owner, then the exact mode (setuid, setgid and sticky
     * included, whatever the umask), then the mtime; all by path, never following a symlink in the
     * last component and never opening the node (java.nio would, and a FIFO blocks its open(2)).
     * The path crosses as modified UTF-8, so it must not hold characters outside the BMP.
     *
     * @param mode {@link #S_IFCHR}, {@link #S_IFBLK} or {@link #S_IFIFO} plus the permission bits
     * @param major ignored for a FIFO
     * @param minor ignored for a FIFO
     * @param uid the owner, or -1 to keep the caller's
     * @param gid the group, or -1 to keep the caller's
     * @param mtimeNanos 0 to 999999999
     * @throws ContainerException with step {@code mknod}, {@code chown node}, {@code chmod node} or
     *     {@code set node times} and errno kept: EEXIST when anything, a symlink included, is at
     *     {@code path}; ENOENT when its directory is missing; EPERM without CAP_MKNOD; EINVAL for
     *     a mode that is not one of the three types or nanoseconds out of range
     */
    public static native void makeNode(
            String path, int mode, int major, int minor, int uid, int gid, long mtimeSeconds, int mtimeNanos)
            throws ContainerException;

    /** {@code geteuid(2)}. */
    public static native int effectiveUid();
}
