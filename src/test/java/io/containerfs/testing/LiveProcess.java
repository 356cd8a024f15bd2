package io.containerfs.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A running process a test talks to: type into it, wait for what it prints, signal it. */
public final class LiveProcess implements AutoCloseable {
    private final Process process;
    private final StringBuffer output = new StringBuffer();
    private final Thread reader;

    public LiveProcess(List<String> command, Map<String, String> env) {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        reader = new Thread(() -> copy(process.getInputStream()), "live-process-reader");
        reader.setDaemon(true);
        reader.start();
    }

    private void copy(InputStream in) {
        byte[] buf = new byte[4096];
        try (in) {
            for (int n; (n = in.read(buf)) > 0; ) {
                output.append(new String(buf, 0, n, StandardCharsets.UTF_8));
            }
        } catch (IOException closed) {
            // The process is gone; what it printed is kept.
        }
    }

    /**
     * {@code command} under a real pseudo-terminal (util-linux script(1)), exec'd by /bin/sh so that
     * no shell of script's stands between the terminal and it; container-fs mounts the root over
     * {@code tmpdir}, in the container's namespace.
     */
    public static LiveProcess underTerminal(List<String> command, Path tmpdir) {
        List<String> quoted = new ArrayList<>();
        for (String word : command) {
            quoted.add("'" + word.replace("'", "'\\''") + "'");
        }
        return new LiveProcess(List.of("script", "-q", "-e", "-c", "exec " + String.join(" ", quoted), "/dev/null"),
                Map.of("TMPDIR", tmpdir.toString(), "SHELL", "/bin/sh"));
    }

    public long pid() {
        return process.pid();
    }

    public String output() {
        return output.toString();
    }

    public void type(String text) {
        try {
            OutputStream in = process.getOutputStream();
            in.write(text.getBytes(StandardCharsets.UTF_8));
            in.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until the output contains {@code text} {@code times} times. */
    public void awaitOutput(String text, int times, Duration timeout) throws InterruptedException {
        Instant end = Instant.now().plus(timeout);
        while (count(output(), text) < times) {
            if (Instant.now().isAfter(end)) {
                throw new AssertionError("no '" + text + "' (x" + times + ") within " + timeout + "; output:\n" + output());
            }
            Thread.sleep(20);
        }
    }

    public void awaitOutput(String text, Duration timeout) throws InterruptedException {
        awaitOutput(text, 1, timeout);
    }

    private static int count(String haystack, String needle) {
        int n = 0;
        for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + needle.length())) {
            n++;
        }
        return n;
    }

    /**
     * Waits until a process named {@code comm} (as in /proc/PID/comm) runs below this one, in
     * whatever namespace. A key typed before then would reach the shell instead of that command.
     */
    public void awaitDescendant(String comm, Duration timeout) throws InterruptedException {
        Instant end = Instant.now().plus(timeout);
        while (process.descendants().noneMatch(child -> comm.equals(comm(child.pid())))) {
            if (Instant.now().isAfter(end)) {
                throw new AssertionError("no process '" + comm + "' within " + timeout + "; output:\n" + output());
            }
            Thread.sleep(20);
        }
    }

    private static String comm(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "comm")).strip();
        } catch (IOException gone) {
            return "";
        }
    }

    public void signal(String name) {
        Commands.Result r = Commands.run("kill", "-" + name, Long.toString(process.pid()));
        if (r.exitCode() != 0) {
            throw new AssertionError("kill failed: " + r);
        }
    }

    public int waitFor(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("still running after " + timeout + "; output:\n" + output());
        }
        reader.join(5000);
        return process.exitValue();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
