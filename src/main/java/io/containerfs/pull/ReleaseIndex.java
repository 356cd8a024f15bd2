package io.containerfs.pull;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.schema.FailsafeSchema;

/**
 * Reads a mirror's {@code latest-releases.yaml}: a YAML list of releases (ISO images, netboot
 * files, the mini root filesystem, …), each a map with {@code flavor}, {@code file},
 * {@code version}, {@code size}, {@code sha256}, {@code sha512}. Everything in it is checked
 * before use: {@code file} becomes part of a URL and of a path in the cache.
 *
 * <p>Read with YAML's failsafe schema, where every scalar is a string: the core schema would
 * turn an edge snapshot's {@code version: 20240923} into a number and {@code 3.20} into 3.2.
 */
public final class ReleaseIndex {
    public static final String MINIROOTFS = "alpine-minirootfs";

    private static final Pattern PLAIN_FILE_NAME = Pattern.compile("[A-Za-z0-9_+-][A-Za-z0-9._+-]*");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern SHA512 = Pattern.compile("[0-9a-f]{128}");
    private static final Pattern SIZE = Pattern.compile("[1-9][0-9]{0,17}");

    private ReleaseIndex() {}

    /** The mini root filesystem listed in {@code yaml}; {@code source} names it in messages. */
    public static Release minirootfs(String yaml, String branch, String arch, String source) throws PullException {
        for (Object item : entries(yaml, source)) {
            if (item instanceof Map<?, ?> entry && MINIROOTFS.equals(entry.get("flavor"))) {
                return release(entry, branch, arch, source);
            }
        }
        throw new PullException(source + " lists no " + MINIROOTFS + " for " + branch + "/" + arch
                + "; this branch or arch has no mini root filesystem: try another branch, or --file TARBALL");
    }

    private static List<?> entries(String yaml, String source) throws PullException {
        Object document;
        try {
            document = new Load(LoadSettings.builder().setLabel(source).setSchema(new FailsafeSchema()).build()).loadFromString(yaml);
        } catch (YamlEngineException e) {
            throw new PullException(source + " is not valid YAML (" + firstLine(e.getMessage())
                    + "); the mirror is broken: use another --mirror, or --file TARBALL");
        }
        if (!(document instanceof List<?> list)) {
            throw new PullException(source + " is not a YAML list of releases; the mirror is broken:"
                    + " use another --mirror, or --file TARBALL");
        }
        return list;
    }

    private static Release release(Map<?, ?> entry, String branch, String arch, String source) throws PullException {
        String file = field(entry, "file", PLAIN_FILE_NAME, source);
        String version = field(entry, "version", PLAIN_FILE_NAME, source);
        String sha256 = field(entry, "sha256", SHA256, source);
        Optional<String> sha512 = entry.containsKey("sha512")
                ? Optional.of(field(entry, "sha512", SHA512, source))
                : Optional.empty();
        long size = Long.parseLong(field(entry, "size", SIZE, source));
        return new Release(branch, arch, version, file, size, sha256, sha512);
    }

    private static String field(Map<?, ?> entry, String name, Pattern valid, String source) throws PullException {
        Object value = entry.get(name);
        if (value instanceof String text && valid.matcher(text).matches()) {
            return text;
        }
        throw badField(source, name, value);
    }

    private static PullException badField(String source, String name, Object value) {
        return new PullException(source + ": the " + MINIROOTFS + " entry has " + (value == null ? "no " + name
                : "an invalid " + name + " '" + value + "'") + "; use another --mirror, or --file TARBALL");
    }

    private static String firstLine(String message) {
        return message == null ? "unreadable" : message.strip().lines().findFirst().orElse("unreadable");
    }
}
