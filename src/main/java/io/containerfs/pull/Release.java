package io.containerfs.pull;

import java.util.Optional;

/**
 * One mini root filesystem as a mirror's {@code latest-releases.yaml} lists it: what to download
 * ({@code file}, a plain file name) and what it must be ({@code size}, {@code sha256}, and
 * {@code sha512} when the index gives one, all lower-case hex).
 */
public record Release(String branch, String arch, String version, String file, long size, String sha256,
        Optional<String> sha512) implements ArchiveCheck {

    @Override
    public boolean needsSha512() {
        return sha512.isPresent();
    }

    /** Throws unless {@code got} is exactly this release's file. */
    @Override
    public void verify(Fingerprint got, String what) throws PullException {
        if (got.size() != size) {
            throw new PullException(what + " is " + got.size() + " bytes, but latest-releases.yaml says " + size
                    + "; the download was cut short or the mirror is out of date: try again, or use another --mirror");
        }
        if (!got.sha256().equals(sha256)) {
            throw new PullException(what + " has SHA-256 " + got.sha256() + ", but latest-releases.yaml says "
                    + sha256 + "; the download is corrupt or the mirror is wrong: try again, or use another --mirror");
        }
        if (sha512.isPresent() && !got.sha512().equals(sha512.get())) {
            throw new PullException(what + " has the wrong SHA-512 (latest-releases.yaml says " + sha512.get()
                    + "); the download is corrupt or the mirror is wrong: try again, or use another --mirror");
        }
    }
}
