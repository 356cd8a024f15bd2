package io.containerfs.oci;

import io.containerfs.cli.SeccompProfileFile;
import io.containerfs.cli.UsageException;
import io.containerfs.json.JsonException;
import io.containerfs.json.JsonReader;
import io.containerfs.linux.Capabilities;
import io.containerfs.linux.Capability;
import io.containerfs.linux.Device;
import io.containerfs.linux.Execution;
import io.containerfs.linux.Hook;
import io.containerfs.linux.Isolation;
import io.containerfs.linux.Limits;
import io.containerfs.linux.Mount;
import io.containerfs.linux.Native;
import io.containerfs.linux.Network;
import io.containerfs.linux.Rlimit;
import io.containerfs.linux.SeccompProfile;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A bundle's config.json (the OCI runtime spec's config.md), read into the same records the run
 * form's options fill (io.containerfs.linux.*). Every field is either carried into them or
 * refused with one line naming it: a container never runs with less isolation, or other
 * mounts, than its config asked for because a field went unread. docs/OCI.md lists both.
 */
public record BundleConfig(
        String rootfs,
        boolean readOnly,
        List<String> args,
        boolean terminal,
        Isolation isolation,
        Limits limits,
        Execution execution,
        List<Mount> mounts,
        List<Rlimit> rlimits,
        int umask,
        Optional<String> cgroupsPath,
        List<String> maskedPaths,
        List<String> readonlyPaths,
        Map<String, String> sysctl,
        Map<String, String> namespacePaths,
        boolean cgroupNamespace,
        Capabilities capabilities,
        Map<String, String> annotations,
        int consoleHeight,
        int consoleWidth,
        List<Hook> hooks,
        Optional<Integer> oomScoreAdj,
        Optional<String> uidMap,
        Optional<String> gidMap,
        List<Device> devices,
        List<Device.Rule> deviceRules) {

    /**
     * The mounts the core makes itself in every container (rootfs.c), as runc's default config
     * lists them: destination, type and options.
     */
    private static final Map<String, List<String>> CORE_MOUNTS = Map.of(
            "/proc", List.of("proc"),
            "/dev", List.of("tmpfs"),
            "/dev/pts", List.of("devpts"),
            "/dev/shm", List.of("tmpfs"),
            "/dev/mqueue", List.of("mqueue"),
            "/sys", List.of("sysfs"));

    /** The core's own masks (rootfs.c, cfs_protect_kernel_files): runc's and Docker's defaults. */
    static final Set<String> CORE_MASKED = Set.of("/proc/acpi", "/proc/asound", "/proc/interrupts", "/proc/kcore",
            "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
            "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap");

    static final Set<String> CORE_READ_ONLY =
            Set.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");

    /** The namespaces the core always makes; network, pid and cgroup are the ones a config may leave out. */
    private static final Set<String> CORE_NAMESPACES = Set.of("mount", "ipc", "uts");

    /**
     * The namespaces made when listed: network (or joined by path), pid (or joined by path; absent:
     * the host's, docker run --pid host), cgroup and user (with its maps).
     */
    private static final Set<String> OPTIONAL_NAMESPACES = Set.of("network", "pid", "cgroup", "user");

    private static final long CPU_PERIOD_US = 100_000;
    /** cpu.shares of a new cgroup (the kernel's sched-design-CFS.rst): what every container has. */
    private static final long DEFAULT_CPU_SHARES = 1024;

    public BundleConfig {
        args = List.copyOf(args);
        mounts = List.copyOf(mounts);
        rlimits = List.copyOf(rlimits);
        maskedPaths = List.copyOf(maskedPaths);
        readonlyPaths = List.copyOf(readonlyPaths);
        sysctl = Map.copyOf(sysctl);
        annotations = Map.copyOf(annotations);
        hooks = List.copyOf(hooks);
        namespacePaths = Map.copyOf(namespacePaths);
        devices = List.copyOf(devices);
        deviceRules = List.copyOf(deviceRules);
    }

    /** The hooks of these phases, in config.json's order. */
    public List<Hook> hooks(Set<Hook.Phase> phases) {
        List<Hook> out = new ArrayList<>();
        for (Hook h : hooks) {
            if (phases.contains(h.phase())) {
                out.add(h);
            }
        }
        return out;
    }

    /** Reads {@code bundle}/config.json. */
    public static BundleConfig read(Path bundle) throws OciException {
        Path file = bundle.resolve("config.json");
        if (!Files.exists(file)) {
            throw new OciException("no config.json in the bundle " + bundle + "; make one with: container-fs spec");
        }
        return of(object(load(file), "config.json"), bundle);
    }

    /**
     * Reads {@code exec --process FILE}: a process.json, the runtime spec's {@code process} object
     * alone, read by the same code as config.json's.
     */
    public static Process readProcess(Path file) throws OciException {
        try {
            return Process.of(object(load(file), "process"));
        } catch (OciException e) { // the checks name config.json: name this file instead
            String message = e.getMessage();
            throw new OciException(message.startsWith("config.json: ")
                    ? file + ": " + message.substring("config.json: ".length()) : message);
        }
    }

    private static Object load(Path file) throws OciException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new OciException(file + " does not exist");
        } catch (IOException e) {
            throw new OciException("cannot read " + file + ": " + e.getMessage());
        }
        try {
            return JsonReader.parse(text);
        } catch (JsonException e) {
            throw new OciException(file + " is not valid JSON: " + e.getMessage());
        }
    }

    /**
     * The runtime spec's {@code process}: config.json's, or an {@code exec}'s process.json. The
     * program, its terminal, the {@link Execution} (env, cwd, user), the five capability sets,
     * no_new_privs, rlimits, umask (-1: none) and the terminal's rows and columns (consoleSize; 0:
     * not given, or no terminal).
     */
    public record Process(List<String> args, boolean terminal, Execution execution, Capabilities capabilities,
            boolean noNewPrivileges, List<Rlimit> rlimits, int umask, int consoleHeight, int consoleWidth,
            Optional<Integer> oomScoreAdj) {
        public Process {
            args = List.copyOf(args);
            rlimits = List.copyOf(rlimits);
        }

        /** This process with a terminal: exec --tty beside a process.json that has none. */
        Process withTerminal() {
            Execution e = execution;
            return new Process(args, true, new Execution(e.env(), e.envHost(), e.home(), e.cwd(), e.user(), true,
                    e.init(), e.step()), capabilities, noNewPrivileges, rlimits, umask, consoleHeight, consoleWidth,
                    oomScoreAdj);
        }

        static Process of(Map<String, Object> process) throws OciException {
            only(process, "process.", "terminal", "user", "args", "env", "cwd", "capabilities", "noNewPrivileges",
                    "rlimits", "consoleSize", "apparmorProfile", "oomScoreAdj", "selinuxLabel", "commandLine",
                    "scheduler", "ioPriority", "execCPUAffinity");
            empty(process, "process.", "apparmorProfile", "selinuxLabel",
                    "commandLine", "scheduler", "ioPriority", "execCPUAffinity");
            List<String> args = strings(required(process, "args", "process."), "process.args");
            if (args.isEmpty()) {
                throw new OciException("process.args is empty: it names no program to run");
            }
            boolean terminal = bool(process.get("terminal"), "process.terminal");
            Execution execution = new Execution(strings(process.get("env"), "process.env"), false,
                    Optional.empty(),
                    Optional.of(absolute(string(required(process, "cwd", "process."), "process.cwd"),
                            "process.cwd")),
                    user(process.get("user")), terminal, false, false);
            // consoleSize without a terminal: ignored, as the runtime spec says a runtime must.
            int[] console = consoleSize(process.get("consoleSize"));
            return new Process(args, terminal, execution, BundleConfig.capabilities(process.get("capabilities")),
                    bool(process.get("noNewPrivileges"), "process.noNewPrivileges"),
                    BundleConfig.rlimits(process.get("rlimits")), BundleConfig.umask(process.get("user")),
                    terminal ? console[0] : 0, terminal ? console[1] : 0,
                    BundleConfig.oomScoreAdj(process.get("oomScoreAdj")));
        }
    }

    /** process.consoleSize: {height, width}, each 0 to 65535 (a terminal's struct winsize); {0, 0} when absent. */
    private static int[] consoleSize(Object value) throws OciException {
        if (value == null) {
            return new int[] {0, 0};
        }
        Map<String, Object> size = object(value, "process.consoleSize");
        only(size, "process.consoleSize.", "height", "width");
        int[] out = new int[2];
        List<String> fields = List.of("height", "width");
        for (int i = 0; i < 2; i++) {
            long n = number(size.get(fields.get(i)), "process.consoleSize." + fields.get(i));
            if (n < 0 || n > 0xFFFF) {
                throw new OciException("config.json: process.consoleSize." + fields.get(i) + " " + n
                        + " is not 0 to 65535");
            }
            out[i] = (int) n;
        }
        return out;
    }

    static BundleConfig of(Map<String, Object> config, Path bundle) throws OciException {
        only(config, "", "ociVersion", "root", "process", "hostname", "mounts", "linux", "annotations",
                "domainname", "hooks");
        String version = string(config.get("ociVersion"), "ociVersion");
        if (!version.startsWith("1.")) {
            throw new OciException("ociVersion " + version + " is not supported: container-fs reads 1.x");
        }
        empty(config, "", "domainname");
        Map<String, Object> root = object(required(config, "root", ""), "root");
        only(root, "root.", "path", "readonly");
        Path rootPath = bundle.resolve(string(required(root, "path", "root."), "root.path"));
        Process process = Process.of(object(required(config, "process", ""), "process"));
        Map<String, Object> linux = config.containsKey("linux") ? object(config.get("linux"), "linux") : Map.of();
        only(linux, "linux.", "namespaces", "maskedPaths", "readonlyPaths", "resources", "cgroupsPath",
                "uidMappings", "gidMappings", "devices", "sysctl", "seccomp", "rootfsPropagation", "mountLabel",
                "intelRdt", "personality", "timeOffsets");
        empty(linux, "linux.",
                "rootfsPropagation", "mountLabel", "intelRdt", "personality", "timeOffsets");
        Map<String, String> namespacePaths = namespacePaths(linux.get("namespaces"));
        Network network = namespaces(linux.get("namespaces"));
        if (namespacePaths.containsKey("network")) {
            network = new Network(Network.Mode.JOIN, List.of());
        }
        List<String> masked = beyond(linux.get("maskedPaths"), "linux.maskedPaths", CORE_MASKED);
        List<String> readOnly = beyond(linux.get("readonlyPaths"), "linux.readonlyPaths", CORE_READ_ONLY);
        Map<String, String> sysctl = new LinkedHashMap<>();
        if (linux.containsKey("sysctl")) {
            for (Map.Entry<String, Object> e : object(linux.get("sysctl"), "linux.sysctl").entrySet()) {
                sysctl.put(e.getKey(), string(e.getValue(), "linux.sysctl." + e.getKey()));
            }
        }
        Optional<String> cgroupsPath = linux.containsKey("cgroupsPath")
                ? Optional.of(string(linux.get("cgroupsPath"), "linux.cgroupsPath")).filter(p -> !p.isEmpty())
                : Optional.empty();
        Optional<String> hostname = config.containsKey("hostname")
                ? Optional.of(string(config.get("hostname"), "hostname")).filter(h -> !h.isEmpty())
                : Optional.empty();
        if (hostname.isPresent() && namespacePaths.containsKey("uts")) { // as runc refuses it
            throw new OciException("config.json: hostname with a uts namespace joined by path is not supported:"
                    + " the hostname is that namespace's");
        }
        // No linux.seccomp: no filter, as the runtime spec says.
        Optional<SeccompProfile> seccomp = seccomp(linux.get("seccomp"));
        Isolation isolation = isolation(hostname, process, network, seccomp, !listed(linux.get("namespaces"), "pid"));
        Map<String, String> annotations = new LinkedHashMap<>();
        if (config.containsKey("annotations")) {
            for (Map.Entry<String, Object> e : object(config.get("annotations"), "annotations").entrySet()) {
                annotations.put(e.getKey(), string(e.getValue(), "annotations." + e.getKey()));
            }
        }
        return new BundleConfig(rootPath.toString(), bool(root.get("readonly"), "root.readonly"), process.args(),
                process.terminal(), isolation, resources(linux.get("resources")), process.execution(),
                mounts(config.get("mounts")), process.rlimits(), process.umask(), cgroupsPath, masked, readOnly,
                sysctl, namespacePaths, cgroupNamespace(linux.get("namespaces")) && !namespacePaths.containsKey("cgroup"),
                process.capabilities(), annotations, process.consoleHeight(), process.consoleWidth(),
                hooks(config.get("hooks")), process.oomScoreAdj(), idMap(linux, "uidMappings"),
                idMap(linux, "gidMappings"), devices(linux.get("devices")), deviceRules(linux.get("resources")));
    }

    /**
     * linux.uidMappings or gidMappings, as /proc/PID/uid_map takes them ("inside outside count" a
     * line), for the user namespace linux.namespaces lists: one needs the other, as in runc.
     */
    private static Optional<String> idMap(Map<String, Object> linux, String name) throws OciException {
        boolean user = false;
        for (Object item : list(linux.get("namespaces"), "linux.namespaces")) {
            user |= "user".equals(object(item, "linux.namespaces").get("type"));
        }
        List<Object> entries = list(linux.get(name), "linux." + name);
        if (user != !entries.isEmpty()) {
            throw new OciException(user ? "linux.namespaces: a user namespace needs linux." + name
                    : "linux." + name + " needs a user namespace in linux.namespaces");
        }
        if (!user) {
            return Optional.empty();
        }
        StringBuilder map = new StringBuilder();
        for (Object item : entries) {
            Map<String, Object> e = object(item, "linux." + name);
            only(e, "linux." + name + "[].", "containerID", "hostID", "size");
            map.append(id(e, name, "containerID")).append(' ').append(id(e, name, "hostID")).append(' ')
                    .append(id(e, name, "size")).append('\n');
        }
        return Optional.of(map.toString());
    }

    private static long id(Map<String, Object> entry, String name, String field) throws OciException {
        String where = "linux." + name + "[]." + field;
        long value = number(required(entry, field, "linux." + name + "[]."), where);
        if (value < 0 || value > 0xFFFFFFFFL) {
            throw new OciException(where + " must be an id from 0 to 4294967295, not " + value);
        }
        return value;
    }

    /** The runtime spec's hook lists, by their names in config.json. */
    private static final Map<String, Hook.Phase> HOOK_PHASES = Map.of("prestart", Hook.Phase.PRESTART,
            "createRuntime", Hook.Phase.CREATE_RUNTIME, "createContainer", Hook.Phase.CREATE_CONTAINER,
            "startContainer", Hook.Phase.START_CONTAINER, "poststart", Hook.Phase.POSTSTART, "poststop",
            Hook.Phase.POSTSTOP);

    /** hooks: each {path, args, env, timeout}; the core runs them where the spec says (hooks.c). */
    private static List<Hook> hooks(Object value) throws OciException {
        List<Hook> out = new ArrayList<>();
        if (value == null) {
            return out;
        }
        Map<String, Object> all = object(value, "hooks");
        only(all, "hooks.", HOOK_PHASES.keySet().toArray(new String[0]));
        for (String name : List.of("createRuntime", "prestart", "createContainer", "startContainer", "poststart",
                "poststop")) {
            String field = "hooks." + name + "[]";
            for (Object item : list(all.get(name), "hooks." + name)) {
                Map<String, Object> h = object(item, field);
                only(h, field + ".", "path", "args", "env", "timeout");
                String path = absolute(string(required(h, "path", field + "."), field + ".path"), field + ".path");
                List<String> args = strings(h.get("args"), field + ".args");
                long timeout = number(h.get("timeout"), field + ".timeout");
                if (h.get("timeout") != null && (timeout <= 0 || timeout > Integer.MAX_VALUE)) {
                    throw new OciException("config.json: " + field + ".timeout " + timeout
                            + " is not a number of seconds above 0");
                }
                out.add(new Hook(HOOK_PHASES.get(name), path, args.isEmpty() ? List.of(path) : args,
                        strings(h.get("env"), field + ".env"), (int) timeout));
            }
        }
        return out;
    }

    /** process.oomScoreAdj, written for the process after clone (exec.c, cfs_set_oom_score_adj). */
    private static Optional<Integer> oomScoreAdj(Object value) throws OciException {
        if (value == null) {
            return Optional.empty();
        }
        long adj = number(value, "process.oomScoreAdj");
        if (adj < -1000 || adj > 1000) {
            throw new OciException("config.json: process.oomScoreAdj " + adj + " is not between -1000 and 1000");
        }
        return Optional.of((int) adj);
    }

    /**
     * The container's isolation for {@code process}: its no_new_privs and its bounding set as the
     * set kept (the core takes the five sets from {@link Container.Bundle}), with the container's
     * hostname, network and seccomp profile. create's process gets it, and so does each
     * {@code exec}'s, with the container's own config for the rest.
     */
    public Isolation isolation(Process process) {
        return isolation(isolation.hostname(), process, isolation.network(), isolation.seccompProfile(),
                isolation.hostPidNamespace());
    }

    private static Isolation isolation(Optional<String> hostname, Process process, Network network,
            Optional<SeccompProfile> seccomp, boolean hostPidNamespace) {
        return new Isolation(hostname, process.capabilities().bounding(), Capability.ALL, false,
                process.noNewPrivileges(),
                seccomp.isEmpty(), network, seccomp, hostPidNamespace);
    }

    /** config.json's own process, as {@code exec} without {@code --process} starts from it. */
    public Process process() {
        return new Process(args, terminal, execution, capabilities, isolation.noNewPrivileges(), rlimits, umask,
                consoleHeight, consoleWidth, oomScoreAdj);
    }

    /** linux.namespaces: pid, mount, ipc and uts are always made; network made when listed, else the host's. */
    private static Network network(boolean own) {
        return new Network(own ? Network.Mode.NONE : Network.Mode.HOST, List.of());
    }

    /**
     * linux.seccomp, compiled by the core as a {@code --security-opt seccomp=FILE} profile is: the
     * same syscalls entries. Its filter checks the native architecture only and kills a call of any
     * other, whatever {@code architectures} lists (seccomp.c).
     */
    private static Optional<SeccompProfile> seccomp(Object value) throws OciException {
        if (value == null) {
            return Optional.empty();
        }
        Map<String, Object> s = object(value, "linux.seccomp");
        only(s, "linux.seccomp.", "defaultAction", "defaultErrnoRet", "architectures", "flags", "listenerPath",
                "listenerMetadata", "syscalls");
        empty(s, "linux.seccomp.", "flags", "listenerPath", "listenerMetadata");
        strings(s.get("architectures"), "linux.seccomp.architectures");
        try {
            return Optional.of(SeccompProfileFile.of(s, "config.json linux.seccomp"));
        } catch (UsageException e) {
            throw new OciException(e.getMessage());
        }
    }

    /**
     * The namespaces a path is given for, joined with setns(2) rather than made: podman's network
     * namespace, a Kubernetes pod's ipc and uts namespaces (its sandbox's) and its pid namespace when
     * the pod shares one ({@code --pid container:NAME}), a cgroup namespace. The core checks that each
     * path is a namespace of its type (namespaces.c).
     */
    private static final List<String> JOINABLE_NAMESPACES = List.of("network", "ipc", "uts", "cgroup", "pid");

    /** linux.namespaces' paths, by type. */
    private static Map<String, String> namespacePaths(Object value) throws OciException {
        Map<String, String> paths = new LinkedHashMap<>();
        for (Object item : list(value, "linux.namespaces")) {
            Map<String, Object> ns = object(item, "linux.namespaces");
            if (ns.get("path") == null || "".equals(ns.get("path"))) {
                continue;
            }
            String type = string(required(ns, "type", "linux.namespaces[]."), "linux.namespaces[].type");
            String path = absolute(string(ns.get("path"), "linux.namespaces[].path"), "linux.namespaces[].path");
            if (!JOINABLE_NAMESPACES.contains(type)) {
                throw new OciException("linux.namespaces: joining the " + type + " namespace at " + path
                        + " is not supported: container-fs joins " + String.join(", ", JOINABLE_NAMESPACES)
                        + " namespaces by path (docs/OCI.md)");
            }
            if (paths.put(type, path) != null) {
                throw new OciException("linux.namespaces: the " + type + " namespace is listed twice");
            }
        }
        return paths;
    }

    /** linux.namespaces' cgroup: the container's cgroup is then the root of its own namespace. */
    private static boolean cgroupNamespace(Object value) throws OciException {
        return listed(value, "cgroup");
    }

    /** Whether linux.namespaces lists this type, made or joined. */
    private static boolean listed(Object value, String type) throws OciException {
        for (Object item : list(value, "linux.namespaces")) {
            if (type.equals(object(item, "linux.namespaces").get("type"))) {
                return true;
            }
        }
        return false;
    }

    private static Network namespaces(Object value) throws OciException {
        List<Object> list = list(value, "linux.namespaces");
        java.util.HashSet<String> made = new java.util.HashSet<>();
        for (Object item : list) {
            Map<String, Object> ns = object(item, "linux.namespaces");
            only(ns, "linux.namespaces[].", "type", "path");
            String type = string(required(ns, "type", "linux.namespaces[]."), "linux.namespaces[].type");
            if (!CORE_NAMESPACES.contains(type) && !OPTIONAL_NAMESPACES.contains(type)) {
                throw new OciException("linux.namespaces: a " + type + " namespace is not supported yet");
            }
            made.add(type);
        }
        for (String type : CORE_NAMESPACES) {
            if (!made.contains(type)) {
                throw new OciException("linux.namespaces without " + type + " is not supported: container-fs"
                        + " always makes a new " + type + " namespace");
            }
        }
        return network(made.contains("network"));
    }

    /**
     * The paths beyond the core's own list, which it protects whatever the config says (docs/OCI.md);
     * the core takes those under /proc and /sys only (rootfs.c).
     */
    private static List<String> beyond(Object value, String field, Set<String> core) throws OciException {
        List<String> extra = new ArrayList<>();
        for (String path : strings(value, field)) {
            if (!core.contains(path) && !CORE_MASKED.contains(path)) {
                extra.add(absolute(path, field));
            }
        }
        return extra;
    }

    /** process.user.umask, or -1 when not given. */
    private static int umask(Object user) throws OciException {
        if (user == null || object(user, "process.user").get("umask") == null) {
            return -1;
        }
        long umask = number(object(user, "process.user").get("umask"), "process.user.umask");
        if (umask < 0 || umask > 0777) {
            throw new OciException("config.json: process.user.umask " + umask + " is not a umask");
        }
        return (int) umask;
    }

    /**
     * process.capabilities: the five sets, checked against what the kernel takes (capset(2),
     * prctl(2)) so that a config it would refuse fails here in one line, not in the container's
     * child. Effective within permitted and inheritable within bounding, as capset(2) requires;
     * ambient within permitted. An ambient capability that inheritable lacks cannot be raised
     * (PR_CAP_AMBIENT_RAISE needs both): it is left out, as runc and crun leave it out, which
     * {@code runc spec}'s own config relies on (it lists ambient, not inheritable).
     */
    private static Capabilities capabilities(Object value) throws OciException {
        if (value == null) {
            return new Capabilities(0, 0, 0, 0, 0);
        }
        Map<String, Object> caps = object(value, "process.capabilities");
        only(caps, "process.capabilities.", "bounding", "effective", "permitted", "inheritable", "ambient");
        long bounding = capabilitySet(caps.get("bounding"), "bounding");
        long effective = capabilitySet(caps.get("effective"), "effective");
        long permitted = capabilitySet(caps.get("permitted"), "permitted");
        long inheritable = capabilitySet(caps.get("inheritable"), "inheritable");
        long ambient = capabilitySet(caps.get("ambient"), "ambient");
        within(effective, "effective", permitted, "permitted", "capset(2) refuses an effective capability that is"
                + " not permitted");
        within(inheritable, "inheritable", bounding, "bounding", "capset(2) refuses an inheritable capability"
                + " outside the bounding set");
        within(ambient, "ambient", permitted, "permitted", "the kernel raises an ambient capability only when it"
                + " is permitted and inheritable (prctl(2), PR_CAP_AMBIENT_RAISE)");
        return new Capabilities(bounding, effective, permitted, inheritable, ambient & inheritable);
    }

    /** Refuses {@code set} unless it is within {@code bound}, naming the first capability outside. */
    private static void within(long set, String name, long bound, String boundName, String why)
            throws OciException {
        long outside = set & ~bound;
        if (outside != 0) {
            String cap = "CAP_" + Capability.values()[Long.numberOfTrailingZeros(outside)].name();
            throw new OciException("config.json: process.capabilities." + name + " has " + cap + ", which "
                    + boundName + " lacks: " + why);
        }
    }

    private static long capabilitySet(Object value, String set) throws OciException {
        long bits = 0;
        for (String name : strings(value, "process.capabilities." + set)) {
            try {
                long bit = Capability.parse(name);
                if (bit == Capability.ALL) {
                    throw new IllegalArgumentException("ALL is not a capability");
                }
                bits |= bit;
            } catch (IllegalArgumentException e) {
                throw new OciException("process.capabilities." + set + ": " + e.getMessage());
            }
        }
        return bits;
    }

    private static Optional<Execution.User> user(Object value) throws OciException {
        if (value == null) {
            return Optional.empty();
        }
        Map<String, Object> user = object(value, "process.user");
        only(user, "process.user.", "uid", "gid", "additionalGids", "umask", "username");
        empty(user, "process.user.", "username");
        List<Integer> groups = new ArrayList<>();
        for (Object gid : list(user.get("additionalGids"), "process.user.additionalGids")) {
            groups.add(id(gid, "process.user.additionalGids"));
        }
        return Optional.of(new Execution.User(id(required(user, "uid", "process.user."), "process.user.uid"),
                id(required(user, "gid", "process.user."), "process.user.gid"), groups));
    }

    private static Limits resources(Object value) throws OciException {
        if (value == null) {
            return Limits.NONE;
        }
        Map<String, Object> r = object(value, "linux.resources");
        only(r, "linux.resources.", "devices", "memory", "pids", "cpu", "blockIO");
        if (r.containsKey("blockIO")) { // Docker's {"weight": 0}: no weight asked for
            Map<String, Object> b = object(r.get("blockIO"), "linux.resources.blockIO");
            zeroOrAbsent(b, "linux.resources.blockIO.", "weight", "leafWeight");
            only(b, "linux.resources.blockIO.", "weight", "leafWeight");
        }
        long memory = 0;
        long swap = 0;
        if (r.containsKey("memory")) {
            Map<String, Object> m = object(r.get("memory"), "linux.resources.memory");
            only(m, "linux.resources.memory.", "limit", "swap", "disableOOMKiller", "reservation", "kernel",
                    "kernelTCP");
            if (bool(m.get("disableOOMKiller"), "linux.resources.memory.disableOOMKiller")) {
                throw new OciException("config.json: linux.resources.memory.disableOOMKiller true is not supported");
            }
            zeroOrAbsent(m, "linux.resources.memory.", "reservation", "kernel", "kernelTCP");
            memory = number(m.get("limit"), "linux.resources.memory.limit");
            swap = number(m.get("swap"), "linux.resources.memory.swap");
        }
        long pids = 0;
        if (r.containsKey("pids")) {
            Map<String, Object> p = object(r.get("pids"), "linux.resources.pids");
            only(p, "linux.resources.pids.", "limit");
            pids = number(p.get("limit"), "linux.resources.pids.limit");
        }
        long quota = 0;
        long shares = 0;
        if (r.containsKey("cpu")) {
            Map<String, Object> c = object(r.get("cpu"), "linux.resources.cpu");
            only(c, "linux.resources.cpu.", "quota", "period", "shares");
            // Docker's {"shares": 0} asks for none, containerd's 1024 for the kernel's default.
            shares = number(c.get("shares"), "linux.resources.cpu.shares");
            if (shares == DEFAULT_CPU_SHARES) {
                shares = 0;
            } else if (shares != 0 && (shares < Limits.MIN_CPU_SHARES || shares > Limits.MAX_CPU_SHARES)) {
                throw new OciException("config.json: linux.resources.cpu.shares " + shares + " is out of the"
                        + " kernel's range, " + Limits.MIN_CPU_SHARES + " to " + Limits.MAX_CPU_SHARES);
            }
            long q = number(c.get("quota"), "linux.resources.cpu.quota");
            long period = c.containsKey("period") ? number(c.get("period"), "linux.resources.cpu.period")
                    : CPU_PERIOD_US;
            if (q > 0 && period <= 0) {
                throw new OciException("linux.resources.cpu.period must be positive");
            }
            quota = q > 0 ? Math.max(1, q * CPU_PERIOD_US / period) : 0;
        }
        return new Limits(Math.max(memory, 0), swap, Math.max(pids, 0), quota, shares, false);
    }

    /**
     * The nodes the core's device rules let a container open (devices.c, default_rules), beside
     * mknod of any node: Docker's defaults. A rule that allows one of these adds nothing; one that
     * denies one is refused (deviceRules).
     */
    private static final Set<String> CORE_DEVICES =
            Set.of("c 1:3", "c 1:5", "c 1:7", "c 1:8", "c 1:9", "c 5:0", "c 5:1", "c 5:2", "c 136:*", "c 10:200");

    /**
     * linux.resources.devices, in order, as the device cgroup's rules beyond the core's defaults:
     * an allow rule is added (type {@code a}: one for character and one for block devices); a
     * deny rule is taken only where it denies what is denied already: every device before any
     * rule of the config allows one (the engines' first rule), or a node neither the core's
     * defaults nor an earlier rule allow. Any other deny is refused, as a stricter list would be
     * silently ignored.
     */
    private static List<Device.Rule> deviceRules(Object resources) throws OciException {
        List<Device.Rule> rules = new ArrayList<>();
        if (resources == null) {
            return rules;
        }
        for (Object item : list(object(resources, "linux.resources").get("devices"), "linux.resources.devices")) {
            Map<String, Object> d = object(item, "linux.resources.devices[]");
            only(d, "linux.resources.devices[].", "allow", "type", "major", "minor", "access");
            boolean allow = bool(d.get("allow"), "linux.resources.devices[].allow");
            String type = d.get("type") == null ? "a" : string(d.get("type"), "linux.resources.devices[].type");
            String access = d.get("access") == null ? "rwm"
                    : string(d.get("access"), "linux.resources.devices[].access");
            int major = ruleNumber(d.get("major"), "major");
            int minor = ruleNumber(d.get("minor"), "minor");
            if (!Set.of("a", "c", "b").contains(type)) {
                throw new OciException("config.json: linux.resources.devices[].type '" + type + "' is not a, c or b");
            }
            if (access.isEmpty() || !access.matches("[rwm]+")) {
                throw new OciException("config.json: linux.resources.devices[].access '" + access
                        + "' is not made of r, w and m");
            }
            String node = type + " " + (major < 0 ? "*" : major) + ":" + (minor < 0 ? "*" : minor);
            if (allow) {
                for (String t : type.equals("a") ? List.of("c", "b") : List.of(type)) {
                    // What the core's defaults allow already (Docker lists them all) adds nothing.
                    boolean core = CORE_DEVICES.contains(t + node.substring(1))
                            || major < 0 && minor < 0 && access.equals("m");
                    if (!core) {
                        rules.add(new Device.Rule(t.equals("b"), major, minor, access.contains("r"),
                                access.contains("w"), access.contains("m")));
                    }
                }
                continue;
            }
            boolean denyAll = type.equals("a") && major < 0 && minor < 0 && access.equals("rwm");
            boolean deniedAlready = denyAll || !CORE_DEVICES.contains(node) && !type.equals("a")
                    && !node.endsWith("*:*");
            if (!deniedAlready || allowedEarlier(rules, type, major, minor)) {
                throw new OciException("linux.resources.devices: the rule denying " + node + " " + access
                        + " is not supported: container-fs denies only what neither its default nodes nor an"
                        + " earlier rule allow (docs/OCI.md)");
            }
        }
        return rules;
    }

    /** A major or minor number of a device rule: absent, null or -1 for any (-1 out). */
    private static int ruleNumber(Object value, String field) throws OciException {
        long n = value == null ? -1 : number(value, "linux.resources.devices[]." + field);
        if (n < -1 || n > Integer.MAX_VALUE) {
            throw new OciException("config.json: linux.resources.devices[]." + field + " " + n + " is not a device"
                    + " number");
        }
        return (int) n;
    }

    /** Whether one of {@code rules} allows some of the nodes a rule of this type and numbers matches. */
    private static boolean allowedEarlier(List<Device.Rule> rules, String type, int major, int minor) {
        for (Device.Rule r : rules) {
            boolean sameType = type.equals("a") || type.equals(r.block() ? "b" : "c");
            if (sameType && (major < 0 || r.major() < 0 || major == r.major())
                    && (minor < 0 || r.minor() < 0 || minor == r.minor())) {
                return true;
            }
        }
        return false;
    }

    /** linux.devices' types: c and u (unbuffered, to Linux a character device too), b, p (a FIFO). */
    private static final Map<String, Integer> NODE_TYPES =
            Map.of("c", Native.S_IFCHR, "u", Native.S_IFCHR, "b", Native.S_IFBLK, "p", Native.S_IFIFO);

    /**
     * linux.devices: each node made in the container's /dev with its type, numbers, fileMode
     * (0666 when absent, as runc) and owner; opened only where linux.resources.devices allows it.
     */
    private static List<Device> devices(Object value) throws OciException {
        List<Device> out = new ArrayList<>();
        Set<String> paths = new java.util.HashSet<>();
        for (Object item : list(value, "linux.devices")) {
            Map<String, Object> d = object(item, "linux.devices[]");
            only(d, "linux.devices[].", "path", "type", "major", "minor", "fileMode", "uid", "gid");
            String path = string(required(d, "path", "linux.devices[]."), "linux.devices[].path");
            if (!path.startsWith("/dev/") || !Path.of(path).normalize().toString().equals(path)) {
                throw new OciException("config.json: linux.devices[].path '" + path + "' is not a normalized path"
                        + " under /dev: container-fs makes device nodes in the container's /dev only");
            }
            if (!paths.add(path)) {
                throw new OciException("config.json: linux.devices lists " + path + " twice");
            }
            String type = string(required(d, "type", "linux.devices[]."), "linux.devices[].type");
            if (!NODE_TYPES.containsKey(type)) {
                throw new OciException("config.json: linux.devices[].type '" + type + "' of " + path
                        + " is not c, u, b or p");
            }
            boolean fifo = type.equals("p");
            // Podman's fileMode holds the type bits too (S_IFBLK | 0600): taken when they are the type's.
            long mode = d.get("fileMode") == null ? 0666 : number(d.get("fileMode"), "linux.devices[].fileMode");
            long typeBits = mode & 0170000;
            if (mode < 0 || mode > 0177777 || typeBits != 0 && typeBits != NODE_TYPES.get(type)) {
                throw new OciException("config.json: linux.devices[].fileMode " + mode + " of " + path
                        + " is not a file mode of a node of type " + type);
            }
            mode &= 07777;
            out.add(Device.node(path, new Device.Node(NODE_TYPES.get(type) | (int) mode,
                    fifo ? 0 : deviceNumber(d, "major", path), fifo ? 0 : deviceNumber(d, "minor", path),
                    id(d.get("uid"), "linux.devices[].uid"), id(d.get("gid"), "linux.devices[].gid"))));
        }
        return out;
    }

    /** A node's major or minor: required, and within Linux's dev_t (12 bits and 20 bits, kdev_t.h). */
    private static int deviceNumber(Map<String, Object> d, String field, String path) throws OciException {
        long n = number(required(d, field, "linux.devices[]."), "linux.devices[]." + field);
        long max = field.equals("major") ? 0xFFF : 0xFFFFF;
        if (n < 0 || n > max) {
            throw new OciException("config.json: linux.devices[]." + field + " " + n + " of " + path
                    + " is not 0 to " + max);
        }
        return (int) n;
    }

    /** Fields that must be absent, or 0: what an engine writes when nothing was asked for. */
    private static void zeroOrAbsent(Map<String, Object> object, String prefix, String... fields)
            throws OciException {
        for (String field : fields) {
            if (object.get(field) != null && number(object.get(field), prefix + field) != 0) {
                throw new OciException("config.json: " + prefix + field + " is not supported yet");
            }
        }
    }

    /** process.rlimits: the core looks each type up and sets it before exec (exec.c). */
    private static List<Rlimit> rlimits(Object value) throws OciException {
        List<Rlimit> out = new ArrayList<>();
        for (Object item : list(value, "process.rlimits")) {
            Map<String, Object> r = object(item, "process.rlimits[]");
            only(r, "process.rlimits[].", "type", "soft", "hard");
            out.add(new Rlimit(string(required(r, "type", "process.rlimits[]."), "process.rlimits[].type"),
                    limit(required(r, "soft", "process.rlimits[]."), "process.rlimits[].soft"),
                    limit(required(r, "hard", "process.rlimits[]."), "process.rlimits[].hard")));
        }
        return out;
    }

    /** A uint64 limit: 2^64-1 (RLIM_INFINITY) crosses as -1. */
    private static long limit(Object v, String field) throws OciException {
        if (v instanceof BigInteger b && b.equals(BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE))) {
            return -1;
        }
        long n = number(v, field);
        if (n < 0) {
            throw new OciException("config.json: " + field + " " + n + " is negative");
        }
        return n;
    }

    private static List<Mount> mounts(Object value) throws OciException {
        List<Mount> out = new ArrayList<>();
        for (Object item : list(value, "mounts")) {
            Map<String, Object> m = object(item, "mounts[]");
            only(m, "mounts[].", "destination", "type", "source", "options");
            String destination = absolute(string(required(m, "destination", "mounts[]."), "mounts[].destination"),
                    "mounts[].destination");
            String type = m.containsKey("type") ? string(m.get("type"), "mounts[].type") : "";
            List<String> options = strings(m.get("options"), "mounts[].options");
            boolean bind = type.equals("bind") || options.contains("bind") || options.contains("rbind");
            if (CORE_MOUNTS.containsKey(destination) && !bind) {
                if (!CORE_MOUNTS.get(destination).contains(type)) {
                    throw new OciException("mounts: " + destination + " of type '" + type + "' is not supported:"
                            + " container-fs mounts " + CORE_MOUNTS.get(destination).get(0) + " there itself");
                }
                continue; // made by the core, as runc's default config asks (docs/OCI.md)
            }
            if (bind) { // over the core's own mount, where it is one of them (podman's /dev/shm)
                boolean readOnly = false;
                boolean nosuid = false;
                boolean noexec = false;
                for (String option : options) {
                    switch (option) {
                        // Every mount in the container is private (rootfs.c), every bind recursive and nodev.
                        case "bind", "rbind", "rw", "nodev", "private", "rprivate" -> { }
                        case "ro" -> readOnly = true;
                        case "nosuid" -> nosuid = true;
                        case "noexec" -> noexec = true;
                        default -> throw new OciException("mounts: option '" + option + "' of the bind mount on "
                                + destination + " is not supported yet");
                    }
                }
                out.add(new Mount(string(required(m, "source", "mounts[]."), "mounts[].source"), destination, null,
                        readOnly, nosuid, noexec));
            } else if (type.equals("cgroup") && destination.equals("/sys/fs/cgroup")) {
                // The container's own cgroup, read-only (rootfs.c): never the host's tree.
                if (!options.contains("ro")) {
                    throw new OciException("mounts: a writable cgroup mount on /sys/fs/cgroup is not supported: it"
                            + " would let the container change its own limits; add \"ro\"");
                }
                for (String option : options) {
                    if (!Set.of("ro", "nosuid", "noexec", "nodev", "relatime", "private", "rprivate")
                            .contains(option)) {
                        throw new OciException("mounts: option '" + option + "' of the cgroup mount is not supported"
                                + " yet");
                    }
                }
                out.add(Mount.ownCgroup(destination));
            } else if (type.equals("tmpfs")) {
                List<String> data = new ArrayList<>();
                // strictatime (Docker's and containerd's /dev, /run) is accepted and not applied: atimes
                // on the core's tmpfs are relatime, as on any new mount (docs/OCI.md).
                for (String option : options) {
                    if (option.startsWith("size=") || option.startsWith("mode=")) {
                        data.add(option);
                    } else if (!Set.of("nosuid", "nodev", "noexec", "rw", "strictatime").contains(option)) {
                        throw new OciException("mounts: option '" + option + "' of the tmpfs on " + destination
                                + " is not supported yet");
                    }
                }
                out.add(new Mount(null, destination, String.join(",", data), false));
            } else {
                throw new OciException("mounts: a " + (type.isEmpty() ? "mount without a type" : type + " mount")
                        + " on " + destination + " is not supported yet");
            }
        }
        return out;
    }

    // ---- JSON values, checked ----

    private static void only(Map<String, Object> object, String prefix, String... known) throws OciException {
        Set<String> names = Set.of(known);
        for (String key : object.keySet()) {
            if (!names.contains(key)) {
                throw new OciException("config.json: unknown field " + prefix + key);
            }
        }
    }

    /** Fields read but not supported yet: refused unless absent, null or empty. */
    private static void empty(Map<String, Object> object, String prefix, String... fields) throws OciException {
        for (String field : fields) {
            Object v = object.get(field);
            boolean none = v == null || v.equals("") || (v instanceof List<?> l && l.isEmpty())
                    || (v instanceof Map<?, ?> m && m.isEmpty());
            if (!none) {
                throw new OciException("config.json: " + prefix + field + " is not supported yet");
            }
        }
    }

    private static Object required(Map<String, Object> object, String field, String prefix) throws OciException {
        Object v = object.get(field);
        if (v == null) {
            throw new OciException("config.json: " + prefix + field + " is missing");
        }
        return v;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object v, String field) throws OciException {
        if (!(v instanceof Map<?, ?>)) {
            throw new OciException("config.json: " + field + " is not an object");
        }
        for (Object key : ((Map<?, ?>) v).keySet()) {
            if (!(key instanceof String)) {
                throw new OciException("config.json: " + field + " has a key that is not a string");
            }
        }
        return (Map<String, Object>) v;
    }

    private static List<Object> list(Object v, String field) throws OciException {
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> l)) {
            throw new OciException("config.json: " + field + " is not an array");
        }
        return new ArrayList<>(l);
    }

    private static List<String> strings(Object v, String field) throws OciException {
        List<String> out = new ArrayList<>();
        for (Object item : list(v, field)) {
            out.add(string(item, field));
        }
        return out;
    }

    private static String string(Object v, String field) throws OciException {
        if (!(v instanceof String s)) {
            throw new OciException("config.json: " + field + " is not a string");
        }
        return s;
    }

    private static boolean bool(Object v, String field) throws OciException {
        if (v == null) {
            return false;
        }
        if (!(v instanceof Boolean b)) {
            throw new OciException("config.json: " + field + " is not true or false");
        }
        return b;
    }

    private static long number(Object v, String field) throws OciException {
        if (v == null) {
            return 0;
        }
        if (v instanceof Integer || v instanceof Long) {
            return ((Number) v).longValue();
        }
        if (v instanceof BigInteger) {
            throw new OciException("config.json: " + field + " is out of range");
        }
        throw new OciException("config.json: " + field + " is not an integer");
    }

    private static int id(Object v, String field) throws OciException {
        long n = number(v, field);
        if (n < 0 || n > 0xFFFFFFFEL) {
            throw new OciException("config.json: " + field + " " + n + " is not a valid id");
        }
        return (int) n;
    }

    private static String absolute(String path, String field) throws OciException {
        if (!path.startsWith("/")) {
            throw new OciException("config.json: " + field + " '" + path + "' is not an absolute path");
        }
        return path;
    }
}
