package io.containerfs.cli;

import io.containerfs.layer.ContainerUser;
import io.containerfs.layer.LayerException;
import io.containerfs.linux.Container;
import io.containerfs.linux.ContainerException;
import io.containerfs.linux.Execution;
import io.containerfs.linux.Native;
import io.containerfs.linux.NativeLoader;
import io.containerfs.linux.Step;
import java.io.PrintStream;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The run form: hand the layers, as the user wrote them, to the C core, which checks them
 * (layers.c: each a directory, none twice, WRITEDIR outside every lower layer and writable, the
 * work directory's place), makes the work directory, runs the container, removes what it made
 * and returns the exit status. The core words every mistake, so the plain C front end says the
 * same line.
 */
public final class RunCommand {
    private final PrintStream err;

    public RunCommand(PrintStream err) {
        this.err = err;
    }

    /** @return the exit status container-fs should exit with */
    public int run(RunRequest request) {
        try {
            requireNativeLibrary();
            String[] layers = request.layers().toArray(new String[0]);
            int top = request.readOnly() ? layers.length : layers.length - 1;
            // Array copies, not subLists: a subList is classes the JVM's shared archive does not hold.
            List<String> lowers = List.of(Arrays.copyOf(layers, top));
            Optional<String> upper = request.readOnly() ? Optional.empty() : Optional.of(layers[top]);
            Optional<String> work = request.overlayWorkdir().isPresent()
                    ? Optional.of(request.overlayWorkdir().get().toString())
                    : Optional.empty();
            return Native.run(new Container(lowers, upper, work, temporaryRoot().toString(), request.command(),
                    request.isolation(), request.limits(), execution(request.start(), layers), request.mounts(),
                    request.devices(), request.trace()));
        } catch (LayerException | UsageException e) {
            return fail(e.getMessage());
        } catch (IllegalArgumentException e) {
            // A path or word the kernel cannot be given (Native.encode): NUL, or not in the charset.
            return fail(unnameableLayer(request.layers(), e));
        } catch (ContainerException e) {
            // The core's own line and status, as the plain C front end prints and returns them.
            err.println("container-fs: "
                    + OneLine.of(isFirstLayer(e, request) ? CommandLineSpec.notALayer(e.path()) : e.getMessage()));
            return e.exitStatus();
        }
    }

    /** errno values the core reports a layer with (the same on every Linux architecture). */
    private static final int ENOENT = 2;
    private static final int ENOTDIR = 20;

    /**
     * Whether the core found that the first word is no directory: a newcomer's {@code container-fs
     * alpine sh} (an image name, as with docker run), which only the jar can answer with pull.
     */
    private static boolean isFirstLayer(ContainerException e, RunRequest request) {
        return e.step() == Step.LAYERS && (e.errno() == ENOENT || e.errno() == ENOTDIR)
                && e.path().equals(request.layers().get(0));
    }



    /** The user, if any, resolved in the container's own /etc/passwd (every layer, WRITEDIR last), and HOME from it. */
    private static Execution execution(RunRequest.Command start, String[] layers) throws LayerException {
        ContainerUser user = ContainerUser.ROOT;
        if (start.user().isPresent()) {
            List<Path> paths = new ArrayList<>();
            for (String layer : layers) {
                paths.add(Path.of(layer));
            }
            user = ContainerUser.resolve(start.user().get(), paths);
        }
        Optional<Execution.User> as = start.user().isPresent()
                ? Optional.of(new Execution.User(user.uid(), user.gid(), user.groups()))
                : Optional.empty();
        return new Execution(start.env(), start.envHost(), Optional.of(user.home()), start.cwd(), as, start.tty(),
                start.init(), start.step());
    }

    /**
     * The line for a word the kernel cannot be given: a layer the system's character set cannot
     * write (under LC_ALL=C, one that is not ASCII) is named, found only once encoding failed, so
     * that 500 layers are not each checked first; anything else (a NUL) keeps the encoder's words.
     * Path.of refuses what Native.encode refuses, both in {@code sun.jnu.encoding}.
     */
    private static String unnameableLayer(List<String> layers, IllegalArgumentException e) {
        for (String layer : layers) {
            try {
                if (layer.indexOf('\0') < 0) {
                    Path.of(layer);
                }
            } catch (InvalidPathException notNameable) {
                return CommandLineSpec.cannotBeNamed("layer", layer);
            }
        }
        return e.getMessage();
    }

    /**
     * Run by an ordinary user, the core gives the container a user namespace of its own and refuses
     * what needs real root (userns.c): the rule lives there, for both front ends.
     */
    private static void requireNativeLibrary() throws UsageException {
        try {
            NativeLoader.load();
        } catch (UnsatisfiedLinkError e) {
            throw new UsageException("cannot load the native library: " + e.getMessage());
        }
    }

    /** $TMPDIR when set, as the C front end and mktemp(1) use it; otherwise java.io.tmpdir. */
    static Path temporaryRoot() {
        String env = System.getenv("TMPDIR");
        return Path.of(env != null && !env.isEmpty() ? env : System.getProperty("java.io.tmpdir"));
    }

    private int fail(String message) {
        err.println("container-fs: " + OneLine.of(message));
        return ExitCode.FAILED.code();
    }
}
