package io.containerfs.cli;

import io.containerfs.linux.Capability;
import io.containerfs.linux.SeccompProfile;
import io.containerfs.linux.SeccompProfile.Action;
import io.containerfs.linux.SeccompProfile.Condition;
import io.containerfs.linux.SeccompProfile.Operator;
import io.containerfs.linux.SeccompProfile.Rule;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.schema.JsonSchema;

/**
 * {@code --security-opt seccomp=FILE}: a seccomp profile in Docker's format (moby's
 * profiles/seccomp/default.json is one), read into a {@link SeccompProfile} the core compiles.
 * JSON is YAML 1.2, so snakeyaml-engine reads it with its JSON schema.
 *
 * <p>What is read: {@code defaultAction}, {@code defaultErrnoRet}, and each of {@code syscalls}:
 * {@code names} (or the older {@code name}), {@code action}, {@code errnoRet}, {@code args}
 * ({@code index}, {@code value}, {@code valueTwo}, {@code op}), {@code includes} and {@code
 * excludes} ({@code caps}, {@code arches}, {@code minKernel}). {@code architectures} and {@code
 * archMap} are not: the filter knows the machine's own calls only and kills a process that uses
 * another ABI. Names the machine lacks are skipped, as runc skips them. Anything else wrong is one
 * line naming the file and the place.
 */
public final class SeccompProfileFile {
    /** A profile is a few tens of KiB (Docker's is 20); a larger file is a mistake. */
    static final int MAX_BYTES = 1 << 20;

    private static final BigInteger TWO_TO_64 = BigInteger.ONE.shiftLeft(64);
    private static final Pattern KERNEL_VERSION = Pattern.compile("(\\d{1,4})\\.(\\d{1,5})");
    /** The kernel's largest errno (MAX_ERRNO): a filter cannot return more. */
    private static final int MAX_ERRNO = 4095;
    private static final int EPERM = 1;

    private final Path file;

    private SeccompProfileFile(Path file) {
        this.file = file;
    }

    /** The profile FILE holds; a UsageException (exit 125) saying what is wrong, otherwise. */
    public static SeccompProfile read(Path file) throws UsageException {
        SeccompProfileFile reader = new SeccompProfileFile(file);
        return reader.profile(reader.document());
    }

    /**
     * A profile already read, an OCI config's linux.seccomp, which has the same syscalls entries;
     * {@code label} names it in messages.
     */
    public static SeccompProfile of(Object document, String label) throws UsageException {
        return new SeccompProfileFile(Path.of(label)).profile(document);
    }

    private UsageException bad(String what) {
        return new UsageException("seccomp profile '" + file + "': " + what);
    }

    private Object document() throws UsageException {
        byte[] bytes;
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            if (!attributes.isRegularFile()) {
                throw bad("not a regular file (" + (attributes.isDirectory() ? "a directory" : "a FIFO, socket or device")
                        + "); give a JSON file in Docker's format");
            }
            try (InputStream in = Files.newInputStream(file)) {
                bytes = in.readNBytes(MAX_BYTES + 1);
            }
        } catch (NoSuchFileException e) {
            throw bad("does not exist");
        } catch (IOException e) {
            throw bad("cannot be read: " + e.getMessage());
        }
        if (bytes.length > MAX_BYTES) {
            throw bad("larger than 1 MiB, the most container-fs reads");
        }
        try {
            LoadSettings settings = LoadSettings.builder().setLabel(file.toString()).setSchema(new JsonSchema())
                    .setAllowDuplicateKeys(false).build();
            return new Load(settings).loadFromString(new String(bytes, StandardCharsets.UTF_8));
        } catch (YamlEngineException e) {
            throw bad("not JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
    }

    private SeccompProfile profile(Object document) throws UsageException {
        Map<?, ?> top = map(document, "the profile");
        Action defaultAction = action(top.get("defaultAction"), "defaultAction");
        long defaultErrno = errno(top.get("defaultErrnoRet"), "defaultErrnoRet");
        List<Rule> rules = new ArrayList<>();
        List<?> syscalls = list(top.get("syscalls"), "syscalls");
        for (int i = 0; i < syscalls.size(); i++) {
            rules.add(rule(map(syscalls.get(i), "syscalls[" + i + "]"), "syscalls[" + i + "]"));
        }
        return new SeccompProfile(defaultAction.code(), defaultErrno, rules);
    }

    private Rule rule(Map<?, ?> entry, String where) throws UsageException {
        List<String> names = new ArrayList<>();
        if (entry.get("name") != null) {
            names.add(string(entry.get("name"), where + ".name"));
        }
        List<?> listed = list(entry.get("names"), where + ".names");
        for (int i = 0; i < listed.size(); i++) {
            names.add(string(listed.get(i), where + ".names[" + i + "]"));
        }
        Action action = action(entry.get("action"), where + ".action");
        long errno = errno(entry.get("errnoRet"), where + ".errnoRet");
        List<?> args = list(entry.get("args"), where + ".args");
        if (args.size() > 6) {
            throw bad(where + ".args: " + args.size() + " conditions; a system call has 6 arguments");
        }
        List<Condition> conditions = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            conditions.add(condition(map(args.get(i), where + ".args[" + i + "]"), where + ".args[" + i + "]"));
        }
        Map<?, ?> includes = optionalMap(entry.get("includes"), where + ".includes");
        Map<?, ?> excludes = optionalMap(entry.get("excludes"), where + ".excludes");
        if (excludes.get("minKernel") != null) {
            throw bad(where + ".excludes.minKernel: not supported; use includes.minKernel");
        }
        return new Rule(names, action.code(), errno, caps(includes.get("caps"), where + ".includes.caps"),
                caps(excludes.get("caps"), where + ".excludes.caps"),
                arches(includes.get("arches"), where + ".includes.arches"),
                arches(excludes.get("arches"), where + ".excludes.arches"),
                kernel(includes.get("minKernel"), where + ".includes.minKernel"), conditions);
    }

