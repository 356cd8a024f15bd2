package io.containerfs.pull;

/**
 * What an archive must be for pull to install it, checked against the bytes as they are
 * extracted ({@link RootfsExtractor}): nothing is installed unless it passes.
 */
public interface ArchiveCheck {
    /** Whether {@link #verify} reads {@link Fingerprint#sha512()}, which then has to be computed. */
    boolean needsSha512();

    /** Throws, saying what differs and what to do, unless {@code got} is what is expected. */
    void verify(Fingerprint got, String what) throws PullException;
}
