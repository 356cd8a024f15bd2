package io.containerfs.layer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A file as the container will see it in the overlay of its layers, found before anything is
 * mounted: the topmost layer that has it wins, and a whiteout (a 0/0 character device, what
 * overlayfs leaves when a lower file is deleted) hides it in every layer below. This is how
 * {@code docker run --user} reads the image's {@code /etc/passwd}, never the host's. Opaque
 * directories (an xattr in the {@code trusted.} namespace, which Java cannot read) are not
 * considered.
 */
public final class MergedFile {
    private static final int S_IFMT = 0170000;
    private static final int S_IFCHR = 0020000;

    private MergedFile() {}

    /**
     * @param layers bottom to top, WRITEDIR last, as the command line lists them
     * @param relative a path inside the container without the leading slash, e.g. {@code etc/passwd}
     * @return the regular file that the container would see there, if any
     */
    public static Optional<Path> find(List<Path> layers, String relative) throws IOException {
        for (int i = layers.size() - 1; i >= 0; i--) {
            Path candidate = layers.get(i).resolve(relative);
            if (isWhiteout(candidate) || hiddenOnTheWay(layers.get(i), relative)) {
                return Optional.empty();
            }
            if (Files.isRegularFile(candidate, LinkOption.NOFOLLOW_LINKS)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** Whether a directory on the way to the file was deleted in this layer. */
    private static boolean hiddenOnTheWay(Path layer, String relative) throws IOException {
        Path dir = Path.of(relative).getParent();
        for (Path on = dir; on != null; on = on.getParent()) {
            if (isWhiteout(layer.resolve(on))) {
                return true;
            }
        }
        return false;
    }

    private static boolean isWhiteout(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        return (mode & S_IFMT) == S_IFCHR && ((Long) Files.getAttribute(path, "unix:rdev", LinkOption.NOFOLLOW_LINKS)) == 0L;
    }
}
