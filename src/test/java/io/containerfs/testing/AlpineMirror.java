package io.containerfs.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import org.apache.commons.io.input.BoundedInputStream;

/**
 * The one place the tests get the Alpine 3.20.3 mini root filesystem from, as a directory laid
 * out like an Alpine mirror ({@code v3.20/releases/x86_64/} with the tarball, its
 * {@code .sha256} and {@code .sha512} files and a {@code latest-releases.yaml} listing only it),
 * so {@link MirrorServer} can serve it. In this order:
 * <ol>
 *   <li>{@code CONTAINERFS_ALPINE_MIRROR}, when set: that directory, or nothing;
 *   <li>{@code ../shared/alpine-mirror} beside the project, when it exists (the course's
 *       machines have this read-only copy);
 *   <li>a mirror directory in the per-user cache ({@code $XDG_CACHE_HOME/container-fs-tests},
 *       else {@code ~/.cache/container-fs-tests}), made once from the tarball
 *       {@code $ALPINE_TARBALL} names (the variable scripts/quickstart.sh takes too), else from
 *       the one downloaded from {@code $CONTAINERFS_ALPINE_DOWNLOAD} (default: Alpine's CDN).
 * </ol>
 * Whatever the source, the tarball must have the pinned size and SHA-256 before a test sees it.
 * When there is none, the test is skipped with the reason in one line, and fails under
 * {@code CI=true} ({@link PrivilegedCondition#requireInCi}).
 */
public final class AlpineMirror {
    public static final String BRANCH_DIR = "v3.20/releases/x86_64/";
    public static final String TARBALL = "alpine-minirootfs-3.20.3-x86_64.tar.gz";
    public static final long SIZE = 3490290;
    /** As Alpine published them for 3.20.3 (and as {@code sha256sum}/{@code sha512sum} print them). */
    public static final String SHA256 = "d4e6fd67dcf75e40c451560ac7265166c2b72a0f38ddc9aae756a7de3d1efa0c";
    public static final String SHA512 = "9d5405f61f8a6ebc02461ba75346fbf1a63a4eab8510a0158dd321cee0c4dafe"
            + "28c2a3d2cb7c3d75e2a8130dae0c3c92382f5b6adeea309eafc97621c5bf6400";
    public static final String DEFAULT_DOWNLOAD = "https://dl-cdn.alpinelinux.org/alpine";

    /** The index a mirror serves for the branch, cut down to the one release served here. */
    static final String INDEX = """
            ---
            -
              title: "Mini root filesystem"
              desc: "Minimal root filesystem.
                For use in containers
                and minimal chroots."
              branch: v3.20
              arch: x86_64
              version: 3.20.3
              flavor: alpine-minirootfs
              file: %1$s
              iso: %1$s
              date: 2024-09-06
              size: %2$d
              sha256: %3$s
              sha512: %4$s
            """.formatted(TARBALL, SIZE, SHA256, SHA512);

    private static Path located;
    private static String unavailable;

    private AlpineMirror() {}

    /**
     * The mirror directory for this run, found or made on the first call. Skips the calling test
     * (fails it under CI=true) when there is none, with the reason.
     */
    public static synchronized Path directory() {
        if (located == null && unavailable == null) {
            try {
                located = locate(System.getenv(), Fixtures.basedir(), cacheDir());
            } catch (IOException e) {
                unavailable = e.getMessage();
            }
        }
        PrivilegedCondition.requireInCi(located != null, "the tarball " + TARBALL + " (" + unavailable + ")");
        return located;
    }

