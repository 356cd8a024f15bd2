package io.containerfs.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Commands;
import io.containerfs.testing.ContainerDirs;
import io.containerfs.testing.ContainerFs;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.OciLayouts;
import io.containerfs.testing.Privileged;
import io.containerfs.testing.PrivilegedCondition;
import io.containerfs.testing.UnprivilegedUser;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 25, item 3: a layer download that is cut goes on where it stopped. pull reaches the real
 * registry ({@link LocalRegistry}, whose filesystem driver answers Range with 206 through Go's
 * http.ServeContent) through this test's own proxy, which forwards each request as it came (Range
 * too, unless told to drop it) and can cut the big layer's answer after some bytes (a reset
 * connection), stall it there, or flip a byte of what it sends after the first cut.
 */
@Privileged
class RegistryResumeIT {
    private static final int MIB = 1 << 20;

    private static Path work;
    private static LocalRegistry registry;
    private static Proxy proxy;
    /** The image's biggest layer blob (the Alpine tree's), the one the proxy cuts. */
    private static String bigLayer;
    private static long bigSize;

    @RegisterExtension
    final ContainerDirs run = ContainerDirs.withoutLayers();

    @BeforeAll
    static void startRegistryAndProxy() throws IOException, InterruptedException {
        if (!PrivilegedCondition.isRoot()) {
            return; // each test is then skipped (or failed under CI) by @Privileged
        }
        PrivilegedCondition.requireInCi(Fixtures.onPath("podman") && Fixtures.onPath("skopeo")
                && Fixtures.onPath("docker-registry"), "podman, skopeo and docker-registry (Debian packages)");
        work = Files.createTempDirectory(Path.of("/tmp"), "cfs-resume-");
        registry = LocalRegistry.start(work);
        TestImages images = TestImages.build(work);
        TestImages.check(Commands.run("skopeo", "copy", "--dest-tls-verify=false", "--format", "oci",
                images.storage("localhost/test:1"), "docker://" + registry.host() + "/test:1"));
        proxy = new Proxy(registry.host());
        HttpURLConnection manifest = (HttpURLConnection) URI.create("http://" + registry.host()
                + "/v2/test/manifests/1").toURL().openConnection();
        manifest.setRequestProperty("Accept", RegistryClient.OCI_MANIFEST);
        String json;
        try (InputStream in = manifest.getInputStream()) {
            json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Matcher layer = Pattern.compile("\"digest\":\\s*\"(sha256:[0-9a-f]{64})\",\\s*\"size\":\\s*(\\d+)").matcher(json);
        while (layer.find()) {
            if (Long.parseLong(layer.group(2)) > bigSize) {
                bigLayer = layer.group(1);
                bigSize = Long.parseLong(layer.group(2));
            }
        }
        assertTrue(bigSize > 2 * MIB, "the Alpine layer is a few MiB: " + json);
    }

    @AfterAll
    static void stopAll() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (registry != null) {
            registry.close();
        }
        if (work != null) {
            TestImages.check(Commands.run("rm", "-rf", "--one-file-system", work.toString()));
        }
    }

    @AfterEach
    void plainProxy() {
        proxy.reset();
    }

    @Test
    void aCutDownloadGoesOnWithARangeRequestAndTheImageRuns() throws IOException {
        proxy.cutAfter = List.of((long) MIB);
        Commands.Result r = pull(image());
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(List.of(new Request("-", 200, MIB), new Request("bytes=" + MIB + "-", 206, bigSize - MIB)),
                proxy.requests(), "the registry sent the rest only, once");
        assertTheImageRunsAndNothingIsPartial();
    }

    @Test
    void aServerThatIgnoresRangeStillEndsWithACorrectPull() throws IOException {
        proxy.cutAfter = List.of((long) MIB);
        proxy.dropRange = true;
        Commands.Result r = pull(image());
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(List.of(new Request("-", 200, MIB), new Request("bytes=" + MIB + "-", 200, bigSize)),
                proxy.requests(), "asked for the rest, sent the whole blob");
        assertTheImageRunsAndNothingIsPartial();
    }

    @Test
    void aRangeAnsweredWith416IsAskedForAnewWhole() throws IOException {
        proxy.cutAfter = List.of((long) MIB);
        proxy.refuseRange = true;
        Commands.Result r = pull(image());
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(List.of(new Request("-", 200, MIB), new Request("bytes=" + MIB + "-", 416, 0),
                new Request("-", 200, bigSize)), proxy.requests());
        assertTheImageRunsAndNothingIsPartial();
    }

