package io.containerfs.cli;

import io.containerfs.layer.LayerException;
import io.containerfs.layer.LayerStack;
import io.containerfs.layer.LayerValidator;
import io.containerfs.linux.ContainerException;
import io.containerfs.linux.Native;
import io.containerfs.linux.NativeLoader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.commons.io.file.PathUtils;

/**
 * The run form: validate the layers, create the mountpoint and (unless given) the work
 * directory, hand everything to the C core, and remove what was created, whatever happens.
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
            return runInTemporaryDirectories(stack, request);
        } catch (LayerException | UsageException e) {
            return fail(e.getMessage());
        } catch (IllegalArgumentException e) {
            // A path or word the kernel cannot be given (Native.encode): NUL, or not in the charset.
            return fail(e.getMessage());
        } catch (ContainerException e) {
            return exitFor(e);
        } catch (IOException e) {
            return fail("cannot prepare the container's directories: " + e.getMessage());
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

    private int runInTemporaryDirectories(LayerStack stack, RunRequest request) throws IOException, LayerException {
        Path tmp = temporaryRoot();
        Path base = Files.createTempDirectory(tmp, "container-fs-");
        Optional<Path> createdWork = Optional.empty();
        try {
            rejectInsideALayer(tmp, base, stack);
            Path mountpoint = Files.createDirectory(base.resolve("root"));
            if (stack.workdir().isEmpty()) {
                createdWork = Optional.of(createWorkDir(stack.upper()));
            }
            Path work = stack.workdir().orElseGet(createdWork::get);
            int status = Native.run(
                    stack.lowers().stream().map(Path::toString).toArray(String[]::new),
                    stack.upper().toString(),
                    work.toString(),
                    mountpoint.toString(),
                    request.command().toArray(String[]::new),
                    request.trace());
            return ExitCode.fromWaitStatus(status);
        } finally {
            deleteTree(base);
            if (createdWork.isPresent()) {
                deleteTree(createdWork.get());
            }
        }
    }

    /** $TMPDIR when set, as the C front end and mktemp(1) use it; otherwise java.io.tmpdir. */
    static Path temporaryRoot() {
        String env = System.getenv("TMPDIR");
        return Path.of(env != null && !env.isEmpty() ? env : System.getProperty("java.io.tmpdir"));
    }

    /** A mountpoint inside a layer would show up in the container's tree, or in WRITEDIR on the host. */
    private static void rejectInsideALayer(Path tmp, Path base, LayerStack stack) throws IOException, LayerException {
        Path real = base.toRealPath();
        List<Path> layers = new ArrayList<>(stack.lowers());
        layers.add(stack.upper());
        for (Path layer : layers) {
            if (real.startsWith(layer)) {
                throw new LayerException("the temporary directory '" + tmp + "' is inside the layer '" + layer
                        + "'; set TMPDIR to a directory outside the layers");
            }
        }
    }

    /** overlayfs needs its work directory empty and on the upper layer's filesystem: beside it. */
    static Path createWorkDir(Path upper) throws IOException, LayerException {
        Path parent = upper.getParent();
        if (parent == null) {
            throw new LayerException("WRITEDIR cannot be '/'; give a directory");
        }
        Path work = Files.createTempDirectory(parent, ".container-fs-work-");
        if (!LayerValidator.sameFileSystem(work, upper)) {
            deleteTree(work);
            throw new LayerException("WRITEDIR '" + upper + "' is a mount point, so no work directory on its"
                    + " filesystem can be made beside it; give one with --workdir DIR");
        }
        return work;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            PathUtils.deleteDirectory(dir);
        }
    }

    /** Prints what went wrong and chooses the exit code: 127/126 for the command, 125 for us. */
    int exitFor(ContainerException e) {
        if (e.isExecFailure()) {
            boolean notFound = e.errno() == ContainerException.ENOENT;
            err.println("container-fs: " + e.getMessage()
                    + (notFound ? " (not found in the container's PATH)" : ""));
            return (notFound ? ExitCode.NOT_FOUND : ExitCode.CANNOT_RUN).code();
        }
        return fail(e.getMessage() + hint(e));
    }

    /** What the user can do next about the failures students meet most. */
    static String hint(ContainerException e) {
        if (e.errno() == ContainerException.EPERM) {
            return " (needs root with CAP_SYS_ADMIN: run it with sudo on a privileged machine)";
        }
        if ("mount overlay".equals(e.step())) {
            return " (are the layers on a filesystem overlayfs supports? a VirtualBox shared folder such as"
                    + " /vagrant is not: copy them to the VM's disk)";
        }
        return "";
    }

    private int fail(String message) {
        err.println("container-fs: " + message);
        return ExitCode.FAILED.code();
    }
}
