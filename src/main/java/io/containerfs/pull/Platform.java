package io.containerfs.pull;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which image of a multi-platform index to take (image-spec image-index.md's {@code platform}):
 * an OS, an architecture in Go's names (amd64, arm64, ...) and, optionally, a variant (v7, v8).
 * An empty variant takes any; an entry without a platform fits every machine.
 */
public record Platform(String os, String architecture, Optional<String> variant) {
    private static final Pattern WORD = Pattern.compile("[a-z0-9][a-z0-9._-]*");

    /** This machine's: linux and the JVM's os.arch in Go's names. */
    static Platform of(String osArch) {
        return new Platform("linux", Architecture.ociName(osArch), Optional.empty());
    }

    /** {@code os/arch[/variant]}, as {@code --platform} takes it. */
    static Platform parse(String text) throws PullException {
        String[] parts = text.split("/", -1);
        if (parts.length < 2 || parts.length > 3) {
            throw new PullException("'" + text + "' is not a platform; give OS/ARCH[/VARIANT], e.g. linux/arm64"
                    + " or linux/arm/v7");
        }
        for (String part : parts) {
            if (!WORD.matcher(part).matches()) {
                throw new PullException("'" + text + "' is not a platform; give OS/ARCH[/VARIANT], e.g. linux/arm64");
            }
        }
        return new Platform(parts[0], parts[1], parts.length == 3 ? Optional.of(parts[2]) : Optional.empty());
    }

    /** Whether an index's entry is for this platform; one without a platform is for any. */
    boolean fits(Json entry) throws PullException {
        Optional<Json> platform = entry.optional("platform");
        if (platform.isEmpty()) {
            return true;
        }
        Json p = platform.get();
        return os.equals(p.optionalString("os").orElse(""))
                && architecture.equals(p.optionalString("architecture").orElse(""))
                && (variant.isEmpty() || variant.equals(p.optionalString("variant")));
    }

    @Override
    public String toString() {
        return os + "/" + architecture + variant.map(v -> "/" + v).orElse("");
    }
}
