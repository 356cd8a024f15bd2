package io.containerfs.pull;

import java.util.Map;
import java.util.Optional;

/** Alpine's and the OCI's names for a machine architecture, from the JVM's {@code os.arch}. */
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

    /** os.arch to the names images use for it (Go's GOARCH), as an index's platform.architecture says. */
    private static final Map<String, String> OCI_NAMES = Map.of(
            "amd64", "amd64", "x86_64", "amd64", "aarch64", "arm64", "x86", "386", "i386", "386",
            "arm", "arm", "ppc64le", "ppc64le", "s390x", "s390x", "riscv64", "riscv64");

    private Architecture() {}

    /** The OCI's (Go's) name of the JVM's os.arch: amd64, arm64, ...; an unknown one as it is. */
    public static String ociName(String osArch) {
        return OCI_NAMES.getOrDefault(osArch, osArch);
    }

    /** Empty for an architecture Alpine names ambiguously (32-bit arm: armhf or armv7) or not at all. */
    public static Optional<String> alpineName(String osArch) {
        return Optional.ofNullable(ALPINE_NAMES.get(osArch));
    }
}
