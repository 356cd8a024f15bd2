package io.containerfs.pull;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * {@code [REGISTRY/]NAME[:TAG|@DIGEST]}, read as docker and podman read it: the first part is
 * a registry when it has a '.' or a ':' or is {@code localhost}, else the image is on Docker
 * Hub ({@code docker.io}, whose one-word names are under {@code library/}); the tag defaults to
 * {@code latest}. {@code reference} is the tag or the {@code sha256:} digest.
 */
record RegistryReference(String registry, String repository, String reference) {
    static final String DOCKER_HUB = "docker.io";
    /** Where Docker Hub's registry API answers; docker.io itself only redirects browsers. */
    static final String DOCKER_HUB_API = "registry-1.docker.io";

    /** distribution's reference grammar: lower-case components joined by '/', separators inside. */
    private static final Pattern REPOSITORY = Pattern.compile(
            "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    /** A host name or an IPv4 address, or an IPv6 one in brackets, and an optional port. */
    private static final Pattern REGISTRY = Pattern.compile(
            "(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
                    + "|\\[[0-9A-Fa-f:.]+\\])(?::[0-9]{1,5})?");

    static RegistryReference parse(String text) throws PullException {
        String name = text;
        String reference = "latest";
        int at = name.indexOf('@');
        if (at >= 0) {
            reference = Descriptor.checkedDigest(name.substring(at + 1));
            name = name.substring(0, at);
        } else {
            int colon = name.lastIndexOf(':');
            if (colon > name.lastIndexOf('/')) {
                reference = name.substring(colon + 1);
                name = name.substring(0, colon);
                if (!TAG.matcher(reference).matches()) {
                    throw new PullException("'" + reference + "' in docker://" + text + " is not a tag (letters,"
                            + " digits, '_', '.', '-'; at most 128)");
                }
            }
        }
        String registry = DOCKER_HUB;
        int slash = name.indexOf('/');
        if (slash > 0) {
            String first = name.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                registry = first;
                name = name.substring(slash + 1);
                if (!REGISTRY.matcher(registry).matches()) {
                    throw new PullException("'" + registry + "' in docker://" + text + " is not a registry's"
                            + " HOST[:PORT]");
                }
            }
        }
        if (registry.equals(DOCKER_HUB) && !name.contains("/")) {
            name = "library/" + name;
        }
        if (!REPOSITORY.matcher(name).matches()) {
            throw new PullException("docker://" + text + " names no image: give docker://[REGISTRY/]NAME[:TAG|@DIGEST]"
                    + " with NAME in lower case, e.g. docker://docker.io/library/alpine:3.20");
        }
        return new RegistryReference(registry.toLowerCase(Locale.ROOT), name, reference);
    }

    /** HOST[:PORT] of the registry's API: Docker Hub's is not docker.io. */
    String apiHost() {
        return registry.equals(DOCKER_HUB) || registry.equals("index.docker.io") ? DOCKER_HUB_API : registry;
    }

    /** The host alone, without the port (and, for IPv6, without the brackets). */
    static String hostOf(String hostAndPort) {
        if (hostAndPort.startsWith("[")) {
            return hostAndPort.substring(1, hostAndPort.indexOf(']'));
        }
        int colon = hostAndPort.lastIndexOf(':');
        return colon < 0 ? hostAndPort : hostAndPort.substring(0, colon);
    }

    boolean byDigest() {
        return reference.startsWith("sha256:");
    }

    @Override
    public String toString() {
        return registry + "/" + repository + (byDigest() ? "@" : ":") + reference;
    }
}
