#!/usr/bin/env bash
# Puts this checkout's launcher on PATH as container-fs: a symbolic link
# BINDIR/container-fs -> bin/container-fs (the launcher finds the jar beside
# its real place, so the link works from anywhere). quickstart.sh runs it.
#   sudo scripts/install.sh [BINDIR]
# BINDIR: default $CONTAINERFS_BIN_DIR, else /usr/local/bin (on sudo's PATH as
# on every user's). A link from another checkout is replaced, and said so; any
# other file there is left alone, and the install fails.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
launcher=$here/bin/container-fs
bindir=${1:-${CONTAINERFS_BIN_DIR:-/usr/local/bin}}
link=$bindir/container-fs

say() { echo "install: $*"; }
die() { echo "install: $*" >&2; exit 1; }

[[ -x $launcher ]] || die "no launcher at $launcher: build it first (mvn -q package -DskipTests)"
if [[ -L $link ]]; then
    old=$(readlink "$link")
    if [[ $old == "$launcher" ]]; then
        say "$link -> $launcher is there already"
        exit 0
    fi
    say "$link pointed to $old: now to this checkout's launcher"
elif [[ -e $link ]]; then
    die "$link is there and is not a link: remove it, or give another BINDIR (sudo $0 BINDIR)"
fi
mkdir -p "$bindir"
# -n: replace the link itself, even one to a directory; -f: atomically enough for one user.
ln -sfn "$launcher" "$link"
say "$link -> $launcher"
case ":$PATH:" in
    *":$bindir:"*) ;;
    *) say "$bindir is not on PATH: add it, or run $link" ;;
esac
