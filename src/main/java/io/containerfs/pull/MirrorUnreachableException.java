package io.containerfs.pull;

/** No HTTP answer at all (refused, unresolvable, timed out): a cached copy may still do. */
public final class MirrorUnreachableException extends PullException {
    private static final long serialVersionUID = 1L;

    public MirrorUnreachableException(String message, Throwable cause) {
        super(message, cause);
    }
}
