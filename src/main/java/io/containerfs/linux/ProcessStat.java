package io.containerfs.linux;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code /proc/PID/stat} (proc(5)) says of a process, read by hand: {@link ProcessHandle}
 * starts a thread pool and spins lambdas, and a regex compiles some, each worth milliseconds to a
 * JVM that has just started (docs/BENCHMARKS.md).
 */
public final class ProcessStat {
    /**
     * USER_HZ, the unit of the stat file's times: 100 on every architecture a JDK runs on; what
     * sysconf(_SC_CLK_TCK), and so ProcessHandle, divides by.
     */
    static final long CLOCK_TICKS_PER_SECOND = 100;

    /** Fields 1 (pid), 4 (ppid) and 22 (starttime), 0-based after COMM: 0 is field 3. */
    private static final int PPID = 4 - 3;
    private static final int START_TIME = 22 - 3;

    private ProcessStat() {}

    /** The parent's pid, field 4 of a stat file, or -1 if unreadable. */
    static long parentPid(Path stat) {
        try {
            return Long.parseLong(fieldsAfterCommand(read(stat))[PPID]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * This process's pid and start time as {@link #startMillis} gives it (0 when unknown); null when
     * /proc cannot tell the pid.
     */
    public static long[] self() {
        try {
            String stat = read(Path.of("/proc/self/stat"));
            long pid = Long.parseLong(stat.substring(0, stat.indexOf(' ')));
            return new long[] {pid, startMillis(stat)};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** This process's pid, from /proc, else from ProcessHandle (a thread pool and two lambdas). */
    public static long pid() {
        long[] self = self();
        return self != null ? self[0] : ProcessHandle.current().pid();
    }

    /**
     * When process {@code pid} started, in milliseconds since the epoch, computed as
     * ProcessHandle's {@code info().startInstant()} does on Linux (the boot time plus field 22), so
     * that the two agree to the millisecond; 0 when it cannot be told, -1 when there is no such
     * process (its stat file cannot be read, where ProcessHandle.of is empty).
     */
    public static long startMillis(long pid) {
        String stat;
        try {
            stat = read(Path.of("/proc/" + pid + "/stat"));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return startMillis(stat);
    }

    private static long startMillis(String stat) {
        try {
            long ticks = Long.parseLong(fieldsAfterCommand(stat)[START_TIME]);
            long boot = bootSeconds();
            return boot < 0 ? 0 : boot * 1000 + ticks * 1000 / CLOCK_TICKS_PER_SECOND;
        } catch (RuntimeException e) {
            return 0;
        }
    }

    /** The {@code btime} line of /proc/stat: when the system booted, in seconds since the epoch; -1 if unreadable. */
    private static long bootSeconds() {
        try {
            String stat = "\n" + read(Path.of("/proc/stat"));
            int at = stat.indexOf("\nbtime ");
            int end = stat.indexOf('\n', at + 1);
            return Long.parseLong(stat.substring(at + "\nbtime ".length(), end < 0 ? stat.length() : end).trim());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** "PID (COMM) STATE PPID ...": COMM may hold spaces and parentheses; the last ')' ends it. */
    private static String[] fieldsAfterCommand(String stat) {
        return words(stat.substring(stat.lastIndexOf(')') + 1));
    }

    private static String read(Path file) throws IOException {
        return new String(SmallFile.read(file), StandardCharsets.US_ASCII);
    }

    /** The words of s, split at runs of spaces, tabs and newlines. */
    static String[] words(String s) {
        List<String> words = new ArrayList<>();
        int start = -1;
        for (int i = 0; i <= s.length(); i++) {
            boolean blank = i == s.length() || s.charAt(i) == ' ' || s.charAt(i) == '\t' || s.charAt(i) == '\n';
            if (!blank && start < 0) {
                start = i;
            } else if (blank && start >= 0) {
                words.add(s.substring(start, i));
                start = -1;
            }
        }
        return words.toArray(new String[0]);
    }
}
