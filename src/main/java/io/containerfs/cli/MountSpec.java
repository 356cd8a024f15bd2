package io.containerfs.cli;

import io.containerfs.linux.Mount;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code -v HOST:CONTAINER[:ro|:rw]} and {@code --tmpfs PATH[:size=N[,mode=OCTAL]]}, as docker run reads them. */
final class MountSpec {
    /**
     * The options go to mount(2) as written, so size=N takes the part of {@link ByteSize}'s grammar
     * tmpfs itself reads (memparse: digits and one k, m or g, not "MiB"). 0 is refused: to tmpfs it
     * means no limit at all (tmpfs(5)), the opposite of what it says.
     */
    private static final Pattern TMPFS_OPTION = Pattern.compile("size=(\\d+[kmg]?)|mode=[0-7]{3,4}", Pattern.CASE_INSENSITIVE);

    private MountSpec() {}

    static Mount volume(String spec) throws UsageException {
        String[] parts = spec.split(":", -1);
        if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()
                || (parts.length == 3 && !parts[2].equals("ro") && !parts[2].equals("rw"))) {
            throw new UsageException("invalid --volume '" + spec + "': give HOST:CONTAINER, HOST:CONTAINER:ro or"
                    + " HOST:CONTAINER:rw");
        }
        Path source;
        try {
            source = Path.of(parts[0]).toRealPath();
        } catch (NoSuchFileException e) {
            throw new UsageException("--volume '" + spec + "': the host path '" + parts[0]
                    + "' does not exist; create it first");
        } catch (IOException e) {
            throw new UsageException("--volume '" + spec + "': the host path '" + parts[0] + "' cannot be read: "
                    + e.getMessage());
        }
        return new Mount(source.toString(), target(parts[1], "--volume '" + spec + "'"), null,
                parts.length == 3 && parts[2].equals("ro"));
    }

    static Mount tmpfs(String spec) throws UsageException {
        int colon = spec.indexOf(':');
        String path = colon < 0 ? spec : spec.substring(0, colon);
        String options = colon < 0 ? "" : spec.substring(colon + 1);
        for (String option : options.isEmpty() ? new String[0] : options.split(",")) {
            Matcher m = TMPFS_OPTION.matcher(option);
            if (!m.matches() || m.group(1) != null && !fitsInALong(m.group(1))) {
                throw new UsageException("invalid --tmpfs option '" + option + "' in '" + spec
                        + "': give size=N (e.g. size=64m) or mode=OCTAL");
            }
            if (m.group(1) != null && ByteSize.parse(m.group(1)) == 0) {
                throw new UsageException("invalid --tmpfs option '" + option + "' in '" + spec
                        + "': tmpfs reads size=0 as no limit at all; give a size above 0 (e.g. size=64m)");
            }
        }
        return new Mount(null, target(path, "--tmpfs '" + spec + "'"), options, false);
    }

    private static boolean fitsInALong(String size) {
        try {
            ByteSize.parse(size);
            return true;
        } catch (ArithmeticException e) {
            return false;
        }
    }

    /**
     * An absolute path inside the container, normalized; "/" itself cannot be mounted over, nor /proc
     * or anything in it, as runc refuses: container-fs mounts /proc itself and masks or makes
     * read-only the kernel's files there, and a mount on or in it would undo that (--tmpfs /proc
     * hid all of it). /dev is ours too, but docker run mounts there, and so do we.
     */
    private static String target(String path, String what) throws UsageException {
        if (!path.startsWith("/") || path.indexOf('\0') >= 0) {
            throw new UsageException(what + ": the path in the container must be absolute, e.g. /data");
        }
        Path normal = Path.of(path).normalize();
        if (normal.getNameCount() == 0) {
            throw new UsageException(what + ": give a directory below / in the container");
        }
        if (normal.startsWith("/proc")) {
            throw new UsageException(what + ": '" + normal + "' is in /proc, the kernel's files that container-fs"
                    + " mounts and guards itself; choose a path outside /proc");
        }
        return normal.toString();
    }
}
