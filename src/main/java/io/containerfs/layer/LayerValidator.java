package io.containerfs.layer;

import io.containerfs.linux.Native;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Checks the layers before anything is created or mounted, so that a mistake costs one clear
 * line and leaves nothing behind. overlayfs itself would answer most of these with a bare
 * EINVAL from mount(2), or worse, mount a stack that writes into a lower layer.
 */
public final class LayerValidator {

    /** @param layers bottom to top, the writable one last (at least two), as the user wrote them */
    public LayerStack validate(List<String> layers, Optional<Path> workdir) throws LayerException {
        String[] real = realDirectories(layers);
        rejectSameDirectoryTwice(layers, real);
        int top = real.length - 1;
        String upper = real[top];
        String upperArg = layers.get(top);
        for (int i = 0; i < top; i++) {
            rejectNesting(upperArg, upper, layers.get(i), real[i]);
        }
        requireWritable(upperArg, Path.of(upper));
        Optional<String> work = Optional.empty();
        if (workdir.isPresent()) {
            work = Optional.of(validateWorkdir(workdir.get(), Path.of(upper), upperArg, real));
        }
        return new LayerStack(List.of(Arrays.copyOf(real, top)), Optional.of(upper), work);
    }

    /** --read-only: every layer a lower one (at least two), nothing written, no WRITEDIR. */
    public LayerStack validateReadOnly(List<String> layers) throws LayerException {
        String[] real = realDirectories(layers);
        rejectSameDirectoryTwice(layers, real);
        return new LayerStack(List.of(real), Optional.empty(), Optional.empty());
    }

    /**
     * Each layer's real path, found by the core in one call (Native.realDirectories), or the reason
     * it is not a directory. A reason other than the two common ones is worded by the JDK.
     */
    private static String[] realDirectories(List<String> layers) throws LayerException {
        int[] errors = new int[layers.size()];
        String[] real;
        try {
            real = Native.realDirectories(layers.toArray(new String[0]), errors);
        } catch (IllegalArgumentException e) {
            throw unnameable(layers, e);
        }
        for (int i = 0; i < real.length; i++) {
            if (real[i] != null) {
                continue;
            }
            String arg = layers.get(i);
            if (errors[i] == Native.ENOENT) {
                throw new LayerException("layer '" + arg + "' does not exist");
            }
            if (errors[i] == Native.ENOTDIR) {
                throw new LayerException("layer '" + arg + "' is not a directory");
            }
            existingDirectory("layer", Path.of(arg));
            throw new LayerException("layer '" + arg + "' cannot be read (errno " + errors[i] + ")");
        }
        return real;
    }

    /**
     * The layer the system's character set cannot write (under LC_ALL=C, one that is not ASCII),
     * found only once encoding the list failed: checking each layer first cost a JVM that has just
     * started more than a microsecond a layer. Path.of refuses what Native.encode refuses, both in
     * {@code sun.jnu.encoding}; anything else (a NUL) keeps the encoder's own message.
     */
    private static RuntimeException unnameable(List<String> layers, IllegalArgumentException e)
            throws LayerException {
        for (String layer : layers) {
            try {
                if (layer.indexOf('\0') < 0) {
                    Path.of(layer);
                }
            } catch (InvalidPathException notNameable) {
                throw new LayerException(cannotBeNamed("layer", layer));
            }
        }
        return e;
    }

    /** The line for a directory word the JVM cannot name in the system's character set. */
    public static String cannotBeNamed(String what, String word) {
        return what + " '" + word + "' cannot be named in the system's character set "
                + System.getProperty("sun.jnu.encoding") + "; set a UTF-8 locale, e.g. LC_ALL=C.UTF-8";
    }

