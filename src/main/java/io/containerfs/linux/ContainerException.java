package io.containerfs.linux;

import java.io.IOException;

/**
 * container-fs could not run the command: a set-up step of the container failed, or the command
 * could not be executed. Thrown from C ({@code jni_native.c}) with the step, the path it worked
 * on and errno kept; the message and the exit status are the core's ({@code errors.c}), the same
 * the plain C front end prints and returns.
 */
public final class ContainerException extends IOException {
    private static final long serialVersionUID = 1L;

    private final Step step;
    private final String path;
    private final int errno;
    private final int exitStatus;

    private ContainerException(Step step, String path, int errno, String message, int exitStatus) {
        super(message);
        this.step = step;
        this.path = path;
        this.errno = errno;
        this.exitStatus = exitStatus;
    }

    /** Called by jni_native.c: the path and the message hold file names, so they come as bytes. */
    static ContainerException fromNative(int step, byte[] path, int errno, byte[] message, int exitStatus) {
        return new ContainerException(Step.of(step), Native.decode(path), errno, Native.decode(message), exitStatus);
    }

    public Step step() {
        return step;
    }

    public String path() {
        return path;
    }

    public int errno() {
        return errno;
    }

    /** 125 for a failed step, 127 for a command not found, 126 for one that cannot run. */
    public int exitStatus() {
        return exitStatus;
    }
}
