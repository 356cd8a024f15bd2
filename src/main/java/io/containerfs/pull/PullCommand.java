package io.containerfs.pull;

import io.containerfs.cli.ExitCode;
import io.containerfs.cli.OneLine;
import io.containerfs.cli.UsageException;
import io.containerfs.linux.Native;
import io.containerfs.linux.NativeLoader;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * {@code container-fs pull}: find the newest mini root filesystem in the mirror's index, take it
 * from the cache or download it (verified), and extract it into DIR; or extract a tarball the
 * user already has ({@code --file}).
 */
public final class PullCommand {
    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;

    public PullCommand(PrintStream out, PrintStream err) {
        this(out, err, System.getenv());
    }

    PullCommand(PrintStream out, PrintStream err, Map<String, String> env) {
        this.out = out;
        this.err = err;
        this.env = env;
    }

    /** @param args the words after {@code pull} */
    public int run(String[] args) {
        PullCommandLine commandLine = new PullCommandLine();
        try {
            PullRequest request = commandLine.parse(args, env, System.getProperty("os.arch"),
                    System.getProperty("user.home"));
            if (request == null) {
                commandLine.printHelp(new PrintWriter(out, true, Charset.defaultCharset()));
                return ExitCode.SUCCESS.code();
            }
            pull(request);
            return ExitCode.SUCCESS.code();
        } catch (UsageException | PullException e) {
            err.println("container-fs: " + OneLine.of(e.getMessage()));
            return ExitCode.FAILED.code();
        } catch (RuntimeException e) {
            // A bug, not bad input; what was half made is already removed by the finally blocks.
            err.println(OneLine.of("container-fs: pull failed unexpectedly (" + e
                    + "); please report it with the command line"));
            return ExitCode.FAILED.code();
        }
    }

    private void pull(PullRequest request) throws PullException {
        if (request.allowDevices()) {
            requireRootForDevices();
        }
        TargetDirectory target = TargetDirectory.check(request.dir());
        try (TargetDirectory.Lock held = target.lock()) {
            pull(request, target);
        }
    }

    private void pull(PullRequest request, TargetDirectory target) throws PullException {
        Progress progress = ConsoleProgress.forStderr(err, request.quiet());
        if (request.image().isPresent()) {
            pullImage(request, target, progress);
            return;
        }
        boolean root = runningAsRoot();
        boolean inRange = !root && hasSubordinateRanges();
        if (!root && !inRange) {
            info(request, "not running as root, so the files will be owned by you, not by root as in the"
                    + " archive: you have no range in /etc/subuid and /etc/subgid (or no newuidmap and"
                    + " newgidmap, the uidmap package) to give them the archive's owners; for a root"
                    + " filesystem a container can use, add one (usermod --add-subuids and --add-subgids),"
                    + " or run pull with sudo");
        }
        if (request.file().isPresent()) {
            Path file = request.file().get();
            RootfsExtractor extractor = extractor(request, sizeOf(file), root, progress);
            Extracted extracted = (inRange ? extractor.ownersInRange() : extractor)
                    .extract(file, target, new ExpectedSha256(request.sha256()));
            out.println("installed " + file.getFileName() + " into " + target.path());
            out.println("sha256 " + extracted.sha256());
            return;
        }
        Release release = pullFromMirror(request, target, root, inRange, progress);
        out.println("installed Alpine " + release.version() + " (branch " + release.branch() + ", "
                + release.arch() + ") into " + target.path());
        out.println("sha256 " + release.sha256());
    }

    /**
     * An image from an OCI layout, a docker archive or a registry, with the C core (whiteouts,
     * owners). Without root its layers get the image's owners from the user's range, which an
     * image needs (its files are not all root's).
     */
    private void pullImage(PullRequest request, TargetDirectory target, Progress progress) throws PullException {
        RootfsExtractor.loadNativeLibrary("pulling an image");
        boolean root = Native.effectiveUid() == 0;
        if (!root && !hasSubordinateRanges()) {
            throw new PullException("pulling an image without root needs a range of ids for you in /etc/subuid and"
                    + " /etc/subgid and newuidmap and newgidmap (the uidmap package), to give its files their"
                    + " owners: add one (usermod --add-subuids and --add-subgids), or run pull with sudo");
        }
        ImageSource source = request.image().get();
        LayerStore store = new LayerStore(request.layerStore(), request.allowDevices(), !root);
        ImagePull.RegistryAccess registries = new ImagePull.RegistryAccess(request.insecureRegistries(),
                request.authFile());
        int unpacked = new ImagePull(store, progress, request.platform(), registries).pull(source, target);
        out.println("installed " + source + " into " + target.path() + " (" + unpacked + " new layers in "
                + request.layerStore() + ")");
    }

    /** The release the mirror's index names, from the cache or downloaded, extracted into target. */
    private Release pullFromMirror(PullRequest request, TargetDirectory target, boolean root, boolean inRange,
            Progress progress) throws PullException {
        try (MirrorClient mirror = new MirrorClient(request.mirror(), MirrorClient.CONNECT_TIMEOUT,
                MirrorClient.READ_TIMEOUT)) {
            TarballCache cache = new TarballCache(request.cacheDir());
            Fetched fetched = fetch(request, mirror, cache, progress);
            Release release = fetched.release();
            RootfsExtractor extractor = extractor(request, release.size(), root, progress);
            if (inRange) {
                extractor.ownersInRange();
            }
            try {
                extractor.extract(fetched.tarball(), target, release);
            } catch (PullException e) {
                extractor.extract(replaceDamagedCopy(request, fetched, mirror, cache, progress, e), target, release);
            }
            return release;
        }
    }

