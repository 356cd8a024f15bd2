package io.containerfs.pull;

import java.util.Optional;

/** The check of {@code pull --file}: the SHA-256 given with {@code --sha256}, if any. */
public record ExpectedSha256(Optional<String> sha256) implements ArchiveCheck {

    @Override
    public boolean needsSha512() {
        return false;
    }

    @Override
    public void verify(Fingerprint got, String what) throws PullException {
        if (sha256.isPresent() && !sha256.get().equals(got.sha256())) {
            throw new PullException(what + " has SHA-256 " + got.sha256() + ", not the expected " + sha256.get()
                    + "; get the file again, or check the --sha256 value");
        }
    }
}
