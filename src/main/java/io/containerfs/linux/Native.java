package io.containerfs.linux;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Every native method of container-fs, implemented in {@code src/main/c/jni/jni_native.c}.
 * Strings cross the boundary as byte arrays in the file system's charset (JNI's own string
 * functions use modified UTF-8, which is not what the kernel's file names are in); the C side
 * builds the course's {@code args_t} from them. Call {@link NativeLoader#load()} first.
 */
public final class Native {
    /** File type bits of a mode, as {@code <sys/stat.h>} has them (the same on every Linux arch). */
    public static final int S_IFIFO = 0010000;
    public static final int S_IFCHR = 0020000;
    public static final int S_IFBLK = 0060000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFDIR = 0040000;
    public static final int S_IFLNK = 0120000;

    private Native() {}

    /**
     * Runs a container: its command in new mount, PID, UTS and IPC namespaces whose root is the
     * overlay of its layers, mounted over {@code tmpdir} in the container's own mount namespace only.
     * Unless one was given, the core makes overlayfs's work directory beside WRITEDIR, and removes it
     * before it returns.
     *
     * <p>One container at a time per process (the method holds the class lock): while one runs, the
     * C core takes over the process's SIGINT, SIGQUIT, SIGTERM, SIGHUP and SIGALRM dispositions,
     * which a second one would save and restore out of order.
     *
     * @return the exit status a shell would give: the command's own, or 128+N for signal N
     * @throws ContainerException when a set-up step or the exec failed; the child has been reaped
     * @throws IllegalArgumentException when the command is empty, or a path or word holds NUL or
     *     cannot be written in the file system's charset
     */
    public static synchronized int run(Container c) throws ContainerException {
        if (c.command().isEmpty()) {
            throw new IllegalArgumentException("no command to run");
        }
        long args = argsNew();
        try {
            fill(args, c);
            return runArgs(args);
        } finally {
            argsFree(args);
        }
    }

    /**
     * {@code exec}: runs {@code c}'s command in the running OCI container whose process is
     * {@code pid}: in its namespaces and cgroup, with {@code c}'s capabilities, seccomp profile,
     * user, limits, environment and directory, as the container's own process got them
     * (src/main/c/core/enter.c). {@code c.bundle()} names the container (its id and cgroupsPath)
     * and the pid file to write.
     *
     * @return the command's exit status as {@link #run} gives it; with {@code detach}, 0 once it
     *     has exec'd, and it outlives this process
     * @throws ContainerException when joining the container or the exec failed
     */
    public static synchronized int exec(Container c, int pid, boolean detach) throws ContainerException {
        if (c.command().isEmpty() || c.bundle().isEmpty()) {
            throw new IllegalArgumentException("no command to run, or no container to run it in");
        }
        long args = argsNew();
        try {
            fill(args, c);
            return execArgs(args, pid, detach);
        } finally {
            argsFree(args);
        }
    }