    /**
     * The release to install and its tarball: downloaded and verified, or taken from the cache,
     * whose copy the extraction verifies. {@code offline} is why the mirror was not asked, if it was not.
     */
    private record Fetched(Release release, Path tarball, boolean cached, MirrorUnreachableException offline) {}

    /** The index from the mirror (or, when it cannot be reached, the cached one), and the tarball. */
    private Fetched fetch(PullRequest request, MirrorClient mirror, TarballCache cache, Progress progress)
            throws PullException {
        String branch = request.branch();
        String arch = request.arch();
        try {
            String yaml = mirror.fetchIndex(branch, arch);
            Release release = ReleaseIndex.minirootfs(yaml, branch, arch, mirror.indexUri(branch, arch).toString());
            Optional<Path> cached = cache.find(release);
            Path tarball;
            if (cached.isPresent()) {
                info(request, "using " + cached.get() + " from the cache (checked as it is extracted)");
                tarball = cached.get();
            } else {
                tarball = cache.download(release, mirror, progress);
            }
            cache.saveIndex(branch, arch, yaml);
            return new Fetched(release, tarball, cached.isPresent(), null);
        } catch (MirrorUnreachableException unreachable) {
            return fromCacheOnly(request, cache, unreachable);
        }
    }

    /** Offline: the release the last successful pull of this branch found, if its tarball is still there. */
    private Fetched fromCacheOnly(PullRequest request, TarballCache cache, MirrorUnreachableException unreachable)
            throws PullException {
        Optional<String> yaml = cache.savedIndex(request.branch(), request.arch());
        if (yaml.isEmpty()) {
            throw unreachable;
        }
        Release release = ReleaseIndex.minirootfs(yaml.get(), request.branch(), request.arch(),
                "the cached index in " + cache.dir());
        Optional<Path> cached = cache.find(release);
        if (cached.isEmpty()) {
            throw unreachable;
        }
        info(request, unreachable.getMessage().replaceFirst(";.*", "") + "; using " + cached.get()
                + " from the cache, Alpine " + release.version() + " as of the last pull");
        return new Fetched(release, cached.get(), true, unreachable);
    }

    /**
     * After extracting {@code fetched} failed: if it came from the cache and the cached copy is no
     * longer the release's bytes (a damaged disk, an edit), removes that copy and returns the
     * tarball downloaded again; else throws {@code failure} itself, which is then the archive's own
     * fault or an interruption.
     */
    private Path replaceDamagedCopy(PullRequest request, Fetched fetched, MirrorClient mirror, TarballCache cache,
            Progress progress, PullException failure) throws PullException {
        Interruption.check();
        if (!fetched.cached()) {
            throw failure;
        }
        boolean intact;
        try {
            intact = cache.isIntact(fetched.release());
        } catch (PullException unreadable) {
            unreadable.addSuppressed(failure);
            throw unreadable;
        }
        if (intact) {
            throw failure;
        }
        cache.discard(fetched.release());
        if (fetched.offline() != null) {
            info(request, "the cached " + fetched.tarball() + " is damaged, so it was removed");
            throw fetched.offline();
        }
        info(request, "the cached " + fetched.tarball() + " is damaged; downloading it again");
        return cache.download(fetched.release(), mirror, progress);
    }

    private static RootfsExtractor extractor(PullRequest request, long compressedSize, boolean root,
            Progress progress) {
        ExtractionLimits limits = ExtractionLimits.forArchiveSize(compressedSize);
        if (request.maxBytes().isPresent()) {
            limits = limits.withMaxBytes(request.maxBytes().get());
        }
        if (request.maxEntries().isPresent()) {
            limits = limits.withMaxEntries(request.maxEntries().get());
        }
        return new RootfsExtractor(limits, root, request.allowDevices(), progress);
    }

    /** Before anything is downloaded or extracted: mknod(2) of a device needs root, and the C core. */
    private static void requireRootForDevices() throws PullException {
        RootfsExtractor.loadNativeLibrary("--allow-devices");
        if (Native.effectiveUid() != 0) {
            throw new PullException("--allow-devices creates device nodes, which needs root: run pull with sudo,"
                    + " or leave --allow-devices out to refuse them");
        }
    }

    private static long sizeOf(Path file) throws PullException {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new PullException("cannot read --file " + file + " (" + e.getMessage()
                    + "); check the path", e);
        }
    }

    private void info(PullRequest request, String message) {
        if (!request.quiet()) {
            err.println("container-fs: " + OneLine.of(message));
        }
    }

    /**
     * Not root: whether the user has subordinate ranges (and newuidmap and newgidmap) to give the
     * archive's owners through, as a container run by the user maps them; not without the C core.
     */
    private static boolean hasSubordinateRanges() {
        try {
            NativeLoader.load();
            return Native.hasSubordinateRanges();
        } catch (UnsatisfiedLinkError e) {
            return false;
        }
    }

    /** Setting the archive's owners needs root; /proc/self belongs to the effective uid. */
    static boolean runningAsRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
