#!/usr/bin/env bash
# Runs the jar's arm64 library in an arm64 JVM, on an amd64 machine: Debian
# 11's arm64 OpenJDK 17 and glibc 2.31, emulated by qemu-user (qemu-aarch64-static
# -L ROOT: the emulated programs find their libraries in ROOT). The jar's pull
# loads native/aarch64-Linux/libcontainer-fs.so, which checks TARBALL's SHA-256
# with the arm64 libcrypto 1.1 it opens with dlopen, and writes the tree. No
# container is run: under qemu-user the kernel would see amd64 system calls
# under the arm64 seccomp filter, and clone's namespaces are the emulator's to
# refuse; the arm64 kernel is scripts/vm-test.sh's (issue 28 part 3).
#
#   sudo scripts/check-arm64.sh TARBALL
#
# TARBALL: alpine-minirootfs-3.20.3-x86_64.tar.gz (any architecture's will do).
# Needs target/container-fs.jar with its arm64 library, and
# target/release/aarch64/container-fs, which it runs too.
# Kept between runs in ~/.cache/container-fs-tests ($XDG_CACHE_HOME too):
#   debian-arm64-VERSION/  the Debian 11 arm64 root, made once (two minutes,
#                          300 MB): debootstrap --foreign downloads the
#                          packages, dpkg-deb unpacks them (no arm64 program
#                          runs; nothing is configured, nothing needs to be)
# The run writes only in a new directory under /var/tmp, removed afterwards.
# Needs root (debootstrap), debootstrap, qemu-aarch64-static (Debian package
# qemu-user-static) and Debian's package mirror (apt's, or DEBIAN_MIRROR).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
# Change it when what goes into the Debian root changes: the next run makes a new one.
version=bullseye-minbase-openjdk-17-jre-headless-libssl1.1-1
cache=${XDG_CACHE_HOME:-$HOME/.cache}/container-fs-tests
base=$cache/debian-arm64-$version
java=usr/lib/jvm/java-17-openjdk-arm64/bin/java

say() { echo "check-arm64: $*"; }
die() { echo "check-arm64: $*" >&2; exit 1; }
# shellcheck source-path=SCRIPTDIR source=lib/debian-root.sh
. "$here/scripts/lib/debian-root.sh"

(($# == 1)) || { echo "usage: sudo scripts/check-arm64.sh TARBALL" >&2; exit 2; }
[[ $(id -u) -eq 0 ]] || die "debootstrap needs root: run with sudo"
for tool in debootstrap dpkg-deb qemu-aarch64-static sha256sum; do
    command -v "$tool" >/dev/null || die "$tool not found (sudo scripts/test.sh installs it)"
done
tarball=$(realpath "$1")
[[ -f $tarball ]] || die "no tarball $tarball"
jar=$here/target/container-fs.jar
front_end=$here/target/release/aarch64/container-fs
for built in "$jar" "$front_end"; do
    [[ -e $built ]] || die "$built is missing: run mvn package with gcc-aarch64-linux-gnu installed"
done

begin_scratch check-arm64

if [[ -f $base/.complete ]]; then
    say "reusing the Debian 11 arm64 root in $base"
else
    debian=$(debian_mirror)
    packages=openjdk-17-jre-headless,libssl1.1
    say "debootstrap --arch=arm64 --foreign --variant=minbase --include=$packages bullseye from $debian"
    start=$SECONDS
    mkdir -p "$cache"
    rm -rf "$base.part.$$"
    debootstrap --arch=arm64 --foreign --variant=minbase --include="$packages" bullseye "$base.part.$$" "$debian"
    find "$base.part.$$/var/cache/apt/archives" -name '*.deb' -print0 \
        | xargs -0 -I{} -P 4 dpkg-deb -x {} "$base.part.$$"
    find "$base.part.$$/var/cache/apt/archives" -name '*.deb' -delete
    [[ -x $base.part.$$/$java ]] || die "no $java in the arm64 root"
    touch "$base.part.$$/.complete"
    # Another run may have made one meanwhile: either is as good.
    mv -T "$base.part.$$" "$base" 2>/dev/null || rm -rf "$base.part.$$"
    say "the arm64 root took $((SECONDS - start)) s"
fi

arm64() { # PROGRAM ARG...: an arm64 program, its libraries from the Debian root
    qemu-aarch64-static -L "$base" "$@"
}

say "on Debian $(cat "$base/etc/debian_version") arm64, $(arm64 "$base/$java" -version 2>&1 | sed -n 1p),\
 os.arch $(arm64 "$base/$java" -XshowSettings:properties -version 2>&1 | awk '$1 == "os.arch" { print $3 }')"

sha256=$(sha256sum "$tarball")
sha256=${sha256%% *}
start=$SECONDS
env XDG_CACHE_HOME="$tmp/cache" LD_DEBUG=files \
    qemu-aarch64-static -L "$base" "$base/$java" -jar "$jar" pull -q --file "$tarball" --sha256 "$sha256" "$tmp/rootfs" \
    >"$tmp/pull.out" 2>"$tmp/pull.err" || { cat "$tmp/pull.out" "$tmp/pull.err" >&2; die "pull failed"; }
say "pull took $((SECONDS - start)) s"
# What the dynamic linker loaded (LD_DEBUG=files): "FILE by LOADER", the first time.
loaded() { grep -o "file=$1 \[0\];  dynamically loaded by [^ ]*" "$tmp/pull.err" | sed -n '1{s/^file=//;s/ \[0\];  dynamically loaded//;p}'; }
library=$(loaded '[^ ]*/libcontainer-fs.so')
library=${library%% by *}
[[ -f $library ]] || die "the JVM did not load libcontainer-fs.so"
machine=$(readelf -h "$library" | awk -F': +' '$1 ~ /Machine/ { print $2 }')
echo "library: ${library##*/} for $machine, loaded by the arm64 JVM"
crypto=$(loaded 'libcrypto.so.1.1')
[[ $crypto == *' by '*/libcontainer-fs.so ]] || die "the library did not open libcrypto.so.1.1"
echo "libcrypto: ${crypto%% by *} opened by ${crypto##*/}"
echo "pull: $(cat "$tmp/rootfs/etc/alpine-release") extracted"
# The C front end for arm64: its usage line, exit 125.
status=0
arm64 "$front_end" >/dev/null 2>"$tmp/front-end.err" || status=$?
echo "arm64 C front end: exit $status, $(cut -d';' -f1 "$tmp/front-end.err")"
say "ok: the arm64 library loads in an arm64 JVM"
