package io.containerfs.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The variables the user adds to the container's environment, as {@code docker run} reads them:
 * {@code --env-file FILE} first, then each {@code -e}, so a later one wins. {@code NAME=VALUE} sets
 * NAME; a bare {@code NAME} takes the host's value, and is left out when the host has none.
 */
final class EnvironmentSpec {
    private EnvironmentSpec() {}

    /** The {@code NAME=VALUE} entries, in order. */
    static List<String> entries(List<Path> envFiles, List<String> envs, Map<String, String> host)
            throws UsageException {
        List<String> out = new ArrayList<>();
        for (Path file : envFiles) {
            List<String> lines = read(file);
            for (int i = 0; i < lines.size(); i++) {
                // Docker's format: leading blanks ignored, '#' starts a comment line, nothing is unquoted.
                String line = lines.get(i).stripLeading();
                if (!line.isEmpty() && !line.startsWith("#")) {
                    add(out, line, host, "--env-file " + file + " line " + (i + 1));
                }
            }
        }
        for (String env : envs) {
            add(out, env, host, "-e");
        }
        return out;
    }

    private static void add(List<String> out, String entry, Map<String, String> host, String where)
            throws UsageException {
        int eq = entry.indexOf('=');
        String name = eq < 0 ? entry : entry.substring(0, eq);
        if (name.isEmpty() || name.chars().anyMatch(c -> Character.isWhitespace(c) || c == 0)) {
            throw new UsageException("invalid variable '" + entry + "' in " + where
                    + ": give NAME=VALUE or NAME, a name without blanks");
        }
        if (eq >= 0) {
            out.add(entry);
        } else if (host.containsKey(name)) {
            out.add(name + "=" + host.get(name));
        }
    }

    private static List<String> read(Path file) throws UsageException {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new UsageException("--env-file '" + file + "' does not exist");
        } catch (IOException e) {
            throw new UsageException("--env-file '" + file + "' cannot be read: " + e.getMessage());
        }
    }
}
