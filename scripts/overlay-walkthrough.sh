#!/usr/bin/env bash
# Part 2 of the course: an overlay filesystem mounted by hand, step by step.
#
#   sudo scripts/overlay-walkthrough.sh [--tarball ALPINE_MINIROOTFS.tar.gz] [--fib FIB] [DIR]
#
# In DIR (default: a new directory under /tmp) it makes
#   rootfs/        the Alpine mini root filesystem: the read-only lower layer
#   app/           the upper layer: where every change made through the mountpoint goes
#   overlay-work/  overlayfs's own scratch directory (same filesystem as app/)
#   mountpoint/    where the merged view appears
#   writedir/      unused here; part 3 (container-fs) writes there
# mounts the overlay, copies fib into mountpoint/usr/bin, shows where the copy
# was stored and why, and unmounts. Nothing stays mounted, whatever happens.
#
# rootfs/ comes from `container-fs pull --file` when this build of container-fs
# has the pull command, otherwise from tar. The tarball defaults to the copy of
# the Alpine mirror beside the repository; without one, `container-fs pull`
# downloads it. fib defaults to a fresh static build (scripts/build-fib.sh).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
tarball=
fib=
dir=

usage() { sed -n '4p' "$0" | sed 's/^#   /usage: /' >&2; exit 2; }
while (($# > 0)); do
    case $1 in
        --tarball) tarball=${2:?--tarball needs a file}; shift 2 ;;
        --fib) fib=${2:?--fib needs a file}; shift 2 ;;
        -h | --help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) usage ;;
        *) [[ -z $dir ]] || usage; dir=$1; shift ;;
    esac
done

