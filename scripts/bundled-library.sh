#!/bin/sh
# Writes BundledLibrary.java, what NativeLoader needs to know of the library the jar bundles:
#   bundled-library.sh RESOURCE LIBRARY OUT
# RESOURCE is its name in the jar, LIBRARY the built libcontainer-fs.so, OUT the source to write.
# pom.xml (bundle-native-library) runs it once the library is built and compiles what it writes.
# A run then finds its cached copy of the library without opening the jar: with the launcher's
# class archive nothing else opens it, and reading its central directory cost 2 ms (docs/BENCHMARKS.md).
# The SHA-256 names the copy's directory; the size and CRC-32 check the copy on every run. The
# CRC-32 is zlib's, as java.util.zip.CRC32 gives it: the one gzip writes in its trailer, before
# the size (both little-endian, RFC 1952).
set -eu
resource=$1 library=$2 out=$3

sha256=$(sha256sum "$library" | cut -d' ' -f1)
size=$(wc -c <"$library" | tr -d ' ')
crc32=$(gzip -c "$library" | tail -c 8 | od -An -N4 -tu4 --endian=little | tr -d ' ')
for value in "$sha256" "$size" "$crc32"; do
    case $value in
    '' | *[!0-9a-f]*) echo "bundled-library.sh: cannot read $library" >&2; exit 1 ;;
    esac
done
mkdir -p "$(dirname "$out")"
cat >"$out" <<JAVA
package io.containerfs.linux;

/** Written by scripts/bundled-library.sh when the build made $resource. */
final class BundledLibrary {
    static {
        NativeLoader.bundled("$resource", "$sha256", ${size}L, ${crc32}L);
    }

    private BundledLibrary() {}
}
JAVA
