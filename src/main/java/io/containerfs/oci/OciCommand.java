package io.containerfs.oci;

import io.containerfs.linux.Container;
import io.containerfs.linux.ContainerException;
import io.containerfs.linux.Execution;
import io.containerfs.linux.Hook;
import io.containerfs.linux.Native;
import io.containerfs.linux.NativeLoader;
import io.containerfs.linux.OciStateException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The OCI runtime command line, spelled as runc spells it (docs/OCI.md): global options, then
 * {@code create}, {@code start}, {@code state}, {@code kill}, {@code delete}, {@code run},
 * {@code exec}, {@code ps}, {@code list}, {@code spec} or {@code features}. Told from the run form by the absence of
 * {@code --} and a first word that is one of these commands ({@link #isOciForm}).
 */
public final class OciCommand {
    /** The OCI runtime spec's version this runtime speaks, as {@code --version} prints it. */
    public static final String SPEC_VERSION = DefaultSpec.OCI_VERSION;

    private static final Set<String> COMMANDS = Set.of("create", "start", "state", "kill", "delete", "run", "exec",
            "ps", "list", "spec", "features");
    /** runc's commands this slice does not have yet: refused in one line. */
    private static final Set<String> NOT_YET =
            Set.of("pause", "resume", "update", "checkpoint", "restore", "events");
    /** The global options, as the man page's OCI RUNTIME section must describe them (ManPageTest). */
    public static final List<String> GLOBAL_OPTIONS = List.of("root", "log", "log-format", "debug", "systemd-cgroup");

    private static final Set<String> GLOBAL_WITH_VALUE = Set.of("--root", "--log", "--log-format", "--criu",
            "--rootless");

    private static final int FAILED = 125;
    private static final int USAGE = 2;

    private final PrintStream out;
    private final PrintStream err;
    /** --root's, or, once needed without it, the core's default (cfs_oci_default_root). */
    private Path root;
    private Optional<String> log = Optional.empty();
    private boolean jsonLog;
    private boolean debug;

    public OciCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /**
     * Whether {@code args} are the OCI form: no {@code --}, and after the global options a word that
     * is an OCI command (or none at all, but global options were given).
     */
    public static boolean isOciForm(String[] args) {
        int i = 0;
        boolean global = false;
        for (String a : args) {
            if (a.equals("--")) {
                return false;
            }
        }
        while (i < args.length && args[i].startsWith("--")) {
            String name = args[i].contains("=") ? args[i].substring(0, args[i].indexOf('=')) : args[i];
            if (!GLOBAL_WITH_VALUE.contains(name) && !name.equals("--debug") && !name.equals("--systemd-cgroup")) {
                return false;
            }
            global = true;
            i += GLOBAL_WITH_VALUE.contains(name) && !args[i].contains("=") ? 2 : 1;
        }
        return i < args.length ? COMMANDS.contains(args[i]) || NOT_YET.contains(args[i]) : global;
    }

    /** @return the exit status */
    public int run(String[] args) {
        try {
            int i = globalOptions(args);
            if (i >= args.length) {
                throw new OciCommandUsage(
                        "no command: use create, start, state, kill, delete, run, exec, ps, list, spec or features");
            }
            String command = args[i];
            List<String> rest = List.of(args).subList(i + 1, args.length);
            if (NOT_YET.contains(command)) {
                throw new OciException(command + " is not supported yet (docs/OCI.md)");
            }
            return switch (command) {
                case "spec" -> spec(rest);
                case "features" -> print(DefaultSpec.features(), rest);
                case "state" -> state(rest);
                case "create" -> create(rest, true);
                case "run" -> create(rest, false);
                case "start" -> start(rest);
                case "kill" -> kill(rest);
                case "delete" -> delete(rest);
                case "exec" -> exec(rest);
                case "ps" -> ps(rest);
                case "list" -> list(rest);
                default -> throw new OciCommandUsage("unknown command " + command);
            };
        } catch (OciCommandUsage e) {
            return fail(e.getMessage(), USAGE);
        } catch (OciException e) {
            return fail(e.getMessage(), FAILED);
        }
    }

    private int globalOptions(String[] args) throws OciCommandUsage, OciException {
        int i = 0;
        while (i < args.length && args[i].startsWith("--")) {
            String a = args[i];
            String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
            String value = null;
            if (GLOBAL_WITH_VALUE.contains(name)) {
                if (a.contains("=")) {
                    value = a.substring(a.indexOf('=') + 1);
                } else if (i + 1 < args.length) {
                    value = args[++i];
                } else {
                    throw new OciCommandUsage(name + " needs a value");
                }
            }
            switch (name) {
                case "--root" -> root = Path.of(value).toAbsolutePath();
                case "--log" -> log = Optional.of(value);
                case "--log-format" -> {
                    if (!value.equals("text") && !value.equals("json")) {
                        throw new OciCommandUsage("--log-format must be text or json, not " + value);
                    }
                    jsonLog = value.equals("json");
                }
                case "--debug" -> debug = true;
                case "--systemd-cgroup" -> throw new OciException(
                        "--systemd-cgroup is not supported: container-fs manages its cgroups itself (cgroupfs);"
                                + " use the engine's cgroupfs manager");
                default -> throw new OciException(name + " is not supported");
            }
            i++;
        }
        return i;
    }

    // ---- the commands ----

    private int spec(List<String> args) throws OciCommandUsage, OciException {
        Options o = Options.parse(args, Set.of("--bundle", "-b"), Set.of(), 0);
        Path bundle = Path.of(o.value("--bundle", "-b").orElse("."));
        Path config = bundle.resolve("config.json");
        try {
            Files.writeString(config, DefaultSpec.config(), StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException e) {
            throw new OciException(config + " exists; remove it first");
        } catch (IOException e) {
            throw new OciException("cannot write " + config + ": " + e.getMessage());
        }
        return 0;
    }

    private int print(String text, List<String> args) throws OciCommandUsage {
        Options.parse(args, Set.of(), Set.of(), 0);
        out.print(text);
        return 0;
    }

    private int state(List<String> args) throws OciCommandUsage, OciException {
        Options o = Options.parse(args, Set.of(), Set.of(), 1);
        out.print(OciState.load(root(), o.positional.get(0)).json());
        return 0;
    }

    /** create (detached: returns while the container waits for start) and run (waits, in the foreground). */
    private int create(List<String> args, boolean detached) throws OciCommandUsage, OciException {
        Options o = Options.parse(args, Set.of("--bundle", "-b", "--pid-file", "--console-socket", "--preserve-fds"),
                Set.of("--no-pivot", "--no-new-keyring", "--detach", "-d", "--keep", "--no-subreaper"), 1);
        String id = o.positional.get(0); // checked by the core, as it makes the state directory
        if (o.has("--no-pivot")) {
            throw new OciException("--no-pivot is not supported: container-fs always uses pivot_root");
        }
        if (o.has("--detach") || o.has("-d")) {
            throw new OciException("run --detach is not supported yet: use create, then start");
        }
        if (o.value("--preserve-fds", null).filter(n -> !n.equals("0")).isPresent()) {
            throw new OciException("--preserve-fds is not supported yet");
        }
        // --no-new-keyring: container-fs never makes a session keyring, so there is nothing to skip.
        Path bundle = Path.of(o.value("--bundle", "-b").orElse(".")).toAbsolutePath().normalize();
        BundleConfig config = BundleConfig.read(bundle);
        if (!detached && !config.hooks(Set.of(Hook.Phase.POSTSTART)).isEmpty()) {
            throw new OciException("hooks.poststart is not supported by run: use create, then start");
        }
        Optional<String> consoleSocket = o.has("--console-socket")
                ? Optional.of(Path.of(o.values.get("--console-socket")).toAbsolutePath().toString())
                : Optional.empty();
        // As runc: create's terminal goes to the engine's socket; run's, without one, is relayed to ours.
        if (detached && config.terminal() && consoleSocket.isEmpty()) {
            throw new OciException("process.terminal is true: create needs --console-socket, the socket to send"
                    + " the terminal to");
        }
        if (consoleSocket.isPresent() && !config.terminal()) {
            throw new OciException("--console-socket needs process.terminal to be true: without a terminal there is"
                    + " nothing to send");
        }
        requireNativeLibraryAndRoot();
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("bundle", bundle.toString());
        fields.put("rootfs", config.rootfs());
        fields.put("created", Instant.now().toString());
        fields.put("annotations", annotations(config.annotations()));
        fields.put("starttime", "0");
        fields.put("cgroupsPath", config.cgroupsPath().orElse(""));
        String rootDir = root().toString();
        int lock;
        try {
            // start and delete run the poststart and poststop hooks the core keeps beside the state.
            lock = Native.ociCreateState(rootDir, id, fields, config.hooks(POST_HOOKS));
        } catch (OciStateException e) {
            throw new OciException(e.getMessage());
        } catch (ContainerException e) {
            throw new OciException(e.getMessage());
        }
        Path dir = root().resolve(id);
        boolean done = false;
        try {
            Container container = new Container(List.of(), Optional.empty(), Optional.empty(), "/tmp", config.args(),
                    config.isolation(), config.limits(), config.execution(), config.mounts(), config.devices(),
                    false, Optional.of(new Container.Bundle(config.rootfs(), config.readOnly(),
                            detached ? Optional.of(dir.resolve("exec.fifo").toString()) : Optional.empty(),
                            Optional.of(dir.resolve("pid").toString()), id, config.rlimits(), config.umask(),
                            config.cgroupsPath(), config.maskedPaths(), config.readonlyPaths(), config.sysctl(),
                            config.namespacePaths(), consoleSocket, config.consoleHeight(), config.consoleWidth(),
                            config.capabilities(), config.cgroupNamespace(), config.hooks(PRE_HOOKS),
                            Native.ociHookMembers(rootDir, id), config.oomScoreAdj().isPresent(),
                            config.oomScoreAdj().orElse(0), config.uidMap(), config.gidMap(), config.deviceRules())));
            if (!detached) {
                int status = Native.run(container);
                debug("run: container " + id + " exited with " + status);
                warn(Native.ociRunPostHooks(rootDir, id, Hook.Phase.POSTSTOP, OciState.STOPPED, 0));
                return status;
            }
            Native.run(container);
            Optional<String> pidFile = o.value("--pid-file", null).map(f -> Path.of(f).toAbsolutePath().toString());
            int pid = Native.ociCreated(rootDir, id, pidFile);
            debug("create: container " + id + ", pid " + pid + ", bundle " + bundle);
            done = true;
            return 0;
        } catch (ContainerException e) {
            err.println("container-fs: " + oneLine(e.getMessage()));
            logError(e.getMessage());
            return e.exitStatus();
        } catch (OciStateException e) {
            throw new OciException(e.getMessage());
        } finally {
            Native.ociUnlock(lock);
            if (!done) {
                removeState(rootDir, id);
            }
        }
    }

    /** A failed create's state, or a run's once it ended. */
    private static void removeState(String root, String id) throws OciException {
        try {
            Native.ociRemove(root, id);
        } catch (OciStateException e) {
            throw new OciException(e.getMessage());
        }
    }

    private int start(List<String> args) throws OciCommandUsage, OciException {
        Options o = Options.parse(args, Set.of(), Set.of(), 1);
        String id = o.positional.get(0);
        try {
            warn(Native.ociStart(root().toString(), id));
        } catch (OciStateException e) {
            throw new OciException(e.getMessage());
        }
        debug("start: container " + id);
        return 0;
    }

    private int kill(List<String> args) throws OciCommandUsage, OciException {
        Options o = Options.parse(args, Set.of(), Set.of("--all", "-a"), -1);
        if (o.positional.isEmpty() || o.positional.size() > 2) {
            throw new OciCommandUsage("usage: kill [--all] ID [SIGNAL]");
        }
        String id = o.positional.get(0);
        String signal = o.positional.size() == 2 ? o.positional.get(1) : "SIGTERM";
        try {
            int number = Native.ociKill(root().toString(), id, signal, o.has("--all") || o.has("-a"));
            debug("kill: container " + id + ", signal " + number);
        } catch (OciStateException e) {
            throw new OciException(e.getMessage());
        }
        return 0;
    }

    private int delete(List<String> args) throws OciCommandUsage, OciException {
        Options o = Options.parse(args, Set.of(), Set.of("--force", "-f"), 1);
        String id = o.positional.get(0);
        try {
            warn(Native.ociDelete(root().toString(), id, o.has("--force") || o.has("-f")));
        } catch (OciStateException e) {
            throw new OciException(e.getMessage());
        }
        debug("delete: container " + id);
        return 0;
    }

    /**
     * exec: one more process in a running container, in its namespaces and cgroup, with its
     * seccomp profile and a process of {@code --process FILE} (a process.json) or of config.json's
     * process changed by the options, as runc's. Only a running container: a created one has not
     * exec'd its program yet.
     */
    private int exec(List<String> args) throws OciCommandUsage, OciException {
        Options o = Options.parse(args, Set.of("--process", "-p", "--pid-file", "--cwd", "--env", "-e", "--user", "-u",
                "--additional-gids", "-g", "--cap", "-c", "--console-socket", "--preserve-fds", "--apparmor",
                "--process-label", "--cgroup", "--pidfd-socket"),
                Set.of("--detach", "-d", "--tty", "-t", "--no-new-privs", "--ignore-paused", "--no-subreaper"), -1);
        if (o.positional.isEmpty()) {
            throw new OciCommandUsage("usage: exec [OPTIONS] ID COMMAND [ARG...], or exec --process FILE ID");
        }
        for (String refused : List.of("--apparmor", "--process-label", "--cgroup", "--pidfd-socket")) {
            if (o.value(refused, null).filter(v -> !v.isEmpty()).isPresent()) {
                throw new OciException("exec " + refused + " is not supported");
            }
        }
        if (o.value("--preserve-fds", null).filter(n -> !n.equals("0")).isPresent()) {
            throw new OciException("--preserve-fds is not supported yet");
        }
        OciState s = OciState.load(root(), o.positional.get(0));
        if (!s.status().equals(OciState.RUNNING)) {
            throw new OciException("cannot exec in container " + s.id() + ": it is " + s.status() + ", not running");
        }
        BundleConfig config = BundleConfig.read(Path.of(s.bundle().isEmpty() ? "." : s.bundle()));
        BundleConfig.Process process = execProcess(o, config);
        boolean detach = o.has("--detach") || o.has("-d");
        Optional<String> consoleSocket = o.value("--console-socket", null).map(f -> Path.of(f).toAbsolutePath().toString());
        if (process.terminal() && detach && consoleSocket.isEmpty()) {
            throw new OciException("exec --tty --detach needs --console-socket, the socket to send the terminal's"
                    + " master to: nobody else would hold it");
        }
        if (consoleSocket.isPresent() && !process.terminal()) {
            throw new OciException("exec --console-socket needs a terminal (--tty, or terminal in the process):"
                    + " without one there is nothing to send");
        }
        requireNativeLibraryAndRoot();
        Optional<String> pidFile = o.value("--pid-file", null).map(f -> Path.of(f).toAbsolutePath().toString());
        Container container = new Container(List.of(), Optional.empty(), Optional.empty(), "/tmp", process.args(),
                config.isolation(process), io.containerfs.linux.Limits.NONE, process.execution(), List.of(),
                List.of(), false, Optional.of(new Container.Bundle(s.rootfs(), false,
                        Optional.empty(), pidFile, s.id(), process.rlimits(), process.umask(), s.cgroupsPath(),
                        List.of(), List.of(), Map.of(), Map.of(), consoleSocket, process.consoleHeight(),
                        process.consoleWidth(), process.capabilities(), false, List.of(), "",
                        process.oomScoreAdj().isPresent(), process.oomScoreAdj().orElse(0), Optional.empty(),
                        Optional.empty(), List.of())));
        try {
            int exit = Native.exec(container, s.pid(), detach);
            debug("exec: container " + s.id() + ", " + process.args() + (detach ? ", detached" : ", exited " + exit));
            return exit;
        } catch (ContainerException e) {
            err.println("container-fs: " + oneLine(e.getMessage()));
            logError(e.getMessage());
            return e.exitStatus();
        }
    }

    /**
     * exec's process: {@code --process FILE} as it is (the options that change a process are
     * refused beside it), or config.json's with the command and the options' changes, as runc's.
     */
    private static BundleConfig.Process execProcess(Options o, BundleConfig config)
            throws OciCommandUsage, OciException {
        List<String> changes = List.of("--cwd", "--env", "-e", "--user", "-u", "--additional-gids", "-g", "--cap",
                "-c", "--no-new-privs");
        if (o.has("--process") || o.has("-p")) {
            if (o.positional.size() > 1) {
                throw new OciCommandUsage("exec --process FILE takes the container id alone, not a command");
            }
            for (String option : changes) {
                if (o.has(option)) {
                    throw new OciCommandUsage("exec " + option + " cannot be used with --process: put it in the file");
                }
            }
            BundleConfig.Process file = BundleConfig.readProcess(Path.of(o.value("--process", "-p").get()));
            return o.has("--tty") || o.has("-t") ? file.withTerminal() : file;
        }
        if (o.positional.size() < 2) {
            throw new OciCommandUsage("exec: no command: exec [OPTIONS] ID COMMAND [ARG...]");
        }
        BundleConfig.Process base = config.process();
        Execution e = base.execution();
        List<String> env = new ArrayList<>(e.env());
        env.addAll(o.values("--env", "-e"));
        Optional<Execution.User> user = e.user();
        if (o.value("--user", "-u").isPresent()) {
            user = Optional.of(execUser(o.value("--user", "-u").get(), user));
        }
        if (!o.values("--additional-gids", "-g").isEmpty()) {
            List<Integer> groups = new ArrayList<>();
            for (String gid : o.values("--additional-gids", "-g")) {
                groups.add(execId(gid, "--additional-gids"));
            }
            Execution.User u = user.orElse(new Execution.User(0, 0, List.of()));
            user = Optional.of(new Execution.User(u.uid(), u.gid(), groups));
        }
        String cwd = o.value("--cwd", null).orElse(e.cwd().orElse("/"));
        if (!cwd.startsWith("/")) {
            throw new OciCommandUsage("exec --cwd must be an absolute path, not " + cwd);
        }
        io.containerfs.linux.Capabilities caps = base.capabilities();
        for (String name : o.values("--cap", "-c")) {
            try {
                long bit = io.containerfs.linux.Capability.parse(name);
                if (bit == io.containerfs.linux.Capability.ALL) {
                    throw new IllegalArgumentException("ALL is not a capability");
                }
                caps = caps.plus(bit);
            } catch (IllegalArgumentException ex) {
                throw new OciCommandUsage("exec --cap: " + ex.getMessage());
            }
        }
        boolean tty = o.has("--tty") || o.has("-t");
        Execution execution = new Execution(env, false, e.home(), Optional.of(cwd), user, tty, false, false);
        return new BundleConfig.Process(o.positional.subList(1, o.positional.size()), tty, execution, caps,
                base.noNewPrivileges() || o.has("--no-new-privs"), base.rlimits(), base.umask(), 0, 0,
                base.oomScoreAdj());
    }

    /** --user UID[:GID], numbers only: no name is looked up in the container's /etc/passwd. */
    private static Execution.User execUser(String value, Optional<Execution.User> base) throws OciCommandUsage {
        String[] parts = value.split(":", -1);
        if (parts.length > 2) {
            throw new OciCommandUsage("exec --user must be UID or UID:GID, not " + value);
        }
        int uid = execId(parts[0], "--user");
        int gid = parts.length == 2 ? execId(parts[1], "--user") : base.map(Execution.User::gid).orElse(0);
        return new Execution.User(uid, gid, base.map(Execution.User::groups).orElse(List.of()));
    }

    private static int execId(String value, String option) throws OciCommandUsage {
        try {
            long n = Long.parseLong(value);
            if (n < 0 || n > 0xFFFFFFFEL) {
                throw new NumberFormatException();
            }
            return (int) n;
        } catch (NumberFormatException e) {
            throw new OciCommandUsage("exec " + option + " takes numeric ids, not " + value);
        }
    }

    /**
     * ps: the processes of the container's cgroup and the cgroups below it, as the core prints them
     * (oci_state.c): JSON, an array of their pids, as runc prints it; table, UID, PID, PPID and CMD.
     */
    private int ps(List<String> args) throws OciCommandUsage, OciException {
        Options o = Options.parse(args, Set.of("--format", "-f"), Set.of(), -1);
        if (o.positional.size() != 1) {
            throw new OciCommandUsage(o.positional.isEmpty() ? "missing the container id"
                    : "ps takes the container id alone: options of ps(1) are not supported");
        }
        String format = o.value("--format", "-f").orElse("table");
        if (!format.equals("table") && !format.equals("json")) {
            throw new OciCommandUsage("--format must be table or json, not " + format);
        }
        requireNativeLibrary();
        try {
            out.print(Native.ociPs(root().toString(), o.positional.get(0), format.equals("json")));
        } catch (OciStateException e) {
            throw new OciException(e.getMessage());
        }
        return 0;
    }

    private int list(List<String> args) throws OciCommandUsage, OciException {
        Options o = Options.parse(args, Set.of("--format", "-f"), Set.of("--quiet", "-q"), 0);
        String format = o.value("--format", "-f").orElse("table");
        if (!format.equals("table") && !format.equals("json")) {
            throw new OciCommandUsage("--format must be table or json, not " + format);
        }
        try {
            out.print(Native.ociList(root().toString(), format.equals("json"), o.has("--quiet") || o.has("-q")));
        } catch (OciStateException e) {
            throw new OciException(e.getMessage());
        }
        return 0;
    }

    // ---- helpers ----

    /** The hooks the core runs during create (or run), before the program's exec. */
    private static final Set<Hook.Phase> PRE_HOOKS = Set.of(Hook.Phase.CREATE_RUNTIME, Hook.Phase.PRESTART,
            Hook.Phase.CREATE_CONTAINER, Hook.Phase.START_CONTAINER);
    /** The hooks start and delete run, once create has returned. */
    private static final Set<Hook.Phase> POST_HOOKS = Set.of(Hook.Phase.POSTSTART, Hook.Phase.POSTSTOP);

    /** Each warning the core gave (a post hook that failed): on stderr and in the log; the call goes on. */
    private void warn(List<String> warnings) {
        for (String message : warnings) {
            err.println("container-fs: warning: " + oneLine(message));
            writeLog("warning", message);
        }
    }

    private static String annotations(Map<String, String> annotations) {
        StringBuilder out = new StringBuilder("{");
        for (Map.Entry<String, String> e : annotations.entrySet()) {
            out.append(out.length() > 1 ? ", " : "").append(DefaultSpec.quote(e.getKey())).append(": ")
                    .append(DefaultSpec.quote(e.getValue()));
        }
        return out.append("}").toString();
    }

    /**
     * {@code --root}'s directory, or without it the core's default: /run/container-fs/oci, or under
     * a rootless engine $XDG_RUNTIME_DIR/container-fs/oci (cfs_oci_default_root).
     */
    private Path root() throws OciException {
        requireNativeLibrary(); // every call on the state is the core's
        if (root == null) {
            root = Path.of(Native.ociDefaultRoot(System.getenv("XDG_RUNTIME_DIR")));
        }
        return root;
    }

    /** The calls on a container's state are the core's (core/oci_state.c), as the launcher's are. */
    private static void requireNativeLibrary() throws OciException {
        try {
            NativeLoader.load();
        } catch (UnsatisfiedLinkError e) {
            throw new OciException("cannot load the native library: " + e.getMessage());
        }
    }

    private static void requireNativeLibraryAndRoot() throws OciException {
        requireNativeLibrary();
        if (Native.effectiveUid() != 0) {
            throw new OciException("container-fs needs root: run it with sudo");
        }
    }

    private static String oneLine(String message) {
        return message == null ? "" : message.replace('\n', ' ');
    }

    private int fail(String message, int status) {
        err.println("container-fs: " + oneLine(message));
        logError(message);
        return status;
    }

    /** --log: errors (and with --debug, each call's step) appended, in text or JSON lines as runc writes them. */
    private void logError(String message) {
        writeLog("error", message);
    }

    private void debug(String message) {
        if (debug) {
            if (log.isEmpty()) {
                err.println("container-fs: " + message);
            }
            writeLog("debug", message);
        }
    }

    /** One line in runc's text or JSON, by the core (cfs_oci_log), as the launcher writes it. */
    private void writeLog(String level, String message) {
        if (log.isEmpty()) {
            return;
        }
        String problem;
        try {
            NativeLoader.load();
            problem = Native.ociLog(log.get(), jsonLog, level, message == null ? "" : message);
        } catch (UnsatisfiedLinkError e) {
            problem = "container-fs: cannot write the log " + log.get() + ": " + e.getMessage() + "\n";
        }
        err.print(problem);
    }
}
