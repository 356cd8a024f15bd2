package io.containerfs.cli;

import io.containerfs.linux.Capability;
import io.containerfs.linux.Device;
import io.containerfs.linux.Isolation;
import io.containerfs.linux.Limits;
import io.containerfs.linux.Mount;
import io.containerfs.linux.Native;
import io.containerfs.linux.Network;
import io.containerfs.linux.SeccompProfile;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
    public static final String OVERLAY_WORKDIR = "overlay-workdir";
    public static final String ENV = "env";
    public static final String ENV_FILE = "env-file";
    public static final String ENV_HOST = "env-host";
    public static final String USER = "user";
    public static final String VOLUME = "volume";
    public static final String TMPFS = "tmpfs";
    public static final String READ_ONLY = "read-only";
    public static final String NETWORK = "network";
    public static final String PUBLISH = "publish";
    public static final String INIT = "init";
    public static final String TTY = "tty";
    public static final String INTERACTIVE = "interactive";
    public static final String TRACE = "trace";
    public static final String STEP = "step";
    public static final String HOSTNAME = "hostname";
    public static final String PRIVILEGED = "privileged";
    public static final String CAP_ADD = "cap-add";
    public static final String CAP_DROP = "cap-drop";
    public static final String SECURITY_OPT = "security-opt";
    public static final String DEVICE = "device";
    public static final String MEMORY = "memory";
    public static final String MEMORY_SWAP = "memory-swap";
    public static final String PIDS_LIMIT = "pids-limit";
    public static final String CPUS = "cpus";
    public static final String CPU_SHARES = "cpu-shares";
    public static final String STATS = "stats";
    public static final String IMAGE = "image";
    public static final String ENTRYPOINT = "entrypoint";

    /** Docker's smallest --memory: below it the container cannot even start its command. */
    private static final long MIN_MEMORY = 6L << 20;

    /** PID_MAX_LIMIT on 64-bit Linux: the largest pids.max the kernel takes. */
    static final long MAX_PIDS = 4L << 20;

    /**
     * The patterns that check option values, compiled only when such an option is given: a regex
     * compiles lambdas, milliseconds to a JVM that has just started (docs/BENCHMARKS.md).
     */
    private static final class Syntax {
        /** HOST_NAME_MAX: what sethostname(2) takes. */
        static final Pattern HOSTNAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.-]{0,63}");
        /** -p's [HOSTIP:]HOSTPORT:CTRPORT[/tcp|udp], an IPv4 address in four decimal bytes. */
        static final Pattern PUBLISH =
                Pattern.compile("(?:(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3}):)?(\\d{1,5}):(\\d{1,5})(?:/(tcp|udp))?");
    }

    static final String SYNTAX = "container-fs [OPTIONS] LAYER... WRITEDIR -- COMMAND [ARG...]\n"
            + "       container-fs pull [OPTIONS] [alpine[:BRANCH] | oci:LAYOUT[:TAG] | docker-archive:FILE] DIR\n"
            + "       container-fs --image DIR [OPTIONS] [LAYER...] WRITEDIR [-- COMMAND [ARG...]]";

    static final String HEADER = "\nRun COMMAND in new mount, PID, UTS and IPC namespaces whose root is an overlay of"
            + " the layers, listed bottom to top. The last directory, WRITEDIR, is the writable upper layer:"
            + " every change the container makes lands there, and the other layers are never modified."
            + " COMMAND is looked up in the container's PATH, as execvp(3) does. Needs root (sudo).\n"
            + "The container is contained by default: Docker's default capabilities, Docker's seccomp profile,"
            + " Docker's device allowlist, /proc's kernel files masked or read-only, its own hostname, a"
            + " network of its own (see docs/SECURITY.md).\n\n";

    /** A method, not a constant: it names ExitCode, which a run that succeeds never loads. */
    static String footer() {
        return "Exit status:\n"
                + "  the command's own exit status, or 128+N when it was killed by signal N\n"
                + ExitCode.FAILED.helpLine("container-fs itself failed (bad arguments, a set-up step of the container)")
                + ExitCode.CANNOT_RUN.helpLine("the command exists in the container but cannot be run")
                + ExitCode.NOT_FOUND.helpLine("the command was not found in the container")
                + "\n"
                + ExitCode.USAGE.helpLine("no arguments: the short usage was printed")
                + "\n"
                + "Example:\n"
                + "  sudo container-fs rootfs app writedir -- sh\n";
    }

    /** What bare {@code container-fs} prints: both forms, and where a layer comes from. */
    static String shortUsage() {
        return "usage: " + SYNTAX + "\n"
                + "A layer is a directory: 'container-fs pull alpine rootfs' makes one of Alpine's mini root"
                + " filesystem.\n"
                + "Example: sudo container-fs rootfs app writedir -- sh     More: container-fs --help\n";
    }

    /**
     * The words that ask for the help: {@code --help} anywhere before {@code --}, or {@code -h}
     * alone, which with a value is {@code --hostname} as in {@code docker run}.
     */
    static boolean asksForHelp(String[] args) {
        return args.length == 1 && args[0].equals("-h");
    }

    /**
     * Every option, for parsing; and the same options in sections, for --help. Defined on first
     * use: a command line with no option before the layers never needs them (see parseOptions).
     */
    private Options options;
    private List<Section> sections;

    private record Section(String title, Options options) {}

    private Options options() {
        if (options == null) {
            options = new Options();
            sections = new ArrayList<>();
            define();
        }
        return options;
    }

    private void define() {
        section("Options:",
                Option.builder().longOpt(HELP).desc("print this help and exit (-h alone does too)").get(),
                Option.builder("V").longOpt(VERSION).desc("print the version and exit").get(),
                Option.builder().longOpt(TRACE)
                        .desc("print the system calls that build the container to stderr, as strace would").get(),
                Option.builder().longOpt(STEP)
                        .desc("classroom mode: stop before each step's system call, say what and why, and wait"
                                + " for Enter on the terminal (q, Enter: stop, exit 130)")
                        .get(),
                Option.builder().longOpt(IMAGE).hasArg().argName("DIR")
                        .desc("run an image pull made (pull oci:LAYOUT DIR or docker-archive:FILE DIR): its layers"
                                + " go under the LAYERs, and its Env, WorkingDir, User, Entrypoint and Cmd apply as"
                                + " with docker run; COMMAND replaces Cmd")
                        .get(),
                Option.builder().longOpt(OVERLAY_WORKDIR).hasArg().argName("DIR")
                        .desc("overlayfs's work directory: empty, on WRITEDIR's filesystem (default: a new one"
                                + " beside WRITEDIR, removed afterwards)")
                        .get());
        section("The command (as docker run):",
                Option.builder("e").longOpt(ENV).hasArg().argName("NAME[=VALUE]")
                        .desc("set a variable; NAME alone takes the host's value; repeatable").get(),
                Option.builder().longOpt(ENV_FILE).hasArg().argName("FILE")
                        .desc("read NAME=VALUE lines (docker run's format) before the -e options; a regular"
                                + " file of at most 1 MiB")
                        .get(),
                Option.builder().longOpt(ENV_HOST)
                        .desc("start from container-fs's own environment instead of the clean one (PATH, HOSTNAME,"
                                + " HOME, TERM)")
                        .get(),
                Option.builder("w").longOpt(WORKDIR).hasArg().argName("DIR")
                        .desc("the command's directory in the container, made if missing (default: /)").get(),
                Option.builder("u").longOpt(USER).hasArg().argName("USER[:GROUP]")
                        .desc("run as this name or uid (and group or gid) of the container's /etc/passwd and"
                                + " /etc/group")
                        .get(),
                Option.builder().longOpt(ENTRYPOINT).hasArg().argName("COMMAND")
                        .desc("with --image: run this instead of the image's Entrypoint (and drop its Cmd);"
                                + " '' for none")
                        .get(),
                Option.builder("t").longOpt(TTY)
                        .desc("give the container a terminal of its own, relayed to yours").get(),
                Option.builder("i").longOpt(INTERACTIVE)
                        .desc("keep standard input open (always so; accepted for docker run's -it)").get(),
                Option.builder().longOpt(INIT)
                        .desc("run a tiny init as PID 1 that passes signals on and reaps orphans").get());
        section("Files and network:",
                Option.builder("v").longOpt(VOLUME).hasArg().argName("HOST:CONTAINER[:ro]")
                        .desc("bind a host file or directory into the container; repeatable").get(),
                Option.builder().longOpt(TMPFS).hasArg().argName("PATH[:size=N]")
                        .desc("mount an empty tmpfs at PATH; repeatable").get(),
                Option.builder().longOpt(READ_ONLY)
                        .desc("every directory before -- is a lower layer, the root is read-only, nothing is"
                                + " written")
                        .get(),
                Option.builder().longOpt(NETWORK).hasArg().argName("private|none|host")
                        .desc("private (default; also 'bridge'): a network of its own, reaching out through"
                                + " slirp4netns; none: only a loopback device; host: the host's network")
                        .get(),
                Option.builder("p").longOpt(PUBLISH).hasArg().argName("[HOSTIP:]HOSTPORT:PORT[/tcp|udp]")
                        .desc("forward the host's port to the container's (private network only); repeatable")
                        .get(),
                Option.builder("h").longOpt(HOSTNAME).hasArg().argName("NAME")
                        .desc("the container's hostname (default: a random 12-hex-digit id)").get());
        section("Security (docs/SECURITY.md):",
                Option.builder().longOpt(PRIVILEGED)
                        .desc("every capability, no seccomp filter, /proc unmasked, every device; for experiments"
                                + " only: root inside can then change the host")
                        .get(),
                Option.builder().longOpt(DEVICE).hasArg().argName("HOST[:CTR][:PERMS]")
                        .desc("give the container the host's device node HOST as CTR (default: HOST, below /dev),"
                                + " to read, write or mknod as PERMS says (default: rwm); repeatable")
                        .get(),
                Option.builder().longOpt(CAP_ADD).hasArg().argName("CAP")
                        .desc("add a capability (a capabilities(7) name, with or without CAP_, or ALL); repeatable")
                        .get(),
                Option.builder().longOpt(CAP_DROP).hasArg().argName("CAP")
                        .desc("drop a capability from the default set (or ALL); repeatable; --cap-add wins").get(),
                Option.builder().longOpt(SECURITY_OPT).hasArg().argName("OPT")
                        .desc("no-new-privileges, seccomp=unconfined, or seccomp=FILE (a profile in Docker's JSON format);"
                                + " repeatable").get());
        section("Limits (docs/SECURITY.md):",
                Option.builder("m").longOpt(MEMORY).hasArg().argName("SIZE")
                        .desc("limit memory, e.g. 32m or 1g (at least 6m); an OOM kill of the command exits 137")
                        .get(),
                Option.builder().longOpt(MEMORY_SWAP).hasArg().argName("SIZE")
                        .desc("limit memory and swap together (default: twice --memory; -1: any swap)").get(),
                Option.builder().longOpt(PIDS_LIMIT).hasArg().argName("N")
                        .desc("at most N processes and threads at once").get(),
                Option.builder().longOpt(CPUS).hasArg().argName("X")
                        .desc("at most X CPUs' worth of time, e.g. 0.5").get(),
                Option.builder().longOpt(CPU_SHARES).hasArg().argName("N")
                        .desc("its weight when the CPUs are busy, 2 to 262144 (default 1024)").get(),
                Option.builder().longOpt(STATS)
                        .desc("at the end, print peak memory, CPU time, peak processes and OOM kills").get());
    }

    /** Every option, as --help lists them: BadInputIT feeds each of them bad values. */
    Collection<Option> allOptions() {
        return options().getOptions();
    }

    private void section(String title, Option... members) {
        Options section = new Options();
        for (Option option : members) {
            options.addOption(option);
            section.addOption(option);
        }
        sections.add(new Section(title, section));
    }

    /** Whether the words hold the run form's separator (otherwise they name a subcommand). */
    public static boolean isRunForm(String[] args) {
        return Arrays.asList(args).contains(SEPARATOR);
    }

    /**
     * Parses the options and layers before {@code --}. When no word there starts with '-', there is
     * no option to parse and Commons CLI would return every word as it is: that case, the course's
     * {@code rootfs app writedir -- sh}, skips defining the options and the parser, whose first use
     * costs a JVM that has just started about 15 ms (docs/BENCHMARKS.md; CommandLineSpecTest checks
     * that both give the same words).
     */
    ParsedOptions parseOptions(String[] args) throws UsageException {
        int separator = Arrays.asList(args).indexOf(SEPARATOR);
        String[] ours = separator < 0 ? args : Arrays.copyOfRange(args, 0, separator);
        ParsedOptions line = null;
        for (String word : ours) {
            if (word.startsWith("-")) {
                line = parseWithCommonsCli(ours);
                break;
            }
        }
        if (line == null) {
            line = new ParsedOptions(List.of(ours));
        }
        requireExactBytes(args, ours.length, line);
        return line;
    }

    /**
     * Refuses a word before {@code --} (an option's value, a layer) that holds U+FFFD unless the
     * caller's own bytes did ({@link ExactBytes}): under a UTF-8 locale a byte sequence that is not
     * UTF-8, and under LC_ALL=C every byte above 0x7f, was decoded to U+FFFD and would go on as other
     * bytes. The command after {@code --} keeps its bytes exactly ({@code Native.encodeCommand}).
     * U+FFFD cannot be in a Latin-1 string, nearly every word, so indexOf answers those at once.
     */
    private void requireExactBytes(String[] args, int end, ParsedOptions line) throws UsageException {
        byte[][] exact = null;
        boolean looked = false;
        for (int i = 0; i < end; i++) {
            if (args[i].indexOf('\uFFFD') < 0) {
                continue;
            }
            if (!looked) {
                exact = Native.argumentBytes(args);
                looked = true;
            }
            Charset charset = ExactBytes.charset();
            if (exact != null && ExactBytes.decode(exact[i], charset).isExact()) {
                continue; // U+FFFD itself, as the caller wrote it
            }
            String word = args[i];
            String option = optionOf(word, line);
            // The value without an attached option's name (-eVALUE, --env=VALUE), whose bytes are ASCII.
            int from = option == null ? 0 : word.length() - lastValueIn(word, line, option).length();
            String shown = exact != null ? ExactBytes.show(
                    Arrays.copyOfRange(exact[i], Math.min(from, exact[i].length), exact[i].length), charset)
                    : word.substring(from);
            String what = option != null ? "--" + option
                    : !word.startsWith("-") && line.words().contains(word) ? "layer" : "the word";
            throw new UsageException(what + " '" + shown + "' holds " + ExactBytes.notValid(charset));
        }
    }

    /** The long name of the option whose value {@code word} is or ends with; null for a layer or another word. */
    private String optionOf(String word, ParsedOptions line) {
        for (Option option : options().getOptions()) {
            if (lastValueIn(word, line, option.getLongOpt()) != null) {
                return option.getLongOpt();
            }
        }
        return null;
    }

    private static String lastValueIn(String word, ParsedOptions line, String option) {
        for (String value : line.values(option)) {
            if (!value.isEmpty() && word.endsWith(value)) {
                return value;
            }
        }
        return null;
    }

    ParsedOptions parseWithCommonsCli(String[] words) throws UsageException {
        try {
            return new ParsedOptions(new DefaultParser().parse(options(), words, true));
        } catch (ParseException e) {
            throw new UsageException(e.getMessage() + " (see --help)");
        }
    }

    /** The run form, after {@link #parseOptions} gave no --help or --version. */
    RunRequest parseRun(String[] args, ParsedOptions line) throws UsageException {
        int separator = Arrays.asList(args).indexOf(SEPARATOR);
        if (separator < 0 && args.length > 0 && !args[0].startsWith("-") && !isDirectory(args[0])) {
            throw new UsageException(notALayer(args[0]));
        }
        boolean image = line.has(IMAGE);
        if (separator < 0 && !image) {
            throw new UsageException("missing '--' between the layers and the command: "
                    + "container-fs LAYER... WRITEDIR -- COMMAND");
        }
        if (line.has(ENTRYPOINT) && !image) {
            throw new UsageException("--entrypoint replaces an image's Entrypoint: use it with --image DIR");
        }
        List<String> layers = line.words();
        // One pass over the layers, which may be 500: the core checks each, and names it (layers.c).
        for (int i = 0; i < layers.size(); i++) {
            String word = layers.get(i);
            if (word.startsWith("-")) {
                // stopAtNonOption leaves an unknown option as the first non-option word.
                boolean ours = i > 0 && options().hasOption(word.replaceFirst("^--?", "").replaceFirst("=.*", ""));
                throw new UsageException(ours
                        ? "option '" + word + "' must come before the layers (see --help)"
                        : "unknown option '" + word + "' (see --help)");
            }
            if (word.isEmpty()) {
                throw new UsageException(emptyName("layer"));
            }
        }
        if (image && layers.size() < (line.has(READ_ONLY) ? 0 : 1)) {
            throw new UsageException("with --image, give at least WRITEDIR, the writable layer: container-fs --image"
                    + " DIR WRITEDIR [-- COMMAND]");
        }
        if (!image && layers.size() < 2) {
            throw new UsageException(line.has(READ_ONLY)
                    ? "need at least two layers before '--' with --read-only, got " + layers.size()
                            + ": overlayfs stacks two or more lower layers without a WRITEDIR"
                    : "need at least two layers before '--' (LAYER... WRITEDIR), got " + layers.size()
                            + ": the last one is the writable WRITEDIR");
        }
        // An array copy, not a subList: RunRequest keeps an immutable list as it is, and a subList
        // is four classes the JVM's shared archive does not hold.
        List<String> command = separator < 0 ? List.of()
                : List.of(Arrays.copyOfRange(args, separator + 1, args.length));
        if (command.isEmpty() && !image) {
            throw new UsageException("no command after '--': container-fs LAYER... WRITEDIR -- COMMAND");
        }
        String work = line.value(OVERLAY_WORKDIR);
        Optional<Path> workdir = work == null ? Optional.empty() : Optional.of(path("work directory", work));
        if (workdir.isPresent() && line.has(READ_ONLY)) {
            throw new UsageException("--overlay-workdir with --read-only: a read-only root has no work directory");
        }
        RunRequest request = new RunRequest(layers, workdir, command, isolation(line), limits(line), command(line),
                mounts(line), devices(line), line.has(READ_ONLY), line.has(TRACE));
        return image ? ImageSpec.apply(request, path("--image", line.value(IMAGE)),
                Optional.ofNullable(line.value(ENTRYPOINT))) : request;
    }

    /** How the command starts: -e, --env-file, --env-host, -w, -u, -t, --init, --step. */
    private static RunRequest.Command command(ParsedOptions line) throws UsageException {
        List<Path> envFiles = new ArrayList<>();
        for (String file : line.values(ENV_FILE)) {
            envFiles.add(path("--env-file", file));
        }
        List<String> env = EnvironmentSpec.entries(envFiles, line.values(ENV), System.getenv());
        String cwd = line.value(WORKDIR);
        if (cwd != null && (!cwd.startsWith("/") || cwd.indexOf('\0') >= 0)) {
            throw new UsageException("invalid --workdir '" + cwd + "': give an absolute path in the container, e.g."
                    + " /src (overlayfs's work directory is --overlay-workdir now)");
        }
        return new RunRequest.Command(env, line.has(ENV_HOST), Optional.ofNullable(cwd == null ? null : clean(cwd)),
                Optional.ofNullable(line.value(USER)), line.has(TTY), line.has(INIT), line.has(STEP));
    }

    /**
     * An absolute path cleaned as docker run cleans -w (Go's path.Clean): no empty, "." or ".."
     * name, and ".." at the root stays there, so {@code /a/../../b} is {@code /b}. The core makes
     * every directory of the path it is given, and would otherwise make {@code /a} as well.
     */
    static String clean(String absolute) {
        List<String> names = new ArrayList<>();
        for (String name : absolute.split("/")) {
            if (name.equals("..")) {
                if (!names.isEmpty()) {
                    names.remove(names.size() - 1);
                }
            } else if (!name.isEmpty() && !name.equals(".")) {
                names.add(name);
            }
        }
        return "/" + String.join("/", names);
    }

    private static List<Mount> mounts(ParsedOptions line) throws UsageException {
        List<Mount> mounts = new ArrayList<>();
        for (String volume : line.values(VOLUME)) {
            mounts.add(MountSpec.volume(volume));
        }
        for (String tmpfs : line.values(TMPFS)) {
            mounts.add(MountSpec.tmpfs(tmpfs));
        }
        return mounts;
    }

    private static List<Device> devices(ParsedOptions line) throws UsageException {
        List<Device> devices = new ArrayList<>();
        for (String device : line.values(DEVICE)) {
            devices.add(DeviceSpec.parse(device));
        }
        return devices;
    }

    /** A directory word as a path: see {@link #requireNameable}. */
    private static Path path(String what, String word) throws UsageException {
        requireNameable(what, word);
        return Path.of(word);
    }

    /**
     * A directory word other than a layer (a work directory, an env file) must never be empty
     * (Path.of("") is the current directory), and must be one the JVM can name in the system's
     * character set (under LC_ALL=C, ASCII), or Path.of throws. An ASCII word always can. The
     * layers, up to 500 of them, are only checked for being empty (parseRun): a loop over each
     * one's characters cost a JVM that has just started 1.4 us a layer, and RunCommand names a
     * layer the character set cannot write once encoding has failed.
     */
    private static void requireNameable(String what, String word) throws UsageException {
        if (word.isEmpty()) {
            throw new UsageException(emptyName(what));
        }
        for (int i = 0; i < word.length(); i++) {
            if (word.charAt(i) >= 0x80) {
                try {
                    Path.of(word);
                } catch (InvalidPathException e) {
                    throw new UsageException(cannotBeNamed(what, word));
                }
                return;
            }
        }
    }

    /**
     * The line for a first word that is no directory: a newcomer's {@code container-fs alpine sh}
     * (an image name, as with docker run). The core says the same of a missing layer in its own
     * words; only the jar can point to pull.
     */
    static String notALayer(String word) {
        return "'" + word + "' is not a directory: a layer is a directory; container-fs pull alpine DIR makes one";
    }

    private static boolean isDirectory(String word) {
        try {
            return Files.isDirectory(Path.of(word));
        } catch (InvalidPathException e) {
            return false;
        }
    }

    /** The line for a directory word the JVM cannot name in the system's character set. */
    static String cannotBeNamed(String what, String word) {
        return what + " '" + word + "' cannot be named in the system's character set "
                + System.getProperty("sun.jnu.encoding") + "; set a UTF-8 locale, e.g. LC_ALL=C.UTF-8";
    }

    private static String emptyName(String what) {
        return "an empty " + what + " name; give a directory (. for the current one)";
    }

    private static Limits limits(ParsedOptions line) throws UsageException {
        long memory = size(line, MEMORY);
        if (memory != 0 && memory < MIN_MEMORY) {
            throw new UsageException("--memory " + line.value(MEMORY) + " is too small: give at least 6m");
        }
        long memorySwap = 0;
        if (line.has(MEMORY_SWAP)) {
            if (memory == 0) {
                throw new UsageException("--memory-swap needs --memory: it limits memory and swap together");
            }
            memorySwap = "-1".equals(line.value(MEMORY_SWAP)) ? -1 : size(line, MEMORY_SWAP);
            if (memorySwap != -1 && memorySwap < memory) {
                throw new UsageException("--memory-swap " + line.value(MEMORY_SWAP) + " is less than --memory "
                        + line.value(MEMORY) + ": it is memory and swap together (-1: any swap)");
            }
        }
        return new Limits(memory, memorySwap, pidsLimit(line), cpuQuota(line), cpuShares(line), line.has(STATS));
    }

    /** Bytes, from docker run's notation ({@link ByteSize}); 0 when the option is absent. */
    private static long size(ParsedOptions line, String option) throws UsageException {
        String value = line.value(option);
        if (value == null) {
            return 0;
        }
        try {
            long bytes = ByteSize.parse(value);
            if (bytes > 0) {
                return bytes;
            }
        } catch (ArithmeticException e) {
            // More than a long holds: out of range, as zero is.
        } catch (IllegalArgumentException e) {
            throw new UsageException("invalid --" + option + " '" + value + "': give a size such as 32m, 1g or 512k");
        }
        throw new UsageException("invalid --" + option + " '" + value + "': out of range");
    }

    /**
     * Docker's --pids-limit: 0 or -1 mean no limit. pids.max takes at most PID_MAX_LIMIT, 4194304 on
     * 64-bit Linux ({@code include/linux/threads.h}; the pids controller answers EINVAL above it), so a
     * larger number is refused here, before the core makes anything, not at "make cgroup".
     */
    private static long pidsLimit(ParsedOptions line) throws UsageException {
        String value = line.value(PIDS_LIMIT);
        long n;
        try {
            n = value == null ? 0 : Long.parseLong(value);
        } catch (NumberFormatException e) {
            n = value.matches("\\d+") ? Long.MAX_VALUE : -2;
        }
        if (n < -1) {
            throw new UsageException("invalid --pids-limit '" + value + "': give a number of processes, e.g. 100");
        }
        if (n > MAX_PIDS) {
            throw new UsageException("invalid --pids-limit '" + value + "': at most " + MAX_PIDS
                    + ", the kernel's largest (0 or -1: no limit)");
        }
        return Math.max(n, 0);
    }

    /** docker run's --cpu-shares: 0 is the default, 1024, which needs no cgroup of its own. */
    private static long cpuShares(ParsedOptions line) throws UsageException {
        String value = line.value(CPU_SHARES);
        if (value == null) {
            return 0;
        }
        try {
            long shares = Long.parseLong(value);
            if (shares == 0 || shares == 1024) {
                return 0;
            }
            if (shares >= Limits.MIN_CPU_SHARES && shares <= Limits.MAX_CPU_SHARES) {
                return shares;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new UsageException("invalid --cpu-shares '" + value + "': give a whole number from "
                + Limits.MIN_CPU_SHARES + " to " + Limits.MAX_CPU_SHARES + " (1024 is the default)");
    }

    /** --cpus X as CFS quota: X times the 100 ms period, in microseconds. */
    private static long cpuQuota(ParsedOptions line) throws UsageException {
        String value = line.value(CPUS);
        if (value == null) {
            return 0;
        }
        int available = Runtime.getRuntime().availableProcessors();
        try {
            BigDecimal cpus = new BigDecimal(value);
            if (cpus.compareTo(new BigDecimal("0.01")) < 0 || cpus.compareTo(BigDecimal.valueOf(available)) > 0) {
                throw new NumberFormatException();
            }
            return cpus.movePointRight(5).longValue();
        } catch (NumberFormatException e) {
            throw new UsageException("invalid --cpus '" + value + "': give a number from 0.01 to " + available
                    + ", the CPUs of this machine");
        }
    }

    private static Isolation isolation(ParsedOptions line) throws UsageException {
        Optional<String> hostname = Optional.ofNullable(line.value(HOSTNAME));
        if (hostname.isPresent() && !Syntax.HOSTNAME.matcher(hostname.get()).matches()) {
            throw new UsageException("invalid --hostname '" + hostname.get() + "': use 1 to 64 letters, digits,"
                    + " '-' and '.', starting with a letter or digit");
        }
        boolean noNewPrivileges = false;
        boolean seccompUnconfined = false;
        Optional<SeccompProfile> seccompProfile = Optional.empty();
        for (String opt : line.values(SECURITY_OPT)) {
            // seccomp=FILE keeps its path as written, ':' and all.
            String file = opt.startsWith("seccomp=") || opt.startsWith("seccomp:") ? opt.substring(8) : null;
            switch (file != null ? "seccomp=" + file : opt.replace(':', '=')) {
                case "no-new-privileges", "no-new-privileges=true" -> noNewPrivileges = true;
                case "no-new-privileges=false" -> noNewPrivileges = false;
                case "seccomp=unconfined" -> seccompUnconfined = true;
                default -> {
                    if (file == null || file.isEmpty()) {
                        throw new UsageException("unsupported --security-opt '" + opt
                                + "': use no-new-privileges, seccomp=unconfined or seccomp=FILE");
                    }
                    seccompProfile = Optional.of(SeccompProfileFile.read(path("--security-opt seccomp", file)));
                }
            }
        }
        return new Isolation(hostname, capabilities(line, CAP_ADD), capabilities(line, CAP_DROP),
                line.has(PRIVILEGED), noNewPrivileges, seccompUnconfined, network(line), seccompProfile, false);
    }

    private static Network network(ParsedOptions line) throws UsageException {
        String name = line.value(NETWORK, "private");
        Network.Mode mode = switch (name) {
            case "private", "bridge" -> Network.Mode.PRIVATE;
            case "none" -> Network.Mode.NONE;
            case "host" -> Network.Mode.HOST;
            default -> throw new UsageException("unsupported --network '" + name
                    + "': use private (the default), none or host");
        };
        List<Network.PublishedPort> ports = new ArrayList<>();
        for (String value : line.values(PUBLISH)) {
            if (mode != Network.Mode.PRIVATE) {
                throw new UsageException("-p " + value + ": --network " + name + " has no ports to publish;"
                        + " -p needs the private network (the default)");
            }
            Network.PublishedPort port = publishedPort(value);
            for (Network.PublishedPort other : ports) {
                if (other.hostPort() == port.hostPort() && other.udp() == port.udp()) {
                    throw new UsageException("-p " + value + ": the host's port " + port.hostPort()
                            + " is published twice");
                }
            }
            ports.add(port);
        }
        return new Network(mode, ports);
    }

    private static Network.PublishedPort publishedPort(String value) throws UsageException {
        Matcher m = Syntax.PUBLISH.matcher(value);
        if (!m.matches()) {
            throw new UsageException("invalid -p '" + value + "': use [HOSTIP:]HOSTPORT:PORT[/tcp|udp], such as"
                    + " 8080:80 or 127.0.0.1:8080:80/tcp, with an IPv4 HOSTIP");
        }
        int address = 0;
        for (int i = 1; i <= 4 && m.group(1) != null; i++) {
            int b = Integer.parseInt(m.group(i));
            if (b > 255) {
                throw new UsageException("invalid -p '" + value + "': " + b + " is not a byte of an IPv4 address");
            }
            address = address << 8 | b;
        }
        return new Network.PublishedPort(address, port(value, m.group(5)), port(value, m.group(6)),
                "udp".equals(m.group(7)));
    }

    private static int port(String value, String digits) throws UsageException {
        int port = Integer.parseInt(digits);
        if (port < 1 || port > 65535) {
            throw new UsageException("invalid -p '" + value + "': port " + digits + " is not between 1 and 65535");
        }
        return port;
    }

    private static long capabilities(ParsedOptions line, String option) throws UsageException {
        long set = 0;
        for (String name : line.values(option)) {
            try {
                set |= Capability.parse(name);
            } catch (IllegalArgumentException e) {
                throw new UsageException("--" + option + ": " + e.getMessage());
            }
        }
        return set;
    }

    /** One screen per section: the usage, then each group of options, then the exit statuses. */
    public void printHelp(PrintWriter out) {
        options();
        HelpFormatter help = HelpFormatter.builder().setShowSince(false).get();
        out.println("usage: " + SYNTAX);
        out.print(wrap(HEADER));
        for (Section section : sections) {
            out.println(section.title());
            help.printOptions(out, 100, section.options(), 2, 2);
            out.println();
        }
        out.print(footer());
        out.flush();
    }

    private static String wrap(String text) {
        StringBuilder out = new StringBuilder();
        for (String paragraph : text.split("\n", -1)) {
            StringBuilder line = new StringBuilder();
            for (String word : paragraph.split(" ")) {
                if (line.length() + word.length() + 1 > 100 && line.length() > 0) {
                    out.append(line).append('\n');
                    line.setLength(0);
                }
                line.append(line.length() == 0 ? "" : " ").append(word);
            }
            out.append(line).append('\n');
        }
        return out.substring(0, out.length() - 1);
    }
}
