package io.containerfs.oci;

/** A one-line refusal of the OCI front end: a field it does not support, a container in the wrong state. */
public final class OciException extends Exception {
    private static final long serialVersionUID = 1L;

    public OciException(String message) {
        super(message);
    }
}
