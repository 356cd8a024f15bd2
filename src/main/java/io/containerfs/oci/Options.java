package io.containerfs.oci;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** One OCI command's options, as runc takes them: {@code --name VALUE}, {@code --name=VALUE}, flags, then the positional words. */
final class Options {
    final Map<String, String> values = new HashMap<>();
    /** Each option given with its value, in order, for those that may be repeated ({@code exec --env}). */
    private final List<Map.Entry<String, String>> given = new ArrayList<>();
    final List<String> positional = new ArrayList<>();

    private Options() {}

    /**
     * @param positionals how many words must follow the options, or -1 for any number
     */
    static Options parse(List<String> args, Set<String> withValue, Set<String> flags, int positionals)
            throws OciCommandUsage {
        Options o = new Options();
        int i = 0;
        for (; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--")) {
                i++;
                break;
            }
            if (!a.startsWith("-") || a.equals("-")) {
                break;
            }
            String name = a.startsWith("--") && a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
            if (withValue.contains(name)) {
                String value;
                if (a.contains("=")) {
                    value = a.substring(a.indexOf('=') + 1);
                } else if (i + 1 < args.size()) {
                    value = args.get(++i);
                } else {
                    throw new OciCommandUsage(name + " needs a value");
                }
                o.values.put(name, value);
                o.given.add(Map.entry(name, value));
            } else if (flags.contains(name) && !a.contains("=")) {
                o.values.put(name, "");
            } else {
                throw new OciCommandUsage("unknown option " + a);
            }
        }
        o.positional.addAll(args.subList(i, args.size()));
        if (positionals >= 0 && o.positional.size() != positionals) {
            throw new OciCommandUsage(positionals == 0 ? "unexpected argument " + o.positional.get(0)
                    : o.positional.isEmpty() ? "missing the container id" : "too many arguments: " + o.positional);
        }
        return o;
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    /** Every value given to the option under either of its names, in order. */
    List<String> values(String name, String alias) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, String> e : given) {
            if (e.getKey().equals(name) || e.getKey().equals(alias)) {
                out.add(e.getValue());
            }
        }
        return out;
    }

    /** The value of the option under either of its names. */
    Optional<String> value(String name, String alias) {
        String v = values.get(name);
        if (v == null && alias != null) {
            v = values.get(alias);
        }
        return Optional.ofNullable(v);
    }
}