    @Test
    void aDownloadResetOnEveryTryStopsWithOneLineAndTheNextPullContinuesIt() throws IOException {
        proxy.cutAfter = List.of(256L << 10, 256L << 10, 256L << 10, 256L << 10);
        proxy.resetOnCut = true;
        Path dir = image();
        Commands.Result stopped = pull(dir);
        assertEquals(125, stopped.exitCode(), stopped.toString());
        List<String> errors = errors(stopped);
        assertEquals(1, errors.size(), stopped.stderr());
        assertTrue(errors.get(0).matches("container-fs: the download of the layer " + bigLayer
                + " stopped at \\d\\.\\d of \\d\\.\\d MiB after 3 retries \\(Connection reset\\); run the same pull"
                + " again to continue where it stopped"), errors.get(0));
        assertEquals(4, proxy.requests().size(), "the first try and 3 more: " + proxy.requests());
        assertFalse(Files.exists(dir), "nothing in DIR");
        long kept = Files.size(partial());
        assertTrue(kept > 0 && kept <= MIB, "what came is kept, in the store's own area: " + kept);
        assertEquals(List.of(), halfUnpacked());

        proxy.reset();
        Commands.Result next = pull(dir);
        assertEquals(0, next.exitCode(), next.toString());
        assertEquals(List.of(new Request("bytes=" + kept + "-", 206, bigSize - kept)), proxy.requests());
        assertTrue(next.stderr().contains(String.format(java.util.Locale.ROOT, "resuming at %.1f MiB",
                kept / (double) MIB)), next.stderr());
        assertTheImageRunsAndNothingIsPartial();
    }

    @Test
    void aPullKilledWithSigkillMidDownloadGoesOnFromWhatItKept() throws Exception {
        long kept = killedMidDownload(false);
        assertEquals(MIB, kept, "SIGKILL runs nothing: the file holds what came");

        Commands.Result next = pull(image());
        assertEquals(0, next.exitCode(), next.toString());
        assertEquals(List.of(new Request("bytes=" + MIB + "-", 206, bigSize - MIB)), proxy.requests());
        assertTheImageRunsAndNothingIsPartial();
    }

    @Test
    void aPullStoppedWithSigtermKeepsItsDownloadAndRemovesItsHalfLayer() throws Exception {
        assertEquals(MIB, killedMidDownload(true));
        assertEquals(List.of(), halfUnpacked(), "the shutdown hook removed the half-unpacked layer");

        Commands.Result next = pull(image());
        assertEquals(0, next.exitCode(), next.toString());
        assertEquals(List.of(new Request("bytes=" + MIB + "-", 206, bigSize - MIB)), proxy.requests());
    }

    /** An ordinary user's download is kept in its own store, private, and goes on from there. */
    @Test
    void anOrdinaryUsersStoppedDownloadIsKeptInItsOwnStoreAndGoesOn(@TempDir Path home) throws IOException {
        try (UnprivilegedUser user = UnprivilegedUser.create("cfsrs", home)) {
            Path dir = user.dir("pulled").resolve("image");
            List<String> pull = List.of("pull", "docker://" + proxy.host() + "/test:1", dir.toString());
            proxy.cutAfter = List.of(256L << 10, 256L << 10, 256L << 10, 256L << 10);
            Commands.Result stopped = user.runJar(Map.of(), pull);
            assertEquals(125, stopped.exitCode(), stopped::toString);
            assertTrue(stopped.stderr().contains("run the same pull again to continue where it stopped"),
                    stopped.stderr());
            Path partials = Path.of("/home", user.name(), ".local/share/container-fs/layers/partial");
            Path partial = partials.resolve(Descriptor.hex(bigLayer));
            assertEquals(MIB, Files.size(partial));
            assertEquals(user.uid() + " 700\n" + user.uid() + " 600\n", Commands.run("stat", "-c", "%u %a",
                    partials.toString(), partial.toString()).stdout(), "the user's own, for the user only");

            proxy.reset();
            Commands.Result next = user.runJar(Map.of(), pull);
            assertEquals(0, next.exitCode(), next::toString);
            assertEquals(List.of(new Request("bytes=" + MIB + "-", 206, bigSize - MIB)), proxy.requests());
            assertFalse(Files.exists(partial));
        }
    }

