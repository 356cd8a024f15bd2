package io.containerfs.layer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks the layers before anything is created or mounted, so that a mistake costs one clear
 * line and leaves nothing behind. overlayfs itself would answer most of these with a bare
 * EINVAL from mount(2), or worse, mount a stack that writes into a lower layer.
 */
public final class LayerValidator {

    /** @param layers bottom to top, the writable one last (at least two) */
    public LayerStack validate(List<Path> layers, Optional<Path> workdir) throws LayerException {
        List<Path> real = new ArrayList<>();
        for (Path layer : layers) {
            real.add(existingDirectory("layer", layer));
        }
        rejectSameDirectoryTwice(layers, real);
        Path upper = real.get(real.size() - 1);
        List<Path> lowers = real.subList(0, real.size() - 1);
        Path upperArg = layers.get(layers.size() - 1);
        for (int i = 0; i < lowers.size(); i++) {
            rejectNesting(upperArg, upper, layers.get(i), lowers.get(i));
        }
        requireWritable(upperArg, upper);
        Optional<Path> work = Optional.empty();
        if (workdir.isPresent()) {
            work = Optional.of(validateWorkdir(workdir.get(), upper, upperArg, real));
        }
        return new LayerStack(lowers, Optional.of(upper), work);
    }

    /** --read-only: every layer a lower one (at least two), nothing written, no WRITEDIR. */
    public LayerStack validateReadOnly(List<Path> layers) throws LayerException {
        List<Path> real = new ArrayList<>();
        for (Path layer : layers) {
            real.add(existingDirectory("layer", layer));
        }
        rejectSameDirectoryTwice(layers, real);
        return new LayerStack(real, Optional.empty(), Optional.empty());
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

    /** One pass with a map, not a pair-by-pair comparison: a stack may hold 500 layers. */
    private static void rejectSameDirectoryTwice(List<Path> args, List<Path> real) throws LayerException {
        Map<Path, Integer> seen = new HashMap<>();
        for (int j = 0; j < real.size(); j++) {
            Integer i = seen.putIfAbsent(real.get(j), j);
            if (i != null) {
                throw new LayerException("layers '" + args.get(i) + "' and '" + args.get(j)
                        + "' are the same directory (" + real.get(i) + "); list each layer once");
            }
        }
    }

    /** overlayfs refuses overlapping layers, and a WRITEDIR inside a lower layer would change it. */
    private static void rejectNesting(Path upperArg, Path upper, Path lowerArg, Path lower) throws LayerException {
        if (upper.startsWith(lower)) {
            throw new LayerException("WRITEDIR '" + upperArg + "' is inside the lower layer '" + lowerArg
                    + "'; put WRITEDIR outside every lower layer");
        }
        if (lower.startsWith(upper)) {
            throw new LayerException("lower layer '" + lowerArg + "' is inside WRITEDIR '" + upperArg
                    + "'; put WRITEDIR outside every lower layer");
        }
    }

    /**
     * access(2) answers EROFS for a read-only filesystem, even to root; only then is the mount table
     * read (Files.getFileStore parses it), to say which of the two it is.
     */
    private static void requireWritable(Path arg, Path upper) throws LayerException {
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

    private static Path validateWorkdir(Path arg, Path upper, Path upperArg, List<Path> layers)
            throws LayerException {
        Path work = existingDirectory("work directory", arg);
        for (Path layer : layers) {
            if (work.startsWith(layer) || layer.startsWith(work)) {
                throw new LayerException("work directory '" + arg + "' overlaps the layer " + layer
                        + "; choose a directory beside WRITEDIR, not inside or around a layer");
            }
        }
        if (!sameFileSystem(work, upper)) {
            throw new LayerException("work directory '" + arg + "' is on another filesystem than WRITEDIR '"
                    + upperArg + "'; overlayfs needs both on the same one");
        }
        return work;
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
