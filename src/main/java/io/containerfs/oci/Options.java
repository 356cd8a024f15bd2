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
                if (a.contains("=")) {
                    o.values.put(name, a.substring(a.indexOf('=') + 1));
                } else if (i + 1 < args.size()) {
                    o.values.put(name, args.get(++i));
                } else {
                    throw new OciCommandUsage(name + " needs a value");
                }
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

    /** The value of the option under either of its names. */
    Optional<String> value(String name, String alias) {
        String v = values.get(name);
        if (v == null && alias != null) {
            v = values.get(alias);
        }
        return Optional.ofNullable(v);
    }
}