    /** Where the downloaded mirror is kept, as {@code container-fs pull} places its own cache. */
    static Path cacheDir() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && xdg.startsWith("/") ? Path.of(xdg)
                : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("container-fs-tests");
    }

    /** The rule of the class comment, with the environment and places given, for its own test. */
    static Path locate(Map<String, String> env, Path basedir, Path cacheDir) throws IOException {
        String override = env.get("CONTAINERFS_ALPINE_MIRROR");
        if (override != null) {
            return verified(Path.of(override), "CONTAINERFS_ALPINE_MIRROR=" + override);
        }
        Path shared = basedir.resolve("../shared/alpine-mirror").normalize();
        if (Files.isDirectory(shared)) {
            return verified(shared, shared.toString());
        }
        String given = env.get("ALPINE_TARBALL");
        if (given != null) {
            try {
                if (!Files.isRegularFile(Path.of(given))) {
                    throw new IOException("no such file");
                }
                return layOut(Path.of(given).toAbsolutePath().toUri(), cacheDir.resolve("alpine-mirror"));
            } catch (IOException e) {
                throw new IOException("ALPINE_TARBALL=" + given + ": " + e.getMessage(), e);
            }
        }
        URI base = URI.create(env.getOrDefault("CONTAINERFS_ALPINE_DOWNLOAD", DEFAULT_DOWNLOAD));
        try {
            return download(base, cacheDir.resolve("alpine-mirror"));
        } catch (IOException e) {
            throw new IOException("no " + shared + ", CONTAINERFS_ALPINE_MIRROR nor ALPINE_TARBALL, and "
                    + e.getMessage(), e);
        }
    }

    private static Path verified(Path mirror, String source) throws IOException {
        Path tarball = mirror.resolve(BRANCH_DIR + TARBALL);
        if (!Files.isRegularFile(tarball)) {
            throw new IOException(source + " has no " + BRANCH_DIR + TARBALL);
        }
        String sha256 = sha256(tarball);
        if (!sha256.equals(SHA256)) {
            throw new IOException(tarball + " has SHA-256 " + sha256 + ", not the pinned " + SHA256);
        }
        return mirror;
    }

    /** Lays out {@code mirror} from {@code base/v3.20/releases/x86_64/TARBALL}: see {@link #layOut}. */
    static Path download(URI base, Path mirror) throws IOException {
        return layOut(URI.create(base.toString().replaceFirst("/*$", "/") + BRANCH_DIR + TARBALL), mirror);
    }

    /**
     * Lays out {@code mirror} from the tarball at {@code url} (http(s), or file for
     * ALPINE_TARBALL), unless it holds a complete, intact copy already. The tarball goes to a
     * {@code .part} file first and is renamed into place only once its size, SHA-256 and SHA-512
     * are the pinned ones; the index, which marks the copy complete, is written last.
     */
    static Path layOut(URI url, Path mirror) throws IOException {
        Path dir = mirror.resolve(BRANCH_DIR);
        Path tarball = dir.resolve(TARBALL);
        Path index = dir.resolve("latest-releases.yaml");
        if (Files.isRegularFile(index) && Files.isRegularFile(tarball) && sha256(tarball).equals(SHA256)) {
            return mirror;
        }
        Files.createDirectories(dir);
        Path part = Files.createTempFile(dir, TARBALL + ".", ".part");
        try {
            fetch(url, part);
            // Readable by all, as a mirror's files are (createTempFile made it 0600).
            Files.setPosixFilePermissions(part, PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(part, tarball, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(part);
        }
        writeAtomically(dir.resolve(TARBALL + ".sha256"), SHA256 + "  " + TARBALL + "\n");
        writeAtomically(dir.resolve(TARBALL + ".sha512"), SHA512 + "  " + TARBALL + "\n");
        writeAtomically(index, INDEX);
        return mirror;
    }

    private static void fetch(URI url, Path part) throws IOException {
        if ("file".equals(url.getScheme())) {
            copyChecked(url, Files.newInputStream(Path.of(url)), part);
            return;
        }
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(15))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(30)).build();
        HttpResponse<InputStream> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while connecting to " + url, e);
        } catch (IOException e) {
            throw new IOException("cannot download " + url + ": " + rootCause(e), e);
        }
        if (response.statusCode() != 200) {
            response.body().close();
            throw new IOException(url + " answered HTTP " + response.statusCode());
        }
        copyChecked(url, response.body(), part);
    }

    /** Copies {@code body} to {@code part}, failing unless it has the pinned size and digests. */
    private static void copyChecked(URI url, InputStream body, Path part) throws IOException {
        MessageDigest sha256 = digest("SHA-256");
        MessageDigest sha512 = digest("SHA-512");
        long size;
        try (body;
                InputStream in = new DigestInputStream(new DigestInputStream(BoundedInputStream.builder()
                        .setInputStream(body).setMaxCount(SIZE + 1).get(), sha256), sha512);
                OutputStream out = Files.newOutputStream(part)) {
            size = in.transferTo(out);
        } catch (IOException e) {
            throw new IOException("the download of " + url + " broke off: " + rootCause(e), e);
        }
        String got256 = HexFormat.of().formatHex(sha256.digest());
        String got512 = HexFormat.of().formatHex(sha512.digest());
        if (size != SIZE || !got256.equals(SHA256) || !got512.equals(SHA512)) {
            throw new IOException(url + " sent " + (size > SIZE ? "more than " + SIZE : size) + " bytes with SHA-256 "
                    + got256 + ", not the pinned " + SIZE + " bytes with SHA-256 " + SHA256);
        }
    }

    /** HttpClient wraps the telling exception (UnresolvedAddressException, ...), often without a message. */
    private static String rootCause(Throwable e) {
        while (e.getCause() != null) {
            e = e.getCause();
        }
        return e.toString();
    }

    private static void writeAtomically(Path file, String text) throws IOException {
        Path part = Files.createTempFile(file.getParent(), file.getFileName() + ".", ".part");
        try {
            Files.writeString(part, text, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(part, PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(part, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(part);
        }
    }

    static String sha256(Path file) throws IOException {
        MessageDigest digest = digest("SHA-256");
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
