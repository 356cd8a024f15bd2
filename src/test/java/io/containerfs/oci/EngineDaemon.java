package io.containerfs.oci;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A daemon an engine test starts (dockerd, containerd), with every path of its own under the
 * test's directory, in a mount namespace of its own (unshare --mount --propagation private): the
 * mounts it and its shims make are never in the host's table, and end with it. Stopped by its pid,
 * TERM then KILL; then any process still naming the test's directory on its command line (a shim
 * the daemon left) is killed by its pid, never by name, and anything still mounted under that
 * directory is unmounted.
 */
final class EngineDaemon implements AutoCloseable {
    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration STOP = Duration.ofSeconds(30);

    private final Process process;
    private final Path dir;
    private final Path log;

    private EngineDaemon(Process process, Path dir, Path log) {
        this.process = process;
        this.dir = dir;
        this.log = log;
    }

    /**
     * Starts {@code command} in new namespaces ({@code unshare}'s options first), its output in
     * {@code dir}/NAME.log, and waits for {@code socket} to appear.
     */
    static EngineDaemon start(String name, List<String> unshare, List<String> command, Path dir, Path socket) {
        List<String> argv = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private"));
        argv.addAll(unshare);
        argv.addAll(command); // unshare execs it: its pid is the daemon's
        Path log = dir.resolve(name + ".log");
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            EngineDaemon daemon = new EngineDaemon(p, dir, log);
            Instant deadline = Instant.now().plus(START);
            while (!Files.exists(socket)) {
                if (!p.isAlive() || Instant.now().isAfter(deadline)) {
                    daemon.close();
                    throw new IllegalStateException(name + " did not start:\n" + daemon.log());
                }
                Thread.sleep(100);
            }
            return daemon;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        process.destroy(); // SIGTERM to its pid
        try {
            if (!process.waitFor(STOP.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(STOP.toSeconds(), TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle left : leftBehind()) {
            left.destroyForcibly();
        }
        unmountUnder(dir);
    }

    /**
     * Whatever is still mounted under {@code dir} in the host's table, deepest first: nothing,
     * as the daemon's mounts were in its own namespace; this is the net below that.
     */
    private static void unmountUnder(Path dir) {
        List<String> points = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String point = line.split(" ")[4].replace("\\040", " ");
                if (point.startsWith(dir + "/")) {
                    points.add(point);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        points.sort(java.util.Comparator.comparingInt(String::length).reversed());
        for (String point : points) {
            io.containerfs.testing.Commands.run("umount", "-l", point);
        }
    }

    /** Processes whose command line names this daemon's directory: its shims, if it left any. */
    List<ProcessHandle> leftBehind() {
        String mark = dir.toString();
        List<ProcessHandle> left = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : (Iterable<Path>) procs::iterator) {
                String pid = proc.getFileName().toString();
                if (!pid.chars().allMatch(Character::isDigit) || Long.parseLong(pid) == ProcessHandle.current().pid()) {
                    continue;
                }
                try {
                    String cmdline = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8);
                    if (cmdline.contains(mark)) {
                        ProcessHandle.of(Long.parseLong(pid)).ifPresent(left::add);
                    }
                } catch (IOException gone) {
                    // it ended meanwhile
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return left;
    }
}