    /** Every record of {@code c} into the args_t {@code args}, one setter per record. */
    private static void fill(long args, Container c) throws ContainerException {
        // Each record crosses on its own, read field by field in C (jni_native.c), into one
        // args_t that the last call runs: a new option is a field of its record and a line of
        // that record's setter on each side. Loops, not lambdas: a run bootstraps no
        // java.lang.invoke (docs/BENCHMARKS.md).
        setLayers(args, encode(c.lowers().toArray(new String[0])), optional(c.upper()),
                optional(c.overlayWorkdir()), encode(c.tmpdir()));
        if (c.bundle().isPresent()) {
            Container.Bundle b = c.bundle().get();
            setBundle(args, b, encode(b.rootfs()), optional(b.execFifo()), optional(b.pidFile()),
                    encode(b.id()), optional(b.cgroupsPath()));
            List<String> types = new ArrayList<>(b.namespacePaths().keySet());
            List<String> paths = new ArrayList<>();
            for (String type : types) {
                paths.add(b.namespacePaths().get(type));
            }
            setNamespacePaths(args, encode(types.toArray(new String[0])), encode(paths.toArray(new String[0])));
            for (Device.Rule r : b.deviceRules()) {
                addDeviceRule(args, r);
            }
            setUserMaps(args, optional(b.uidMap()), optional(b.gidMap()));
            setConsole(args, b, optional(b.consoleSocket()));
            setProtectedPaths(args, encode(b.maskedPaths().toArray(new String[0])),
                    encode(b.readonlyPaths().toArray(new String[0])));
            List<String> keys = new ArrayList<>(b.sysctl().keySet());
            List<String> values = new ArrayList<>();
            for (String key : keys) {
                values.add(b.sysctl().get(key));
            }
            setSysctls(args, encode(keys.toArray(new String[0])), encode(values.toArray(new String[0])));
            for (Rlimit r : b.rlimits()) {
                addRlimit(args, r, encode(r.type()));
            }
            setCapabilities(args, b.capabilities());
            addHooks(args, b.hooks(), b.hookState());
        }
        setCommand(args, encodeCommand(c.command().toArray(new String[0])), c.trace());
        setCaller(args, Caller.stdioTheJvmTook(), Caller.openFilesSoftLimit());
        setIsolation(args, c.isolation(), optional(c.isolation().hostname()));
        Network network = c.isolation().network();
        setNetwork(args, network.mode().ordinal());
        for (Network.PublishedPort p : network.ports()) {
            addPublishedPort(args, p);
        }
        if (c.isolation().seccompProfile().isPresent()) {
            setSeccomp(args, c.isolation().seccompProfile().get());
        }
        setLimits(args, c.limits());
        Execution execution = c.execution();
        setExecution(args, execution, encode(execution.env().toArray(new String[0])),
                optional(execution.home()), optional(execution.cwd()), user(execution));
        for (Mount m : c.mounts()) {
            addMount(args, m, m.source() == null ? null : encode(m.source()), encode(m.target()),
                    m.tmpfsOptions() == null ? null : encode(m.tmpfsOptions()));
        }
        for (Device d : c.devices()) {
            addDevice(args, d, d.node().orElse(null), encode(d.host()), encode(d.target()));
        }
    }

    /**
     * Runs the hooks of one phase, in order, each given the state with {@code status}, {@code pid}
     * and the members in {@code state} (id, bundle, annotations): the front end's, for poststart and
     * poststop, which run after create has returned (hooks.c).
     *
     * @throws ContainerException for the first that failed, which stops the others
     */
    public static synchronized void runHooks(List<Hook> hooks, Hook.Phase phase, String state, String status,
            int pid) throws ContainerException {
        long args = argsNew();
        try {
            addHooks(args, hooks, state);
            runHooks(args, phase.ordinal(), encode(status), pid);
        } finally {
            argsFree(args);
        }
    }

    private static void addHooks(long args, List<Hook> hooks, String state) throws ContainerException {
        setHookState(args, encode(state));
        for (Hook h : hooks) {
            addHook(args, h, h.phase().ordinal(), encode(h.path()), encode(h.args().toArray(new String[0])),
                    encode(h.env().toArray(new String[0])));
        }
    }

    /** {uid, gid, supplementary groups...} for {@code -u}; null to stay root. */
    private static int[] user(Execution execution) {
        if (execution.user().isEmpty()) {
            return null;
        }
        Execution.User u = execution.user().get();
        int[] ids = new int[2 + u.groups().size()];
        ids[0] = u.uid();
        ids[1] = u.gid();
        for (int i = 0; i < u.groups().size(); i++) {
            ids[2 + i] = u.groups().get(i);
        }
        return ids;
    }

    private static byte[] optional(Optional<String> s) {
        return s.isPresent() ? encode(s.get()) : null;
    }

    /**
     * Makes a character or block device or a FIFO at {@code path}, as {@code tar --same-owner -xpf}
     * does: {@code mknod(2)}, then the owner, then the exact mode (setuid, setgid and sticky
     * included, whatever the umask), then the mtime; all by path, never following a symlink in the
     * last component and never opening the node (java.nio would, and a FIFO blocks its open(2)).
     *
     * @param mode {@link #S_IFCHR}, {@link #S_IFBLK} or {@link #S_IFIFO} plus the permission bits
     * @param major ignored for a FIFO
     * @param minor ignored for a FIFO
     * @param uid the owner, or -1 to keep the caller's
     * @param gid the group, or -1 to keep the caller's
     * @param mtimeNanos 0 to 999999999
     * @throws NodeException with the step that failed and errno kept: EEXIST when anything, a symlink included, is at
     *     {@code path}; ENOENT when its directory is missing; EPERM without CAP_MKNOD; EINVAL for
     *     a mode that is not one of the three types or nanoseconds out of range
     */
    public static void makeNode(
            String path, int mode, int major, int minor, int uid, int gid, long mtimeSeconds, int mtimeNanos)
            throws NodeException {
        Objects.requireNonNull(path, "makeNode: path is null");
        makeNodeAt(encode(path), mode, major, minor, uid, gid, mtimeSeconds, mtimeNanos);
    }