# Narration: bold step titles when stdout is a terminal, plain text otherwise.
if [[ -t 1 ]]; then bold=$(tput bold 2>/dev/null || true); plain=$(tput sgr0 2>/dev/null || true); else bold='' plain=''; fi
step=0
title() { step=$((step + 1)); printf '\n%s== %d. %s%s\n' "$bold" "$step" "$*" "$plain"; }
say() { printf '   %s\n' "$@"; }
show() { printf '   $ %s\n' "$*"; "$@" 2>&1 | sed 's/^/     /'; }
die() { echo "overlay-walkthrough: $*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || die "mount needs root: run with sudo"

if [[ -n $fib ]]; then
    [[ -f $fib ]] || die "no file $fib (--fib)"
    fib=$(realpath "$fib")
fi
if [[ -z $dir ]]; then
    dir=$(mktemp -d /tmp/overlay-walkthrough.XXXXXX)
fi
dir=$(realpath -m "$dir")

# overlayfs needs an upper filesystem with extended attributes, d_type and
# O_TMPFILE; VirtualBox shared folders (vboxsf: Vagrant's /vagrant and the
# course's ~/exercises) have none of these, and the mount fails with a bare
# "invalid argument". Refused before anything is created there.
case $dir/ in
    /vagrant/* | /home/vagrant/exercises/*)
        die "refusing $dir: it is in Vagrant's shared folder (VirtualBox vboxsf), and overlayfs does not work there; use a directory under /tmp" ;;
esac
existing=$dir
while [[ ! -e $existing ]]; do existing=$(dirname "$existing"); done
fstype=$(findmnt -n -o FSTYPE --target "$existing")
if [[ $fstype == vboxsf ]]; then
    die "refusing $dir: it is on a VirtualBox shared folder (vboxsf), and overlayfs does not work there; use a directory under /tmp"
fi
mkdir -p "$dir"
for d in rootfs app overlay-work mountpoint writedir; do
    if [[ -e $dir/$d ]] && [[ -n $(ls -A "$dir/$d") ]]; then
        die "$dir/$d already exists and is not empty: give a new directory"
    fi
done

mounted=
cleanup() {
    local status=$?
    set +e
    if [[ -n $mounted ]] && mountpoint -q "$dir/mountpoint"; then
        echo
        echo "   (unmounting $dir/mountpoint on the way out)"
        umount "$dir/mountpoint" || umount -l "$dir/mountpoint"
    fi
    if (( status != 0 )); then echo "overlay-walkthrough: stopped (exit $status); nothing is left mounted" >&2; fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "${bold}Part 2: an overlay filesystem by hand, in $dir ($fstype)${plain}"

title "The lower layer: rootfs/, the Alpine mini root filesystem"
[[ -n $tarball ]] || tarball=$here/../shared/alpine-mirror/v3.20/releases/x86_64/alpine-minirootfs-3.20.3-x86_64.tar.gz
jar=${CONTAINER_FS_JAR:-$here/target/container-fs.jar}
# The pull command's help names its --file option; older builds have no pull.
has_pull() { [[ -f $jar ]] && java -jar "$jar" pull --help 2>/dev/null | grep -q -- '--file'; }
if [[ -f $tarball ]] && has_pull; then
    show java -jar "$jar" pull --file "$tarball" "$dir/rootfs"
elif [[ -f $tarball ]]; then
    mkdir -p "$dir/rootfs"
    say "As root, tar keeps the owners and modes the archive records (--same-owner -p)."
    show tar --same-owner -xzpf "$tarball" -C "$dir/rootfs"
elif has_pull; then
    show java -jar "$jar" pull alpine:v3.20 "$dir/rootfs"
else
    die "no Alpine tarball at $tarball and no container-fs with pull at $jar: give --tarball FILE"
fi
say "rootfs/ is a whole Linux userland. It will only ever be read:"
show ls -C "$dir/rootfs"

title "The other directories"
mkdir -p "$dir/app" "$dir/overlay-work" "$dir/mountpoint" "$dir/writedir"
say "app/          upper layer, empty: it will receive every change"
say "overlay-work/ overlayfs's work directory, empty, on the same filesystem as app/"
say "mountpoint/   where the merged view of rootfs/ and app/ will appear"
say "writedir/     not used here; container-fs (part 3) writes there"

title "Mount the overlay"
say "lowerdir is read-only; upperdir takes the writes; workdir is scratch space"
say "overlayfs needs to make each change atomically."
cd "$dir"
show mount -t overlay overlay -olowerdir=rootfs,upperdir=app,workdir=overlay-work mountpoint/
mounted=yes
show findmnt -n -o TARGET,FSTYPE,OPTIONS --target mountpoint
say "The mountpoint shows rootfs/'s files, although app/ is empty:"
show ls -C mountpoint
show ls -A app

title "Copy fib into the merged view"
if [[ -z $fib ]]; then
    fib=$dir/fib
    "$here/scripts/build-fib.sh" "$fib" | sed 's/^/   /'
fi
show cp "$fib" mountpoint/usr/bin/fib
show ls -l mountpoint/usr/bin/fib

title "Where was it stored?"
show ls -l app/usr/bin
if [[ -e rootfs/usr/bin/fib ]]; then
    die "rootfs/usr/bin/fib exists: the copy reached the lower layer"
fi
say "rootfs/usr/bin/fib does not exist: the lower layer is unchanged."
show find app
say "The copy is in app/usr/bin/fib, the upper directory. Writes through an"
say "overlay always go to the upper layer: the lower layers are read-only. To"
say "put fib in usr/bin, overlayfs first 'copied up' the directory usr/bin"
say "(only the directory entry and its attributes, not the files in it) into"
say "app/, then created fib there. Reads of usr/bin/ now merge app/usr/bin"
say "over rootfs/usr/bin. This is how one read-only image serves many"
say "containers: each gets its own upper directory."

title "Unmount"
show umount mountpoint
mounted=
say "The merged view is gone; fib survives in the upper layer:"
show ls -C mountpoint
show ls -l app/usr/bin/fib

echo
echo "${bold}Done.${plain} Part 3 runs fib in a container on these same layers:"
echo "   sudo java -jar $jar $dir/rootfs $dir/app $dir/writedir -- fib"
