#!/bin/sh
# Writes BundledLibrary.java, what NativeLoader needs to know of the libraries the jar bundles:
#   bundled-library.sh OUT NATIVE
# OUT is the source to write, NATIVE the jar's native/ directory: one ARCH-Linux/libcontainer-fs.so
# per architecture (amd64, aarch64), each the resource /native/ARCH-Linux/libcontainer-fs.so.
# pom.xml (bundle-native-library) runs it once the libraries are built and compiles what it writes.
# A run then finds its cached copy of the library without opening the jar: with the launcher's
# class archive nothing else opens it, and reading its central directory cost 2 ms (docs/BENCHMARKS.md).
# The SHA-256 names the copy's directory; the size and CRC-32 check the copy on every run. The
# CRC-32 is zlib's, as java.util.zip.CRC32 gives it: the one gzip writes in its trailer, before
# the size (both little-endian, RFC 1952).
set -eu
out=$1 native=$2

fail() {
    echo "bundled-library.sh: $*" >&2
    exit 1
}

# One NativeLoader.bundled call for a library: RESOURCE LIBRARY.
register() {
    resource=$1 library=$2
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
    printf '        NativeLoader.bundled("%s", "%s", %sL, %sL);\n' "$resource" "$sha256" "$size" "$crc32"
}

mkdir -p "$(dirname "$out")"
{
    cat <<JAVA
package io.containerfs.linux;

/** Written by scripts/bundled-library.sh from the libraries the build made. */
final class BundledLibrary {
    static {
JAVA
    found=0
    for library in "$native"/*-Linux/libcontainer-fs.so; do
        [ -f "$library" ] || continue
        register "/native/$(basename "$(dirname "$library")")/libcontainer-fs.so" "$library"
        found=1
    done
    [ $found -eq 1 ] || fail "no ARCH-Linux/libcontainer-fs.so in $native"
    cat <<JAVA
    }

    private BundledLibrary() {}
}
JAVA
} >"$out.tmp"
mv "$out.tmp" "$out"