    /**
     * Two pulls of the same image at once: the first holds the big layer's partial file (its
     * download stalls), the second downloads the layer keeping nothing and finishes; the first,
     * let go, goes on from its own file and finds the layer stored.
     */
    @Test
    void aSecondPullAtOnceLeavesTheFirstsPartialFileAlone() throws Exception {
        proxy.stallAfter = MIB;
        Process first = new ProcessBuilder(pullCommand(image())).redirectErrorStream(true)
                .redirectOutput(run.dir().resolve("first.log").toFile()).start();
        try {
            awaitPartial(first);
            Commands.Result second = pull(run.dir().resolve("second"));
            assertEquals(0, second.exitCode(), second.toString());
            assertEquals(MIB, Files.size(partial()), "the second pull did not write the first's file");
            assertEquals(List.of(new Request("-", 200, MIB), new Request("-", 200, bigSize)), proxy.requests());
            proxy.reset(); // the stalled answer is reset: the first pull resumes
            assertTrue(first.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, first.exitValue(), Files.readString(run.dir().resolve("first.log")));
        } finally {
            first.destroyForcibly();
        }
        assertEquals(1, proxy.requests().size(), "the first asked for the rest once: " + proxy.requests());
        assertTrue(proxy.requests().get(0).range().startsWith("bytes="), proxy.requests().toString());
        assertEquals(Files.readString(run.dir().resolve("second").resolve("layers")),
                Files.readString(image().resolve("layers")), "the same layers, stored once");
        assertTheImageRunsAndNothingIsPartial();
    }

    @Test
    void aTamperedResumedTailIsRefusedAfterOneDownloadAnewAndLeavesNothing() throws IOException {
        proxy.cutAfter = List.of((long) MIB);
        proxy.tamperAfterCut = true;
        Path dir = image();
        Commands.Result r = pull(dir);
        assertEquals(125, r.exitCode(), r.toString());
        List<String> errors = errors(r);
        assertEquals(1, errors.size(), r.stderr());
        assertTrue(errors.get(0).contains("refusing the image, it was changed or damaged"), r.stderr());
        assertEquals(List.of(new Request("-", 200, MIB), new Request("bytes=" + MIB + "-", 206, bigSize - MIB),
                new Request("-", 200, bigSize)), proxy.requests(), "resumed, then once anew from byte 0");
        assertFalse(Files.exists(dir), "nothing in DIR");
        assertFalse(Files.exists(partial()), "a blob known wrong is not kept");
        assertEquals(List.of(), halfUnpacked());
    }

