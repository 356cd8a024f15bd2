package io.containerfs.pull;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** pull's progress on stderr: a progress bar on a terminal, one line per step when redirected. */
final class ConsoleProgress {
    /**
     * The bars' width, given rather than asked of the terminal: asking goes through JLine, which
     * extracts a native library into java.io.tmpdir and leaves it there, one file per build. 79
     * columns fit the 80 of the smallest terminal; the bar repeats only the verb to fit them.
     */
    private static final int BAR_WIDTH = 79;

    private ConsoleProgress() {}

    static Progress forStderr(PrintStream err, boolean quiet) {
        if (quiet) {
            return Progress.NONE;
        }
        return stderrIsTerminal() ? bars(err) : lines(err);
    }

    /**
     * isatty(2) for fd 2, without native code: Linux names a terminal /dev/pts/N, /dev/ttyN or
     * /dev/console in /proc/self/fd. (System.console() looks at stdin and stdout instead.)
     */
    static boolean stderrIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static Progress bars(PrintStream err) {
        return (what, total) -> {
            err.println("container-fs: " + what);
            ProgressBar bar = new ProgressBarBuilder()
                    .setTaskName(what.split(" ", 2)[0])
                    .setInitialMax(total)
                    .setStyle(ProgressBarStyle.ASCII)
                    .setUnit(" KiB", 1 << 10)
                    .showSpeed()
                    .setConsumer(new ConsoleProgressBarConsumer(err, BAR_WIDTH))
                    .build();
            return new Progress.Task() {
                @Override
                public void advanceTo(long done) {
                    bar.stepTo(done);
                }

                @Override
                public void close() {
                    bar.close();
                }
            };
        };
    }

    /** A class, not a lambda: a lambda is spun at its first use, a millisecond or so to a JVM that has just started. */
    private static Progress lines(PrintStream err) {
        return new Progress() {
            @Override
            public Task start(String what, long total) {
                err.printf("container-fs: %s (%.1f MiB)%n", what, total / (double) (1 << 20));
                return Task.NONE;
            }
        };
    }
}
