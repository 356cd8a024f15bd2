package io.containerfs.cli;

/**
 * The exit status for a failure Java finds before the C core runs (bad arguments, a layer it
 * cannot use, pull), as {@code docker run} uses it. Every other status of a run comes from the
 * core ({@code src/main/c/core/errors.c}): the command's own, 128+N for signal N, 125 for a failed
 * step, 126 and 127 for a command that cannot run or is not found.
 */
public enum ExitCode {
    /** container-fs itself failed. */
    FAILED(125);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
