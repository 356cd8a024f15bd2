package io.containerfs.linux;

/**
 * A call on an OCI container's state failed (the {@code oci*} methods of {@link Native}): no such
 * container, one in the wrong state, a state directory that cannot be read or written. Thrown from
 * C ({@code jni_native.c}) with the one line {@code core/oci_state.c} formats, the line the
 * launcher prints for the same call.
 */
public final class OciStateException extends Exception {
    private static final long serialVersionUID = 1L;

    private OciStateException(String message) {
        super(message);
    }

    /** Called by jni_native.c: the message may name a path, so it comes as bytes. */
    static OciStateException fromNative(byte[] message) {
        return new OciStateException(Native.decode(message));
    }
}
