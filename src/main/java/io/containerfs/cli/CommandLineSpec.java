package io.containerfs.cli;

import io.containerfs.linux.Capability;
import io.containerfs.linux.Isolation;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;

/**
 * The run form's command line: option names, parsing and help in one place.
 *
 * <pre>container-fs [OPTIONS] LAYER... WRITEDIR -- COMMAND [ARG...]</pre>
 *
 * Only what stands before {@code --} is ours: everything after it is the container's argv,
 * passed on untouched, so {@code -- ls -la} is never read as options of container-fs.
 */
public final class CommandLineSpec {
    public static final String SEPARATOR = "--";
    public static final String HELP = "help";
    public static final String VERSION = "version";
    public static final String WORKDIR = "workdir";
    public static final String TRACE = "trace";
    public static final String HOSTNAME = "hostname";
    public static final String PRIVILEGED = "privileged";
    public static final String CAP_ADD = "cap-add";
    public static final String CAP_DROP = "cap-drop";
    public static final String SECURITY_OPT = "security-opt";

    /** HOST_NAME_MAX: what sethostname(2) takes. */
    private static final Pattern HOSTNAME_SYNTAX = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.-]{0,63}");

    static final String SYNTAX = "container-fs [OPTIONS] LAYER... WRITEDIR -- COMMAND [ARG...]\n"
            + "       container-fs pull [OPTIONS] [alpine[:BRANCH]] DIR";

    static final String HEADER = "\nRun COMMAND in new mount, PID, UTS and IPC namespaces whose root is an overlay of"
            + " the layers, listed bottom to top. The last directory, WRITEDIR, is the writable upper layer:"
            + " every change the container makes lands there, and the other layers are never modified."
            + " COMMAND is looked up in the container's PATH, as execvp(3) does. Needs root (sudo).\n"
            + "The container is contained by default: Docker's default capabilities, a seccomp filter, /proc's"
            + " kernel files masked or read-only, its own hostname; the host's network (see README,"
            + " \"Security\").\n\n";

    static final String FOOTER = "\nExit status:\n"
            + "  the command's own exit status, or 128+N when it was killed by signal N\n"
            + "  125  container-fs itself failed (bad arguments, a set-up step of the container)\n"
            + "  126  the command exists in the container but cannot be run\n"
            + "  127  the command was not found in the container\n\n"
            + "Example:\n"
            + "  sudo java -jar container-fs.jar rootfs app writedir -- sh\n";

    private final Options options = new Options();

    public CommandLineSpec() {
        options.addOption(Option.builder("h").longOpt(HELP).desc("print this help and exit").get());
        options.addOption(Option.builder("V").longOpt(VERSION).desc("print the version and exit").get());
        options.addOption(Option.builder("w").longOpt(WORKDIR).hasArg().argName("DIR")
                .desc("overlayfs work directory: empty, on the same filesystem as WRITEDIR"
                        + " (default: a new one beside WRITEDIR, removed afterwards)")
                .get());
        options.addOption(Option.builder().longOpt(TRACE)
                .desc("print the system calls that build the container to stderr, as strace would")
                .get());
        options.addOption(Option.builder().longOpt(HOSTNAME).hasArg().argName("NAME")
                .desc("the container's hostname (default: a random 12-hex-digit id)").get());
        options.addOption(Option.builder().longOpt(PRIVILEGED)
                .desc("give the container every capability, no seccomp filter, and /proc unmasked;"
                        + " for experiments only: root inside can then change the host")
                .get());
        options.addOption(Option.builder().longOpt(CAP_ADD).hasArg().argName("CAP")
                .desc("add a capability to the default set (a capabilities(7) name, with or without CAP_,"
                        + " or ALL); may be repeated")
                .get());
        options.addOption(Option.builder().longOpt(CAP_DROP).hasArg().argName("CAP")
                .desc("drop a capability from the default set (or ALL); may be repeated; --cap-add wins")
                .get());
        options.addOption(Option.builder().longOpt(SECURITY_OPT).hasArg().argName("OPT")
                .desc("no-new-privileges: setuid programs give nothing more; seccomp=unconfined: no"
                        + " seccomp filter; may be repeated")
                .get());
    }

    /** Whether the words hold the run form's separator (otherwise they name a subcommand). */
    public static boolean isRunForm(String[] args) {
        return Arrays.asList(args).contains(SEPARATOR);
    }

    /** Parses options and layers before {@code --}; returns null when only --help or --version was asked. */
    public CommandLine parseOptions(String[] args) throws UsageException {
        int separator = Arrays.asList(args).indexOf(SEPARATOR);
        String[] ours = separator < 0 ? args : Arrays.copyOfRange(args, 0, separator);
        try {
            return new DefaultParser().parse(options, ours, true);
        } catch (ParseException e) {
            throw new UsageException(e.getMessage() + " (see --help)");
        }
    }

    /** The run form, after {@link #parseOptions} gave no --help or --version. */
    public RunRequest parseRun(String[] args, CommandLine line) throws UsageException {
        int separator = Arrays.asList(args).indexOf(SEPARATOR);
        if (separator < 0) {
            throw new UsageException("missing '--' between the layers and the command: "
                    + "container-fs LAYER... WRITEDIR -- COMMAND");
        }
        List<String> layers = line.getArgList();
        for (int i = 0; i < layers.size(); i++) {
            String word = layers.get(i);
            if (word.startsWith("-")) {
                // stopAtNonOption leaves an unknown option as the first non-option word.
                boolean ours = i > 0 && options.hasOption(word.replaceFirst("^--?", "").replaceFirst("=.*", ""));
                throw new UsageException(ours
                        ? "option '" + word + "' must come before the layers (see --help)"
                        : "unknown option '" + word + "' (see --help)");
            }
        }
        if (layers.size() < 2) {
            throw new UsageException("need at least two layers before '--' (LAYER... WRITEDIR), got "
                    + layers.size() + ": the last one is the writable WRITEDIR");
        }
        List<String> command = Arrays.asList(args).subList(separator + 1, args.length);
        if (command.isEmpty()) {
            throw new UsageException("no command after '--': container-fs LAYER... WRITEDIR -- COMMAND");
        }
        Optional<Path> workdir = Optional.ofNullable(line.getOptionValue(WORKDIR)).map(Path::of);
        return new RunRequest(layers.stream().map(Path::of).toList(), workdir, command, isolation(line),
                line.hasOption(TRACE));
    }

    private static Isolation isolation(CommandLine line) throws UsageException {
        Optional<String> hostname = Optional.ofNullable(line.getOptionValue(HOSTNAME));
        if (hostname.isPresent() && !HOSTNAME_SYNTAX.matcher(hostname.get()).matches()) {
            throw new UsageException("invalid --hostname '" + hostname.get() + "': use 1 to 64 letters, digits,"
                    + " '-' and '.', starting with a letter or digit");
        }
        boolean noNewPrivileges = false;
        boolean seccompUnconfined = false;
        for (String opt : values(line, SECURITY_OPT)) {
            switch (opt.replace(':', '=')) {
                case "no-new-privileges", "no-new-privileges=true" -> noNewPrivileges = true;
                case "no-new-privileges=false" -> noNewPrivileges = false;
                case "seccomp=unconfined" -> seccompUnconfined = true;
                default -> throw new UsageException("unsupported --security-opt '" + opt
                        + "': use no-new-privileges or seccomp=unconfined");
            }
        }
        return new Isolation(hostname, capabilities(line, CAP_ADD), capabilities(line, CAP_DROP),
                line.hasOption(PRIVILEGED), noNewPrivileges, seccompUnconfined);
    }

    private static long capabilities(CommandLine line, String option) throws UsageException {
        long set = 0;
        for (String name : values(line, option)) {
            try {
                set |= Capability.parse(name);
            } catch (IllegalArgumentException e) {
                throw new UsageException("--" + option + ": " + e.getMessage());
            }
        }
        return set;
    }

    private static String[] values(CommandLine line, String option) {
        String[] values = line.getOptionValues(option);
        return values != null ? values : new String[0];
    }

    public void printHelp(PrintWriter out) {
        HelpFormatter help = HelpFormatter.builder().setShowSince(false).get();
        help.printHelp(out, 100, SYNTAX, HEADER, options, 2, 2, FOOTER, false);
        out.flush();
    }
}
