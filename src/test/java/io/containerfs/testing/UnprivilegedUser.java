package io.containerfs.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * An ordinary user a test creates (useradd, with a range of 65536 ids in /etc/subuid and
 * /etc/subgid) to run container-fs as, through setpriv, and removes with its ranges and its
 * state directory. Its files live under a directory of its own, which the test gives.
 */
public final class UnprivilegedUser implements AutoCloseable {
    public static final int RANGE = 65536;

    private final String name;
    private final int uid;
    private final int rangeBase;
    private final Path home;

    private UnprivilegedUser(String name, int uid, int rangeBase, Path home) {
        this.name = name;
        this.uid = uid;
        this.rangeBase = rangeBase;
        this.home = home;
    }

    /** A new user with a range, its files under DIR (made world-readable, so that it reaches them). */
    public static UnprivilegedUser create(String prefix, Path dir) throws IOException {
        return create(prefix, dir, true);
    }

    /** The same, without a range in /etc/subuid and /etc/subgid unless RANGED. */
    public static UnprivilegedUser create(String prefix, Path dir, boolean ranged) throws IOException {
        String name = prefix + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
        // No automatic ranges (Debian's useradd adds some): the test writes its own, and removes them.
        check(Commands.run("useradd", "-m", "-K", "SUB_UID_COUNT=0", "-K", "SUB_GID_COUNT=0", name));
        int base = 300_000 + ThreadLocalRandom.current().nextInt(1000) * RANGE;
        String line = name + ":" + base + ":" + RANGE + "\n";
        for (String file : ranged ? List.of("/etc/subuid", "/etc/subgid") : List.<String>of()) {
            Files.writeString(Path.of(file), line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        Commands.Result id = Commands.run("id", "-u", name);
        check(id);
        check(Commands.run("chmod", "755", dir.toString()));
        Path home = dir.resolve("of-" + name);
        Files.createDirectory(home);
        UnprivilegedUser user = new UnprivilegedUser(name, Integer.parseInt(id.stdout().trim()), base, home);
        user.chown(home);
        Files.copy(Fixtures.jar(), home.resolve("container-fs.jar")); // the build's directory may be closed to it
        return user;
    }

    private static void check(Commands.Result r) {
        assertEquals(0, r.exitCode(), r::toString);
    }

    public String name() {
        return name;
    }

    public int uid() {
        return uid;
    }

    /** The host's id for the container's ID (1 and up; 0 is the user). */
    public int outside(int id) {
        return id == 0 ? uid : rangeBase + id - 1;
    }

    public void chown(Path path) {
        check(Commands.run("chown", "--no-dereference", uid + ":" + uid, path.toString()));
    }

    /** A new directory of the user's own, NAME and a random suffix. */
    public Path dir(String name) throws IOException {
        Path dir = Files.createDirectory(home.resolve(name + "-" + ThreadLocalRandom.current().nextInt(1 << 30)));
        chown(dir);
        return dir;
    }

    /** A copy of TREE as a rootless pull would leave it: the image's id n is the host's outside(n). */
    public Path ownCopy(Path tree, String name) throws IOException {
        Path copy = home.resolve(name);
        check(Commands.run("cp", "-a", tree.toString(), copy.toString()));
        try (Stream<Path> all = Files.walk(copy)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                int u = (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
                int g = (Integer) Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(p, "unix:uid", outside(u), LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(p, "unix:gid", outside(g), LinkOption.NOFOLLOW_LINKS);
            }
        }
        return copy;
    }

    /** The words that run PROGRAM as the user, with its own HOME and no root's runtime directory. */
    public List<String> command(List<String> program) {
        List<String> command = new ArrayList<>(List.of("setpriv", "--reuid=" + name, "--regid=" + name,
                "--init-groups", "--", "env", "-u", "XDG_RUNTIME_DIR", "HOME=/home/" + name));
        command.addAll(program);
        return command;
    }

    /** The jar as the user, with ENV added and a TMPDIR of its own. */
    public Commands.Result runJar(Map<String, String> env, List<String> arguments) throws IOException {
        Map<String, String> environment = new HashMap<>(env);
        environment.put("TMPDIR", dir("run-tmp").toString());
        return Commands.run(home, null, command(jarCommand(arguments)), environment);
    }

    /**
     * As {@link #runJar}, under WRAPPER (a program and its options, run as root, which then runs the
     * user's command): a seccomp filter installed by root needs no no_new_privs, which would keep
     * newuidmap from acting setuid.
     */
    public Commands.Result runJarUnder(List<String> wrapper, Map<String, String> env, List<String> arguments)
            throws IOException {
        Map<String, String> environment = new HashMap<>(env);
        environment.put("TMPDIR", dir("run-tmp").toString());
        List<String> words = new ArrayList<>(wrapper);
        words.addAll(command(jarCommand(arguments)));
        return Commands.run(home, null, words, environment);
    }

    /** The java -jar words for the user's copy of the jar, and ARGUMENTS. */
    public List<String> jarCommand(List<String> arguments) {
        List<String> words = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", home.resolve("container-fs.jar").toString()));
        words.addAll(arguments);
        return words;
    }

    /** The user's live processes (not zombies), by pid, as ps shows them. */
    public String processes() {
        return Commands.run("ps", "-u", name, "-o", "pid,stat,args").stdout();
    }

    /** Removes the user, its ranges, its home and its state directory; kills what it left, by pid. */
    @Override
    public void close() throws IOException {
        for (String pid : Commands.run("ps", "-u", name, "-o", "pid=").stdout().trim().split("\\s+")) {
            if (!pid.isEmpty()) {
                Commands.run("kill", "-KILL", pid);
            }
        }
        for (String file : List.of("/etc/subuid", "/etc/subgid")) {
            List<String> kept = Files.readAllLines(Path.of(file)).stream().filter(l -> !l.startsWith(name + ":")).toList();
            Files.writeString(Path.of(file), kept.isEmpty() ? "" : String.join("\n", kept) + "\n");
        }
        Commands.run("userdel", "-r", name);
        Commands.run("rm", "-rf", "/tmp/container-fs-" + uid); // after the last of its processes
    }
}
