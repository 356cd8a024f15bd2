package io.containerfs.layer;

/** A layer or the work directory cannot be used; the message names the argument. */
public final class LayerException extends Exception {
    private static final long serialVersionUID = 1L;

    public LayerException(String message) {
        super(message);
    }
}
