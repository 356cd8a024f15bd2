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

        /** This front end's argv for a run: OPTIONS, the layers (WRITEDIR last), --, COMMAND. */
        public List<String> run(List<String> options, List<Path> layers, String... command) {
            List<String> words = new ArrayList<>(command());
            words.addAll(options);
            for (Path layer : layers) {
                words.add(layer.toString());
            }
            words.add("--");
            words.addAll(List.of(command));
            return words;
        }

        public Commands.Result run(String... args) {
            List<String> command = new ArrayList<>(command());
            command.addAll(List.of(args));
            return Commands.run(null, null, command);
        }

        /**
         * Runs with TMPDIR set to {@code tmpdir}, which both front ends mount the root over in the
         * container's namespace, so a test can check that nothing was left there.
         */
        public Commands.Result runIn(Path tmpdir, String stdin, String... args) {
            List<String> command = new ArrayList<>(command());
            command.addAll(List.of(args));
            return Commands.run(null, stdin, command, Map.of("TMPDIR", tmpdir.toString()));
        }
    }

    public static Commands.Result run(String... args) {
        return FrontEnd.JAR.run(args);
    }
}
