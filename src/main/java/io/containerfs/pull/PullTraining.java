package io.containerfs.pull;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.containerfs.cli.ExitCode;
import io.containerfs.cli.Main;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.GZIPInputStream;

/**
 * The pull the launcher ({@code bin/container-fs}) trains the class archive of a pull from a
 * mirror on, once per jar and JVM: a real pull of TARBALL from a mirror on 127.0.0.1 that lives
 * only in this JVM, so the archive holds the HTTP client, the index's YAML, the cache and the
 * extraction, as the pull users make loads them; not the TLS handshake of an https:// mirror.
 * It touches neither the user's tarball cache nor the network. ({@code pull --file} has an
 * archive of its own, trained on a {@code pull --file}.) As root, the same JVM then pulls the
 * tarball as a one-layer image from a registry that lives in it ({@code pull docker://}, into a
 * layer store in DIR), so the archive holds the registry's client and the layer store too:
 * {@code pull docker://} uses this archive.
 *
 * <p>Usage: {@code java -cp container-fs.jar io.containerfs.pull.PullTraining TARBALL DIR}, DIR
 * a directory it may fill (the launcher removes it). The exit status is the pull's.
 */
public final class PullTraining {
    private static final String VERSION = "0.0.0";
    /** An IPv4 literal, whatever java.net.preferIPv6Addresses says: the URL needs no brackets. */
    private static final String LOOPBACK = "127.0.0.1";
    private static final String TRAINING_IMAGE = "training:latest";

    private PullTraining() {}

    /** Halts, so the JVM writes the archive it was started to write, whatever the pull did. */
    public static void main(String[] args) {
        int status = ExitCode.FAILED.code();
        try {
            if (args.length != 2) {
                throw new IllegalArgumentException("usage: PullTraining TARBALL DIR");
            }
            status = pullFromLoopbackMirror(Files.readAllBytes(Path.of(args[0])), Path.of(args[1]));
        } catch (IOException | RuntimeException | LinkageError e) {
            // No loopback, say: the archive holds what was loaded until then, and the user's
            // pull runs as it would without one. (The launcher drops this line.)
            System.err.println("container-fs: the pull training failed: " + e);
        }
        System.out.flush();
        Runtime.getRuntime().halt(status);
    }

    /**
     * A mirror that serves one branch's index and this tarball, for as long as one pull takes; the
     * pull shows its progress as lines, as without a terminal, and keeps its tarball in DIR/cache.
     */
    static int pullFromLoopbackMirror(byte[] tarball, Path dir) throws IOException {
        String arch = Architecture.alpineName(System.getProperty("os.arch")).orElse("x86_64");
        String file = ReleaseIndex.MINIROOTFS + "-" + VERSION + "-" + arch + ".tar.gz";
        String releases = "/" + ImageReference.DEFAULT_BRANCH + "/releases/" + arch + "/";
        Map<String, byte[]> files = new HashMap<>(Map.of(
                releases + "latest-releases.yaml", index(file, tarball).getBytes(StandardCharsets.UTF_8),
                releases + file, tarball));
        files.putAll(registry(tarball, Architecture.ociName(System.getProperty("os.arch"))));
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(LOOPBACK), 0), 0);
        server.createContext("/", exchange -> send(exchange, files.get(exchange.getRequestURI().getPath())));
        // Requests are read on the pool, not the one dispatcher thread: a stranger who connects
        // and says nothing holds one thread, not the training.
        ExecutorService pool = Executors.newFixedThreadPool(4);
        server.setExecutor(pool);
        server.start();
        try {
            String mirror = "http://" + LOOPBACK + ":" + server.getAddress().getPort();
            int status = new Main(System.out, System.err).run(new String[] {"pull", "--mirror", mirror,
                    "--arch", arch, "--cache-dir", dir.resolve("cache").toString(),
                    "alpine:" + ImageReference.DEFAULT_BRANCH, dir.resolve("from-mirror").toString()});
            if (status != 0 || !PullCommand.runningAsRoot()) {
                return status; // an image's pull needs root: without it, there is nothing to train
            }
            // --quiet, as scripts pull: its Progress.NONE is then in the archive too (the mirror's
            // pull above trains the progress lines), not read from the jar, ~5 ms.
            return new Main(System.out, System.err).run(new String[] {"pull", "--quiet", "--layer-store",
                    dir.resolve("layers").toString(), "docker://" + LOOPBACK + ":" + server.getAddress().getPort()
                    + "/" + TRAINING_IMAGE, dir.resolve("from-registry").toString()});
        } finally {
            server.stop(0);
            pool.shutdownNow();
        }
    }

    /**
     * A registry's answers for an image of one layer, the tarball: its OCI manifest (by tag) and
     * its config and layer (by digest), by the paths {@code pull docker://} asks for.
     */
    static Map<String, byte[]> registry(byte[] tarball, String arch) throws IOException {
        String diffId;
        try (InputStream tar = new GZIPInputStream(new ByteArrayInputStream(tarball))) {
            diffId = sha256(tar.readAllBytes());
        }
        byte[] config = ("{\"architecture\":\"" + arch + "\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"sh\"]},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + diffId + "\"]}}")
                .getBytes(StandardCharsets.UTF_8);
        String configDigest = sha256(config);
        String layerDigest = sha256(tarball);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + RegistryClient.OCI_MANIFEST + "\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\""
                + configDigest + "\",\"size\":" + config.length + "},\"layers\":[{\"mediaType\":"
                + "\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" + layerDigest + "\",\"size\":"
                + tarball.length + "}]}").getBytes(StandardCharsets.UTF_8);
        String base = "/v2/" + TRAINING_IMAGE.replace(":latest", "");
        return Map.of(base + "/manifests/latest", manifest, base + "/blobs/" + configDigest, config,
                base + "/blobs/" + layerDigest, tarball);
    }

    private static String sha256(byte[] bytes) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** latest-releases.yaml as Alpine's mirrors write it, with the one entry pull reads. */
    static String index(String file, byte[] tarball) {
        Fingerprint.Builder builder = new Fingerprint.Builder();
        builder.update(tarball, 0, tarball.length);
        Fingerprint fingerprint = builder.get();
        return "---\n-\n"
                + "  flavor: " + ReleaseIndex.MINIROOTFS + "\n"
                + "  version: " + VERSION + "\n"
                + "  file: " + file + "\n"
                + "  size: " + fingerprint.size() + "\n"
                + "  sha256: " + fingerprint.sha256() + "\n"
                + "  sha512: " + fingerprint.sha512() + "\n";
    }

    private static void send(HttpExchange exchange, byte[] body) throws IOException {
        try {
            if (body == null) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        } finally {
            exchange.close();
        }
    }
}
