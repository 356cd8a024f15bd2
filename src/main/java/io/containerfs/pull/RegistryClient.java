package io.containerfs.pull;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The registry side of the distribution protocol (distribution-spec spec.md), for pulling: a
 * manifest by tag or digest ({@code GET /v2/NAME/manifests/REF}), an index or manifest list
 * resolved to one platform's manifest, the config and the layers as blobs
 * ({@code GET /v2/NAME/blobs/DIGEST}, redirects followed). Every manifest and blob is checked
 * against the digest that names it. A 401 is answered once per request: with a token from the
 * challenge's realm (Bearer; anonymous, with the auth file's user, or for its identity token) or
 * with the auth file's user (Basic). The Authorization header goes only to the registry's own
 * host and port, never to where a redirect leads (blob storage).
 */
final class RegistryClient implements AutoCloseable {
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    static final String ACCEPT = String.join(", ", OCI_MANIFEST, OciLayout.INDEX_TYPE, DOCKER_MANIFEST,
            OciLayout.DOCKER_LIST_TYPE);
    private static final int MAX_REDIRECTS = 5;
    /** A token answer is a few KiB. */
    private static final int MAX_TOKEN_BYTES = 1 << 20;
    private static final Pattern CHALLENGE_PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");
    private static final Pattern CONTENT_RANGE = Pattern.compile("\\s*bytes\\s+(\\d{1,18})-\\d+/(?:\\d+|\\*)\\s*");

    private final RegistryReference image;
    private final List<String> insecure;
    private final Optional<RegistryCredentials.Credential> credential;
    private final String credentialsFrom;
    private final URI base;
    /** "Bearer TOKEN" or "Basic ...", once the registry asked; shared by the layers' downloads. */
    private volatile String authorization;

    /**
     * @param insecure the registries (HOST or HOST:PORT) reached over plain HTTP; localhost always is
     * @param credential what the auth file or its helper has for this registry, if anything
     * @param credentialsFrom the auth file, for messages
     */
    RegistryClient(RegistryReference image, List<String> insecure, Optional<RegistryCredentials.Credential> credential,
            String credentialsFrom) {
        this.image = image;
        this.insecure = List.copyOf(insecure);
        this.credential = credential;
        this.credentialsFrom = credentialsFrom;
        boolean plain = plainHttpAllowed(image.apiHost(), insecure);
        this.base = URI.create((plain ? "http://" : "https://") + image.apiHost() + "/v2/");
    }

    /** Plain HTTP only to this machine (localhost, 127.0.0.1, ::1) or a registry named by --insecure-registry. */
    static boolean plainHttpAllowed(String hostAndPort, List<String> insecure) {
        String host = RegistryReference.hostOf(hostAndPort).toLowerCase(Locale.ROOT);
        return host.equals("localhost") || host.equals("127.0.0.1") || host.equals("::1")
                || insecure.contains(hostAndPort) || insecure.contains(host);
    }

    /** Nothing to stop: each response's body is closed by its reader; idle connections time out. */
    @Override
    public void close() {}

    /** The image for {@code platform}: from an index or list, the first entry for it. */
    Image read(Platform platform) throws PullException {
        Manifest manifest = manifest(image.reference(), null);
        for (int depth = 0; manifest.isIndex() && depth < 4; depth++) {
            Descriptor chosen = manifest.choose(platform);
            manifest = manifest(chosen.digest(), chosen);
        }
        if (manifest.isIndex()) {
            throw new PullException("docker://" + image + " nests indexes deeper than pull follows");
        }
        String what = "the manifest " + manifest.digest();
        if (manifest.json().optional("schemaVersion").isPresent()
                && manifest.json().get("schemaVersion").number() == 1) {
            throw new PullException("docker://" + image + " has only a schema 1 manifest, which pull does not read;"
                    + " copy it anew with skopeo copy --format v2s2");
        }
        return Image.of(manifest.json(), what, new Image.Blobs() {
            @Override
            public byte[] config(Descriptor config) throws PullException {
                return configBytes(config);
            }

            @Override
            public LayerStore.Blob layer(Descriptor layer) {
                return new LayerBlob(layer);
            }
        });
    }

