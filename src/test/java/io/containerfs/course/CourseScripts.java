package io.containerfs.course;

import io.containerfs.testing.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the course's scripts as a user does, with their output kept in
 * {@code target/course-logs/NAME.out} and {@code .err} (CI uploads them when a test fails), and
 * a time limit past which the script and its children get SIGTERM, so its traps clean up, and
 * SIGKILL a minute later.
 */
final class CourseScripts {
    private CourseScripts() {}

    record Result(int exitCode, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }

    static Path script(String relative) {
        return Fixtures.basedir().resolve(relative);
    }

    static Result run(String name, Duration timeout, List<String> command) {
        Path logs = Fixtures.basedir().resolve("target/course-logs");
        Path out = logs.resolve(name + ".out");
        Path err = logs.resolve(name + ".err");
        try {
            Files.createDirectories(logs);
            ProcessBuilder pb = new ProcessBuilder(command)
                    .directory(Fixtures.basedir().toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            pb.environment().put("CONTAINER_FS_JAR", Fixtures.jar().toString());
            Process p = pb.start();
            if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                List<ProcessHandle> all = new ArrayList<>(p.descendants().toList());
                all.forEach(ProcessHandle::destroy);
                p.destroy();
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    all.forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly().waitFor();
                }
                throw new AssertionError("timed out after " + timeout + ": " + command + "\n"
                        + new Result(-1, Files.readString(out), Files.readString(err)));
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted: " + command, e);
        }
    }
}
