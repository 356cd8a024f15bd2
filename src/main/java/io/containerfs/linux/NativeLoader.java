package io.containerfs.linux;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Loads {@code libcontainer-fs.so}: from the path in the system property {@value #PATH_PROPERTY}
 * if set; else from {@code java.library.path}; else from the jar resource
 * {@code native/<arch>-Linux/libcontainer-fs.so} ({@link #resourceName}: amd64 or aarch64, each built
 * by src/main/c/Makefile), extracted once per build into the user's cache
 * ({@link NativeLibraryCache}) and loaded from there by every later run, which finds it by what the
 * build recorded of it in the generated class {@code BundledLibrary}, without opening the jar. When
 * that cache cannot be used safely, the library is copied into a new private temporary directory,
 * loaded, and deleted.
 */
public final class NativeLoader {
    /** Absolute path of a libcontainer-fs.so to load instead of the bundled one. */
    public static final String PATH_PROPERTY = "containerfs.native.path";

    static final String LIBRARY = "container-fs";

    private static Throwable unavailabilityCause = new IllegalStateException("not loaded yet");
    private static boolean loaded;

    private NativeLoader() {}

    /**
     * Loads the library once; throws {@link UnsatisfiedLinkError} saying why it could not. A
     * failure is remembered and thrown again: pull asks for every digest and every tree it writes,
     * and each attempt may copy the library into a new temporary directory.
     */
    public static synchronized void load() {
        if (loaded) {
            return;
        }
        if (unavailabilityCause instanceof UnsatisfiedLinkError failed) {
            throw failed;
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

    /**
     * The jar's library for the JVM's {@code os.arch}: OpenJDK says amd64 and aarch64, others may
     * say x86_64 and arm64, the names the same machines have elsewhere (uname, Debian).
     */
    static String resourceName(String osArch) {
        String name = osArch.toLowerCase(Locale.ROOT);
        String arch = switch (name) {
            case "x86_64" -> "amd64";
            case "arm64" -> "aarch64";
            default -> name;
        };
        return "/native/" + arch + "-Linux/lib" + LIBRARY + ".so";
    }

    private static void loadFile(Path file, String origin) {
        try {
            System.load(file.toAbsolutePath().toString());
        } catch (UnsatisfiedLinkError e) {
            throw linkError("cannot load " + file + " (from " + origin + "): " + e.getMessage(), e);
        }
    }

    static void loadFromResource(String resource) {
        Bundled bundled = bundledAs(resource);
        Path file = null;
        Path privateDir = null;
        String cacheNote = "";
        try {
            try {
                NativeLibraryCache cache = cacheFor(currentUserCacheDir());
                file = cache.find(bundled.sha256, bundled.size, bundled.crc32);
                if (file == null) {
                    file = cache.install(bundled.sha256, bundled.bytes());
                }
            } catch (IOException | RuntimeException cacheNotUsable) {
                // No cache we may trust or write (a read-only home, a directory someone else owns):
                // a directory only this run knows, as before the cache existed; slower, still safe.
                cacheNote = " (the cache was not used: " + cacheNotUsable.getMessage() + ")";
                privateDir = createPrivateTemporaryDirectory();
                file = privateDir.resolve(NativeLibraryCache.FILE_NAME);
                Files.write(file, bundled.bytes());
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

    /** What the build bundled, by resource, set by the class BundledLibrary as it is initialised. */
    private static final Map<String, Bundled> registered = new HashMap<>();

    /**
     * Called by BundledLibrary, the class the build writes once it has built the library
     * (scripts/bundled-library.sh), as JDBC drivers register themselves with their class's
     * initialisation: nothing here names the class at compile time, when it does not exist yet.
     */
    static void bundled(String resource, String sha256, long size, long crc32) {
        registered.put(resource, new Bundled(resource, sha256, size, crc32));
    }

    /** The library the build bundled as resource; throws saying what to do when there is none. */
    static Bundled bundledAs(String resource) {
        try {
            Class.forName("io.containerfs.linux.BundledLibrary", true, NativeLoader.class.getClassLoader());
        } catch (ClassNotFoundException notBuilt) {
            // Classes that Maven's build did not make: no library either.
        } catch (LinkageError stale) {
            // A BundledLibrary compiled against another NativeLoader (an IDE's, a stale build's).
            throw linkError("the class BundledLibrary cannot be used (" + stale
                    + "); rebuild with 'mvn package'", stale);
        }
        Bundled bundled = registered.get(resource);
        if (bundled == null) {
            throw new UnsatisfiedLinkError("no native library for this platform: " + resource
                    + " is not in the jar (os.arch=" + System.getProperty("os.arch") + "; the jar has "
                    + bundledPlatforms() + "); build on this machine with 'mvn package' or set -D" + PATH_PROPERTY);
        }
        return bundled;
    }

    /** The architectures the jar has a library for, as "aarch64, amd64", or "none". */
    private static String bundledPlatforms() {
        TreeSet<String> platforms = new TreeSet<>();
        for (String resource : registered.keySet()) {
            platforms.add(resource.substring("/native/".length(), resource.indexOf("-Linux/")));
        }
        return platforms.isEmpty() ? "none" : String.join(", ", platforms);
    }

    /**
     * The library inside the jar. Its SHA-256, size and CRC-32, which a run needs to find its
     * cached copy, come from BundledLibrary, so a run that finds the copy opens not the jar (with
     * the launcher's class archive nothing else does: reading the jar's central directory cost
     * 2 ms). Its bytes, which only a run that must write the copy reads, come from the jar and are
     * checked against them.
     */
    static final class Bundled {
        final String resource;
        final String sha256;
        final long size;
        final long crc32;
        private byte[] bytes;

        Bundled(String resource, String sha256, long size, long crc32) {
            this.resource = resource;
            this.sha256 = sha256;
            this.size = size;
            this.crc32 = crc32;
        }

        byte[] bytes() throws IOException {
            if (bytes == null) {
                byte[] read;
                try (InputStream in = NativeLoader.class.getResourceAsStream(resource)) {
                    if (in == null) {
                        throw new IOException(resource + " is not in the jar");
                    }
                    read = in.readAllBytes();
                }
                if (read.length != size || NativeLibraryCache.crc32(read) != crc32) {
                    throw new IOException(resource + " in the jar does not match the size and CRC-32 the build"
                            + " recorded (BundledLibrary): rebuild with 'mvn package'");
                }
                bytes = read;
            }
            return bytes;
        }
    }

    static NativeLibraryCache cacheFor(Path cacheDir) throws IOException {
        return new NativeLibraryCache(cacheDir, NativeLibraryCache.effectiveUid());
    }

    static Path currentUserCacheDir() {
        return NativeLibraryCache.userCacheDir(System.getenv(), System.getProperty("user.home"));
    }

    /** mkdir(2) with mode 0700 fails if the name exists, so nobody else's directory is ever used. */
    private static Path createPrivateTemporaryDirectory() throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        return Files.createDirectory(
                tmp.resolve("container-fs-native-" + ProcessStat.pid() + "-" + System.nanoTime()),
                PosixFilePermissions.asFileAttribute(NativeLibraryCache.ownerOnly()));
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
