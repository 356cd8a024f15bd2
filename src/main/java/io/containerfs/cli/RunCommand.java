package io.containerfs.cli;

import io.containerfs.layer.ContainerUser;
import io.containerfs.layer.LayerException;
import io.containerfs.layer.LayerStack;
import io.containerfs.layer.LayerValidator;
import io.containerfs.linux.Container;
import io.containerfs.linux.ContainerException;
import io.containerfs.linux.Execution;
import io.containerfs.linux.Native;
import io.containerfs.linux.NativeLoader;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The run form: validate the layers and hand them to the C core, which makes the work directory,
 * runs the container, removes what it made and returns the exit status.
 */
public final class RunCommand {
    private final PrintStream err;

    public RunCommand(PrintStream err) {
        this.err = err;
    }

    /** @return the exit status container-fs should exit with */
    public int run(RunRequest request) {
        try {
            requireNativeLibraryAndRoot();
            LayerValidator validator = new LayerValidator();
            LayerStack stack = request.readOnly()
                    ? validator.validateReadOnly(request.layers())
                    : validator.validate(request.layers(), request.overlayWorkdir());
            return Native.run(new Container(stack.lowers(), stack.upper(),
                    stack.workdir(), temporaryRoot().toString(), request.command(), request.isolation(),
                    request.limits(), execution(request.start(), stack), request.mounts(), request.trace()));
        } catch (LayerException | UsageException e) {
            return fail(e.getMessage());
        } catch (IllegalArgumentException e) {
            // A path or word the kernel cannot be given (Native.encode): NUL, or not in the charset.
            return fail(e.getMessage());
        } catch (ContainerException e) {
            // The core's own line and status, as the plain C front end prints and returns them.
            err.println("container-fs: " + e.getMessage());
            return e.exitStatus();
        }
    }

    /** The user, if any, resolved in the container's own /etc/passwd, and HOME from it. */
    private static Execution execution(RunRequest.Command start, LayerStack stack) throws LayerException {
        ContainerUser user = ContainerUser.ROOT;
        if (start.user().isPresent()) {
            List<Path> layers = new ArrayList<>();
            for (String layer : stack.lowers()) {
                layers.add(Path.of(layer));
            }
            if (stack.upper().isPresent()) {
                layers.add(Path.of(stack.upper().get()));
            }
            user = ContainerUser.resolve(start.user().get(), layers);
        }
        Optional<Execution.User> as = start.user().isPresent()
                ? Optional.of(new Execution.User(user.uid(), user.gid(), user.groups()))
                : Optional.empty();
        return new Execution(start.env(), start.envHost(), Optional.of(user.home()), start.cwd(), as, start.tty(),
                start.init());
    }

    private static void requireNativeLibraryAndRoot() throws UsageException {
        try {
            NativeLoader.load();
        } catch (UnsatisfiedLinkError e) {
            throw new UsageException("cannot load the native library: " + e.getMessage());
        }
        if (Native.effectiveUid() != 0) {
            throw new UsageException("creating namespaces and mounts needs root: run it with sudo");
        }
    }

    /** $TMPDIR when set, as the C front end and mktemp(1) use it; otherwise java.io.tmpdir. */
    static Path temporaryRoot() {
        String env = System.getenv("TMPDIR");
        return Path.of(env != null && !env.isEmpty() ? env : System.getProperty("java.io.tmpdir"));
    }

    private int fail(String message) {
        err.println("container-fs: " + message);
        return ExitCode.FAILED.code();
    }
}
