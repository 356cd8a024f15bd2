#!/usr/bin/env bash
# Builds and runs container-fs on glibc 2.31, the C library of the course's
# Ubuntu 20.04, in a minimal Debian 11 (bullseye, glibc 2.31, gcc 10, OpenJDK
# 17, libssl1.1) made with debootstrap, on this machine's kernel (chroot):
#   1. src/main/c/Makefile builds the C front end, the launcher and the JNI
#      library there, against glibc 2.31's headers (jni.h from this JDK);
#   2. the jar and the C front end built on this machine run there: the jar's
#      pull extracts Alpine from TARBALL (its SHA-256 checked by libcrypto 1.1,
#      which the bundled library opens with dlopen), and an OCI layout of its
#      tar as the zstd tool compresses it (decoded by libzstd 1.4.8, opened the
#      same way), then the jar and the C front end run fib in it;
#   3. the front end and the library built in bullseye run fib the same way.
#
#   sudo scripts/check-bullseye.sh TARBALL APP
#
# TARBALL: alpine-minirootfs-3.20.3-x86_64.tar.gz; APP: a layer holding the
# static usr/bin/fib (scripts/build-fib.sh). Needs what `mvn package` built
# (target/container-fs.jar, target/jni-include, src/main/c/container-fs).
# Kept between runs in ~/.cache/container-fs-tests ($XDG_CACHE_HOME too):
#   debian-bullseye-VERSION/  the Debian 11 root, made once (a minute, 400 MB),
#                             never changed after; VERSION names what is in it
# The run itself is in a new directory under /var/tmp, removed afterwards, in a
# mount namespace of its own (unshare), as scripts/check-quickstart.sh does:
#   root/  what the build sees as /: an overlay of the kept Debian root, with
#          /proc, /sys and /dev; work/ (below) mounted on /root/work
#   work/  the project's files (git ls-files), what this machine built (host/),
#          this JDK's include/ (jdk/include), the layers and write directories
# Needs root, debootstrap, unshare, git and Debian's package mirror (taken from
# apt's configuration, or DEBIAN_MIRROR).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
# Change it when what goes into the Debian root changes: the next run makes a new one.
version=bullseye-minbase-gcc-make-openjdk-17-jre-headless-libssl1.1-1
cache=${XDG_CACHE_HOME:-$HOME/.cache}/container-fs-tests
base=$cache/debian-$version
path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

say() { echo "check-bullseye: $*"; }
die() { echo "check-bullseye: $*" >&2; exit 1; }
# shellcheck source-path=SCRIPTDIR source=lib/debian-root.sh
. "$here/scripts/lib/debian-root.sh"