    /** A layer's blob: read whole, or from an offset on when a download that stopped goes on ({@link BlobDownload}). */
    private final class LayerBlob implements LayerStore.Blob, BlobDownload.Source {
        private final Descriptor blob;

        LayerBlob(Descriptor blob) {
            this.blob = blob;
        }

        @Override
        public InputStream open() throws PullException {
            return blob(blob);
        }

        @Override
        public BlobDownload.Ranged openAt(long offset) throws PullException {
            return blobFrom(blob, offset);
        }
    }

    /** A manifest or an index as the registry gave it, checked against its digest. */
    private record Manifest(String mediaType, String digest, Json json, RegistryReference image) {
        boolean isIndex() {
            return mediaType.equals(OciLayout.INDEX_TYPE) || mediaType.equals(OciLayout.DOCKER_LIST_TYPE);
        }

        Descriptor choose(Platform platform) throws PullException {
            List<String> offered = new ArrayList<>();
            for (Json entry : json.get("manifests").list()) {
                if (platform.fits(entry)) {
                    return Descriptor.of(entry);
                }
                Optional<Json> p = entry.optional("platform");
                if (p.isPresent()) {
                    offered.add(p.get().optionalString("os").orElse("?") + "/"
                            + p.get().optionalString("architecture").orElse("?")
                            + p.get().optionalString("variant").map(v -> "/" + v).orElse(""));
                }
            }
            throw new PullException("docker://" + image + " has no image for " + platform + "; it has "
                    + (offered.isEmpty() ? "none" : String.join(", ", offered)) + " (choose with --platform)");
        }
    }

    /**
     * @param expected the index entry that named it (digest and size), or null for the image's own
     *     tag or digest: then a digest reference, else the registry's Docker-Content-Digest, is checked
     */
    private Manifest manifest(String reference, Descriptor expected) throws PullException {
        URI uri = base.resolve(image.repository() + "/manifests/" + reference);
        Response response = get(uri, ACCEPT, null);
        if (response.status() == 404) {
            close(response);
            throw new PullException("docker://" + image + " does not exist: " + image.registry() + " has no manifest "
                    + reference + " of " + image.repository() + " (HTTP 404); check the name and the tag");
        }
        requireOk(response, uri);
        byte[] bytes;
        try (InputStream body = response.body()) {
            bytes = body.readNBytes((int) OciLayout.MAX_JSON_BYTES + 1);
        } catch (IOException e) {
            throw new PullException("reading " + uri + " failed: " + MirrorClient.describe(e) + "; try again", e);
        }
        if (bytes.length > OciLayout.MAX_JSON_BYTES) {
            throw new PullException(uri + " is larger than " + OciLayout.MAX_JSON_BYTES + " bytes; no manifest is");
        }
        String digest = sha256(bytes);
        String named = expected != null ? expected.digest()
                : image.byDigest() ? reference
                : response.header("Docker-Content-Digest").filter(d -> d.startsWith("sha256:"))
                        .orElse(digest);
        if (expected != null && expected.size() != bytes.length || !digest.equals(named)) {
            throw new PullException("the manifest " + named + " from " + image.registry() + " has the digest " + digest
                    + (expected != null ? " and " + bytes.length + " bytes (not " + expected.size() + ")" : "")
                    + ": refusing the image, it was changed or damaged");
        }
        Json json = Json.parse(new String(bytes, StandardCharsets.UTF_8), "the manifest " + digest);
        String mediaType = json.optionalString("mediaType").orElse(
                response.header("Content-Type").orElse("").replaceFirst(";.*", "").trim());
        return new Manifest(mediaType, digest, json, image);
    }

    private byte[] configBytes(Descriptor config) throws PullException {
        String what = "the config " + config.digest();
        if (config.size() > OciLayout.MAX_JSON_BYTES) {
            throw new PullException(what + " claims " + config.size() + " bytes, more than a config can be");
        }
        try (InputStream in = blob(config)) {
            return VerifiedStream.readAll(in, config, what);
        } catch (VerifiedStream.Tampered e) {
            throw new PullException(e.getMessage() + ": refusing the image, it was changed or damaged", e);
        } catch (IOException e) {
            throw new PullException("reading " + what + " from " + image.registry() + " failed: "
                    + MirrorClient.describe(e) + "; try again", e);
        }
    }

