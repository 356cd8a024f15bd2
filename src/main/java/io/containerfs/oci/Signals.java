package io.containerfs.oci;

import java.util.Locale;
import java.util.Map;

/** kill's SIGNAL: a name with or without SIG, in any case, or a number, as runc takes it. */
final class Signals {
    private static final Map<String, Integer> NUMBERS = Map.ofEntries(Map.entry("HUP", 1), Map.entry("INT", 2),
            Map.entry("QUIT", 3), Map.entry("ILL", 4), Map.entry("TRAP", 5), Map.entry("ABRT", 6),
            Map.entry("IOT", 6), Map.entry("BUS", 7), Map.entry("FPE", 8), Map.entry("KILL", 9),
            Map.entry("USR1", 10), Map.entry("SEGV", 11), Map.entry("USR2", 12), Map.entry("PIPE", 13),
            Map.entry("ALRM", 14), Map.entry("TERM", 15), Map.entry("STKFLT", 16), Map.entry("CHLD", 17),
            Map.entry("CONT", 18), Map.entry("STOP", 19), Map.entry("TSTP", 20), Map.entry("TTIN", 21),
            Map.entry("TTOU", 22), Map.entry("URG", 23), Map.entry("XCPU", 24), Map.entry("XFSZ", 25),
            Map.entry("VTALRM", 26), Map.entry("PROF", 27), Map.entry("WINCH", 28), Map.entry("IO", 29),
            Map.entry("PWR", 30), Map.entry("SYS", 31));

    private Signals() {}

    static int number(String word) throws OciException {
        String upper = word.toUpperCase(Locale.ROOT);
        String bare = upper.startsWith("SIG") ? upper.substring(3) : upper;
        Integer n = NUMBERS.get(bare);
        if (n != null) {
            return n;
        }
        try {
            int number = Integer.parseInt(word);
            if (number >= 1 && number <= 64) {
                return number;
            }
        } catch (NumberFormatException e) {
            // not a number either
        }
        throw new OciException("unknown signal '" + word + "': a name such as TERM or KILL, or a number");
    }
}
