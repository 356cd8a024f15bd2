package io.containerfs.pull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A registry's user and password, as {@code docker login} and {@code podman login} keep them:
 * {@code {"auths": {"HOST[:PORT]": {"auth": "BASE64(user:password)"}}}} in
 * {@code $REGISTRY_AUTH_FILE} (podman's auth.json) or else {@code ~/.docker/config.json}. Docker
 * Hub's entry is keyed {@code https://index.docker.io/v1/}. Credential helpers are not run.
 */
final class RegistryCredentials {
    static final String AUTH_FILE_ENV = "REGISTRY_AUTH_FILE";

    private RegistryCredentials() {}

    /** The auth file pull reads: $REGISTRY_AUTH_FILE, else ~/.docker/config.json. */
    static Path file(Map<String, String> env, String userHome) {
        String given = env.get(AUTH_FILE_ENV);
        return given != null && !given.isEmpty() ? Path.of(given) : Path.of(userHome, ".docker", "config.json");
    }

    /** @return the base64 {@code user:password} for Basic auth, empty when the file or its entry is absent */
    static Optional<String> basic(Path file, String registry) throws PullException {
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
        Optional<Json> auths = Json.parse(text, "the auth file " + file).optional("auths");
        if (auths.isEmpty()) {
            return Optional.empty();
        }
        for (String key : keys(registry)) {
            Optional<Json> entry = auths.get().optional(key);
            if (entry.isEmpty()) {
                continue;
            }
            Optional<String> auth = entry.get().optionalString("auth");
            if (auth.isPresent()) {
                return Optional.of(checked(auth.get(), file, key));
            }
            Optional<String> user = entry.get().optionalString("username");
            Optional<String> password = entry.get().optionalString("password");
            if (user.isPresent() && password.isPresent()) {
                return Optional.of(Base64.getEncoder().encodeToString((user.get() + ":" + password.get())
                        .getBytes(StandardCharsets.UTF_8)));
            }
        }
        return Optional.empty();
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
