package io.containerfs.oci;

/** A mistake in an OCI command's own words (exit status 2). */
final class OciCommandUsage extends Exception {
    private static final long serialVersionUID = 1L;

    OciCommandUsage(String message) {
        super(message);
    }
}