    /**
     * Marks the directory at {@code path} opaque for overlayfs ({@code trusted.overlay.opaque=y}):
     * what lower layers hold under that name is hidden. Never through a symlink (opened O_NOFOLLOW).
     *
     * @throws NodeException {@code OPEN} (ELOOP, ENOTDIR) or {@code XATTR} (EPERM without CAP_SYS_ADMIN,
     *     EOPNOTSUPP where the file system has no trusted xattrs) with errno
     */
    public static void markOpaque(String path) throws NodeException {
        Objects.requireNonNull(path, "markOpaque: path is null");
        markOpaqueAt(encode(path));
    }

    /**
     * Whether the directory at {@code path} is marked opaque as {@link #markOpaque} marks it, for
     * the overlay this process mounts ({@code trusted.overlay.opaque=y} as root, else
     * {@code user.overlay.opaque}); false for anything else and on any error. Read with lgetxattr(2),
     * never through a symlink at its end; Java reads no {@code trusted.} xattr.
     */
    public static boolean isOpaque(String path) {
        Objects.requireNonNull(path, "isOpaque: path is null");
        return isOpaqueAt(encode(path));
    }

    /**
     * Gives the directory, regular file or symlink at {@code path} the owner (-1 keeps it), exact
     * mode and mtime a tar entry records, never following a symlink at its end: a symlink by path
     * ({@code lchown}, {@code utimensat}), a directory or file through a descriptor opened with
     * {@code O_NOFOLLOW}, so nothing a symlink points to changes whatever {@code mode} says. A few
     * system calls where java.nio opens the file for its times and again for its mode (pull sets
     * them on every directory and symlink it extracts).
     *
     * @param mode the type bits ({@link #S_IFDIR}, {@link #S_IFREG}, {@link #S_IFLNK}) and the
     *     permissions; a symlink's permissions are left alone, as Linux has none for it
     * @throws NodeException with the step that failed ({@code OPEN}: ENOTDIR or ELOOP for a symlink
     *     where a directory or file was said to be, EINVAL for another type; {@code OWNER}, {@code MODE},
     *     {@code TIMES}) and errno
     */
    public static void setMetadata(String path, int mode, int uid, int gid, long mtimeSeconds, int mtimeNanos)
            throws NodeException {
        Objects.requireNonNull(path, "setMetadata: path is null");
        setMetadataAt(encode(path), mode, uid, gid, mtimeSeconds, mtimeNanos);
    }

    /**
     * A new regular file at {@code path}, open for writing, mode 0600 until {@link #finishFile}:
     * {@code O_CREAT|O_EXCL|O_NOFOLLOW}, so it fails with EEXIST on anything already there, a
     * symlink included, and never follows one. The caller writes it with {@link #writeFile}, then
     * finishes it, or closes it with {@link #closeFile} if it gives up.
     *
     * @return the descriptor
     * @throws NodeException {@code CREATE} with errno
     */
    public static int createFile(String path) throws NodeException {
        Objects.requireNonNull(path, "createFile: path is null");
        return createFileAt(encode(path));
    }

    /**
     * Writes {@code length} bytes of {@code bytes} from {@code offset} to the file {@link #createFile} opened.
     *
     * @param path the file's path, for the message of a failure
     * @throws NodeException {@code WRITE} with errno (ENOSPC, EDQUOT, ...)
     */
    public static void writeFile(int fd, String path, byte[] bytes, int offset, int length) throws NodeException {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        writeFileAt(fd, encode(path), bytes, offset, length);
    }

    /**
     * Gives the file {@link #createFile} opened its owner (-1 keeps it), exact permissions and
     * mtime through its descriptor, then closes it, on failure too.
     *
     * @throws NodeException {@code OWNER}, {@code MODE}, {@code TIMES} or {@code CLOSE}, with errno
     */
    public static void finishFile(int fd, String path, int mode, int uid, int gid, long mtimeSeconds,
            int mtimeNanos) throws NodeException {
        finishFileAt(fd, encode(path), mode, uid, gid, mtimeSeconds, mtimeNanos);
    }

