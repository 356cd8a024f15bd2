package io.containerfs.cli;

/**
 * The exit codes container-fs itself chooses, as {@code docker run} does. Otherwise container-fs
 * exits with the command's own status, or 128+N when the command was killed by signal N.
 */
public enum ExitCode {
    /** container-fs itself failed: bad arguments, or a set-up step of the container. */
    FAILED(125),
    /** The command exists in the container but could not be run (permission, format). */
    CANNOT_RUN(126),
    /** The command was not found in the container. */
    NOT_FOUND(127);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The shell's convention for a {@code waitpid(2)} status: the exit status, or 128 + signal. */
    public static int fromWaitStatus(int status) {
        int signal = status & 0x7f;
        if (signal == 0) {
            return (status >> 8) & 0xff;
        }
        return 128 + signal;
    }
}
