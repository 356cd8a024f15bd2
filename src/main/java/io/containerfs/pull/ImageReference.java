package io.containerfs.pull;

import java.util.regex.Pattern;

/** {@code alpine[:BRANCH]}: which Alpine branch to pull ({@code latest-stable}, {@code edge}, {@code v3.20}, …). */
public record ImageReference(String branch) {
    public static final String DEFAULT_BRANCH = "latest-stable";

    /** A branch is one path segment of the mirror's URL: nothing that could climb out of it. */
    private static final Pattern BRANCH = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    public static ImageReference parse(String text) throws PullException {
        if (text.equals("alpine")) {
            return new ImageReference(DEFAULT_BRANCH);
        }
        if (!text.startsWith("alpine:")) {
            throw new PullException("cannot pull '" + text + "': pull knows alpine[:BRANCH],"
                    + " docker://[REGISTRY/]NAME[:TAG|@DIGEST], oci:LAYOUT[:TAG] and docker-archive:FILE; for a"
                    + " registry's image say docker://" + text);
        }
        String branch = text.substring("alpine:".length());
        if (!BRANCH.matcher(branch).matches()) {
            throw new PullException("'" + branch + "' is not a branch name; use e.g. latest-stable, edge or v3.20");
        }
        return new ImageReference(branch);
    }
}