    /** Closes a file {@link #createFile} opened that will not be finished. */
    public static native void closeFile(int fd);

    /**
     * Whether this user, not root, has a range in /etc/subuid and in /etc/subgid, and newuidmap
     * and newgidmap on PATH: what a container's user namespace maps, and what pull gives the
     * archive's owners through (the C core's userns.c).
     */
    public static native boolean hasSubordinateRanges();

    /**
     * pull run by an ordinary user: gives each file under {@code root} the archive's owner, as
     * ids inside a container's user namespace (0 the user, n the range's n-th), from a process in
     * a user namespace of its own; then its mode again, which chown(2) clears the setuid bits of.
     * On failure that process removes the whole tree (the user alone could not).
     *
     * @param paths relative to {@code root}
     * @param owners for each path in turn: its uid, gid and mode (-1 for a symlink)
     * @return false when the user has no range (nothing done)
     * @throws ContainerException when a file could not be given its owner; the tree is gone
     */
    public static boolean ownTree(String root, List<String> paths, int[] owners) throws ContainerException {
        byte[][] encoded = new byte[paths.size()][];
        for (int i = 0; i < encoded.length; i++) {
            encoded[i] = encode(paths.get(i));
        }
        return ownTreeAt(encode(root), encoded, owners);
    }

    private static native boolean ownTreeAt(byte[] root, byte[][] paths, int[] owners) throws ContainerException;

