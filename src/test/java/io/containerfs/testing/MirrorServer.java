package io.containerfs.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.commons.io.file.PathUtils;

/**
 * An Alpine mirror on 127.0.0.1 (a free port): a copy of {@link Fixtures#mirror()} served as the
 * real CDN lays it out, with {@code latest-stable} an alias of {@code v3.20}. A test can make
 * any path answer differently ({@link #respond}) to play a broken mirror.
 */
public final class MirrorServer implements AutoCloseable {
    public static final String BRANCH_DIR = AlpineMirror.BRANCH_DIR;
    public static final String INDEX = BRANCH_DIR + "latest-releases.yaml";
    public static final String TARBALL = BRANCH_DIR + Fixtures.TARBALL;

    /** What to send for one request. */
    public interface Response {
        void send(HttpExchange exchange) throws IOException;
    }

    private final Path root;
    private final HttpServer server;
    private final Map<String, Response> overrides = new ConcurrentHashMap<>();
    private final List<String> requested = new CopyOnWriteArrayList<>();

    private MirrorServer(Path root, InetAddress address) throws IOException {
        this.root = root;
        server = HttpServer.create(new InetSocketAddress(address, 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Serves a fresh copy of the mirror made under {@code workDir}. */
    public static MirrorServer start(Path workDir) {
        Path mirror = Fixtures.mirror();
        try {
            Path copy = workDir.resolve("mirror");
            PathUtils.copyDirectory(mirror, copy);
            return new MirrorServer(copy, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Serves {@code root} as it is, e.g. an empty directory whose paths a test answers with {@link #respond}. */
    public static MirrorServer serve(Path root) {
        return serve(root, InetAddress.getLoopbackAddress());
    }

    /** Serves {@code root} on {@code address}: one a container on its own network reaches, not the loopback. */
    public static MirrorServer serve(Path root, InetAddress address) {
        try {
            return new MirrorServer(root, address);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public URI url() {
        return URI.create("http://" + server.getAddress().getAddress().getHostAddress() + ":"
                + server.getAddress().getPort());
    }

    /** The text the served copy has at {@code path}, e.g. to serve an altered index. */
    public String read(String path) {
        try {
            return Files.readString(root.resolve(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Answers {@code path} (relative to the mirror, as v3.20/releases/...) with {@code response}. */
    public void respond(String path, Response response) {
        overrides.put("/" + path, response);
    }

    /** How many requests asked for {@code path} (after the latest-stable alias). */
    public long requests(String path) {
        return requested.stream().filter(("/" + path)::equals).count();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    /**
     * For an {@code @AfterEach}: closes the mirror {@link #start} made in {@code workDir}, if the
     * set-up got that far (null when the test was skipped for want of the Alpine tarball), and
     * empties workDir. Pulled trees hold absolute symlinks (/var/run -> /run): they are removed
     * here, without following them, rather than have {@code @TempDir} warn about each one.
     */
    public static void stop(MirrorServer mirror, Path workDir) throws IOException {
        if (mirror != null) {
            mirror.close();
        }
        PathUtils.cleanDirectory(workDir);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath().replaceFirst("^/latest-stable/", "/v3.20/");
            requested.add(path);
            Response override = overrides.get(path);
            if (override != null) {
                override.send(exchange);
                return;
            }
            Path file = root.resolve(path.substring(1)).normalize();
            if (!file.startsWith(root) || !Files.isRegularFile(file)) {
                status(404).send(exchange);
                return;
            }
            body(Files.readAllBytes(file)).send(exchange);
        }
    }

    public static Response status(int code) {
        return exchange -> {
            byte[] text = ("HTTP " + code + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(code, text.length);
            exchange.getResponseBody().write(text);
        };
    }

    public static Response body(byte[] bytes) {
        return exchange -> {
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
        };
    }

    /** Announces all of {@code bytes} but sends only the first {@code sent}, then drops the connection. */
    public static Response truncated(byte[] bytes, int sent) {
        return exchange -> {
            exchange.sendResponseHeaders(200, bytes.length);
            OutputStream out = exchange.getResponseBody();
            out.write(bytes, 0, sent);
            out.flush();
            closeSocket(exchange);
        };
    }

    /** Sends {@code bytes} chunked, with no length announced, as a mirror gone wrong might. */
    public static Response chunked(byte[] bytes) {
        return exchange -> {
            exchange.sendResponseHeaders(200, 0);
            exchange.getResponseBody().write(bytes);
        };
    }

    public static Response redirect(String location) {
        return exchange -> {
            exchange.getResponseHeaders().add("Location", location);
            exchange.sendResponseHeaders(302, -1);
        };
    }

    private static void closeSocket(HttpExchange exchange) throws IOException {
        // HttpExchange has no way to abort; closing the streams of a fixed-length response early
        // makes the server close the connection, which the client sees as a cut-off body.
        exchange.getRequestBody().close();
        exchange.getResponseBody().close();
    }
}
