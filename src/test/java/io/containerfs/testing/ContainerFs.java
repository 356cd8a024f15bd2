package io.containerfs.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs container-fs the way a user does: {@code java -jar target/container-fs.jar ARGS}. */
public final class ContainerFs {
    private ContainerFs() {}

    public static List<String> jarCommand() {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", Fixtures.jar().toString());
    }

    public static Commands.Result run(String... args) {
        return runWithInput(null, args);
    }

    public static Commands.Result runWithInput(String stdin, String... args) {
        List<String> command = new ArrayList<>(jarCommand());
        command.addAll(List.of(args));
        return Commands.run(null, stdin, command);
    }
}