    private Condition condition(Map<?, ?> arg, String where) throws UsageException {
        long index = number(arg.get("index"), where + ".index");
        if (index > 5) {
            throw bad(where + ".index: " + Long.toUnsignedString(index) + "; use 0 to 5, the six arguments");
        }
        String op = string(arg.get("op"), where + ".op");
        Operator operator;
        try {
            operator = op.startsWith("SCMP_CMP_") ? Operator.valueOf(op.substring("SCMP_CMP_".length())) : null;
        } catch (IllegalArgumentException e) {
            operator = null;
        }
        if (operator == null) {
            throw bad(where + ".op: unknown operator '" + op + "'; use SCMP_CMP_NE, _LT, _LE, _EQ, _GE, _GT or"
                    + " _MASKED_EQ");
        }
        long value = number(arg.get("value"), where + ".value");
        long valueTwo = arg.get("valueTwo") == null ? 0 : number(arg.get("valueTwo"), where + ".valueTwo");
        return new Condition(index, operator.code(), value, valueTwo);
    }

    private Action action(Object value, String where) throws UsageException {
        String name = string(value, where);
        return switch (name) {
            case "SCMP_ACT_ALLOW" -> Action.ALLOW;
            case "SCMP_ACT_ERRNO" -> Action.ERRNO;
            case "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD" -> Action.KILL_THREAD;
            case "SCMP_ACT_KILL_PROCESS" -> Action.KILL_PROCESS;
            case "SCMP_ACT_TRAP" -> Action.TRAP;
            case "SCMP_ACT_LOG" -> Action.LOG;
            default -> throw bad(where + ": unsupported action '" + name + "'; use SCMP_ACT_ALLOW, SCMP_ACT_ERRNO,"
                    + " SCMP_ACT_KILL, SCMP_ACT_KILL_THREAD, SCMP_ACT_KILL_PROCESS, SCMP_ACT_TRAP or SCMP_ACT_LOG");
        };
    }

    /** An errno to return; EPERM when not given, as runc does. */
    private long errno(Object value, String where) throws UsageException {
        if (value == null) {
            return EPERM;
        }
        long errno = number(value, where);
        if (Long.compareUnsigned(errno, MAX_ERRNO) > 0) {
            throw bad(where + ": " + Long.toUnsignedString(errno) + "; use an errno from 0 to " + MAX_ERRNO);
        }
        return errno;
    }

    private long caps(Object value, String where) throws UsageException {
        long set = 0;
        List<?> names = list(value, where);
        for (int i = 0; i < names.size(); i++) {
            try {
                set |= Capability.parse(string(names.get(i), where + "[" + i + "]"));
            } catch (IllegalArgumentException e) {
                throw bad(where + "[" + i + "]: " + e.getMessage());
            }
        }
        return set;
    }

    /** Docker's (Go's) names and libseccomp's; any other architecture is never this machine's. */
    private long arches(Object value, String where) throws UsageException {
        long set = 0;
        List<?> names = list(value, where);
        for (int i = 0; i < names.size(); i++) {
            set |= switch (string(names.get(i), where + "[" + i + "]").toLowerCase(Locale.ROOT)) {
                case "amd64", "x86_64", "scmp_arch_x86_64" -> SeccompProfile.ARCH_X86_64;
                case "arm64", "aarch64", "scmp_arch_aarch64" -> SeccompProfile.ARCH_AARCH64;
                default -> SeccompProfile.ARCH_OTHER;
            };
        }
        return set;
    }

    private long kernel(Object value, String where) throws UsageException {
        if (value == null) {
            return 0;
        }
        String version = string(value, where);
        Matcher m = KERNEL_VERSION.matcher(version);
        if (!m.matches() || Integer.parseInt(m.group(2)) > 65535) {
            throw bad(where + ": '" + version + "'; give a kernel version as MAJOR.MINOR, e.g. 4.8");
        }
        return (long) Integer.parseInt(m.group(1)) << 16 | Integer.parseInt(m.group(2));
    }

    /** An unsigned 64-bit number, as Go's uint64 reads it: its bits, in a long. */
    private long number(Object value, String where) throws UsageException {
        BigInteger n;
        if (value instanceof Integer || value instanceof Long) {
            n = BigInteger.valueOf(((Number) value).longValue());
        } else if (value instanceof BigInteger big) {
            n = big;
        } else {
            throw bad(where + ": " + (value == null ? "missing" : "'" + value + "' is not a whole number")
                    + "; give a number from 0 to 2^64-1");
        }
        if (n.signum() < 0 || n.compareTo(TWO_TO_64) >= 0) {
            throw bad(where + ": " + n + " is out of range; give a number from 0 to 2^64-1");
        }
        return n.longValue();
    }

    private String string(Object value, String where) throws UsageException {
        if (!(value instanceof String s)) {
            throw bad(where + ": " + (value == null ? "missing" : "not a string"));
        }
        return s;
    }

    private Map<?, ?> map(Object value, String where) throws UsageException {
        if (!(value instanceof Map<?, ?> m)) {
            throw bad(where + " is not a JSON object");
        }
        return m;
    }

    private Map<?, ?> optionalMap(Object value, String where) throws UsageException {
        return value == null ? Map.of() : map(value, where);
    }

    /** A list, or an empty one for null or a missing key, as Go reads a JSON null. */
    private List<?> list(Object value, String where) throws UsageException {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> l)) {
            throw bad(where + " is not a JSON list");
        }
        return l;
    }
}
