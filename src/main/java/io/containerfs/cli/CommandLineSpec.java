package io.containerfs.cli;

import java.io.PrintWriter;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
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

    static final String SYNTAX = "container-fs [OPTIONS] LAYER... WRITEDIR -- COMMAND [ARG...]\n"
            + "       container-fs pull [OPTIONS] [alpine[:BRANCH]] DIR";

    static final String HEADER = "\nRun COMMAND in a new mount and PID namespace whose root is an overlay of the"
            + " layers, listed bottom to top. The last directory, WRITEDIR, is the writable upper layer:"
            + " every change the container makes lands there, and the other layers are never modified."
            + " COMMAND is looked up in the container's PATH, as execvp(3) does. Needs root (sudo).\n\n";

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
        List<Path> layerPaths = new ArrayList<>();
        for (String layer : layers) {
            layerPaths.add(path("layer", layer));
        }
        String work = line.getOptionValue(WORKDIR);
        Optional<Path> workdir = work == null ? Optional.empty() : Optional.of(path("work directory", work));
        return new RunRequest(layerPaths, workdir, command, line.hasOption(TRACE));
    }

    /**
     * A directory word as a path: never empty (Path.of("") is the current directory), and only one
     * the JVM can name in the system's character set (under LC_ALL=C, ASCII), or Path.of throws.
     */
    private static Path path(String what, String word) throws UsageException {
        if (word.isEmpty()) {
            throw new UsageException("an empty " + what + " name; give a directory (. for the current one)");
        }
        try {
            return Path.of(word);
        } catch (InvalidPathException e) {
            throw new UsageException(what + " '" + word + "' cannot be named in the system's character set "
                    + System.getProperty("sun.jnu.encoding") + "; set a UTF-8 locale, e.g. LC_ALL=C.UTF-8");
        }
    }

    public void printHelp(PrintWriter out) {
        HelpFormatter help = HelpFormatter.builder().setShowSince(false).get();
        help.printHelp(out, 100, SYNTAX, HEADER, options, 2, 2, FOOTER, false);
        out.flush();
    }
}
