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

fail() {
    echo "bundled-library.sh: $*" >&2
    exit 1
}

sha256=$(sha256sum "$library") || fail "cannot read $library"
sha256=${sha256%% *}
size=$(wc -c <"$library" | tr -d ' ')
# gzip's last 8 bytes: the CRC-32, then the size modulo 2^32, each little-endian, byte by byte.
# A size that matches says gzip read the whole file.
# shellcheck disable=SC2046 # eight numbers, split on purpose
set -- $(gzip -c "$library" | tail -c 8 | od -An -v -tu1)
[ $# -eq 8 ] || fail "gzip gave no trailer for $library"
crc32=$(($1 + 256 * $2 + 65536 * $3 + 16777216 * $4))
[ $(($5 + 256 * $6 + 65536 * $7 + 16777216 * $8)) -eq $((size % 4294967296)) ] ||
    fail "gzip did not read all of $library"
case $sha256 in
*[!0-9a-f]* | '') fail "cannot hash $library" ;;
esac
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
