package io.containerfs.linux;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;

/**
 * Loads {@code libcontainer-fs.so}: from the path in the system property {@value #PATH_PROPERTY}
 * if set; else from {@code java.library.path}; else from the jar resource
 * {@code native/<os.arch>-Linux/libcontainer-fs.so}, copied to a temporary file, loaded and deleted.
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
        Path tmp = null;
        try (InputStream in = NativeLoader.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new UnsatisfiedLinkError("no native library for this platform: " + resource
                        + " is not in the jar (os.arch=" + System.getProperty("os.arch")
                        + "); build on this machine with 'mvn package' or set -D" + PATH_PROPERTY);
            }
            tmp = Files.createTempFile("libcontainer-fs-", ".so");
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            loadFile(tmp, "jar resource " + resource);
        } catch (IOException e) {
            throw linkError("cannot extract " + resource + " to a temporary file: " + e.getMessage()
                    + noexecHint(tmp), e);
        } catch (UnsatisfiedLinkError e) {
            throw linkError(e.getMessage() + noexecHint(tmp), e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    /** Loading a library from a noexec mount fails with a bare "failed to map segment". */
    static String noexecHint(Path tmp) {
        if (tmp == null) {
            return "";
        }
        Path dir = tmp.toAbsolutePath().getParent();
        if (isNoexec(dir)) {
            return "; the temporary directory " + dir + " is mounted noexec: set -Djava.io.tmpdir to"
                    + " another directory or -D" + PATH_PROPERTY;
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

    private static void deleteQuietly(Path tmp) {
        if (tmp != null) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // The loaded library stays mapped; a leftover temp file is all that is lost.
            }
        }
    }
}