(($# == 2)) || { echo "usage: sudo scripts/check-bullseye.sh TARBALL APP" >&2; exit 2; }
[[ $(id -u) -eq 0 ]] || die "debootstrap, chroot and containers need root: run with sudo"
for tool in debootstrap unshare git sha256sum zstd; do
    command -v "$tool" >/dev/null || die "$tool not found (sudo scripts/test.sh installs it)"
done
tarball=$(realpath "$1")
app=$(realpath "$2")
[[ -f $tarball ]] || die "no tarball $tarball"
[[ -x $app/usr/bin/fib ]] || die "no usr/bin/fib in $app"
jar=$here/target/container-fs.jar
for built in "$jar" "$here/src/main/c/container-fs" "$here/target/jni-include"; do
    [[ -e $built ]] || die "$built is missing: run mvn package first"
done
java_home=$(java -XshowSettings:properties -version 2>&1 | awk '$1 == "java.home" { print $3 }')
[[ -f $java_home/include/jni.h ]] || die "no jni.h in $java_home/include: a JDK is needed, not a JRE"

in_private_mount_namespace "$0" "$@"

begin_scratch check-bullseye

if [[ -f $base/.complete ]]; then
    say "reusing the Debian 11 root in $base"
else
    debian=$(debian_mirror)
    packages=gcc,libc6-dev,make,openjdk-17-jre-headless,libssl1.1
    say "debootstrap --variant=minbase --include=$packages bullseye from $debian"
    start=$SECONDS
    mkdir -p "$cache"
    rm -rf "$base.part.$$"
    debootstrap --variant=minbase --include="$packages" bullseye "$base.part.$$" "$debian"
    find "$base.part.$$/var/cache/apt/archives" -name '*.deb' -delete
    touch "$base.part.$$/.complete"
    # Another run may have made one meanwhile: either is as good.
    mv -T "$base.part.$$" "$base" 2>/dev/null || rm -rf "$base.part.$$"
    say "debootstrap took $((SECONDS - start)) s"
fi

say "copying the project's files (git ls-files), what this machine built, and this JDK's jni.h"
work=$tmp/work
project=$work/container-fs
mkdir -p "$project/target" "$work/host/bin" "$work/jdk" "$work/layers/app" "$tmp/upper" "$tmp/overlay-work" "$tmp/root"
(
    cd "$here"
    git -c safe.directory='*' ls-files -z --cached --others --exclude-standard \
        | while IFS= read -r -d '' file; do
            if [[ -e $file || -L $file ]]; then printf '%s\0' "$file"; fi
        done \
        | tar --null --no-recursion -T - -cf -
) | tar -xf - -C "$project"
cp -a "$here/target/jni-include" "$project/target/"
cp -a "$java_home/include" "$work/jdk/"
cp "$jar" "$work/host/"
cp "$here/src/main/c/container-fs" "$work/host/"
cp -a "$app/." "$work/layers/app/"
cp "$tarball" "$work/alpine.tar.gz"
sha256=$(sha256sum "$tarball")
sha256=${sha256%% *}

# An OCI layout (oci:) of one amd64 image of one layer: the tarball's tar, zstd-compressed.
blob() { # MEDIA_TYPE FILE: writes FILE as a blob of the layout; prints its descriptor
    local sum
    sum=$(sha256sum <"$2")
    sum=${sum%% *}
    cp "$2" "$work/zstd-layout/blobs/sha256/$sum"
    printf '{"mediaType":"%s","digest":"sha256:%s","size":%s}' "$1" "$sum" "$(stat -c %s "$2")"
}
mkdir -p "$work/zstd-layout/blobs/sha256"
gzip -dc "$tarball" >"$tmp/layer.tar"
zstd -q "$tmp/layer.tar" -o "$tmp/layer.tar.zst"
diff_id=$(sha256sum <"$tmp/layer.tar")
printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
    "${diff_id%% *}" >"$tmp/config.json"
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":%s,"layers":[%s]}' \
    "$(blob application/vnd.oci.image.config.v1+json "$tmp/config.json")" \
    "$(blob application/vnd.oci.image.layer.v1.tar+zstd "$tmp/layer.tar.zst")" >"$tmp/manifest.json"
printf '{"schemaVersion":2,"manifests":[%s]}' \
    "$(blob application/vnd.oci.image.manifest.v1+json "$tmp/manifest.json")" >"$work/zstd-layout/index.json"
printf '{"imageLayoutVersion":"1.0.0"}' >"$work/zstd-layout/oci-layout"

root=$tmp/root
mount_at "$root" -t overlay overlay -o "lowerdir=$base,upperdir=$tmp/upper,workdir=$tmp/overlay-work"
mount_at "$root/proc" -t proc proc
mount_at "$root/sys" -t sysfs sysfs
# The host's cgroups, every hierarchy: each container gets its device allowlist there.
mount_at "$root/sys/fs/cgroup" --rbind /sys/fs/cgroup
mount_at "$root/dev" --bind /dev
mkdir -p "$root/root/work"
mount_at "$root/root/work" --bind "$work"

in_root() { # COMMAND...: as root in /root/work, on Debian 11
    chroot "$root" /usr/bin/env -i "PATH=$path" HOME=/root LANG=C.UTF-8 \
        /bin/bash -c 'cd /root/work && exec "$@"' bash "$@"
}

fib() { # WHO COMMAND...: COMMAND must print fib's output, and nothing else
    local out
    out=$(in_root "${@:2}")
    echo "$1: $(tr '\n' ' ' <<<"$out")"
}

say "on Debian $(chroot "$root" cat /etc/debian_version), $(in_root ldd --version | sed -n 1p),\
 $(in_root java -version 2>&1 | sed -n 1p)"

say "make all jni with Debian 11's gcc and glibc 2.31 headers"
start=$SECONDS
in_root make -s -C container-fs/src/main/c all jni JAVA_HOME=/root/work/jdk >"$tmp/make.out" 2>&1 \
    || { cat "$tmp/make.out" >&2; die "the build failed on Debian 11"; }
say "the build took $((SECONDS - start)) s"
bullseye_library=container-fs/target/native/amd64-Linux/libcontainer-fs.so

# pull's checks: the SHA-256 by libcrypto 1.1, which the bundled library opens (LD_DEBUG says so).
in_root env LD_DEBUG=files java -jar host/container-fs.jar pull -q --file alpine.tar.gz --sha256 "$sha256" \
    layers/rootfs 2>"$tmp/pull.err" || { cat "$tmp/pull.err" >&2; die "pull failed"; }
grep -o 'file=libcrypto.so.1.1 \[0\];  dynamically loaded by [^ ]*libcontainer-fs.so' "$tmp/pull.err" \
    | sed -n '1{s/^/pull: /;s/ by .*\//, by /;p}' | grep . || die "pull did not open libcrypto.so.1.1"
echo "pull: $(cat "$work/layers/rootfs/etc/alpine-release" 2>/dev/null) extracted"

# A zstd layer: decoded by Debian 11's libzstd 1.4.8 (the 1.4 API of Ubuntu 20.04's 1.4.4).
in_root env LD_DEBUG=files java -jar host/container-fs.jar pull -q --layer-store layers/store \
    oci:zstd-layout layers/zstd-image 2>"$tmp/zstd.err" || { cat "$tmp/zstd.err" >&2; die "the zstd pull failed"; }
grep -o 'file=libzstd.so.1 \[0\];  dynamically loaded by [^ ]*libcontainer-fs.so' "$tmp/zstd.err" \
    | sed -n '1{s/^/zstd pull: /;s/ by .*\//, by /;p}' | grep . || die "the zstd pull did not open libzstd.so.1"
# shellcheck disable=SC2016 # $(head ...) is for the sh in Debian 11's root
echo "zstd pull: $(in_root sh -c 'cat "$(head -1 layers/zstd-image/layers)/etc/alpine-release"') unpacked"

# fib needs no network: --network none, so that the Debian root needs no slirp4netns (the
# default private network's stack).
options_and_layers=(--network none layers/rootfs layers/app)
mkdir -p "$work/write"/{jar,c,bullseye-c,bullseye-jni}
fib "the jar built here" java -jar host/container-fs.jar "${options_and_layers[@]}" write/jar -- /usr/bin/fib
fib "the C front end built here" host/container-fs "${options_and_layers[@]}" write/c -- /usr/bin/fib
fib "the C front end built on Debian 11" container-fs/src/main/c/container-fs "${options_and_layers[@]}" write/bullseye-c -- /usr/bin/fib
fib "the JNI library built on Debian 11" java -Dcontainerfs.native.path=/root/work/$bullseye_library \
    -jar host/container-fs.jar "${options_and_layers[@]}" write/bullseye-jni -- /usr/bin/fib
say "ok: container-fs builds and runs on glibc 2.31"
