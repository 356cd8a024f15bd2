package io.containerfs.cli;

/**
 * container-fs's exit statuses, as {@code docker run} uses them, named once for the Java side and
 * for --help. Java returns {@link #SUCCESS} and {@link #FAILED} itself, for what it finds before
 * the C core runs (bad arguments, a layer it cannot use, pull). Every other status of a run comes
 * from the core ({@code cfs_exit_status()} in {@code src/main/c/core/errors.c}) and is passed on as it is: the
 * command's own, 128+N for signal N, {@link #FAILED} for a failed step, {@link #CANNOT_RUN} and
 * {@link #NOT_FOUND} for a command that cannot run or is not found.
 */
public enum ExitCode {
    /** Done; for a run, the command's own status stands in its place. */
    SUCCESS(0),
    /** No arguments at all: the short usage was printed. */
    USAGE(2),
    /** container-fs itself failed. */
    FAILED(125),
    /** The command exists in the container but cannot be run (the core's, as a shell's). */
    CANNOT_RUN(126),
    /** The command was not found in the container (the core's, as a shell's). */
    NOT_FOUND(127);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** A line of --help's exit statuses: the number in a column of its own, then what it means there. */
    public String helpLine(String meaning) {
        String number = Integer.toString(code);
        return "  " + number + " ".repeat(5 - number.length()) + meaning + "\n";
    }
}
