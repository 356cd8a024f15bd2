package io.containerfs.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A number of bytes as docker run writes one, the one grammar of every option that takes a size
 * (--memory, --memory-swap, --tmpfs size=, pull's --max-bytes and --max-entries): digits, then
 * k, m or g for KiB, MiB or GiB, then b or iB, each optional and in any case: 1048576, 512k,
 * 64m, 32MB, 64MiB, 1G. Which sizes an option accepts (zero, a floor, the spellings the kernel
 * reads itself) and how it words a refusal are the option's own.
 */
public final class ByteSize {
    /**
     * Compiled on the first size a command line gives: a regex compiles lambdas, milliseconds to
     * a JVM that has just started (docs/BENCHMARKS.md).
     */
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([bkmg]?)(i?b)?", Pattern.CASE_INSENSITIVE);

    private ByteSize() {}

    /**
     * The bytes {@code text} stands for, 0 included; whitespace around it is ignored.
     *
     * @throws IllegalArgumentException when text is not a size (a sign, a fraction, another unit)
     * @throws ArithmeticException when it is one, but more bytes than a {@code long} holds
     */
    public static long parse(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size such as 32m, 1g or 512k");
        }
        int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            default -> 0;
        };
        long number;
        try {
            number = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw tooLarge(text); // digits only, so more than a long holds
        }
        if (number > (Long.MAX_VALUE >> shift)) {
            throw tooLarge(text);
        }
        return number << shift;
    }

    private static ArithmeticException tooLarge(String text) {
        return new ArithmeticException("'" + text + "' is more bytes than a long holds");
    }
}
