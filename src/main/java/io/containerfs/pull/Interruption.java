package io.containerfs.pull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C (SIGINT) or kill (SIGTERM) in the middle of a pull. The JVM then runs its shutdown
 * hooks while pull's own thread goes on, and halts when they return, skipping pull's finally
 * blocks. So the hook asks pull to stop at its next step ({@link #check}), gives its finally
 * blocks a moment to remove what was half made, and then removes it itself, for a pull blocked
 * in a read (a stalled mirror) that never reaches the next step.
 */
public final class Interruption {
    private static final long GRACE_MILLIS = 2_000;

    private static final Set<Path> halfMade = new LinkedHashSet<>();
    private static volatile boolean requested;
    private static boolean hookInstalled;

    private Interruption() {}

    /** Something removed on success or failure by its owner, and by the hook if pull is killed first. */
    public interface Guard extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Registers {@code path} (a file or a tree) as half made until the guard is closed. (Classes,
     * not lambdas, here and for the hook: a lambda is spun at its first use, a millisecond or so to
     * a JVM that has just started.)
     */
    public static synchronized Guard guard(Path path) {
        if (!hookInstalled) {
            Runtime.getRuntime().addShutdownHook(new Thread("container-fs cleanup") {
                @Override
                public void run() {
                    stopAndRemove();
                }
            });
            hookInstalled = true;
        }
        halfMade.add(path);
        return new Guard() {
            @Override
            public void close() {
                release(path);
            }
        };
    }

    /** Throws once the process is being stopped, so that the caller's finally blocks clean up. */
    public static void check() throws PullException {
        if (requested) {
            throw new PullException("interrupted; what was half made is removed");
        }
    }

    /** Whether the process is being stopped: a download cut now is not taken up again. */
    static boolean requested() {
        return requested;
    }

    private static synchronized void release(Path path) {
        halfMade.remove(path);
        Interruption.class.notifyAll();
    }

    private static synchronized void stopAndRemove() {
        requested = true;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(GRACE_MILLIS);
        try {
            for (long left = GRACE_MILLIS; !halfMade.isEmpty() && left > 0;
                    left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())) {
                Interruption.class.wait(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Path path : halfMade) {
            remove(path);
        }
    }

    private static void remove(Path path) {
        try {
            if (Files.isDirectory(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Leftovers.removeTree(path);
            } else {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            // The process is ending; a hidden .DIR.pull-* or .part may remain.
        }
    }
}
