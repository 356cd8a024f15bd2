package io.containerfs.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a real process with a time limit and collects what it printed. */
public final class Commands {
    /** For any one command of a test; a test that needs longer says so. */
    public static final Duration TIMEOUT = Duration.ofSeconds(120);

    private Commands() {}

    public record Result(int exitCode, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }

    public static Result run(Path dir, String stdin, List<String> command) {
        return run(dir, stdin, command, Map.of());
    }

    public static Result run(Path dir, String stdin, List<String> command, Map<String, String> env) {
        return run(dir, stdin, command, env, TIMEOUT, null);
    }

    /**
     * Runs {@code command} in {@code dir} (null: here) with {@code env} added and {@code stdin}
     * as its input (null: none). Past {@code timeout}, the command and every process below it get
     * SIGTERM, so their traps clean up, and SIGKILL a minute later. With a {@code log} path, its
     * stdout and stderr go to {@code LOG.out} and {@code LOG.err} as it writes them, so they are
     * there to read (CI uploads them) even when the test's JVM does not live to report them.
     */
    public static Result run(Path dir, String stdin, List<String> command, Map<String, String> env,
            Duration timeout, Path log) {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(env);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        Path out = log == null ? null : log.resolveSibling(log.getFileName() + ".out");
        Path err = log == null ? null : log.resolveSibling(log.getFileName() + ".err");
        try {
            if (log != null) {
                Files.createDirectories(log.getParent());
                pb.redirectOutput(out.toFile()).redirectError(err.toFile());
            }
            Process p = pb.start();
            CompletableFuture<String> stdout = log == null ? readAsync(p.getInputStream()) : null;
            CompletableFuture<String> stderr = log == null ? readAsync(p.getErrorStream()) : null;
            try (var in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            } catch (IOException closedEarly) {
                // The command did not read its input; what it did is still checked.
            }
            boolean finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                stop(p);
            }
            Result r = new Result(finished ? p.exitValue() : -1,
                    log == null ? stdout.join() : Files.readString(out, StandardCharsets.UTF_8),
                    log == null ? stderr.join() : Files.readString(err, StandardCharsets.UTF_8));
            if (!finished) {
                throw new AssertionError("timed out after " + timeout + ": " + command + "\n" + r);
            }
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted: " + command, e);
        }
    }

    /**
     * Runs {@code command} on a real pseudo-terminal of util-linux script(1), after the shell words
     * {@code setup} (e.g. {@code stty rows 30 cols 100}; "" for none), as a user at a terminal runs
     * it: script's input stays open until it ends, as a keyboard does. Closed early, script writes
     * an end of file into the terminal, which an engine passes on to the container (containerd's
     * shim then closes the console, and the program's last output can be lost).
     */
    public static Result onTerminal(Path dir, String setup, List<String> command) {
        List<String> quoted = new ArrayList<>();
        for (String word : command) {
            quoted.add("'" + word.replace("'", "'\\''") + "'");
        }
        String line = (setup.isEmpty() ? "" : setup + "; ") + String.join(" ", quoted);
        ProcessBuilder pb = new ProcessBuilder("script", "-qec", line, "/dev/null");
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        try {
            Process p = pb.start();
            CompletableFuture<String> stdout = readAsync(p.getInputStream());
            CompletableFuture<String> stderr = readAsync(p.getErrorStream());
            try (var keyboard = p.getOutputStream()) { // closed once script has ended
                boolean finished = p.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                if (!finished) {
                    stop(p);
                }
                Result r = new Result(finished ? p.exitValue() : -1, stdout.join(), stderr.join());
                if (!finished) {
                    throw new AssertionError("timed out after " + TIMEOUT + ": " + line + "\n" + r);
                }
                return r;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted: " + line, e);
        }
    }

    private static void stop(Process p) throws InterruptedException {
        List<ProcessHandle> all = new ArrayList<>(p.descendants().toList());
        all.forEach(ProcessHandle::destroy);
        p.destroy();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            all.forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor();
        }
    }

    public static Result run(String... command) {
        return run(null, null, List.of(command));
    }

    private static CompletableFuture<String> readAsync(java.io.InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    public static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
