#!/usr/bin/env bash
# Runs the README's quick start as a new user would on a fresh machine: a
# minimal Debian 12 (debootstrap) holding only a JDK 17 and Maven, with the
# project's own files (git ls-files, so no target/ or demo/) copied in and a
# copy of Alpine's mirror beside them as ../shared/alpine-mirror, where the
# course's machines have it. Then checks that `scripts/quickstart.sh fib`
# printed fib's output and left container-fs on PATH.
#
#   sudo scripts/check-quickstart.sh ALPINE_MIRROR
#
# ALPINE_MIRROR: a directory laid out like an Alpine mirror, holding
# v3.20/releases/x86_64/alpine-minirootfs-3.20.3-x86_64.tar.gz.
# Kept between runs in ~/.cache/container-fs-tests ($XDG_CACHE_HOME too):
#   debian-quickstart-VERSION/  the Debian root, made once (a minute, 500 MB),
#                               never changed after; VERSION names what is in it
#   debian-quickstart-debs/     the packages the quick start installs, downloaded once
# The run itself is in a new directory under /var/tmp, removed afterwards:
#   root/  what the quick start sees as /: an overlay of the kept Debian root
#          (the changes go to upper/), with /proc, /sys and /dev, Maven's
#          ~/.m2 (an overlay of the host's: nothing downloaded again, nothing
#          written back) and the package cache mounted in
#   work/  /root/work in root/: container-fs/ (the project) and shared/
# All is mounted in a mount namespace of its own (unshare), which no other
# process sees (another test comparing the host's mount table, say) and which
# takes every mount with it when the script ends, however it ends; the script
# unmounts each by path on the way out all the same.
# Needs root, debootstrap, unshare, git and Debian's package mirror (taken from
# apt's configuration, or DEBIAN_MIRROR).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
# Change it when what goes into the Debian root changes: the next run makes a new one.
version=bookworm-minbase-openjdk-17-jdk-headless-maven-1
cache=${XDG_CACHE_HOME:-$HOME/.cache}/container-fs-tests
base=$cache/debian-quickstart-$version
debs=$cache/debian-quickstart-debs
# The PATH a root login has on Debian: /usr/local/bin, where the quick start puts container-fs, first.
path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

say() { echo "check-quickstart: $*"; }
die() { echo "check-quickstart: $*" >&2; exit 1; }
# shellcheck source-path=SCRIPTDIR source=lib/debian-root.sh
. "$here/scripts/lib/debian-root.sh"

(($# == 1)) || { echo "usage: sudo scripts/check-quickstart.sh ALPINE_MIRROR" >&2; exit 2; }
[[ $(id -u) -eq 0 ]] || die "debootstrap, chroot and containers need root: run with sudo"
for tool in debootstrap unshare git; do
    command -v "$tool" >/dev/null || die "$tool not found (sudo scripts/test.sh installs it)"
done
mirror=$(realpath "$1")
tarball=v3.20/releases/x86_64/alpine-minirootfs-3.20.3-x86_64.tar.gz
[[ -f $mirror/$tarball ]] || die "no $tarball in $mirror"

in_private_mount_namespace "$0" "$@"

begin_scratch check-quickstart

if [[ -f $base/.complete ]]; then
    say "reusing the Debian 12 root in $base"
else
    debian=$(debian_mirror)
    say "debootstrap --variant=minbase --include=openjdk-17-jdk-headless,maven bookworm from $debian"
    start=$SECONDS
    mkdir -p "$cache"
    rm -rf "$base.part.$$"
    debootstrap --variant=minbase --include=openjdk-17-jdk-headless,maven bookworm "$base.part.$$" "$debian"
    # A fresh machine has its packages installed, not their .deb files.
    find "$base.part.$$/var/cache/apt/archives" -name '*.deb' -delete
    touch "$base.part.$$/.complete"
    # Another run may have made one meanwhile: either is as good.
    mv -T "$base.part.$$" "$base" 2>/dev/null || rm -rf "$base.part.$$"
    say "debootstrap took $((SECONDS - start)) s"
fi

say "copying the project's files (git ls-files) and $mirror"
project=$tmp/work/container-fs
mkdir -p "$project" "$tmp/work/shared" "$tmp/upper" "$tmp/overlay-work" "$tmp/root" "$debs/partial"
(
    cd "$here"
    git -c safe.directory='*' ls-files -z --cached --others --exclude-standard \
        | while IFS= read -r -d '' file; do
            if [[ -e $file || -L $file ]]; then printf '%s\0' "$file"; fi
        done \
        | tar --null --no-recursion -T - -cf -
) | tar -xf - -C "$project"
cp -a "$mirror" "$tmp/work/shared/alpine-mirror"

root=$tmp/root
mount_at "$root" -t overlay overlay -o "lowerdir=$base,upperdir=$tmp/upper,workdir=$tmp/overlay-work"
mount_at "$root/proc" -t proc proc
mount_at "$root/sys" -t sysfs sysfs
# The host's cgroups, every hierarchy: each container gets its device allowlist there.
mount_at "$root/sys/fs/cgroup" --rbind /sys/fs/cgroup
mount_at "$root/dev" --bind /dev
mount_at "$root/dev/pts" --bind /dev/pts # apt writes its log through a pty
mkdir -p "$root/root/work"
mount_at "$root/root/work" --bind "$tmp/work"
mount_at "$root/var/cache/apt/archives" --bind "$debs"
if [[ -d $HOME/.m2 ]]; then
    mkdir -p "$tmp/m2-upper" "$tmp/m2-work" "$root/root/.m2"
    mount_at "$root/root/.m2" -t overlay overlay -o "lowerdir=$HOME/.m2,upperdir=$tmp/m2-upper,workdir=$tmp/m2-work"
fi

in_root() { # COMMAND...: as root logged in on the fresh machine, in the project's directory
    chroot "$root" /usr/bin/env -i "PATH=$path" HOME=/root LANG=C.UTF-8 \
        /bin/bash -c 'cd /root/work/container-fs && exec "$@"' bash "$@"
}

say "scripts/quickstart.sh fib, on $(chroot "$root" cat /etc/debian_version) with $(in_root java -version 2>&1 \
    | sed -n 1p) and $(in_root mvn -B -v 2>/dev/null | sed -n '1{s/\x1b\[[0-9;]*m//g;p}')"
start=$SECONDS
in_root scripts/quickstart.sh fib >"$tmp/fib.out"
say "the quick start took $((SECONDS - start)) s"
echo "fib output:"
cat "$tmp/fib.out"

# What the quick start said: from now on, container-fs by name.
installed=$(in_root sh -c 'command -v container-fs')
echo "container-fs on PATH: $installed -> $(chroot "$root" readlink "$installed")"
echo "container-fs by name: $(in_root container-fs demo/rootfs demo/app demo/writedir -- cat /etc/alpine-release)"
say "ok: the quick start runs on a fresh Debian 12 with only a JDK and Maven"
