package io.containerfs.pull;

/** pull cannot go on; the message is one line that says what failed and what the user can do next. */
public class PullException extends Exception {
    private static final long serialVersionUID = 1L;

    public PullException(String message) {
        super(message);
    }

    public PullException(String message, Throwable cause) {
        super(message, cause);
    }
}
