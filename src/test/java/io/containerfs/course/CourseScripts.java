package io.containerfs.course;

import io.containerfs.testing.Commands;
import io.containerfs.testing.Fixtures;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Runs the course's scripts as a user does, from the project's directory, with the jar they
 * should use in {@code CONTAINER_FS_JAR}, and their output kept in
 * {@code target/course-logs/NAME.out} and {@code .err} (CI uploads them when a test fails).
 */
final class CourseScripts {
    private CourseScripts() {}

    static Path script(String relative) {
        return Fixtures.basedir().resolve(relative);
    }

    static Commands.Result run(String name, Duration timeout, List<String> command) {
        return Commands.run(Fixtures.basedir(), null, command, Map.of("CONTAINER_FS_JAR", Fixtures.jar().toString()),
                timeout, Fixtures.basedir().resolve("target/course-logs").resolve(name));
    }
}