    /**
     * The bytes the kernel gets for {@code s}: the charset the JVM uses for file names and
     * arguments ({@code sun.jnu.encoding}), so a path names what {@code Path.toRealPath} found.
     */
    static byte[] encode(String s) {
        Objects.requireNonNull(s, "a path or word for the C core is null");
        if (s.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("'" + s.replace('\0', '?') + "' holds a NUL character");
        }
        if (ASCII_AS_ITSELF && isAscii(s)) {
            return s.getBytes(StandardCharsets.US_ASCII);
        }
        try {
            ByteBuffer bytes = fileSystemCharset().newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(s));
            byte[] out = new byte[bytes.remaining()];
            bytes.get(out);
            return out;
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("'" + s + "' cannot be written in the system's character set "
                    + fileSystemCharset() + "; set a UTF-8 locale, e.g. LC_ALL=C.UTF-8", e);
        }
    }

    /**
     * Whether the file-name charset writes ASCII as ASCII, as UTF-8, US-ASCII (the C locale) and
     * ISO-8859-1 do. Then an ASCII word, nearly every path, skips a CharsetEncoder: making one per
     * word cost a cold JVM ~10 us, per lower layer (docs/BENCHMARKS.md).
     */
    private static final boolean ASCII_AS_ITSELF = isAsciiCompatible(fileSystemCharset());

    static boolean isAsciiCompatible(Charset charset) {
        return charset.equals(StandardCharsets.UTF_8) || charset.equals(StandardCharsets.US_ASCII)
                || charset.equals(StandardCharsets.ISO_8859_1);
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /**
     * Every word's bytes, as {@link #encode(String)} gives them. The plain ASCII words, nearly all,
     * are copied by the core in one call ({@code asciiBytes}): a JVM that has just started runs
     * {@code encode} in its interpreter at about 2 us a word, which 500 lower layers pay
     * (docs/BENCHMARKS.md).
     */
    static byte[][] encode(String[] words) {
        Objects.requireNonNull(words, "a list of paths or words for the C core is null");
        byte[][] out = ASCII_AS_ITSELF ? asciiBytes(words) : new byte[words.length][];
        for (int i = 0; i < words.length; i++) {
            if (out[i] == null) {
                out[i] = encode(words[i]);
            }
        }
        return out;
    }

    /** {@link #decode(byte[])} of each, the plain ASCII ones by the core in one call ({@code asciiStrings}). */
    static String[] decode(byte[][] list) {
        Objects.requireNonNull(list, "a list of byte strings from the C core is null");
        String[] out = ASCII_AS_ITSELF ? asciiStrings(list) : new String[list.length];
        for (int i = 0; i < list.length; i++) {
            if (out[i] == null && list[i] != null) {
                out[i] = decode(list[i]);
            }
        }
        return out;
    }

    /**
     * The command's words as the caller gave them, byte for byte, when they are the end of this
     * JVM's argv ({@link Caller#commandBytes}); otherwise encoded, and a word holding U+FFFD, which
     * is what a byte sequence invalid in the charset became, is refused rather than changed.
     */
    static byte[][] encodeCommand(String[] command) {
        byte[][] exact = Caller.commandBytes(command, fileSystemCharset());
        if (exact != null) {
            return exact;
        }
        for (String word : command) {
            if (word.indexOf('\uFFFD') >= 0) {
                throw new IllegalArgumentException("the argument '" + word + "' holds bytes that are not valid in the"
                        + " system's character set " + fileSystemCharset() + " and cannot be passed on unchanged;"
                        + " set a locale whose character set they are in");
            }
        }
        return encode(command);
    }

    /**
     * main's arguments as the caller's exact bytes ({@link Caller#commandBytes}), so that the front
     * end can tell a U+FFFD the caller gave from one the JVM's decoding made; null when they are not
     * the end of this JVM's argv (a library call) or /proc cannot be read.
     */
    public static byte[][] argumentBytes(String[] args) {
        return Caller.commandBytes(args, fileSystemCharset());
    }

    /** Bytes from C (a path, a message naming one) as text; what cannot be decoded shows as U+FFFD. */
    static String decode(byte[] bytes) {
        if (ASCII_AS_ITSELF && isAscii(bytes)) {
            return new String(bytes, StandardCharsets.US_ASCII);
        }
        return new String(bytes, fileSystemCharset());
    }

    private static boolean isAscii(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }

    private static Charset fileSystemCharset() {
        String name = System.getProperty("sun.jnu.encoding");
        try {
            return name != null ? Charset.forName(name) : Charset.defaultCharset();
        } catch (IllegalArgumentException e) {
            return Charset.defaultCharset();
        }
    }

    // ---- Native.run's calls, in jni_native.c: a new args_t, one setter per record, the run ----
    // Each setter copies what it is given; argsFree frees the args_t and every copy, once.

    /** A new, empty args_t (every field zero: the safe default); never 0. */
    private static native long argsNew() throws ContainerException;

    /** The layers, bottom to top, WRITEDIR (null for {@code --read-only}), the work directory, TMPDIR. */
    private static native void setLayers(long args, byte[][] lowers, byte[] upper, byte[] work, byte[] tmpdir)
            throws ContainerException;

    /** An OCI bundle's container ({@link Container.Bundle}): its root used as it is, in place of the layers. */
    private static native void setBundle(long args, Container.Bundle bundle, byte[] rootfs, byte[] execFifo,
            byte[] pidFile, byte[] id, byte[] cgroupsPath) throws ContainerException;

    /** {@link Container.Bundle#namespacePaths}: each type (linux.namespaces' name) and its path, in step. */
    private static native void setNamespacePaths(long args, byte[][] types, byte[][] paths)
            throws ContainerException;

    /** One rule of {@link Container.Bundle#deviceRules}, after those added before it, read by name. */
    private static native void addDeviceRule(long args, Device.Rule deviceRule) throws ContainerException;

    private static native void setUserMaps(long args, byte[] uidMap, byte[] gidMap) throws ContainerException;

    /** An OCI bundle's terminal: the console socket its master is sent to (null: relayed), its size. */
    private static native void setConsole(long args, Container.Bundle bundle, byte[] consoleSocket)
            throws ContainerException;

    /** linux.maskedPaths and readonlyPaths beyond the core's own lists. */
    private static native void setProtectedPaths(long args, byte[][] masked, byte[][] readOnly)
            throws ContainerException;

    /** linux.sysctl: keys and values in the same order. */
    private static native void setSysctls(long args, byte[][] keys, byte[][] values) throws ContainerException;

    /** The state's members besides ociVersion, status and pid, as JSON, for every hook. */
    private static native void setHookState(long args, byte[] state) throws ContainerException;

    /** One hook, after those added before it: its timeout read by name, its phase's number given. */
    private static native void addHook(long args, Hook hook, int phase, byte[] path, byte[][] argv, byte[][] env)
            throws ContainerException;

    /** The hooks of one phase, now: cfs_run_hooks. */
    private static native void runHooks(long args, int phase, byte[] status, int pid) throws ContainerException;

    /** One of process.rlimits, after those added before it: its limits read by name, its type encoded here. */
    private static native void addRlimit(long args, Rlimit rlimit, byte[] type) throws ContainerException;

    /** An OCI process's five capability sets, exactly, instead of the default set and capAdd/capDrop. */
    private static native void setCapabilities(long args, Capabilities capabilities);

    /**
     * {@code start}: lets the created container {@code pid}, waiting on {@code execFifo}, exec its
     * program; 0, or errno (ESRCH: it is gone).
     */
    public static int startCreated(String execFifo, int pid) {
        return startCreated(encode(execFifo), pid);
    }

    private static native int startCreated(byte[] execFifo, int pid);

    /** {@code kill(2)}: 0, or errno. */
    public static native int signal(int pid, int signal);

    /**
     * {@code kill --all}: {@code signal} to every process in the OCI container {@code id}'s cgroup,
     * at its {@code cgroupsPath} if it had one.
     */
    public static void signalAll(String id, Optional<String> cgroupsPath, int signal) {
        signalCgroup(encode(id), optional(cgroupsPath), signal);
    }

    /** {@code delete}: kills what is left in the OCI container {@code id}'s cgroup and removes it. */
    public static void removeCgroup(String id, Optional<String> cgroupsPath) {
        signalCgroup(encode(id), optional(cgroupsPath), 0);
    }

    private static native void signalCgroup(byte[] id, byte[] cgroupsPath, int signal);

    /** The command, its words as the kernel gets them, and {@code --trace}. */
    private static native void setCommand(long args, byte[][] command, boolean trace) throws ContainerException;

    /**
     * What the caller had where the JVM changed it ({@link Caller}).
     *
     * @param nullStdio bit N set: give the container /dev/null as descriptor N
     * @param openFiles the caller's soft RLIMIT_NOFILE for the command, or 0 to keep the JVM's
     */
    private static native void setCaller(long args, int nullStdio, long openFiles);

    /** {@link Isolation}'s fields, read by name; its hostname encoded here. */
    private static native void setIsolation(long args, Isolation isolation, byte[] hostname)
            throws ContainerException;

    /** {@code --network}: {@link Network.Mode}'s number, {@code enum cfs_network}'s. */
    private static native void setNetwork(long args, int mode);

    /** One {@code -p}, after those added before it: {@link Network.PublishedPort}'s fields, read by name. */
    private static native void addPublishedPort(long args, Network.PublishedPort port) throws ContainerException;

    /** A profile's rules, one call each, and each rule's conditions after it. */
    private static void setSeccomp(long args, SeccompProfile profile) throws ContainerException {
        setSeccompProfile(args, profile);
        for (SeccompProfile.Rule rule : profile.rules()) {
            addSeccompRule(args, rule, encode(rule.names().toArray(new String[0])));
            for (SeccompProfile.Condition condition : rule.conditions()) {
                addSeccompCondition(args, condition);
            }
        }
    }

    /** {@link SeccompProfile}'s default action, read by name: the run uses this profile, not the default one. */
    private static native void setSeccompProfile(long args, SeccompProfile profile);

    /** One rule of the profile, after those added before it: its numbers read by name, its names encoded here. */
    private static native void addSeccompRule(long args, SeccompProfile.Rule rule, byte[][] names)
            throws ContainerException;

    /** One condition of the rule added last, read by name. */
    private static native void addSeccompCondition(long args, SeccompProfile.Condition condition)
            throws ContainerException;

    /** {@link Limits}' fields, read by name. */
    private static native void setLimits(long args, Limits limits);

    /**
     * {@link Execution}'s flags, read by name; its words encoded here.
     *
     * @param user {uid, gid, groups...} to become, or null to stay root
     */
    private static native void setExecution(long args, Execution execution, byte[][] env, byte[] home, byte[] cwd,
            int[] user) throws ContainerException;

    /** One {@code -v} or {@code --tmpfs}, after those added before it: {@link Mount#readOnly} read by name. */
    private static native void addMount(long args, Mount mount, byte[] source, byte[] target, byte[] tmpfsOptions)
            throws ContainerException;

    /**
     * One {@code --device} or linux.devices entry, after those added before it: its flags, and its
     * {@link Device.Node} when it has one (else null), read by name.
     */
    private static native void addDevice(long args, Device device, Device.Node node, byte[] host, byte[] target)
            throws ContainerException;

    /** Runs the container the setters described and waits for it: cfs_run_container. */
    private static native int runArgs(long args) throws ContainerException;

    /** {@link #exec}'s last call: the args_t run in the container of {@code pid}. */
    private static native int execArgs(long args, int pid, boolean detach) throws ContainerException;

    /** Frees what {@link #argsNew} and the setters allocated; 0 is ignored. */
    private static native void argsFree(long args);

    /** Each word's bytes where it is ASCII without NUL, else null (jni_native.c). */
    private static native byte[][] asciiBytes(String[] words);

    /** Each byte string as text where it is ASCII without NUL, else null (jni_native.c). */
    private static native String[] asciiStrings(byte[][] list);

    private static native void markOpaqueAt(byte[] path) throws NodeException;

    private static native boolean isOpaqueAt(byte[] path);

    private static native void makeNodeAt(
            byte[] path, int mode, int major, int minor, int uid, int gid, long mtimeSeconds, int mtimeNanos)
            throws NodeException;

    private static native int createFileAt(byte[] path) throws NodeException;

    private static native void writeFileAt(int fd, byte[] path, byte[] bytes, int offset, int length)
            throws NodeException;

    private static native void finishFileAt(int fd, byte[] path, int mode, int uid, int gid, long mtimeSeconds,
            int mtimeNanos) throws NodeException;

    private static native void setMetadataAt(
            byte[] path, int mode, int uid, int gid, long mtimeSeconds, int mtimeNanos) throws NodeException;

    /** {@code geteuid(2)}. */
    public static native int effectiveUid();

    /**
     * A new SHA-256 ({@code bits} 256) or SHA-512 (512) digest from OpenSSL's libcrypto, opened on
     * first use (digest.c), or 0 when no libcrypto can be opened. Use it through
     * {@code io.containerfs.pull.Sha2}, which falls back to the JDK.
     */
    public static native long digestNew(int bits);

    /** Adds {@code length} bytes from {@code offset}, which the caller has checked; false if libcrypto failed. */
    public static native boolean digestUpdate(long digest, byte[] bytes, int offset, int length);

    /** The digest's bytes, or null if libcrypto failed; frees {@code digest}, which must not be used again. */
    public static native byte[] digestFinish(long digest);

    // ---- The OCI runtime's state (core/oci_state.c): the calls the launcher makes without a JVM ----

    /**
     * The OCI container {@code id} under {@code root}: its status ({@code created}, {@code running},
     * {@code stopped}), pid, bundle, rootfs, cgroupsPath (empty: none) and the runtime spec's state
     * document, in that order.
     */
    public static String[] ociState(String root, String id) throws OciStateException {
        return decode(ociState(encode(root), encode(id)));
    }

    private static native byte[][] ociState(byte[] root, byte[] id) throws OciStateException;

    /** {@code start}: lets the created container exec its program and runs the poststart hooks; their warnings. */
    public static List<String> ociStart(String root, String id) throws OciStateException {
        return lines(ociStart(encode(root), encode(id)));
    }

    private static native byte[] ociStart(byte[] root, byte[] id) throws OciStateException;

    /** {@code kill [--all] ID SIGNAL}, the signal as the user spelled it; its number. */
    public static int ociKill(String root, String id, String signal, boolean all) throws OciStateException {
        return ociKill(encode(root), encode(id), encode(signal), all);
    }

    private static native int ociKill(byte[] root, byte[] id, byte[] signal, boolean all) throws OciStateException;

    /** {@code delete [--force]}: the cgroup, the poststop hooks, the state; the hooks' warnings. */
    public static List<String> ociDelete(String root, String id, boolean force) throws OciStateException {
        return lines(ociDelete(encode(root), encode(id), force));
    }

    private static native byte[] ociDelete(byte[] root, byte[] id, boolean force) throws OciStateException;

    /** {@code list}: what it prints, a table, JSON or (quiet) the ids. */
    public static String ociList(String root, boolean json, boolean quiet) throws OciStateException {
        return decode(ociList(encode(root), json, quiet));
    }

    private static native byte[] ociList(byte[] root, boolean json, boolean quiet) throws OciStateException;

    /** {@code ps}: what it prints, a table of the container's processes or a JSON array of their pids. */
    public static String ociPs(String root, String id, boolean json) throws OciStateException {
        return decode(ociPs(encode(root), encode(id), json));
    }

    private static native byte[] ociPs(byte[] root, byte[] id, boolean json) throws OciStateException;

    /**
     * {@code create}, before its container: the state directory made and locked, {@code fields}
     * written, the poststart and poststop ones of {@code hooks} kept for start and delete. Returns the
     * lock, held until {@link #ociUnlock}.
     */
    public static synchronized int ociCreateState(String root, String id, java.util.Map<String, String> fields,
            List<Hook> hooks) throws OciStateException, ContainerException {
        long args = argsNew();
        try {
            addHooks(args, hooks, "");
            return ociCreateState(encode(root), encode(id), encode(fields.keySet().toArray(new String[0])),
                    encode(fields.values().toArray(new String[0])), args);
        } finally {
            argsFree(args);
        }
    }

    private static native int ociCreateState(byte[] root, byte[] id, byte[][] keys, byte[][] values, long hooks)
            throws OciStateException;

    /** {@code create}, its container waiting for start: its pid, kept with its start time, and written to {@code pidFile}. */
    public static int ociCreated(String root, String id, Optional<String> pidFile) throws OciStateException {
        return ociCreated(encode(root), encode(id), optional(pidFile));
    }

    private static native int ociCreated(byte[] root, byte[] id, byte[] pidFile) throws OciStateException;

    /** A failed create's state, removed. */
    public static void ociRemove(String root, String id) throws OciStateException {
        ociRemove(encode(root), encode(id));
    }

    private static native void ociRemove(byte[] root, byte[] id) throws OciStateException;

    /** The state's members create's hooks get besides ociVersion, status and pid. */
    public static String ociHookMembers(String root, String id) throws OciStateException {
        return decode(ociHookMembers(encode(root), encode(id)));
    }

    private static native byte[] ociHookMembers(byte[] root, byte[] id) throws OciStateException;

    /** {@code run}: the kept hooks of {@code phase}, each a warning if it fails; the warnings. */
    public static List<String> ociRunPostHooks(String root, String id, Hook.Phase phase, String status, int pid)
            throws OciStateException {
        return lines(ociRunPostHooks(encode(root), encode(id), phase.ordinal(), encode(status), pid));
    }

    private static native byte[] ociRunPostHooks(byte[] root, byte[] id, int phase, byte[] status, int pid)
            throws OciStateException;

    /** Releases {@link #ociCreateState}'s lock. */
    public static native void ociUnlock(int lock);

    /** Where the state lives without {@code --root}, given {@code $XDG_RUNTIME_DIR} (may be null). */
    public static String ociDefaultRoot(String runtimeDir) {
        return decode(ociDefaultRoot(runtimeDir == null ? null : encode(runtimeDir)));
    }

    private static native byte[] ociDefaultRoot(byte[] runtimeDir);

    /** {@code --log}: one line, runc's text or JSON; what went wrong writing it, or "". */
    public static String ociLog(String log, boolean json, String level, String message) {
        return decode(ociLog(encode(log), json, encode(level), encode(message.replace('\0', ' '))));
    }

    private static native byte[] ociLog(byte[] log, boolean json, byte[] level, byte[] message);

    private static List<String> lines(byte[] text) {
        String s = decode(text);
        return s.isEmpty() ? List.of() : List.of(s.split("\n"));
    }

    /**
     * A new zstd decoder from the system's libzstd.so.1 (1.4.0 or later), opened on first use
     * (pull/zstd.c), or 0 when it cannot be opened. Use it through {@code io.containerfs.pull.ZstdLayer}.
     */
    public static native long zstdNew();

    /**
     * Decodes what it can of {@code inLength} bytes into {@code outLength} bytes, both ranges
     * checked by the caller: the bytes used in the high 32 bits, the bytes made shifted left by
     * one, and the lowest bit set when the input so far ends inside a frame; -1 when the bytes are
     * not valid zstd ({@link #zstdError}).
     */
    public static native long zstdDecode(long zstd, byte[] in, int inOffset, int inLength, byte[] out,
            int outOffset, int outLength);

    /** libzstd's words (ASCII) for the decoder's last error, or null. */
    public static native byte[] zstdError(long zstd);

    /** Frees the decoder, which must not be used again. */
    public static native void zstdFree(long zstd);
}
