package io.containerfs.cli;

/** The command line or a layer is not usable; the message says which and what to do. */
public final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
