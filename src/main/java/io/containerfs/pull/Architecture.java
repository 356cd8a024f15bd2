package io.containerfs.pull;

import java.util.Map;
import java.util.Optional;

/** Alpine's name for a machine architecture, from the JVM's {@code os.arch}. */
public final class Architecture {
    /** os.arch as OpenJDK reports it on Linux, to the directory names Alpine's mirrors use. */
    private static final Map<String, String> ALPINE_NAMES = Map.of(
            "amd64", "x86_64",
            "x86_64", "x86_64",
            "aarch64", "aarch64",
            "x86", "x86",
            "i386", "x86",
            "ppc64le", "ppc64le",
            "s390x", "s390x",
            "riscv64", "riscv64",
            "loongarch64", "loongarch64");

    private Architecture() {}

    /** Empty for an architecture Alpine names ambiguously (32-bit arm: armhf or armv7) or not at all. */
    public static Optional<String> alpineName(String osArch) {
        return Optional.ofNullable(ALPINE_NAMES.get(osArch));
    }
}
