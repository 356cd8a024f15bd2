package io.containerfs.linux;

/**
 * Every native method of container-fs, implemented in {@code src/main/c/jni_native.c}.
 * Plain strings and arrays cross the boundary; the C side builds the course's {@code args_t}
 * from them. Call {@link NativeLoader#load()} first.
 */
public final class Native {
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

    /** {@code geteuid(2)}. */
    public static native int effectiveUid();
}
