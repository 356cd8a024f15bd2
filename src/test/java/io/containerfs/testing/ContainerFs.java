package io.containerfs.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs container-fs the way a user does, as a separate process. Integration tests take a
 * {@link FrontEnd} parameter so every scenario runs against each front end of the same core.
 */
public final class ContainerFs {
    private ContainerFs() {}

    public enum FrontEnd {
        /** {@code java -jar target/container-fs.jar}. */
        JAR {
            @Override
            public List<String> command() {
                return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                        Fixtures.jar().toString());
            }
        },
        /** {@code src/main/c/container-fs}, built by {@code make -C src/main/c} (the Maven build runs it). */
        C_PROGRAM {
            @Override
            public List<String> command() {
                return List.of(Fixtures.cProgram().toString());
            }
        };

        /** The words that start this front end, before container-fs's own arguments. */
        public abstract List<String> command();

        /**
         * The words that start this front end with its temporary files (the mountpoint) in
         * {@code tmpdir}, so a test can check that nothing was left there.
         */
        public List<String> command(Path tmpdir) {
            List<String> words = new ArrayList<>(command());
            if (this == JAR) {
                words.add(1, "-Djava.io.tmpdir=" + tmpdir);
            }
            return words;
        }

        public Commands.Result run(String... args) {
            return runWithInput(null, args);
        }

        public Commands.Result runWithInput(String stdin, String... args) {
            List<String> command = new ArrayList<>(command());
            command.addAll(List.of(args));
            return Commands.run(null, stdin, command);
        }

        /** Runs with TMPDIR (and, for the jar, java.io.tmpdir) set to {@code tmpdir}. */
        public Commands.Result runIn(Path tmpdir, String stdin, String... args) {
            List<String> command = new ArrayList<>(command(tmpdir));
            command.addAll(List.of(args));
            return Commands.run(null, stdin, command, Map.of("TMPDIR", tmpdir.toString()));
        }
    }

    public static Commands.Result run(String... args) {
        return FrontEnd.JAR.run(args);
    }

    public static Commands.Result runWithInput(String stdin, String... args) {
        return FrontEnd.JAR.runWithInput(stdin, args);
    }
}
