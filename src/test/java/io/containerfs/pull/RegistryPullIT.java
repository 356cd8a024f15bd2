package io.containerfs.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.containerfs.testing.Commands;
import io.containerfs.testing.ContainerDirs;
import io.containerfs.testing.ContainerFs;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.Privileged;
import io.containerfs.testing.PrivilegedCondition;
import io.containerfs.testing.UnprivilegedUser;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pulls from a real registry, the {@code docker-registry} Debian package (distribution 2.8),
 * listening on 127.0.0.1 with its storage in this class's temporary directory. podman builds the
 * images ({@link TestImages}) and skopeo and podman push them: as OCI, as Docker v2 schema 2,
 * and a manifest list of an amd64 and an arm64 image. In front of the registry, this test's own
 * server plays what Docker Hub adds to it: a Bearer challenge and a token service (anonymous
 * tokens; a user's token, with the password of an auth file or for its identity token at the
 * service's OAuth2 form, for {@code private/}), and blobs
 * redirected to another host (the "blob storage", {@code localhost} instead of 127.0.0.1), which
 * records what it is asked and can flip a byte of one blob.
 */
@Privileged
class RegistryPullIT {
    private static final String USER = "alice:secret";
    private static final String USER_TOKEN = "token-of-alice";
    private static final String ANONYMOUS_TOKEN = "anonymous-token";
    /** The identity token (an OAuth2 refresh token) docker login would have kept for alice. */
    private static final String IDENTITY_TOKEN = "refresh-of-alice";

    private static Path work;
    private static LocalRegistry registry;
    private static String registryHost;
    private static HttpServer front;
    private static HttpServer storage;
    private static String frontHost;
    private static final HttpClient http = HttpClient.newHttpClient();

    /** What the front and the storage were asked, for the assertions. */
    private static final List<String> tokenRequests = new ArrayList<>();
    private static final List<String> blobRequests = new ArrayList<>();
    private static final List<String> authorizationsAtStorage = new ArrayList<>();
    /** A blob whose middle byte the storage flips, or null. */
    private static volatile String tampered;

    @RegisterExtension
    final ContainerDirs run = ContainerDirs.withoutLayers();

    @BeforeAll
    static void startRegistryAndPushImages() throws IOException, InterruptedException {
        if (!PrivilegedCondition.isRoot()) {
            return; // each test is then skipped (or failed under CI) by @Privileged
        }
        PrivilegedCondition.requireInCi(Fixtures.onPath("podman") && Fixtures.onPath("skopeo")
                && Fixtures.onPath("docker-registry"), "podman, skopeo and docker-registry (Debian packages)");
        // In /tmp itself: podman refuses a runroot longer than 50 characters.
        work = Files.createTempDirectory(Path.of("/tmp"), "cfs-registry-");
        registry = LocalRegistry.start(work);
        registryHost = registry.host();
        startFrontAndStorage();
        TestImages images = TestImages.build(work);
        Files.writeString(images.context().resolve("arm.txt"), "arm\n");
        Files.writeString(images.context().resolve("Arm"), "FROM scratch\nCOPY arm.txt /arm.txt\n");
        // FROM scratch and COPY only: nothing runs, so no arm64 emulator is needed.
        images.podman("build", "--isolation", "chroot", "--arch", "arm64", "-f",
                images.context().resolve("Arm").toString(), "-t", "localhost/arm:1", images.context().toString());
        push(images, "localhost/test:1", "oci", "test:oci");
        push(images, "localhost/test:1", "v2s2", "test:v2s2");
        push(images, "localhost/second:1", "oci", "second:1");
        push(images, "localhost/test:1", "oci", "private/test:1");
        // zstd layers, by way of an OCI layout: pushed straight, skopeo would reuse the registry's
        // gzip blobs of the same tars; with --preserve-digests it may change nothing.
        Path zstdLayout = work.resolve("zstd-layout");
        TestImages.check(Commands.run("skopeo", "copy", "--dest-compress-format", "zstd",
                images.storage("localhost/test:1"), "oci:" + zstdLayout + ":latest"));
        TestImages.check(Commands.run("skopeo", "copy", "--dest-tls-verify=false", "--preserve-digests",
                "oci:" + zstdLayout + ":latest", "docker://" + registryHost + "/test:zstd"));
        images.podman("manifest", "create", "localhost/list:1");
        images.podman("manifest", "add", "localhost/list:1", "containers-storage:localhost/test:1");
        images.podman("manifest", "add", "localhost/list:1", "containers-storage:localhost/arm:1");
        images.podman("manifest", "push", "--all", "--tls-verify=false", "localhost/list:1",
                "docker://" + registryHost + "/list:1");
    }

    private static void push(TestImages images, String image, String format, String target) {
        TestImages.check(Commands.run("skopeo", "copy", "--dest-tls-verify=false", "--format", format,
                images.storage(image), "docker://" + registryHost + "/" + target));
    }

    @AfterAll
    static void stopAll() throws InterruptedException {
        if (front != null) {
            front.stop(0);
        }
        if (storage != null) {
            storage.stop(0);
        }
        if (registry != null) {
            registry.close();
        }
        if (work != null) {
            TestImages.check(Commands.run("rm", "-rf", "--one-file-system", work.toString()));
        }
    }

    /**
     * The front: {@code /token} hands out tokens (a user's for the auth file's password, else an
     * anonymous one, either answered as "token" or "access_token"); {@code /v2/} wants a token,
     * the user's for {@code private/}, forwards manifests to the registry and redirects blobs to
     * the storage, on another host, which must not see the token.
     */
    private static void startFrontAndStorage() throws IOException {
        front = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 16);
        frontHost = "127.0.0.1:" + front.getAddress().getPort();
        storage = HttpServer.create(new InetSocketAddress(InetAddress.getByName("localhost"), 0), 16);
        String storageBase = "http://localhost:" + storage.getAddress().getPort();
        front.createContext("/token", exchange -> {
            if (exchange.getRequestMethod().equals("POST")) {
                oauthToken(exchange);
                return;
            }
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            boolean user = ("Basic " + base64(USER)).equals(auth);
            synchronized (tokenRequests) {
                tokenRequests.add((user ? "user " : auth == null ? "anonymous " : "wrong ")
                        + exchange.getRequestURI().getRawQuery());
            }
            if (auth != null && !user) {
                answer(exchange, 401, Map.of(), new byte[0]);
                return;
            }
            String body = user ? "{\"token\":\"" + USER_TOKEN + "\"}" : "{\"access_token\":\"" + ANONYMOUS_TOKEN + "\"}";
            answer(exchange, 200, Map.of("Content-Type", "application/json"), body.getBytes(StandardCharsets.UTF_8));
        });
        front.createContext("/v2/", exchange -> {
            String path = exchange.getRequestURI().getRawPath();
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            boolean isPrivate = path.startsWith("/v2/private/");
            if (!("Bearer " + USER_TOKEN).equals(auth) && !(("Bearer " + ANONYMOUS_TOKEN).equals(auth) && !isPrivate)) {
                Matcher name = Pattern.compile("/v2/(.+)/(?:manifests|blobs)/.*").matcher(path);
                answer(exchange, 401, Map.of("WWW-Authenticate", "Bearer realm=\"http://" + frontHost
                        + "/token\",service=\"cfs-test\",scope=\"repository:" + (name.matches() ? name.group(1) : "")
                        + ":pull\""), new byte[0]);
                return;
            }
            if (path.contains("/blobs/")) {
                answer(exchange, 307, Map.of("Location", storageBase + path), new byte[0]);
                return;
            }
            forward(exchange, path, false);
        });
        storage.createContext("/v2/", exchange -> {
            String path = exchange.getRequestURI().getRawPath();
            synchronized (blobRequests) {
                blobRequests.add(path.substring(path.lastIndexOf('/') + 1));
                authorizationsAtStorage.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            }
            forward(exchange, path, path.endsWith("/" + tampered));
        });
        front.start();
        storage.start();
    }

    /**
     * The token service's OAuth2 form (distribution's auth/oauth.md): alice's identity token gets
     * her token; any other grant is invalid (HTTP 400). Recorded without the refresh token.
     */
    private static void oauthToken(HttpExchange exchange) throws IOException {
        Map<String, String> form = new java.util.TreeMap<>();
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        for (String pair : new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.US_ASCII).split("&")) {
            String[] nameAndValue = pair.split("=", 2);
            form.put(URLDecoder.decode(nameAndValue[0], StandardCharsets.UTF_8),
                    nameAndValue.length > 1 ? URLDecoder.decode(nameAndValue[1], StandardCharsets.UTF_8) : "");
        }
        String refreshToken = form.remove("refresh_token");
        synchronized (tokenRequests) {
            tokenRequests.add("oauth " + type + " " + form);
        }
        if (!"refresh_token".equals(form.get("grant_type")) || !IDENTITY_TOKEN.equals(refreshToken)) {
            answer(exchange, 400, Map.of("Content-Type", "application/json"),
                    "{\"error\":\"invalid_grant\"}".getBytes(StandardCharsets.UTF_8));
            return;
        }
        answer(exchange, 200, Map.of("Content-Type", "application/json"),
                ("{\"access_token\":\"" + USER_TOKEN + "\",\"expires_in\":300}").getBytes(StandardCharsets.UTF_8));
    }

    private static void forward(HttpExchange exchange, String path, boolean flipAByte) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + registryHost + path))
                .timeout(Duration.ofSeconds(30));
        String accept = exchange.getRequestHeaders().getFirst("Accept");
        if (accept != null) {
            request.header("Accept", accept);
        }
        try {
            HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            byte[] body = response.body();
            if (flipAByte) {
                body[body.length / 2] ^= 0x01;
            }
            Map<String, String> headers = new java.util.HashMap<>();
            for (String name : List.of("Content-Type", "Docker-Content-Digest")) {
                response.headers().firstValue(name).ifPresent(v -> headers.put(name, v));
            }
            answer(exchange, response.statusCode(), headers, body);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            answer(exchange, 502, Map.of(), new byte[0]);
        }
    }

    private static void answer(HttpExchange exchange, int status, Map<String, String> headers, byte[] body)
            throws IOException {
        headers.forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private Path store() {
        return run.dir().resolve("store");
    }

    /** pull, with an auth file of the test's own (none unless given), so that root's ~/.docker plays no part. */
    private Commands.Result pull(Path authFile, String... args) {
        return pull(authFile, Map.of(), args);
    }

    private Commands.Result pull(Path authFile, Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>(ContainerFs.FrontEnd.JAR.command());
        command.addAll(List.of("pull", "--layer-store", store().toString()));
        command.addAll(List.of(args));
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put(RegistryCredentials.AUTH_FILE_ENV,
                (authFile != null ? authFile : run.dir().resolve("no-auth.json")).toString());
        return Commands.run(null, null, command, all);
    }

    /**
     * A credential helper as docker-credential-helpers' are: {@code get} reads the server on stdin
     * and prints its user and secret, or "credentials not found" with status 1. It keeps the
     * servers it was asked for in {@code asked}. Returns the PATH that finds it.
     */
    private Map<String, String> credentialHelper(String name, String server, String user) throws IOException {
        Path bin = Files.createDirectories(run.dir().resolve("helper-bin"));
        String[] userAndSecret = user.split(":", 2);
        Path helper = Files.writeString(bin.resolve("docker-credential-" + name), "#!/bin/sh\n"
                + "[ \"$1\" = get ] || exit 2\n"
                + "read -r server\n"
                + "echo \"$server\" >>" + run.dir().resolve("asked") + "\n"
                + "if [ \"$server\" = '" + server + "' ]; then\n"
                + "  printf '{\"ServerURL\":\"%s\",\"Username\":\"" + userAndSecret[0] + "\",\"Secret\":\""
                + userAndSecret[1] + "\"}\\n' \"$server\"\n"
                + "else\n"
                + "  echo 'credentials not found in native keychain'; exit 1\n"
                + "fi\n");
        Files.setPosixFilePermissions(helper, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        return Map.of("PATH", bin + ":" + System.getenv("PATH"));
    }

    @Test
    void aPrivateImageTakesItsUserFromTheCredentialHelperDockerLoginLeft() throws IOException {
        String image = "docker://" + frontHost + "/private/test:1";
        Map<String, String> path = credentialHelper("cfstest", frontHost, USER);
        // What docker login leaves with a credential store: an empty auths entry, the secret in the store.
        Path store = Files.writeString(run.dir().resolve("store.json"), "{\"auths\":{\"" + frontHost
                + "\":{}},\"credsStore\":\"cfstest\"}");
        Commands.Result r = pull(store, path, image, run.dir().resolve("image").toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(List.of(frontHost), Files.readAllLines(run.dir().resolve("asked")));
        assertRunsAsTheImageSays(run.dir().resolve("image"));

        // A helper that holds nothing for the registry: an anonymous pull, refused as one.
        Path other = Files.writeString(run.dir().resolve("other.json"), "{\"credHelpers\":{\"" + frontHost
                + "\":\"cfstest\"}}");
        Map<String, String> elsewhere = credentialHelper("cfstest", "registry.example", USER);
        Commands.Result anonymous = pull(other, elsewhere, image, run.dir().resolve("image2").toString());
        assertEquals(125, anonymous.exitCode(), anonymous.toString());
        assertTrue(anonymous.stderr().contains("(HTTP 401)"), anonymous.stderr());

        Path missing = Files.writeString(run.dir().resolve("missing.json"), "{\"credHelpers\":{\"" + frontHost
                + "\":\"cfs-not-installed\"}}");
        Commands.Result refused = pull(missing, image, run.dir().resolve("image2").toString());
        assertEquals(125, refused.exitCode(), refused.toString());
        assertEquals("container-fs: " + missing + " says the credentials of " + frontHost
                + " are kept by docker-credential-cfs-not-installed, which is not on PATH; install it, or remove it"
                + " from " + missing + "\n", refused.stderr());
        assertFalse(Files.exists(run.dir().resolve("image2")));
    }

    /**
     * docker login keeps an identity token instead of the password where the token service hands
     * one out: in the auth file beside the user, or as a helper's secret of the user {@code <token>}.
     * pull trades it at the service's OAuth2 form, never sends it as a password, and refuses a
     * stale one, or a registry that wants a password, in one line.
     */
    @Test
    void aPrivateImagePullsWithTheIdentityTokenDockerLoginLeft() throws IOException {
        String image = "docker://" + frontHost + "/private/test:1";
        Path auth = Files.writeString(run.dir().resolve("auth.json"), "{\"auths\":{\"" + frontHost
                + "\":{\"auth\":\"" + base64("alice:") + "\",\"identitytoken\":\"" + IDENTITY_TOKEN + "\"}}}");
        synchronized (tokenRequests) {
            tokenRequests.clear();
        }
        Commands.Result r = pull(auth, image, run.dir().resolve("image").toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertRunsAsTheImageSays(run.dir().resolve("image"));
        synchronized (tokenRequests) {
            assertEquals(List.of("oauth application/x-www-form-urlencoded {client_id=container-fs,"
                    + " grant_type=refresh_token, scope=repository:private/test:pull, service=cfs-test}"), tokenRequests);
        }

        Map<String, String> path = credentialHelper("cfstest", frontHost, "<token>:" + IDENTITY_TOKEN);
        Path store = Files.writeString(run.dir().resolve("store.json"), "{\"credsStore\":\"cfstest\"}");
        Commands.Result fromHelper = pull(store, path, image, run.dir().resolve("image2").toString());
        assertEquals(0, fromHelper.exitCode(), fromHelper.toString());

        Path stale = Files.writeString(run.dir().resolve("stale.json"), "{\"auths\":{\"" + frontHost
                + "\":{\"identitytoken\":\"expired\"}}}");
        Commands.Result refused = pull(stale, image, run.dir().resolve("image3").toString());
        assertEquals(125, refused.exitCode(), refused.toString());
        assertEquals("container-fs: the token service " + frontHost + " refused the identity token in " + stale
                + " (HTTP 400); log in with podman login or docker login\n", refused.stderr());
        assertFalse(Files.exists(run.dir().resolve("image3")));
    }

    /** A registry that asks for Basic auth gets no identity token as a password. */
    @Test
    void anIdentityTokenIsNeverSentAsAPassword() throws IOException {
        HttpServer basic = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 4);
        List<String> authorizations = new ArrayList<>();
        basic.createContext("/", exchange -> {
            synchronized (authorizations) {
                authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            }
            answer(exchange, 401, Map.of("WWW-Authenticate", "Basic realm=\"cfs\""), new byte[0]);
        });
        basic.start();
        try {
            String host = "127.0.0.1:" + basic.getAddress().getPort();
            Path auth = Files.writeString(run.dir().resolve("auth.json"), "{\"auths\":{\"" + host
                    + "\":{\"identitytoken\":\"" + IDENTITY_TOKEN + "\"}}}");
            Commands.Result r = pull(auth, "docker://" + host + "/test:1", run.dir().resolve("image").toString());
            assertEquals(125, r.exitCode(), r.toString());
            assertEquals("container-fs: " + host + " asks for a user and password (HTTP 401) and " + auth
                    + " has only an identity token for it; log in with podman login or docker login\n", r.stderr());
            synchronized (authorizations) {
                assertEquals(List.of("null"), authorizations);
            }
            assertFalse(Files.exists(run.dir().resolve("image")));
        } finally {
            basic.stop(0);
        }
    }

    private Path pulled(String image) {
        Path dir = run.dir().resolve("image");
        Commands.Result r = pull(null, image, dir.toString());
        assertEquals(0, r.exitCode(), r.toString());
        return dir;
    }

    private Commands.Result runImage(Path image, String... rest) {
        List<String> args = new ArrayList<>(List.of("--network", "none", "--image", image.toString()));
        args.addAll(List.of(rest));
        return ContainerFs.FrontEnd.JAR.runIn(run.tmpdir(), null, args.toArray(String[]::new));
    }

    /** The image's Entrypoint and Cmd, Env and WorkingDir apply; its whiteouts and opaque directory too. */
    private void assertRunsAsTheImageSays(Path image) {
        Commands.Result byDefault = runImage(image, run.writedir().toString());
        assertEquals("entry default cmd\n", byDefault.stdout(), byDefault.toString());
        Commands.Result inside = runImage(image, "--entrypoint", "/bin/sh", run.writedir().toString(), "--", "-c",
                "pwd; echo $GREETING; ls /data/old; cat /added.txt; ls /etc/doomed 2>&1; id -u");
        assertEquals(0, inside.exitCode(), inside.toString());
        assertEquals("/data\nhello\nb\nadded\nls: /etc/doomed: No such file or directory\n65534\n", inside.stdout(),
                "WorkingDir, Env and User apply, the deleted file is gone, the replaced directory holds only its new file");
    }

    @Test
    void anOciImageBehindABearerChallengePullsAndRuns() {
        synchronized (blobRequests) {
            blobRequests.clear();
            authorizationsAtStorage.clear();
        }
        synchronized (tokenRequests) {
            tokenRequests.clear();
        }
        assertRunsAsTheImageSays(pulled("docker://" + frontHost + "/test:oci"));
        synchronized (tokenRequests) {
            assertTrue(tokenRequests.contains("anonymous service=cfs-test&scope=repository%3Atest%3Apull"),
                    tokenRequests.toString());
        }
        synchronized (blobRequests) {
            assertEquals(5, blobRequests.size(), "the config and 4 layers, each once: " + blobRequests);
            assertEquals(List.of("null", "null", "null", "null", "null"), authorizationsAtStorage,
                    "the registry's token never goes where a redirect leads");
        }
    }

    /** An ordinary user pulls into a store of its own, the image's owners from its range, and runs it (issue 26, #3). */
    @Test
    void anOrdinaryUserPullsAndRunsTheImage(@TempDir Path home) throws IOException {
        try (UnprivilegedUser user = UnprivilegedUser.create("cfsrr", home)) {
            Path image = user.dir("pulled").resolve("image");
            Commands.Result r = user.runJar(Map.of(), List.of("pull", "-q", "docker://" + registryHost + "/test:v2s2",
                    image.toString()));
            assertEquals(0, r.exitCode(), r::toString);

            Commands.Result inside = user.runJar(Map.of(), List.of("--network", "none", "--image", image.toString(),
                    "--entrypoint", "/bin/sh", user.dir("w").toString(), "--", "-c",
                    "ls /data/old; ls /etc/doomed 2>&1; id -u; stat -c %u:%g /etc/shadow"));
            assertEquals("b\nls: /etc/doomed: No such file or directory\n65534\n0:42\n", inside.stdout(), inside::toString);
            assertTrue(Files.readString(image.resolve("layers")).startsWith("/home/" + user.name()
                    + "/.local/share/container-fs/layers/sha256/"), "the user's own store");
        }
    }

    @Test
    void aDockerV2s2ImagePullsAndRuns() {
        assertRunsAsTheImageSays(pulled("docker://" + registryHost + "/test:v2s2"));
    }

    @Test
    void aManifestListGivesThisMachinesEntryOrThePlatformAsked() throws IOException {
        String arch = Architecture.ociName(System.getProperty("os.arch"));
        Path image = pulled("docker://" + registryHost + "/list:1");
        assertTrue(Files.readString(image.resolve("config.json")).contains("\"architecture\":\"" + arch + "\""));
        if (arch.equals("amd64")) {
            assertRunsAsTheImageSays(image);
        }
        Path arm = run.dir().resolve("arm");
        Commands.Result r = pull(null, "--platform", "linux/arm64", "docker://" + registryHost + "/list:1",
                arm.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(Files.readString(arm.resolve("config.json")).contains("\"architecture\":\"arm64\""));
        List<String> layers = Files.readAllLines(arm.resolve("layers"));
        assertEquals(1, layers.size(), layers.toString());
        assertEquals("arm\n", Files.readString(Path.of(layers.get(0)).resolve("arm.txt")));
        Commands.Result none = pull(null, "--platform", "linux/s390x", "docker://" + registryHost + "/list:1",
                run.dir().resolve("none").toString());
        assertEquals(125, none.exitCode(), none.toString());
        assertEquals("container-fs: docker://" + registryHost + "/list:1 has no image for linux/s390x; it has"
                + " linux/amd64, linux/arm64 (choose with --platform)\n", none.stderr());
    }

    @Test
    void aSecondImageOnTheSameBaseDownloadsOnlyItsOwnLayer() throws IOException {
        Path first = pulled("docker://" + frontHost + "/test:oci");
        synchronized (blobRequests) {
            blobRequests.clear();
        }
        Path second = run.dir().resolve("second");
        Commands.Result r = pull(null, "docker://" + frontHost + "/second:1", second.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stdout().contains("(1 new layers in "), r.stdout());
        synchronized (blobRequests) {
            assertEquals(2, blobRequests.size(), "its config and its one new layer: " + blobRequests);
        }
        List<String> firstLayers = Files.readAllLines(first.resolve("layers"));
        assertEquals(firstLayers, Files.readAllLines(second.resolve("layers")).subList(0, firstLayers.size()));
        Commands.Result cat = runImage(second, "--entrypoint", "cat", run.writedir().toString(), "--",
                "/second.txt", "/added.txt");
        assertEquals("second\nadded\n", cat.stdout(), cat.toString());
    }

    @Test
    void aPrivateImageNeedsTheAuthFilesUser() throws IOException {
        String image = "docker://" + frontHost + "/private/test:1";
        Commands.Result anonymous = pull(null, image, run.dir().resolve("image").toString());
        assertEquals(125, anonymous.exitCode(), anonymous.toString());
        assertEquals(1, anonymous.stderr().lines().count(), anonymous.stderr());
        assertTrue(anonymous.stderr().contains("denied access to private/test (HTTP 401)"), anonymous.stderr());

        Path wrong = Files.writeString(run.dir().resolve("wrong.json"), "{\"auths\":{\"" + frontHost
                + "\":{\"auth\":\"" + base64("alice:guess") + "\"}}}");
        Commands.Result refused = pull(wrong, image, run.dir().resolve("image").toString());
        assertEquals(125, refused.exitCode(), refused.toString());
        assertTrue(refused.stderr().contains("refused the user in " + wrong + " (HTTP 401)"), refused.stderr());
        assertFalse(Files.exists(run.dir().resolve("image")));

        Path auth = Files.writeString(run.dir().resolve("auth.json"), "{\"auths\":{\"" + frontHost
                + "\":{\"auth\":\"" + base64(USER) + "\"}}}");
        Commands.Result r = pull(auth, image, run.dir().resolve("image").toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertRunsAsTheImageSays(run.dir().resolve("image"));
    }

    @Test
    void aTamperedBlobIsRefusedAndLeavesNothing() throws IOException, InterruptedException {
        pulled("docker://" + frontHost + "/test:oci");
        List<Path> storedBefore = stored();
        String manifest = http.send(HttpRequest.newBuilder(URI.create("http://" + registryHost + "/v2/second/manifests/1"))
                .header("Accept", RegistryClient.OCI_MANIFEST).build(), HttpResponse.BodyHandlers.ofString()).body();
        List<String> digests = Pattern.compile("\"digest\":\\s*\"sha256:([0-9a-f]{64})\"").matcher(manifest).results()
                .map(m -> m.group(1)).toList();
        Path dir = run.dir().resolve("second");
        assertRefusedWhenTampered("sha256:" + digests.get(digests.size() - 1), "second:1", dir); // its own top layer
        try (Stream<Path> left = Files.list(run.dir())) {
            assertEquals(List.of(), left.filter(p -> p.getFileName().toString().startsWith(".second")).toList());
        }
        assertEquals(storedBefore, stored(), "nothing new in the store, no half-unpacked layer");
    }

    @Test
    void aZstdImagePullsAndRunsAndATamperedZstdBlobIsRefused() throws IOException, InterruptedException {
        String manifest = http.send(HttpRequest.newBuilder(URI.create("http://" + registryHost + "/v2/test/manifests/zstd"))
                .header("Accept", RegistryClient.OCI_MANIFEST).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertEquals(4, Pattern.compile("tar\\+zstd").matcher(manifest).results().count(), manifest);
        List<String> digests = Pattern.compile("\"digest\":\\s*\"(sha256:[0-9a-f]{64})\"").matcher(manifest).results()
                .map(m -> m.group(1)).toList();
        Path dir = run.dir().resolve("image");
        assertRefusedWhenTampered(digests.get(1), "test:zstd", dir); // the Alpine layer's blob (the config's is first)
        assertEquals(List.of(), stored().stream().filter(p -> p.getFileName().toString().startsWith(".")).toList(),
                "no half-unpacked layer in the store");

        assertRunsAsTheImageSays(pulled("docker://" + frontHost + "/test:zstd"));
    }

    @Test
    void aMissingImageIsOneLineNamingIt() {
        Path dir = run.dir().resolve("image");
        Commands.Result r = pull(null, "docker://" + frontHost + "/nothing:1", dir.toString());
        assertEquals(125, r.exitCode(), r.toString());
        assertEquals("container-fs: docker://" + frontHost + "/nothing:1 does not exist: " + frontHost
                + " has no manifest 1 of nothing (HTTP 404); check the name and the tag\n", r.stderr());
        assertFalse(Files.exists(dir));
    }

    private List<Path> stored() throws IOException {
        try (Stream<Path> layers = Files.list(store().resolve("sha256"))) {
            return layers.sorted().toList();
        }
    }

    /**
     * A pull of IMAGE from the front host while the blob DIGEST comes back with a byte flipped:
     * exit 125, one line (beside the unpacking lines) that refuses the image, nothing in DIR.
     */
    private void assertRefusedWhenTampered(String digest, String image, Path dir) {
        tampered = digest;
        Commands.Result r;
        try {
            r = pull(null, "docker://" + frontHost + "/" + image, dir.toString());
        } finally {
            tampered = null;
        }
        assertEquals(125, r.exitCode(), r.toString());
        List<String> errors = r.stderr().lines().filter(l -> !l.contains("unpacking")).toList();
        assertEquals(1, errors.size(), r.stderr());
        assertTrue(errors.get(0).contains("refusing the image, it was changed or damaged"), r.stderr());
        assertFalse(Files.exists(dir), "nothing in DIR");
    }
}
