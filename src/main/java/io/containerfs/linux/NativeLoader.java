package io.containerfs.linux;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Locale;

/**
 * Loads {@code libcontainer-fs.so}: from the path in the system property {@value #PATH_PROPERTY}
 * if set; else from {@code java.library.path}; else from the jar resource
 * {@code native/<os.arch>-Linux/libcontainer-fs.so}, extracted once per build into the user's cache
 * ({@link NativeLibraryCache}) and loaded from there by every later run. When that cache cannot be
 * used safely, the library is copied into a new private temporary directory, loaded, and deleted.
 */
public final class NativeLoader {
    /** Absolute path of a libcontainer-fs.so to load instead of the bundled one. */
    public static final String PATH_PROPERTY = "containerfs.native.path";

    static final String LIBRARY = "container-fs";

    private static Throwable unavailabilityCause = new IllegalStateException("not loaded yet");
    private static boolean loaded;

    private NativeLoader() {}

    /** Loads the library once; throws {@link UnsatisfiedLinkError} saying why it could not. */
    public static synchronized void load() {
        if (loaded) {
            return;
        }
        try {
            loadFirstAvailable();
            loaded = true;
            unavailabilityCause = null;
        } catch (UnsatisfiedLinkError e) {
            unavailabilityCause = e;
            throw e;
        }
    }

    /** Whether the library is loaded, trying to load it if needed. */
    public static synchronized boolean isAvailable() {
        try {
            load();
            return true;
        } catch (UnsatisfiedLinkError e) {
            return false;
        }
    }

    /** Why the library could not be loaded, or null when it is loaded. */
    public static synchronized Throwable unavailabilityCause() {
        return unavailabilityCause;
    }

    private static void loadFirstAvailable() {
        String override = System.getProperty(PATH_PROPERTY);
        if (override != null) {
            loadFile(Path.of(override), PATH_PROPERTY + "=" + override);
            return;
        }
        try {
            System.loadLibrary(LIBRARY);
            return;
        } catch (UnsatisfiedLinkError notOnLibraryPath) {
            // Not installed on java.library.path: use the copy inside the jar.
        }
        loadFromResource(resourceName(System.getProperty("os.arch")));
    }

    static String resourceName(String osArch) {
        return "/native/" + osArch.toLowerCase(Locale.ROOT) + "-Linux/lib" + LIBRARY + ".so";
    }

    private static void loadFile(Path file, String origin) {
        try {
            System.load(file.toAbsolutePath().toString());
        } catch (UnsatisfiedLinkError e) {
            throw linkError("cannot load " + file + " (from " + origin + "): " + e.getMessage(), e);
        }
    }

    static void loadFromResource(String resource) {
        byte[] library = readResource(resource);
        Path file = null;
        Path privateDir = null;
        String cacheNote = "";
        try {
            try {
                file = cacheFor(currentUserCacheDir()).install(bundledSha256(resource), library);
            } catch (IOException | RuntimeException cacheNotUsable) {
                // No cache we may trust or write (a read-only home, a directory someone else owns):
                // a directory only this run knows, as before the cache existed; slower, still safe.
                cacheNote = " (the cache was not used: " + cacheNotUsable.getMessage() + ")";
                privateDir = createPrivateTemporaryDirectory();
                file = privateDir.resolve(NativeLibraryCache.FILE_NAME);
                Files.write(file, library);
            }
            loadFile(file, "jar resource " + resource);
        } catch (IOException e) {
            throw linkError("cannot extract " + resource + " to " + (file != null ? file : "a file")
                    + ": " + e.getMessage() + noexecHint(file) + cacheNote, e);
        } catch (UnsatisfiedLinkError e) {
            throw linkError(e.getMessage() + noexecHint(file) + cacheNote, e);
        } finally {
            if (privateDir != null) {
                deleteQuietly(file);
                deleteQuietly(privateDir);
            }
        }
    }

    static NativeLibraryCache cacheFor(Path cacheDir) throws IOException {
        return new NativeLibraryCache(cacheDir, NativeLibraryCache.effectiveUid());
    }

    static Path currentUserCacheDir() {
        return NativeLibraryCache.userCacheDir(System.getenv(), System.getProperty("user.home"));
    }

    private static byte[] readResource(String resource) {
        try (InputStream in = NativeLoader.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new UnsatisfiedLinkError("no native library for this platform: " + resource
                        + " is not in the jar (os.arch=" + System.getProperty("os.arch")
                        + "); build on this machine with 'mvn package' or set -D" + PATH_PROPERTY);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw linkError("cannot read " + resource + " from the jar: " + e.getMessage(), e);
        }
    }

    /** The library's SHA-256, written beside it into the jar by the build (pom.xml). */
    static String bundledSha256(String resource) throws IOException {
        try (InputStream in = NativeLoader.class.getResourceAsStream(resource + ".sha256")) {
            if (in == null) {
                throw new IOException(resource + ".sha256 is not in the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
        }
    }

    /** mkdir(2) with mode 0700 fails if the name exists, so nobody else's directory is ever used. */
    private static Path createPrivateTemporaryDirectory() throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        return Files.createDirectory(
                tmp.resolve("container-fs-native-" + ProcessHandle.current().pid() + "-" + System.nanoTime()),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }

    /** Loading a library from a noexec mount fails with a bare "failed to map segment". */
    static String noexecHint(Path file) {
        if (file == null) {
            return "";
        }
        Path dir = file.toAbsolutePath().getParent();
        if (isNoexec(dir)) {
            return "; the directory " + dir + " is mounted noexec: set XDG_CACHE_HOME (the cache) or"
                    + " -Djava.io.tmpdir to a directory on another filesystem, or -D" + PATH_PROPERTY;
        }
        return "";
    }

    /** Whether the filesystem holding dir is mounted noexec, from /proc/self/mountinfo. */
    static boolean isNoexec(Path dir) {
        try {
            return isNoexec(dir.toRealPath(), Files.readAllLines(Path.of("/proc/self/mountinfo")));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The longest mount point above dir decides; field 5 is the mount point, field 6 its options. */
    static boolean isNoexec(Path dir, List<String> mountinfo) {
        String best = "";
        boolean noexec = false;
        for (String line : mountinfo) {
            String[] f = line.split(" ");
            String mountPoint = f[4].replace("\\040", " ");
            if (dir.startsWith(mountPoint) && mountPoint.length() >= best.length()) {
                best = mountPoint;
                noexec = ("," + f[5] + ",").contains(",noexec,");
            }
        }
        return noexec;
    }

    private static UnsatisfiedLinkError linkError(String message, Throwable cause) {
        UnsatisfiedLinkError e = new UnsatisfiedLinkError(message);
        e.initCause(cause);
        return e;
    }

    private static void deleteQuietly(Path path) {
        if (path != null) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException ignored) {
                // The loaded library stays mapped; a leftover temp file is all that is lost.
            }
        }
    }
}
