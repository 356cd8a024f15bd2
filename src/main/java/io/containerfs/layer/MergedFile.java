package io.containerfs.layer;

import io.containerfs.linux.Native;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A file as the container will see it in the overlay of its layers, found before anything is
 * mounted: the topmost layer that has a name wins, a whiteout (a 0/0 character device, what
 * overlayfs leaves when a lower file is deleted) hides it in every layer below, and a directory
 * merges the directories below it down to the first layer where that name is not a directory.
 * Symlinks are followed as the container's own path walk would follow them (path_resolution(7)),
 * within the layers: an absolute target starts again at the container's root, {@code ..} stops at
 * it, so a link such as {@code etc/passwd -> ../usr/lib/passwd} or {@code -> /usr/lib/passwd} is
 * read from the layers and never from the host. This is how {@code docker run --user} reads the
 * image's {@code /etc/passwd}, never the host's. An opaque directory (the xattr pull's
 * {@code .wh..wh..opq} becomes, read by {@link Native#isOpaque}) hides what lower layers hold in
 * it. In a layer whose whiteouts are files ({@link Whiteouts#FILE_WHITEOUTS}, as fuse-overlayfs reads
 * them), {@code .wh.NAME} hides NAME, {@code .wh..wh..opq} makes its directory opaque, and no
 * {@code .wh.} name is seen.
 */
public final class MergedFile {
    private static final int S_IFMT = 0170000;
    private static final int S_IFCHR = 0020000;
    /** Linux's limit on symlinks followed in one path walk, beyond which it fails with ELOOP (path_resolution(7)). */
    private static final int MAX_LINKS = 40;

    private MergedFile() {}

    /**
     * @param layers bottom to top, WRITEDIR last, as the command line lists them
     * @param relative a path inside the container without the leading slash, e.g. {@code etc/passwd}
     * @return the regular file that the container would see there, if any: a path below one layer
     *     whose every component is a directory of that layer, not a link
     */
    public static Optional<Path> find(List<Path> layers, String relative) throws IOException {
        List<Path> root = new ArrayList<>(layers.size());
        List<Path> fileWhiteoutLayers = new ArrayList<>();
        for (int i = layers.size() - 1; i >= 0; i--) {
            root.add(layers.get(i));
            if (Files.exists(layers.get(i).resolve(Whiteouts.FILE_WHITEOUTS), LinkOption.NOFOLLOW_LINKS)) {
                fileWhiteoutLayers.add(layers.get(i));
            }
        }
        // The merged directories from the root to where the walk is: each is its layers' directories, top first.
        Deque<List<Path>> walked = new ArrayDeque<>();
        walked.push(root);
        Deque<String> names = new ArrayDeque<>();
        pushFront(names, relative);
        int links = 0;
        while (!names.isEmpty()) {
            String name = names.pop();
            if (name.isEmpty() || name.equals(".")) {
                continue;
            }
            if (name.equals("..")) {
                if (walked.size() > 1) {
                    walked.pop();
                }
                continue;
            }
            Entry entry = lookup(walked.peek(), name, fileWhiteoutLayers);
            if (entry == null) {
                return Optional.empty();
            }
            if (entry.directories != null) {
                walked.push(entry.directories);
            } else if (entry.attributes.isSymbolicLink()) {
                if (++links > MAX_LINKS) {
                    throw new IOException("too many levels of symbolic links on the way to /" + relative);
                }
                String target = Files.readSymbolicLink(entry.path).toString();
                if (target.startsWith("/")) {
                    while (walked.size() > 1) {
                        walked.pop();
                    }
                }
                pushFront(names, target);
            } else {
                // A file: the end of the walk, unless a name follows (ENOTDIR: nothing there).
                return onlyDots(names) && entry.attributes.isRegularFile() ? Optional.of(entry.path) : Optional.empty();
            }
        }
        return Optional.empty(); // a directory
    }

    /** What {@link #readLines} reads at most: an image's passwd or group is a few KiB. */
    static final int MAX_BYTES = 16 << 20;

    /**
     * The lines of a file {@link #find} gave, in UTF-8, without following a link at its end; one
     * larger than {@link #MAX_BYTES} is refused, not read into memory whole.
     */
    public static List<String> readLines(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            byte[] bytes = in.readNBytes(MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                throw new IOException("it is larger than " + (MAX_BYTES >> 20) + " MiB");
            }
            return new String(bytes, StandardCharsets.UTF_8).lines().toList();
        }
    }

    /**
     * What a merged directory holds at {@code name}: null when no layer has it or a whiteout hides
     * it; the directories that merge there; or the topmost layer's file or link.
     */
    private record Entry(Path path, BasicFileAttributes attributes, List<Path> directories) {}

    private static Entry lookup(List<Path> directory, String name, List<Path> fileWhiteoutLayers) throws IOException {
        List<Path> merged = null;
        for (Path layerDirectory : directory) {
            boolean filesWhiteOut = inAny(fileWhiteoutLayers, layerDirectory);
            Path path = layerDirectory.resolve(name);
            BasicFileAttributes attributes = filesWhiteOut && name.startsWith(Whiteouts.PREFIX) ? null : attributes(path);
            if (attributes == null) {
                if (filesWhiteOut && attributes(layerDirectory.resolve(Whiteouts.PREFIX + name)) != null) {
                    break; // a whiteout file: gone from every layer below
                }
                continue;
            }
            if (attributes.isDirectory()) {
                if (merged == null) {
                    merged = new ArrayList<>();
                }
                merged.add(path);
                if (isOpaque(path, filesWhiteOut)) {
                    break; // the layers below hold nothing here
                }
                continue;
            }
            if (merged == null && !isWhiteout(path, attributes)) {
                return new Entry(path, attributes, null);
            }
            break; // a whiteout, or a file under a directory: it hides every layer below
        }
        return merged == null ? null : new Entry(merged.get(0), null, merged);
    }

    private static boolean inAny(List<Path> layers, Path directory) {
        for (Path layer : layers) {
            if (directory.startsWith(layer)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the overlay will read the directory as opaque: its xattr, or in a layer of whiteout files, its marker file. */
    private static boolean isOpaque(Path directory, boolean filesWhiteOut) {
        if (filesWhiteOut) {
            return Files.exists(directory.resolve(Whiteouts.OPAQUE), LinkOption.NOFOLLOW_LINKS);
        }
        return Native.isOpaque(directory.toString());
    }

    private static BasicFileAttributes attributes(Path path) throws IOException {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static boolean isWhiteout(Path path, BasicFileAttributes attributes) throws IOException {
        if (!attributes.isOther()) {
            return false;
        }
        Map<String, Object> unix = Files.readAttributes(path, "unix:mode,rdev", LinkOption.NOFOLLOW_LINKS);
        return ((Integer) unix.get("mode") & S_IFMT) == S_IFCHR && (Long) unix.get("rdev") == 0L;
    }

    /** Puts the names of {@code path} in front of those still to walk, in order. */
    private static void pushFront(Deque<String> names, String path) {
        String[] parts = path.split("/", -1);
        for (int i = parts.length - 1; i >= 0; i--) {
            names.push(parts[i]);
        }
    }

    private static boolean onlyDots(Deque<String> names) {
        for (String name : names) {
            if (!name.isEmpty() && !name.equals(".")) {
                return false;
            }
        }
        return true;
    }
}
