package io.containerfs.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The variables the user adds to the container's environment, as {@code docker run} reads them:
 * {@code --env-file FILE} first, then each {@code -e}, so a later one wins. {@code NAME=VALUE} sets
 * NAME; a bare {@code NAME} takes the host's value, and is left out when the host has none. An env
 * file is read in one pass, as the bytes it holds or not at all.
 */
final class EnvironmentSpec {
    private EnvironmentSpec() {}

    /**
     * The most an env file may hold: docker run reads any size, but the whole environment must fit
     * in what execve(2) takes (a quarter of the stack limit, 2 MiB by default, with the command's
     * arguments), and a file of a gigabyte or endless (/dev/zero) is no list of variables.
     */
    static final int MAX_ENV_FILE_BYTES = 1 << 20;

    /** The {@code NAME=VALUE} entries, in order. */
    static List<String> entries(List<Path> envFiles, List<String> envs, Map<String, String> host)
            throws UsageException {
        List<String> out = new ArrayList<>();
        for (Path file : envFiles) {
            String text = read(file);
            // One pass over the text: lines end at '\n' (a '\r' before it is dropped, as docker run does).
            int number = 0;
            for (int start = 0; start < text.length(); ) {
                int end = text.indexOf('\n', start);
                if (end < 0) {
                    end = text.length();
                }
                number++;
                String line = text.substring(start, end > start && text.charAt(end - 1) == '\r' ? end - 1 : end);
                start = end + 1;
                // Docker's format: leading blanks ignored, '#' starts a comment line, nothing is unquoted.
                line = line.stripLeading();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                if (line.indexOf('\0') >= 0) {
                    throw new UsageException("--env-file '" + file + "' line " + number
                            + " holds a NUL byte, which no variable can hold");
                }
                add(out, line, host, file, number);
            }
        }
        for (String env : envs) {
            add(out, env, host, null, 0);
        }
        return out;
    }

    /** Adds an entry of an env file ({@code file}, line {@code number}) or of -e ({@code file} null). */
    private static void add(List<String> out, String entry, Map<String, String> host, Path file, int number)
            throws UsageException {
        int eq = entry.indexOf('=');
        String name = eq < 0 ? entry : entry.substring(0, eq);
        if (name.isEmpty() || name.chars().anyMatch(c -> Character.isWhitespace(c) || c == 0)) {
            throw new UsageException("invalid variable '" + entry + "' in "
                    + (file == null ? "-e" : "--env-file " + file + " line " + number)
                    + ": give NAME=VALUE or NAME, a name without blanks");
        }
        if (eq >= 0) {
            out.add(entry);
        } else if (host.containsKey(name)) {
            String value = host.get(name);
            if (value.indexOf('\uFFFD') >= 0) {
                // Decoded by the JVM from the host's environment: its bytes may have been anything.
                throw new UsageException("the host's " + name + ", asked for in "
                        + (file == null ? "-e" : "--env-file " + file + " line " + number) + ", holds U+FFFD: its"
                        + " bytes may not be valid in " + ExactBytes.charset() + ", and container-fs would pass"
                        + " them on changed; give " + name + "=VALUE");
            }
            out.add(name + "=" + value);
        }
    }

    /**
     * The file's text, as the bytes it holds: a regular file (a FIFO would block the run until
     * something writes to it, a device such as /dev/zero never ends) of at most
     * {@link #MAX_ENV_FILE_BYTES}, valid in the system's character set, in which the core passes
     * each entry on ({@link ExactBytes}).
     */
    private static String read(Path file) throws UsageException {
        byte[] bytes;
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            if (!attributes.isRegularFile()) {
                throw new UsageException("--env-file '" + file + "' is not a regular file ("
                        + (attributes.isDirectory() ? "a directory" : "a FIFO, socket or device")
                        + "); give a file of NAME=VALUE lines");
            }
            if (attributes.size() > MAX_ENV_FILE_BYTES) {
                throw tooLarge(file);
            }
            try (InputStream in = Files.newInputStream(file)) {
                bytes = in.readNBytes(MAX_ENV_FILE_BYTES + 1);
            }
        } catch (NoSuchFileException e) {
            throw new UsageException("--env-file '" + file + "' does not exist");
        } catch (IOException e) {
            throw new UsageException("--env-file '" + file + "' cannot be read: " + e.getMessage());
        }
        if (bytes.length > MAX_ENV_FILE_BYTES) {
            throw tooLarge(file);
        }
        Charset charset = ExactBytes.charset();
        ExactBytes.Decoded text = ExactBytes.decode(bytes, charset);
        if (!text.isExact()) {
            int line = 1;
            for (int i = 0; i < text.invalidAt(); i++) {
                line += bytes[i] == '\n' ? 1 : 0;
            }
            throw new UsageException("--env-file '" + file + "' line " + line + " holds " + ExactBytes.notValid(charset));
        }
        return text.text();
    }

    private static UsageException tooLarge(Path file) {
        return new UsageException("--env-file '" + file + "' is larger than 1 MiB, the most container-fs reads;"
                + " an environment must fit in what execve(2) takes");
    }
}