    /**
     * A pull whose big layer stalls after 1 MiB, killed (SIGKILL, or SIGTERM as Ctrl-C would)
     * once that MiB is in its partial file; the proxy then serves plainly.
     *
     * @return the partial file's size after the kill
     */
    private long killedMidDownload(boolean sigterm) throws Exception {
        proxy.stallAfter = MIB;
        Process pull = new ProcessBuilder(pullCommand(image())).redirectError(ProcessBuilder.Redirect.DISCARD)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            awaitPartial(pull);
            if (sigterm) {
                pull.destroy();
            } else {
                pull.destroyForcibly();
            }
            assertTrue(pull.waitFor(30, TimeUnit.SECONDS));
            assertEquals(sigterm ? 128 + 15 : 128 + 9, pull.exitValue());
        } finally {
            pull.destroyForcibly();
            proxy.reset();
        }
        assertFalse(Files.exists(image()), "nothing in DIR");
        return Files.size(partial());
    }

    /** Until the stalled MiB is in the partial file. */
    private void awaitPartial(Process pull) throws Exception {
        for (int i = 0; i < 600 && !(Files.exists(partial()) && Files.size(partial()) >= MIB); i++) {
            Thread.sleep(50);
        }
        assertEquals(MIB, Files.size(partial()));
        assertTrue(pull.isAlive(), "pull was still downloading");
    }

    /**
     * A layer refused for what it holds (an entry that climbs out of the layer, first in a tar of
     * several MiB) stops its download early, yet keeps nothing: the next pull would only be refused
     * again. Through the registry directly, with no proxy cutting anything.
     */
    @Test
    void aLayerRefusedForItsContentKeepsNoPartialFile() throws IOException {
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(tar)) {
            byte[] filler = new byte[4 * MIB];
            new Random(25).nextBytes(filler); // does not compress: skopeo gzips the layer as it pushes
            for (String name : List.of("../escape", "filler")) {
                TarArchiveEntry entry = new TarArchiveEntry(name, true);
                entry.setSize(name.equals("filler") ? filler.length : 1);
                out.putArchiveEntry(entry);
                out.write(name.equals("filler") ? filler : new byte[] {'x'});
                out.closeArchiveEntry();
            }
        }
        byte[] layer = tar.toByteArray();
        Path layout = OciLayouts.oneLayer(run.dir().resolve("evil-layout"), layer, "",
                OciLayouts.sha256(layer));
        TestImages.check(Commands.run("skopeo", "copy", "--dest-tls-verify=false", "oci:" + layout,
                "docker://" + registry.host() + "/evil:1"));
        List<String> command = new ArrayList<>(List.of("env", RegistryCredentials.AUTH_FILE_ENV + "="
                + run.dir().resolve("no-auth.json")));
        command.addAll(ContainerFs.FrontEnd.JAR.command());
        command.addAll(List.of("pull", "--layer-store", store().toString(), "docker://" + registry.host()
                + "/evil:1", image().toString()));
        Commands.Result r = Commands.run(null, null, command, Map.of());
        assertEquals(125, r.exitCode(), r.toString());
        assertTrue(errors(r).get(0).contains("../escape"), r.stderr()); 
        assertFalse(Files.exists(image()), "nothing in DIR");
        try (Stream<Path> partials = Files.list(store().resolve("partial"))) {
            assertEquals(List.of(), partials.toList(), "nothing partial is kept of a layer refused for its content");
        }
        assertEquals(List.of(), halfUnpacked());
    }

    private Path store() {
        return run.dir().resolve("store");
    }

    private Path image() {
        return run.dir().resolve("image");
    }

    private Path partial() {
        return store().resolve("partial").resolve(Descriptor.hex(bigLayer));
    }

    private Commands.Result pull(Path dir) {
        return Commands.run(null, null, pullCommand(dir), Map.of());
    }

    /** pull of the image through the proxy, with an auth file of the test's own (none), so that root's ~/.docker plays no part. */
    private List<String> pullCommand(Path dir) {
        List<String> command = new ArrayList<>(List.of("env", RegistryCredentials.AUTH_FILE_ENV + "="
                + run.dir().resolve("no-auth.json")));
        command.addAll(ContainerFs.FrontEnd.JAR.command());
        command.addAll(List.of("pull", "--layer-store", store().toString(), "docker://" + proxy.host() + "/test:1",
                dir.toString()));
        return command;
    }

    /** stderr but the unpacking lines. */
    private static List<String> errors(Commands.Result r) {
        return r.stderr().lines().filter(l -> !l.contains("unpacking")).toList();
    }

    /** Hidden siblings in the store: a layer being unpacked, or left half unpacked. */
    private List<Path> halfUnpacked() throws IOException {
        try (Stream<Path> layers = Files.list(store().resolve("sha256"))) {
            return layers.filter(p -> p.getFileName().toString().startsWith(".")).toList();
        }
    }

    private void assertTheImageRunsAndNothingIsPartial() throws IOException {
        Commands.Result inside = ContainerFs.FrontEnd.JAR.runIn(run.tmpdir(), null, "--network", "none", "--image",
                image().toString(), "--entrypoint", "/bin/sh", run.writedir().toString(), "--", "-c",
                "cat /added.txt; ls /data/old");
        assertEquals("added\nb\n", inside.stdout(), inside.toString());
        try (Stream<Path> partials = Files.list(store().resolve("partial"))) {
            assertEquals(List.of(), partials.toList(), "nothing partial is left");
        }
        assertEquals(List.of(), halfUnpacked());
    }

    /** A request for the big layer as the proxy saw it: pull's Range ("-": none), the registry's status, the bytes sent. */
    record Request(String range, int status, long sent) {}

    /**
     * An HTTP/1.1 proxy of one request per connection, in front of the registry: blobs and
     * manifests as the registry answers them; the big layer's answers cut, stalled or tampered as
     * the test says.
     */
    static final class Proxy implements AutoCloseable {
        private final String target;
        private final ServerSocket server;
        private final Thread acceptor;
        private final List<Request> requests = new ArrayList<>();
        /** The big layer's first answers are cut after these many bytes each. */
        volatile List<Long> cutAfter = List.of();
        /** Cut with a reset (a connection reset by peer), not an early end of the body. */
        volatile boolean resetOnCut;
        /** The big layer's first answer stalls after this many bytes until {@link #reset}; 0: it does not. */
        volatile long stallAfter;
        volatile boolean dropRange;
        /** Every Range request for the big layer is answered 416 (Range Not Satisfiable). */
        volatile boolean refuseRange;
        /** Every answer after the first cut has its last byte flipped. */
        volatile boolean tamperAfterCut;
        private volatile CountDownLatch stall = new CountDownLatch(1);

        Proxy(String target) throws IOException {
            this.target = target;
            server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
            acceptor = new Thread(this::acceptAll, "resume-proxy");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        String host() {
            return "127.0.0.1:" + server.getLocalPort();
        }

        List<Request> requests() {
            synchronized (requests) {
                return List.copyOf(requests);
            }
        }

        /** Serves plainly again, releases a stalled answer, forgets the requests. */
        void reset() {
            cutAfter = List.of();
            resetOnCut = false;
            stallAfter = 0;
            dropRange = false;
            refuseRange = false;
            tamperAfterCut = false;
            stall.countDown();
            stall = new CountDownLatch(1);
            synchronized (requests) {
                requests.clear();
            }
        }

        private void acceptAll() {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    Thread handler = new Thread(() -> serve(socket), "resume-proxy-request");
                    handler.setDaemon(true);
                    handler.start();
                } catch (IOException e) {
                    return; // closed
                }
            }
        }

        private void serve(Socket socket) {
            try (socket) {
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                        StandardCharsets.ISO_8859_1));
                String path = in.readLine().split(" ")[1];
                Map<String, String> headers = new HashMap<>();
                for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                    String[] nameValue = line.split(":", 2);
                    headers.put(nameValue[0].trim().toLowerCase(), nameValue[1].trim());
                }
                boolean big = path.endsWith("/blobs/" + bigLayer);
                String range = headers.get("range");
                if (big && range != null && refuseRange) {
                    synchronized (requests) {
                        requests.add(new Request(range, 416, 0));
                    }
                    socket.getOutputStream().write(("HTTP/1.1 416 Range Not Satisfiable\r\nContent-Length: 0\r\n"
                            + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    return;
                }
                HttpURLConnection forwarded = (HttpURLConnection) URI.create("http://" + target + path).toURL()
                        .openConnection();
                if (headers.containsKey("accept")) {
                    forwarded.setRequestProperty("Accept", headers.get("accept"));
                }
                if (range != null && !(big && dropRange)) {
                    forwarded.setRequestProperty("Range", range);
                }
                int status = forwarded.getResponseCode();
                byte[] body;
                try (InputStream from = status >= 400 ? forwarded.getErrorStream() : forwarded.getInputStream()) {
                    body = from == null ? new byte[0] : from.readAllBytes();
                }
                StringBuilder head = new StringBuilder("HTTP/1.1 " + status + " X\r\n");
                for (String name : List.of("Content-Type", "Docker-Content-Digest", "Content-Range")) {
                    String value = forwarded.getHeaderField(name);
                    if (value != null) {
                        head.append(name).append(": ").append(value).append("\r\n");
                    }
                }
                head.append("Content-Length: ").append(body.length).append("\r\nConnection: close\r\n\r\n");
                OutputStream out = socket.getOutputStream();
                out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
                if (!big) {
                    out.write(body);
                    return;
                }
                int turn;
                synchronized (requests) {
                    turn = requests.size();
                    requests.add(new Request(range != null ? range : "-", status, 0));
                }
                long cut = turn < cutAfter.size() ? cutAfter.get(turn) : body.length;
                long stallAt = turn == 0 && stallAfter > 0 ? stallAfter : body.length;
                if (tamperAfterCut && turn > 0) {
                    body[body.length - 1] ^= 1;
                }
                int sent = (int) Math.min(body.length, Math.min(cut, stallAt));
                out.write(body, 0, sent);
                out.flush();
                synchronized (requests) {
                    requests.set(turn, new Request(requests.get(turn).range(), status, sent));
                }
                if (sent < body.length && sent == stallAt) {
                    stall.await(60, TimeUnit.SECONDS);
                    socket.setSoLinger(true, 0);
                    return;
                }
                if (sent < body.length && resetOnCut) {
                    // close(2) then sends a reset, and the client's kernel drops what pull had not read yet
                    socket.setSoLinger(true, 0);
                    return;
                }
                if (sent < body.length) {
                    socket.shutdownOutput(); // the body ends early: pull has all that was sent
                    return;
                }
                out.write(body, sent, body.length - sent);
            } catch (IOException e) {
                // the client went away
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() throws IOException {
            stall.countDown();
            server.close();
        }
    }
}
