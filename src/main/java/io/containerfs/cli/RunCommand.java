package io.containerfs.cli;

import io.containerfs.layer.LayerException;
import io.containerfs.layer.LayerStack;
import io.containerfs.layer.LayerValidator;
import io.containerfs.linux.ContainerException;
import io.containerfs.linux.Native;
import io.containerfs.linux.NativeLoader;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * The run form: validate the layers and hand them to the C core, which makes the mountpoint and
 * the work directory, runs the container, removes what it made and returns the exit status.
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
            LayerStack stack = new LayerValidator().validate(request.layers(), request.workdir());
            return Native.run(
                    stack.lowers().stream().map(Path::toString).toArray(String[]::new),
                    stack.upper().toString(),
                    stack.workdir().map(Path::toString).orElse(null),
                    temporaryRoot().toString(),
                    request.command().toArray(String[]::new),
                    request.isolation(),
                    request.limits(),
                    request.trace());
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
