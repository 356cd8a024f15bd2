package io.containerfs.linux;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the caller gave container-fs where the JVM changed it before {@code main} ran, so the
 * container gets the caller's, not the JVM's: descriptors 0-2 and the soft limit on open files.
 * Only reads {@code /proc}; every method answers "as it is" when it cannot tell.
 */
final class Caller {
    private Caller() {}

    /**
     * Bit N set when descriptor N (0-2) is one of the JVM's own files, not the caller's: started
     * with descriptor N closed, the JVM opens its modules, the jar or a class-path entry there
     * (without close-on-exec), and the container would be handed them. The core puts /dev/null
     * there instead, as {@code docker run} does for a closed descriptor.
     */
    static int stdioTheJvmTook() {
        List<Path> own = jvmFiles();
        int mask = 0;
        for (int fd = 0; fd <= 2; fd++) {
            Optional<Path> target = target(fd);
            if (target.isPresent() && isWithinAny(target.get(), own)) {
                mask |= 1 << fd;
            }
        }
        return mask;
    }

    /** A loop, not a stream: a run bootstraps no java.lang.invoke. */
    private static boolean isWithinAny(Path path, List<Path> dirs) {
        for (Path dir : dirs) {
            if (path.startsWith(dir)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The soft RLIMIT_NOFILE of the process that started the JVM, or 0 when it cannot be told.
     * The JVM raises its own soft limit to the hard one at start-up ({@code -XX:+MaxFDLimit}, the
     * default); the caller's value survives only in the parent's {@code /proc/PID/limits}. It is
     * trusted only when the parent's hard limit is ours, i.e. the parent passed its limits on.
     */
    static long openFilesSoftLimit() {
        long[] ours = openFiles(Path.of("/proc/self/limits"));
        long parent = ProcessStat.parentPid(Path.of("/proc/self/stat"));
        if (ours == null || parent <= 0) {
            return 0;
        }
        long[] theirs = openFiles(Path.of("/proc", Long.toString(parent), "limits"));
        if (theirs == null || theirs[1] != ours[1] || theirs[0] > ours[0]) {
            return 0;
        }
        return theirs[0];
    }

    /** {soft, hard} of "Max open files" in a limits file (proc(5)), -1 for unlimited; null if unreadable. */
    static long[] openFiles(Path limits) {
        try {
            String s = "\n" + new String(SmallFile.read(limits), StandardCharsets.US_ASCII);
            int at = s.indexOf("\nMax open files");
            if (at >= 0) {
                int end = s.indexOf('\n', at + 1);
                String[] words = ProcessStat.words(
                        s.substring(at + "\nMax open files".length(), end < 0 ? s.length() : end));
                return new long[] {number(words[0]), number(words[1])};
            }
        } catch (IOException | RuntimeException e) {
            // Not readable (another user's process, no /proc): keep the limit as it is.
        }
        return null;
    }

    private static long number(String word) {
        return word.equals("unlimited") ? -1 : Long.parseLong(word);
    }

    private static Optional<Path> target(int fd) {
        try {
            Path target = Files.readSymbolicLink(Path.of("/proc/self/fd", Integer.toString(fd)));
            return target.isAbsolute() ? Optional.of(target) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** java.home and every class-path entry, as real paths. */
    private static List<Path> jvmFiles() {
        List<Path> files = new ArrayList<>();
        List<String> names = new ArrayList<>();
        names.add(System.getProperty("java.home", ""));
        names.addAll(List.of(System.getProperty("java.class.path", "").split(java.io.File.pathSeparator)));
        for (String name : names) {
            try {
                if (!name.isEmpty()) {
                    files.add(Path.of(name).toRealPath());
                }
            } catch (IOException | RuntimeException e) {
                // Gone or not a path: nothing of it can be on a descriptor.
            }
        }
        return files;
    }

    /**
     * The exact bytes of {@code command} when it is the end of this JVM's own argv, as
     * {@code /proc/self/cmdline} holds them: main()'s arguments are decoded from the system's
     * character set, and a byte sequence that is not valid in it (\xff under UTF-8) became U+FFFD.
     * Each entry is checked to decode to its word; null when they are not the end of the argv (a
     * library call), and the words are then encoded as they are.
     */
    static byte[][] commandBytes(String[] command, java.nio.charset.Charset charset) {
        byte[] cmdline;
        try {
            cmdline = SmallFile.read(Path.of("/proc/self/cmdline"));
        } catch (IOException | RuntimeException e) {
            return null;
        }
        byte[][] tail = lastWords(cmdline, command.length);
        if (tail == null) {
            return null;
        }
        for (int i = 0; i < command.length; i++) {
            if (!new String(tail[i], charset).equals(command[i])) {
                return null;
            }
        }
        return tail;
    }

    /**
     * The last {@code count} NUL-terminated words of a command line, read from its end: the layers
     * before them, up to 500, are not copied. A tail without its NUL is not a word. Null when there
     * are fewer.
     */
    static byte[][] lastWords(byte[] cmdline, int count) {
        byte[][] words = new byte[count][];
        int end = cmdline.length;
        while (end > 0 && cmdline[end - 1] != 0) {
            end--;
        }
        for (int k = count - 1; k >= 0; k--) {
            if (end == 0) {
                return null;
            }
            int start = end - 1;
            while (start > 0 && cmdline[start - 1] != 0) {
                start--;
            }
            words[k] = java.util.Arrays.copyOfRange(cmdline, start, end - 1);
            end = start;
        }
        return words;
    }
}
