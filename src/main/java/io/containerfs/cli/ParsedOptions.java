package io.containerfs.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;

/**
 * What Commons CLI parsed, read out once: the options given, by long name, with their values in
 * command-line order, and the words that were not options. Commons CLI's own getters resolve the
 * name on every call through a stream and a lambda, which a JVM that has just started runs in its
 * interpreter; a run asks about two dozen options (docs/BENCHMARKS.md). Pull's usual command lines
 * are read by hand into one ({@code io.containerfs.pull.PullCommandLine}).
 */
public final class ParsedOptions {
    private static final List<String> NONE = List.of();

    private final Map<String, List<String>> values = new HashMap<>();
    private final List<String> words;

    public ParsedOptions(CommandLine line) {
        for (Option option : line.getOptions()) {
            List<String> list = values.get(option.getLongOpt());
            if (list == null) {
                list = new ArrayList<>();
                values.put(option.getLongOpt(), list);
            }
            String[] given = option.getValues();
            if (given != null) {
                list.addAll(List.of(given));
            }
        }
        words = line.getArgList();
    }

    /** Options read by hand: their values by long name (an empty list for a flag), and the other words. */
    public ParsedOptions(Map<String, List<String>> values, List<String> words) {
        this.values.putAll(values);
        this.words = words;
    }

    /** A command line of words only: no option was given. */
    ParsedOptions(List<String> words) {
        this.words = words;
    }

    /** Whether the option was given. */
    public boolean has(String longName) {
        return values.containsKey(longName);
    }

    /** The option's first value, or null when it was not given. */
    public String value(String longName) {
        List<String> list = values.getOrDefault(longName, NONE);
        return list.isEmpty() ? null : list.get(0);
    }

    /** The option's first value, or fallback when it was not given. */
    public String value(String longName, String fallback) {
        String value = value(longName);
        return value != null ? value : fallback;
    }

    /** Every value of a repeatable option, in order; empty when it was not given. */
    public List<String> values(String longName) {
        return values.getOrDefault(longName, NONE);
    }

    /** The words that are not options or their values: the layers, in order. */
    public List<String> words() {
        return words;
    }
}
