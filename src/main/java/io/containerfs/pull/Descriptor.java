package io.containerfs.pull;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * An OCI content descriptor: what a blob is, its digest and its size. Only sha256 digests are
 * taken: the algorithm every image in use has, and the one pull checks.
 */
record Descriptor(String mediaType, String digest, long size) {
    private static final Pattern SHA256 = Pattern.compile("sha256:[0-9a-f]{64}");

    static Descriptor of(Json json) throws PullException {
        String mediaType = json.optional("mediaType").isPresent() ? json.get("mediaType").string() : "";
        String digest = checkedDigest(json.get("digest").string());
        long size = json.get("size").number();
        if (size < 0) {
            throw new PullException("a descriptor of " + digest + " has a negative size; the image is damaged");
        }
        return new Descriptor(mediaType, digest, size);
    }

    /** The digest, if it is {@code sha256:} and 64 lower-case hex digits (so it is safe in a path). */
    static String checkedDigest(String digest) throws PullException {
        if (!SHA256.matcher(digest).matches()) {
            throw new PullException("the digest '" + digest + "' is not sha256:HEX (64 lower-case hex digits);"
                    + " pull checks sha256 digests only");
        }
        return digest;
    }

    /** The 64 hex digits of a checked digest. */
    static String hex(String digest) {
        return digest.substring("sha256:".length()).toLowerCase(Locale.ROOT);
    }

    String hex() {
        return hex(digest);
    }
}
