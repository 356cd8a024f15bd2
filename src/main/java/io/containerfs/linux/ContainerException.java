package io.containerfs.linux;

import java.io.IOException;

/**
 * A step of building or starting the container failed. Thrown from C
 * ({@code jni_native.c}) with the step, the path it worked on and errno kept.
 */
public final class ContainerException extends IOException {
    private static final long serialVersionUID = 1L;

    /** errno values the CLI tells apart (asm-generic/errno-base.h, the same on every Linux arch). */
    public static final int EPERM = 1;
    public static final int ENOENT = 2;

    /** The step name {@code jni_native.c} gives an exec failure. */
    public static final String STEP_EXEC = "exec";

    private final String step;
    private final String path;
    private final int errno;

    public ContainerException(String step, String path, int errno, String message) {
        super(message);
        this.step = step;
        this.path = path;
        this.errno = errno;
    }

    /** Called by jni_native.c: the path and the message hold file names, so they come as bytes. */
    static ContainerException fromNative(String step, byte[] path, int errno, byte[] message) {
        return new ContainerException(step, Native.decode(path), errno, Native.decode(message));
    }

    public String step() {
        return step;
    }

    public String path() {
        return path;
    }

    public int errno() {
        return errno;
    }

    /** The container started but its command could not be executed. */
    public boolean isExecFailure() {
        return STEP_EXEC.equals(step);
    }
}