    /** The blob's body as it streams; the caller checks it against the digest. */
    private InputStream blob(Descriptor blob) throws PullException {
        return blobFrom(blob, 0).body();
    }

    /**
     * The blob from byte {@code offset} on ({@code Range: bytes=OFFSET-}, RFC 9110 section 14.2),
     * or whole when the server ignores the range (200) or finds it past the blob's end (416), or
     * when its 206 starts elsewhere: the answer says from which byte it starts.
     */
    private BlobDownload.Ranged blobFrom(Descriptor blob, long offset) throws PullException {
        URI uri = base.resolve(image.repository() + "/blobs/" + blob.digest());
        Response response = get(uri, "*/*", offset > 0 ? "bytes=" + offset + "-" : null);
        if (response.status() == 404) {
            close(response);
            throw new PullException(image.registry() + " lacks the blob " + blob.digest() + " of " + image.repository()
                    + " (HTTP 404): the image is incomplete in the registry");
        }
        if (offset > 0 && (response.status() == 416
                || response.status() == 206 && rangeStart(response) != offset)) {
            close(response);
            return blobFrom(blob, 0);
        }
        if (offset > 0 && response.status() == 206) {
            return new BlobDownload.Ranged(response.body(), offset);
        }
        requireOk(response, uri);
        return new BlobDownload.Ranged(response.body(), 0);
    }

    /** The first byte of a 206's {@code Content-Range: bytes FIRST-LAST/SIZE}, or -1. */
    private static long rangeStart(Response response) {
        Matcher m = CONTENT_RANGE.matcher(response.header("Content-Range").orElse(""));
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    /**
     * GET, answering one 401 with credentials and following redirects; Authorization only to
     * the registry's own scheme, host and port.
     */
    private Response get(URI uri, String accept, String range) throws PullException {
        boolean challenged = false;
        URI at = uri;
        for (int hops = 0;;) {
            boolean registry = at.getScheme().equals(base.getScheme()) && at.getRawAuthority().equals(base.getRawAuthority());
            Response response = send(at, accept, registry ? authorization : null, range);
            int status = response.status();
            if (status == 401 && registry && !challenged) {
                challenged = true;
                String challenge = response.header("WWW-Authenticate").orElse("");
                close(response);
                authorization = authorize(challenge);
                continue;
            }
            if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
                Optional<String> location = response.header("Location");
                close(response);
                if (location.isEmpty() || ++hops > MAX_REDIRECTS) {
                    throw new PullException(uri + " redirects " + (location.isEmpty() ? "nowhere" : "too often")
                            + "; the registry is broken");
                }
                at = allowed(resolve(at, location.get()));
                continue;
            }
            return response;
        }
    }

    /** Where a redirect's Location leads from {@code at}; the registry's words, so perhaps no URL at all. */
    private URI resolve(URI at, String location) throws PullException {
        try {
            return at.resolve(location);
        } catch (IllegalArgumentException e) {
            throw new PullException(image.registry() + " redirects pull to '" + location + "', which is not a URL;"
                    + " the registry is broken", e);
        }
    }

    /** A URL pull may fetch: https, or plain http to this machine or an --insecure-registry. */
    private URI allowed(URI uri) throws PullException {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (uri.getRawAuthority() == null || !(scheme.equals("https")
                || scheme.equals("http") && plainHttpAllowed(uri.getRawAuthority(), insecure))) {
            throw new PullException(image.registry() + " sends pull to " + uri + ", which is not https (plain http"
                    + " only to localhost or a registry named with --insecure-registry)");
        }
        return uri;
    }

