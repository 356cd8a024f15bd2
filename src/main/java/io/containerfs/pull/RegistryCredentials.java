package io.containerfs.pull;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A registry's user and password, as {@code docker login} and {@code podman login} keep them:
 * {@code {"auths": {"HOST[:PORT]": {"auth": "BASE64(user:password)"}}}} in
 * {@code $REGISTRY_AUTH_FILE} (podman's auth.json) or else {@code ~/.docker/config.json}. Docker
 * Hub's entry is keyed {@code https://index.docker.io/v1/}. A credential helper named by
 * {@code credHelpers."HOST"} or {@code credsStore}, as {@code docker login} leaves them with
 * Docker Desktop or a keyring, is run as docker runs it ({@code docker-credential-NAME get}, the
 * server on stdin, {@code {"Username", "Secret"}} on stdout): first the registry's own helper,
 * then its {@code auths} entry, then the store.
 *
 * <p>Instead of a password, a registry whose token service speaks OAuth2 may have handed
 * {@code docker login} an identity token (a refresh token, distribution's auth/oauth.md), which
 * docker keeps as the entry's {@code identitytoken} or as a helper's secret for the user
 * {@code <token>}. It is traded for a token by {@link RegistryClient}, never sent as a password.
 */
final class RegistryCredentials {
    static final String AUTH_FILE_ENV = "REGISTRY_AUTH_FILE";
    /** What a helper may take to answer (a keyring may ask to be unlocked, which we cannot show). */
    private static final long HELPER_SECONDS = 30;
    private static final int MAX_HELPER_ANSWER = 64 * 1024;
    /** What docker-credential-helpers print, with status 1, for a server they hold nothing for. */
    private static final String NOT_FOUND = "credentials not found";

    /** A helper's user name that says its secret is an identity token (docker's credentials/native_store.go). */
    private static final String TOKEN_USER = "<token>";

    private RegistryCredentials() {}

    /**
     * What the auth file or a helper holds for one registry: exactly one of a base64
     * {@code user:password} for Basic auth and an identity token for the token service.
     */
    record Credential(String basic, String identityToken) {
        static Credential ofBasic(String base64) {
            return new Credential(base64, null);
        }

        static Credential ofIdentityToken(String token) {
            return new Credential(null, token);
        }

        boolean isIdentityToken() {
            return identityToken != null;
        }

        /** Never the secret: a record's own toString would print it into a log or a test's failure. */
        @Override
        public String toString() {
            return isIdentityToken() ? "Credential[identity token]" : "Credential[user and password]";
        }
    }

    /** The auth file pull reads: $REGISTRY_AUTH_FILE, else ~/.docker/config.json. */
    static Path file(Map<String, String> env, String userHome) {
        String given = env.get(AUTH_FILE_ENV);
        return given != null && !given.isEmpty() ? Path.of(given) : Path.of(userHome, ".docker", "config.json");
    }

    /** @return what the auth file has for the registry, empty when the file or its entry is absent */
    static Optional<Credential> find(Path file, String registry) throws PullException {
        String text;
        try {
            if (Files.size(file) > OciLayout.MAX_JSON_BYTES) {
                throw new PullException(file + " is too large to be an auth file");
            }
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new PullException("cannot read the auth file " + file + ": " + e.getMessage(), e);
        }
        Json document = Json.parse(text, "the auth file " + file);
        Optional<String> helper = helperFor(document, registry);
        if (helper.isPresent()) {
            return fromHelper(helper.get(), registry, file);
        }
        Optional<Credential> fromFile = fromAuths(document, registry, file);
        if (fromFile.isPresent()) {
            return fromFile;
        }
        Optional<Json> store = document.optional("credsStore");
        return store.isPresent() ? fromHelper(store.get().string(), registry, file) : Optional.empty();
    }

    /** The helper {@code credHelpers} names for this registry, if any. */
    private static Optional<String> helperFor(Json document, String registry) throws PullException {
        Optional<Json> helpers = document.optional("credHelpers");
        if (helpers.isPresent()) {
            for (String key : keys(registry)) {
                Optional<Json> name = helpers.get().optional(key);
                if (name.isPresent()) {
                    return Optional.of(name.get().string());
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<Credential> fromAuths(Json document, String registry, Path file) throws PullException {
        Optional<Json> auths = document.optional("auths");
        if (auths.isEmpty()) {
            return Optional.empty();
        }
        for (String key : keys(registry)) {
            Optional<Json> entry = auths.get().optional(key);
            if (entry.isEmpty()) {
                continue;
            }
            Optional<String> token = entry.get().optionalString("identitytoken");
            if (token.isPresent() && !token.get().isEmpty()) {
                return Optional.of(Credential.ofIdentityToken(token.get())); // its "auth" holds the user alone
            }
            Optional<String> auth = entry.get().optionalString("auth");
            if (auth.isPresent()) {
                return Optional.of(Credential.ofBasic(checked(auth.get(), file, key)));
            }
            Optional<String> user = entry.get().optionalString("username");
            Optional<String> password = entry.get().optionalString("password");
            if (user.isPresent() && password.isPresent()) {
                return Optional.of(Credential.ofBasic(Base64.getEncoder().encodeToString((user.get() + ":"
                        + password.get()).getBytes(StandardCharsets.UTF_8))));
            }
        }
        return Optional.empty();
    }

    /**
     * Runs {@code docker-credential-NAME get} with the server's name on stdin; empty when the helper
     * holds nothing for it. A helper that is missing, fails or answers nonsense is one line.
     */
    private static Optional<Credential> fromHelper(String name, String registry, Path file) throws PullException {
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new PullException(file + " names the credential helper '" + name + "', which is not a helper's name");
        }
        String program = "docker-credential-" + name;
        String server = registry.equals(RegistryReference.DOCKER_HUB) ? "https://index.docker.io/v1/" : registry;
        Process process;
        try {
            process = new ProcessBuilder(program, "get").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new PullException(file + " says the credentials of " + registry + " are kept by " + program
                    + ", which is not on PATH; install it, or remove it from " + file);
        }
        return ask(process, program, server, registry, HELPER_SECONDS);
    }

    /**
     * The helper's answer for {@code server}, once it has exited within {@code seconds}: it is
     * waited for before its output is read, since a read would wait for ever on a helper that
     * never answers (a keyring waiting to be unlocked). The answer fits in the pipe's buffer (64 KiB).
     */
    static Optional<Credential> ask(Process process, String program, String server, String registry, long seconds)
            throws PullException {
        try {
            try (OutputStream in = process.getOutputStream()) {
                in.write(server.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // it exited without reading: its status and output say why
            }
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                throw new PullException(program + " gave no credentials for " + registry + " within " + seconds
                        + " s; unlock its keyring, or run " + program + " get yourself to see what it waits for");
            }
            byte[] answer;
            try (InputStream out = process.getInputStream()) {
                answer = out.readNBytes(MAX_HELPER_ANSWER + 1);
            }
            String text = new String(answer, StandardCharsets.UTF_8).trim();
            if (process.exitValue() != 0) {
                if (text.toLowerCase(java.util.Locale.ROOT).contains(NOT_FOUND)) {
                    return Optional.empty();
                }
                throw new PullException(program + " get failed (status " + process.exitValue() + ")"
                        + (text.isEmpty() ? "" : ": " + text.lines().findFirst().orElse("")));
            }
            if (answer.length > MAX_HELPER_ANSWER) {
                throw new PullException(program + " answered more than credentials");
            }
            return Optional.of(userAndSecret(Json.parse(text, "the answer of " + program)));
        } catch (IOException e) {
            throw new PullException("cannot talk to " + program + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PullException("interrupted while " + program + " looked up " + registry, e);
        } finally {
            process.destroyForcibly();
        }
    }

    private static Credential userAndSecret(Json answer) throws PullException {
        String user = answer.get("Username").string();
        String secret = answer.get("Secret").string();
        if (user.equals(TOKEN_USER)) {
            return Credential.ofIdentityToken(secret);
        }
        return Credential.ofBasic(Base64.getEncoder().encodeToString((user + ":" + secret).getBytes(StandardCharsets.UTF_8)));
    }

    /** The keys docker and podman file a registry's entry under. */
    private static List<String> keys(String registry) {
        if (registry.equals(RegistryReference.DOCKER_HUB)) {
            return List.of("docker.io", "https://index.docker.io/v1/", "index.docker.io", "registry-1.docker.io");
        }
        return List.of(registry, "https://" + registry, "http://" + registry, "https://" + registry + "/v1/");
    }

    private static String checked(String auth, Path file, String key) throws PullException {
        try {
            String decoded = new String(Base64.getDecoder().decode(auth), StandardCharsets.UTF_8);
            if (decoded.indexOf(':') > 0) {
                return auth;
            }
        } catch (IllegalArgumentException e) {
            // Said below.
        }
        throw new PullException("the auth of " + key + " in " + file + " is not base64 of USER:PASSWORD;"
                + " log in again (podman login or docker login)");
    }
}
