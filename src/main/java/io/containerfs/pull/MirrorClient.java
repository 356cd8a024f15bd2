package io.containerfs.pull;

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
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Timer;
import java.util.TimerTask;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Talks to an Alpine mirror the way Alpine's own tooling does: {@code
 * MIRROR/BRANCH/releases/ARCH/latest-releases.yaml} names the newest files, which live beside it.
 */
public final class MirrorClient implements AutoCloseable {
    public static final String DEFAULT_MIRROR = "https://dl-cdn.alpinelinux.org/alpine";
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(15);
    public static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    /** The real index is about 10 KiB; anything far bigger is not an index. */
    static final int MAX_INDEX_BYTES = 1 << 20;

    private final URI mirror;
    private final HttpClient http;
    private final Duration readTimeout;

    public MirrorClient(URI mirror, Duration connectTimeout, Duration readTimeout) {
        String base = mirror.toString();
        this.mirror = URI.create(base.endsWith("/") ? base : base + "/");
        this.http = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(connectTimeout)
                .build();
        this.readTimeout = readTimeout;
    }

    /**
     * Stops the client's selector thread. The JVM's exit waits for every thread that is in native
     * code, as that thread is in {@code epoll_wait}, up to 30 times 10 ms (HotSpot's
     * {@code VM_Exit::wait_for_threads_in_native_to_block}): without this, every pull from a
     * mirror ended 300 ms after its work. From JDK 21 the client closes; JDK 17's cannot, and its
     * selector thread ends when interrupted, which its loop checks, closing what it holds.
     */
    @Override
    public void close() {
        if (http instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                // Nothing is in flight by now: every response body is read or closed.
            }
            return;
        }
        interruptSelectorThreads();
    }

    /** JDK 17 names its thread "HttpClient-N-SelectorManager" and starts it in the caller's group. */
    private static void interruptSelectorThreads() {
        ThreadGroup group = Thread.currentThread().getThreadGroup();
        Thread[] threads = new Thread[group.activeCount() + 8];
        int n = group.enumerate(threads);
        for (int i = 0; i < n; i++) {
            String name = threads[i].getName();
            if (name.startsWith("HttpClient-") && name.endsWith("-SelectorManager")) {
                threads[i].interrupt();
            }
        }
    }

    public URI indexUri(String branch, String arch) {
        return mirror.resolve(branch + "/releases/" + arch + "/latest-releases.yaml");
    }

    public URI fileUri(Release release) {
        return mirror.resolve(release.branch() + "/releases/" + release.arch() + "/" + release.file());
    }

    /** The text of the branch's release index. */
    public String fetchIndex(String branch, String arch) throws PullException {
        URI uri = indexUri(branch, arch);
        HttpResponse<InputStream> response = send(uri);
        if (response.statusCode() == 404) {
            close(response);
            throw new PullException("the mirror has no Alpine branch '" + branch + "' for arch '" + arch + "' ("
                    + uri + " answered 404); check both, e.g. alpine:v3.20 or alpine:edge, and --arch");
        }
        requireOk(response, uri);
        try (InputStream body = response.body()) {
            byte[] bytes = body.readNBytes(MAX_INDEX_BYTES + 1);
            if (bytes.length > MAX_INDEX_BYTES) {
                throw new PullException(uri + " is larger than " + MAX_INDEX_BYTES + " bytes, so it is no release"
                        + " index; use another --mirror, or --file TARBALL");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new PullException("reading " + uri + " failed: " + describe(e) + "; try again", e);
        }
    }

    /**
     * Streams the release's file into {@code part}, checking its size and digests on the way;
     * throws, leaving {@code part} to the caller to delete, unless every byte is right.
     */
    public void download(Release release, Path part, Progress progress) throws PullException {
        URI uri = fileUri(release);
        HttpResponse<InputStream> response = send(uri);
        if (response.statusCode() == 404) {
            close(response);
            throw new PullException("the mirror lists " + release.file() + " but " + uri + " answered 404;"
                    + " the mirror may be mid-update: try again later, or use another --mirror");
        }
        requireOk(response, uri);
        Fingerprint.Builder fingerprint = new Fingerprint.Builder();
        AtomicBoolean stalled = new AtomicBoolean();
        try (InputStream body = response.body();
                OutputStream out = Files.newOutputStream(part, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING);
                Progress.Task task = progress.start("downloading " + release.file(), release.size());
                Watchdog watchdog = new Watchdog(readTimeout, body, stalled)) {
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = body.read(buffer)) != -1) {
                watchdog.touch();
                Interruption.check();
                if (fingerprint.size() + n > release.size()) {
                    throw new PullException(uri + " sent more than the " + release.size() + " bytes"
                            + " latest-releases.yaml lists; the mirror is broken: use another --mirror");
                }
                fingerprint.update(buffer, 0, n);
                out.write(buffer, 0, n);
                task.advanceTo(fingerprint.size());
            }
            if (stalled.get()) {
                throw new IOException("stalled");
            }
        } catch (IOException e) {
            String why = stalled.get() ? "the mirror sent nothing for " + readTimeout.toSeconds() + " s" : describe(e);
            throw new PullException("the download of " + uri + " broke off after " + fingerprint.size() + " of "
                    + release.size() + " bytes (" + why + "); try again, or use another --mirror", e);
        }
        release.verify(fingerprint.get(), uri.toString());
    }

    private HttpResponse<InputStream> send(URI uri) throws PullException {
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(readTimeout)
                .header("User-Agent", "container-fs")
                .GET()
                .build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new MirrorUnreachableException("cannot reach the mirror " + mirror + " (" + describe(e)
                    + "); check the network, or use --mirror URL, or --file TARBALL", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PullException("interrupted while asking " + uri, e);
        }
    }

    private static void requireOk(HttpResponse<InputStream> response, URI uri) throws PullException {
        if (response.statusCode() != 200) {
            close(response);
            throw new PullException(uri + " answered HTTP " + response.statusCode()
                    + "; try again later, or use another --mirror, or --file TARBALL");
        }
    }

    private static void close(HttpResponse<InputStream> response) {
        try {
            response.body().close();
        } catch (IOException e) {
            // Only the connection is lost; the status already says what went wrong.
        }
    }

    /** java.net.http often throws with no message (a bare ConnectException): name the cause then. */
    static String describe(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return t.getMessage();
            }
        }
        return e instanceof java.net.ConnectException ? "could not connect" : e.getClass().getSimpleName();
    }

    /**
     * The read timeout java.net.http lacks once the headers are in: closing the body from a
     * timer thread ends a read that has waited longer than {@code timeout} for the next byte.
     */
    private static final class Watchdog implements AutoCloseable {
        private final Timer timer = new Timer("container-fs download watchdog", true);
        private final AtomicLong lastRead = new AtomicLong(System.nanoTime());

        Watchdog(Duration timeout, InputStream body, AtomicBoolean stalled) {
            long period = Math.max(100, timeout.toMillis() / 10);
            timer.schedule(new TimerTask() {
                @Override
                public void run() {
                    if (System.nanoTime() - lastRead.get() > timeout.toNanos()) {
                        stalled.set(true);
                        try {
                            body.close();
                        } catch (IOException e) {
                            // The reader sees the stream end either way.
                        }
                        cancel();
                    }
                }
            }, period, period);
        }

        void touch() {
            lastRead.set(System.nanoTime());
        }

        @Override
        public void close() {
            timer.cancel();
        }
    }
}
