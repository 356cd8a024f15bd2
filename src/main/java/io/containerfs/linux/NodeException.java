package io.containerfs.linux;

import java.io.IOException;

/**
 * Making a node or a file failed ({@link Native#makeNode}, {@link Native#createFile} and the
 * rest). Thrown from C ({@code jni_native.c}) with the step, the path and errno kept, and the
 * message {@code nodes.c} formats.
 */
public final class NodeException extends IOException {
    private static final long serialVersionUID = 1L;

    /** errno values pull tells apart (asm-generic/errno-base.h, the same on every Linux arch). */
    public static final int EPERM = 1;
    public static final int EEXIST = 17;

    /** {@code enum cfs_node_step} of {@code src/main/c/pull/nodes.h}: the same names in the same order. */
    public enum Step {
        NONE,
        MKNOD,
        OWNER,
        MODE,
        TIMES,
        CREATE,
        WRITE,
        CLOSE,
        OPEN,
        XATTR;

        private static final Step[] ALL = values();

        static Step of(int number) {
            return number >= 0 && number < ALL.length ? ALL[number] : NONE;
        }
    }

    private final Step step;
    private final String path;
    private final int errno;

    private NodeException(Step step, String path, int errno, String message) {
        super(message);
        this.step = step;
        this.path = path;
        this.errno = errno;
    }

    /** Called by jni_native.c: the path and the message hold file names, so they come as bytes. */
    static NodeException fromNative(int step, byte[] path, int errno, byte[] message) {
        return new NodeException(Step.of(step), Native.decode(path), errno, Native.decode(message));
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
}