    static Path existingDirectory(String what, Path arg) throws LayerException {
        try {
            Path real = arg.toRealPath();
            if (!Files.isDirectory(real)) {
                throw new LayerException(what + " '" + arg + "' is not a directory");
            }
            return real;
        } catch (NoSuchFileException e) {
            throw new LayerException(what + " '" + arg + "' does not exist");
        } catch (IOException e) {
            throw new LayerException(what + " '" + arg + "' cannot be read: " + e.getMessage());
        }
    }

    /**
     * One pass with a set, not a pair-by-pair comparison: a stack may hold 500 layers. The set is
     * sized for all of them (a growing one rehashed itself six times on the way to 500), and the
     * first of a pair is looked for only once there is one.
     */
    private static void rejectSameDirectoryTwice(List<String> args, String[] real) throws LayerException {
        Set<String> seen = new HashSet<>(2 * real.length);
        for (int j = 0; j < real.length; j++) {
            if (!seen.add(real[j])) {
                int i = Arrays.asList(real).indexOf(real[j]);
                throw new LayerException("layers '" + args.get(i) + "' and '" + args.get(j)
                        + "' are the same directory (" + real[i] + "); list each layer once");
            }
        }
    }

    /** overlayfs refuses overlapping layers, and a WRITEDIR inside a lower layer would change it. */
    private static void rejectNesting(String upperArg, String upper, String lowerArg, String lower)
            throws LayerException {
        if (isWithin(upper, lower)) {
            throw new LayerException("WRITEDIR '" + upperArg + "' is inside the lower layer '" + lowerArg
                    + "'; put WRITEDIR outside every lower layer");
        }
        if (isWithin(lower, upper)) {
            throw new LayerException("lower layer '" + lowerArg + "' is inside WRITEDIR '" + upperArg
                    + "'; put WRITEDIR outside every lower layer");
        }
    }

    /** Whether the real path {@code path} is {@code dir} or below it, by whole names: /a/bc is not in /a/b. */
    static boolean isWithin(String path, String dir) {
        if (dir.equals("/")) {
            return true;
        }
        return path.startsWith(dir) && (path.length() == dir.length() || path.charAt(dir.length()) == '/');
    }

    /**
     * access(2) answers EROFS for a read-only filesystem, even to root; only then is the mount table
     * read (Files.getFileStore parses it), to say which of the two it is.
     */
    private static void requireWritable(String arg, Path upper) throws LayerException {
        if (Files.isWritable(upper)) {
            return;
        }
        boolean readOnlyStore;
        try {
            readOnlyStore = Files.getFileStore(upper).isReadOnly();
        } catch (IOException e) {
            throw new LayerException("WRITEDIR '" + arg + "' cannot be read: " + e.getMessage());
        }
        throw new LayerException("WRITEDIR '" + arg + "' is not writable"
                + (readOnlyStore ? " (its filesystem is mounted read-only)" : "")
                + "; the last layer must be a writable directory");
    }

    private static String validateWorkdir(Path arg, Path upper, String upperArg, String[] layers)
            throws LayerException {
        Path work = existingDirectory("work directory", arg);
        String real = work.toString();
        for (String layer : layers) {
            if (isWithin(real, layer) || isWithin(layer, real)) {
                throw new LayerException("work directory '" + arg + "' overlaps the layer " + layer
                        + "; choose a directory beside WRITEDIR, not inside or around a layer");
            }
        }
        if (!sameFileSystem(work, upper)) {
            throw new LayerException("work directory '" + arg + "' is on another filesystem than WRITEDIR '"
                    + upperArg + "'; overlayfs needs both on the same one");
        }
        return real;
    }

    public static boolean sameFileSystem(Path a, Path b) throws LayerException {
        try {
            Object devA = Files.getAttribute(a, "unix:dev", LinkOption.NOFOLLOW_LINKS);
            Object devB = Files.getAttribute(b, "unix:dev", LinkOption.NOFOLLOW_LINKS);
            return devA.equals(devB);
        } catch (IOException e) {
            throw new LayerException("cannot compare the filesystems of '" + a + "' and '" + b + "': "
                    + e.getMessage());
        }
    }
}
