package io.containerfs.pull;

import java.nio.file.Path;
import java.util.Optional;

/**
 * An image to pull, in the transport syntax of skopeo and podman: {@code oci:LAYOUT[:TAG]} (an
 * OCI image layout directory, TAG its {@code org.opencontainers.image.ref.name}),
 * {@code docker-archive:FILE} (what {@code docker save} or {@code podman save} writes), or
 * {@code docker://[REGISTRY/]NAME[:TAG|@DIGEST]} (a registry; {@link RegistryReference}).
 * {@code location} is the path, or for a registry everything after {@code docker://}.
 */
public record ImageSource(Transport transport, String location, Optional<String> tag) {
    public enum Transport {
        OCI("oci:"),
        DOCKER_ARCHIVE("docker-archive:"),
        DOCKER("docker://");

        private final String prefix;

        Transport(String prefix) {
            this.prefix = prefix;
        }
    }

    /** @return empty when the word names no image transport (it may be alpine[:BRANCH]) */
    static Optional<ImageSource> parse(String word) throws PullException {
        for (Transport transport : Transport.values()) {
            if (!word.startsWith(transport.prefix)) {
                continue;
            }
            String rest = word.substring(transport.prefix.length());
            if (transport == Transport.DOCKER) {
                RegistryReference.parse(rest); // refused now, as a usage error, if it names no image
                return Optional.of(new ImageSource(transport, rest, Optional.empty()));
            }
            // As skopeo: the path ends at the first ':'.
            int colon = transport == Transport.OCI ? rest.indexOf(':') : -1;
            String path = colon < 0 ? rest : rest.substring(0, colon);
            Optional<String> tag = colon < 0 ? Optional.empty() : Optional.of(rest.substring(colon + 1));
            if (path.isEmpty() || tag.isPresent() && tag.get().isEmpty()) {
                throw new PullException("'" + word + "' names no " + (path.isEmpty() ? "path" : "tag") + "; use "
                        + (transport == Transport.OCI ? "oci:LAYOUT[:TAG]" : "docker-archive:FILE"));
            }
            return Optional.of(new ImageSource(transport, path, tag));
        }
        return Optional.empty();
    }

    /** The layout or the archive, for the local transports. */
    Path path() {
        return Path.of(location);
    }

    /** The registry, repository and tag or digest, for docker://. */
    RegistryReference remote() throws PullException {
        return RegistryReference.parse(location);
    }

    @Override
    public String toString() {
        return transport.prefix + location + (tag.isPresent() ? ":" + tag.get() : "");
    }
}
