package io.containerfs.frontend;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The log of {@code strace -f -qq -e signal=none -o FILE}, one {@link Call} per system call in the
 * order the calls started. strace splits a call that another process interrupts into
 * {@code PID name(args <unfinished ...>} and, later, {@code PID <... name resumed>rest}; the two halves
 * are joined at the position of the first. The padding strace puts before {@code " = "} is
 * dropped, so a line reads as container-fs's {@code --trace} writes it.
 */
final class StraceLog {
    record Call(int pid, String line) {
        String name() {
            return line.substring(0, line.indexOf('('));
        }
    }

    private static final Pattern LINE = Pattern.compile("^(\\d+) +(.*)$");
    private static final Pattern RESUMED = Pattern.compile("^<\\.\\.\\. (\\w+) resumed>(.*)$");
    private static final String UNFINISHED = " <unfinished ...>";
    /** ")   = -1 EEXIST (File exists)" at the end of a line: strace aligns results in a column. */
    private static final Pattern RESULT = Pattern.compile("\\)\\s+= (-?\\d+|\\?)((?: \\w+ \\([^)]*\\))?)$");

    private final List<Call> calls;

    private StraceLog(List<Call> calls) {
        this.calls = List.copyOf(calls);
    }

    static StraceLog parse(List<String> lines) {
        List<String[]> slots = new ArrayList<>(); // {pid, text}; text completed when resumed
        Map<Integer, Integer> pending = new HashMap<>();
        for (String raw : lines) {
            Matcher m = LINE.matcher(raw);
            if (!m.matches()) {
                throw new IllegalArgumentException("not a line of strace -f -o: " + raw);
            }
            int pid = Integer.parseInt(m.group(1));
            String text = m.group(2);
            Matcher resumed = RESUMED.matcher(text);
            if (resumed.matches()) {
                Integer slot = pending.remove(pid);
                if (slot == null) {
                    throw new IllegalArgumentException("resumed without an unfinished call: " + raw);
                }
                slots.get(slot)[1] += resumed.group(2);
            } else if (text.endsWith(UNFINISHED)) {
                pending.put(pid, slots.size());
                slots.add(new String[] {m.group(1), text.substring(0, text.length() - UNFINISHED.length())});
            } else {
                slots.add(new String[] {m.group(1), text});
            }
        }
        List<Call> calls = new ArrayList<>();
        for (String[] slot : slots) {
            if (!slot[1].startsWith("+++") && !slot[1].startsWith("---")) {
                calls.add(new Call(Integer.parseInt(slot[0]), normalize(slot[1])));
            }
        }
        return new StraceLog(calls);
    }

    /** One space on each side of {@code =} before the result, as --trace writes it. */
    static String normalize(String line) {
        return RESULT.matcher(line).replaceFirst(") = $1$2");
    }

    List<Call> calls() {
        return calls;
    }

    List<Call> of(int pid) {
        return calls.stream().filter(c -> c.pid() == pid).toList();
    }

    /**
     * The flags of a clone or clone3 line, with the exit signal, as a set: {@code clone(child_stack=…,
     * flags=A|B|SIGCHLD)} and {@code clone3({flags=A|B, exit_signal=SIGCHLD, …}, 88)} give the same.
     */
    static Set<String> cloneFlags(String line) {
        Matcher flags = Pattern.compile("flags=([\\w|]+)").matcher(line);
        Set<String> set = new LinkedHashSet<>();
        if (flags.find()) {
            set.addAll(List.of(flags.group(1).split("\\|")));
        }
        Matcher signal = Pattern.compile("exit_signal=(\\w+)").matcher(line);
        if (signal.find()) {
            set.add(signal.group(1));
        }
        return set;
    }

    /** The result after {@code " = "}, e.g. a pid; null when the line has none. */
    static String result(String line) {
        int eq = line.lastIndexOf(") = ");
        if (eq < 0) {
            return null;
        }
        String rest = line.substring(eq + 4);
        int space = rest.indexOf(' ');
        return space < 0 ? rest : rest.substring(0, space);
    }
}
