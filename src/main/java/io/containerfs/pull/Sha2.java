package io.containerfs.pull;

import io.containerfs.linux.Native;
import io.containerfs.linux.NativeLoader;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;

/**
 * A SHA-256 or SHA-512 digest of what pull reads, computed by OpenSSL's libcrypto through the
 * native library when both can be loaded, else by the JDK's {@link MessageDigest}.
 *
 * <p>libcrypto hashes the Alpine tarball in about 3 ms with the CPU's SHA instructions; the JDK
 * first starts its security providers (about 17 ms in a cold JVM), then hashes at 85 MB/s until
 * C2 compiles it, which the launcher's C1-only JIT never does: 25 to 40 ms (docs/BENCHMARKS.md).
 * Both are well-kept implementations; which one ran is {@link #isNative()}.
 */
public final class Sha2 {
    private final int bits;
    private final MessageDigest jdk; // null when native
    private long handle; // libcrypto's, 0 when the JDK computes it
    private boolean finished;

    private Sha2(int bits, long handle, MessageDigest jdk) {
        this.bits = bits;
        this.handle = handle;
        this.jdk = jdk;
    }

    public static Sha2 sha256() {
        return of(256);
    }

    public static Sha2 sha512() {
        return of(512);
    }

    /** The JDK's, never libcrypto's: what runs where the native library or libcrypto cannot be loaded. */
    static Sha2 jdk(int bits) {
        try {
            return new Sha2(bits, 0, MessageDigest.getInstance("SHA-" + bits));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-" + bits, e);
        }
    }

    private static Sha2 of(int bits) {
        if (NativeLoader.isAvailable()) {
            try {
                long handle = Native.digestNew(bits);
                if (handle != 0) {
                    return new Sha2(bits, handle, null);
                }
            } catch (UnsatisfiedLinkError olderLibrary) {
                // One from java.library.path or -Dcontainerfs.native.path, built before digest.c.
            }
        }
        return jdk(bits);
    }

    /** Whether libcrypto computes this digest. */
    public boolean isNative() {
        return jdk == null;
    }

    public void update(byte[] bytes, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        requireUnfinished();
        if (jdk != null) {
            jdk.update(bytes, offset, length);
        } else if (!Native.digestUpdate(handle, bytes, offset, length)) {
            throw new IllegalStateException("libcrypto failed to add to a SHA-" + bits);
        }
    }

    /** The digest of everything added; this object is done with after it. */
    public byte[] digest() {
        requireUnfinished();
        finished = true;
        if (jdk != null) {
            return jdk.digest();
        }
        byte[] digest = Native.digestFinish(handle);
        handle = 0;
        if (digest == null) {
            throw new IllegalStateException("libcrypto failed to finish a SHA-" + bits);
        }
        return digest;
    }

    /** libcrypto frees a finished digest: using it again would use freed memory. */
    private void requireUnfinished() {
        if (finished) {
            throw new IllegalStateException("this SHA-" + bits + " is finished");
        }
    }
}