    /** The Authorization a 401's WWW-Authenticate asks for. */
    private String authorize(String challenge) throws PullException {
        String scheme = challenge.split(" ", 2)[0].toLowerCase(Locale.ROOT);
        Map<String, String> params = new HashMap<>();
        Matcher m = CHALLENGE_PARAM.matcher(challenge);
        while (m.find()) {
            params.put(m.group(1).toLowerCase(Locale.ROOT), m.group(2));
        }
        if (scheme.equals("basic")) {
            if (credential.isEmpty() || credential.get().isIdentityToken()) {
                throw new PullException(image.registry() + " asks for a user and password (HTTP 401) and "
                        + credentialsFrom + " has " + (credential.isEmpty() ? "none" : "only an identity token")
                        + " for it; log in with podman login or docker login");
            }
            return "Basic " + credential.get().basic();
        }
        if (!scheme.equals("bearer") || !params.containsKey("realm")) {
            throw new PullException(image.registry() + " answered HTTP 401 with no challenge pull knows ('"
                    + challenge + "'); it takes Bearer and Basic");
        }
        return "Bearer " + token(params);
    }

    /**
     * The docker token flow (distribution's auth/token.md): GET realm?service=...&scope=...,
     * anonymous or Basic; for an identity token, its OAuth2 form (auth/oauth.md).
     */
    private String token(Map<String, String> params) throws PullException {
        String scope = params.getOrDefault("scope", "repository:" + image.repository() + ":pull");
        StringBuilder query = new StringBuilder();
        if (params.containsKey("service")) {
            query.append("service=").append(URLEncoder.encode(params.get("service"), StandardCharsets.UTF_8)).append('&');
        }
        query.append("scope=").append(URLEncoder.encode(scope, StandardCharsets.UTF_8));
        String realm = params.get("realm");
        boolean oauth = credential.isPresent() && credential.get().isIdentityToken();
        URI uri;
        try {
            uri = allowed(URI.create(oauth ? realm : realm + (realm.contains("?") ? "&" : "?") + query));
        } catch (IllegalArgumentException e) {
            throw new PullException(image.registry() + "'s token realm '" + realm + "' is not a URL", e);
        }
        Response response = oauth ? postForm(uri, query + "&" + refreshGrant(credential.get().identityToken()))
                : send(uri, "application/json", credential.isPresent() ? "Basic " + credential.get().basic() : null, null);
        int status = response.status();
        if (status == 401 || status == 403 || oauth && status == 400) {
            close(response);
            throw new PullException("the token service " + uri.getRawAuthority() + " refused "
                    + (oauth ? "the identity token" : credential.isPresent() ? "the user" : "an anonymous pull")
                    + (credential.isPresent() ? " in " + credentialsFrom : "")
                    + " (HTTP " + status + "); log in with podman login or docker login");
        }
        if (oauth && (status == 404 || status == 405)) {
            close(response);
            throw new PullException("the token service " + uri.getRawAuthority() + " takes no identity token (HTTP "
                    + status + " to its OAuth2 form) and " + credentialsFrom + " has one for " + image.registry()
                    + "; log in with a user and password (docker login -u USER)");
        }
        requireOk(response, uri);
        try (InputStream body = response.body()) {
            byte[] bytes = body.readNBytes(MAX_TOKEN_BYTES + 1);
            if (bytes.length > MAX_TOKEN_BYTES) {
                throw new PullException("the token service " + uri.getRawAuthority() + " answered more than a token");
            }
            Json answer = Json.parse(new String(bytes, StandardCharsets.UTF_8), "the token from " + uri.getRawAuthority());
            Optional<String> token = answer.optionalString("token").or(() -> optionalString(answer, "access_token"));
            if (token.isEmpty()) {
                throw new PullException("the token service " + uri.getRawAuthority() + " gave no token");
            }
            return token.get();
        } catch (IOException e) {
            throw new PullException("reading a token from " + uri.getRawAuthority() + " failed: "
                    + MirrorClient.describe(e), e);
        }
    }

    /** The rest of an OAuth2 refresh-token form, as docker sends it (distribution's auth/oauth.md). */
    private static String refreshGrant(String identityToken) {
        return "grant_type=refresh_token&client_id=container-fs&refresh_token="
                + URLEncoder.encode(identityToken, StandardCharsets.UTF_8);
    }

