package io.containerfs.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Skips {@link Privileged} tests without root, except under {@code CI=true}, where it fails them. */
public final class PrivilegedCondition implements BeforeAllCallback, BeforeEachCallback {

    @Override
    public void beforeAll(ExtensionContext context) {
        requireRoot(context.getDisplayName());
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        requireRoot(context.getDisplayName());
    }

    /** Also for tools a test needs (musl-gcc, strace, …): missing in CI is a failure, not a skip. */
    public static void requireInCi(boolean available, String what) {
        if (available) {
            return;
        }
        if (isCi()) {
            // An assertion, so the report counts a failure, not an error of the test's own code.
            Assertions.fail(what + " is required when CI=true; scripts/test.sh must provide it");
        }
        Assumptions.abort(what + " is not available here");
    }

    static void requireRoot(String test) {
        requireInCi(isRoot(), "root (for the privileged test '" + test + "')");
    }

    public static boolean isCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    public static boolean isRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