    private static Optional<String> optionalString(Json json, String name) {
        try {
            return json.optionalString(name);
        } catch (PullException e) {
            return Optional.empty();
        }
    }

    /**
     * A response and its body (the error body for a status of 400 and more, perhaps empty).
     * java.net.HttpURLConnection, not java.net.http: that client builds a TLS context even for
     * plain http (the JCE providers and their algorithms, about 170 ms of a 400 ms pull from a
     * registry on this machine), and its reads time out only until the headers.
     */
    private record Response(int status, HttpURLConnection connection, InputStream body) {
        Optional<String> header(String name) {
            return Optional.ofNullable(connection.getHeaderField(name));
        }
    }

    /**
     * One GET, no redirect followed ({@link #get} decides where one may lead); reads time out.
     *
     * @param range a Range header's value, or null
     */
    private Response send(URI uri, String accept, String authorization, String range) throws PullException {
        try {
            HttpURLConnection connection = connection(uri, accept);
            if (authorization != null) {
                connection.setRequestProperty("Authorization", authorization);
            }
            if (range != null) {
                connection.setRequestProperty("Range", range);
            }
            return response(connection);
        } catch (IOException | IllegalArgumentException e) {
            throw unreachable(uri, e);
        }
    }

    /** One POST of an application/x-www-form-urlencoded {@code form}, no redirect followed; for JSON. */
    private Response postForm(URI uri, String form) throws PullException {
        try {
            HttpURLConnection connection = connection(uri, "application/json");
            byte[] body = form.getBytes(StandardCharsets.US_ASCII);
            connection.setRequestMethod("POST");
            connection.setDoOutput(true);
            connection.setRequestProperty("Content-Type", "application/x-www-form-urlencoded");
            connection.setFixedLengthStreamingMode(body.length);
            try (OutputStream out = connection.getOutputStream()) {
                out.write(body);
            }
            return response(connection);
        } catch (IOException | IllegalArgumentException e) {
            throw unreachable(uri, e);
        }
    }

    private static HttpURLConnection connection(URI uri, String accept) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
        connection.setInstanceFollowRedirects(false);
        connection.setUseCaches(false);
        connection.setConnectTimeout((int) MirrorClient.CONNECT_TIMEOUT.toMillis());
        connection.setReadTimeout((int) MirrorClient.READ_TIMEOUT.toMillis());
        connection.setRequestProperty("User-Agent", "container-fs");
        connection.setRequestProperty("Accept", accept);
        return connection;
    }

    private static Response response(HttpURLConnection connection) throws IOException {
        int status = connection.getResponseCode();
        InputStream body = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
        return new Response(status, connection, body != null ? body : InputStream.nullInputStream());
    }

    private PullException unreachable(URI uri, Exception e) {
        return new PullException("cannot reach the registry " + uri.getRawAuthority() + " ("
                + MirrorClient.describe(e) + "); check the name and the network"
                + (base.getScheme().equals("https") ? ", or --insecure-registry for a plain-HTTP one" : ""), e);
    }

    private void requireOk(Response response, URI uri) throws PullException {
        int status = response.status();
        if (status == 200) {
            return;
        }
        close(response);
        if (status == 401 || status == 403) {
            throw new PullException(image.registry() + " denied access to " + image.repository() + " (HTTP " + status
                    + "): the image does not exist or needs a login (podman login or docker login; pull reads "
                    + credentialsFrom + ")");
        }
        throw new PullException(uri + " answered HTTP " + status + "; try again later");
    }

    private static void close(Response response) {
        try {
            response.body().close();
        } catch (IOException e) {
            // Only the connection is lost; the status already says what went wrong.
        }
    }

    /** libcrypto's where it is loaded: the JDK's first starts its security providers (Sha2). */
    private static String sha256(byte[] bytes) {
        Sha2 sha256 = Sha2.sha256();
        sha256.update(bytes, 0, bytes.length);
        return "sha256:" + HexFormat.of().formatHex(sha256.digest());
    }
}
