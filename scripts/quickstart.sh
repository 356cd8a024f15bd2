#!/usr/bin/env bash
# One command from a fresh checkout to a shell in a container:
#   sudo scripts/quickstart.sh [--file TARBALL | --mirror URL] [--] [COMMAND [ARG...]]
# COMMAND defaults to sh. On Debian 12 or Ubuntu 20.04, 22.04 or 24.04 with a
# JDK 17+ and Maven, it installs the packages the build needs, builds
# target/container-fs.jar, the launcher bin/container-fs and the static fib,
# installs the launcher as container-fs on PATH (scripts/install.sh), prepares
# demo/rootfs (Alpine's mini root filesystem), demo/app (fib in usr/bin) and
# demo/writedir, then runs COMMAND in a container on those three layers.
# Alpine's tarball comes from, in this order: --file TARBALL (or
# ALPINE_TARBALL=TARBALL), ../shared/alpine-mirror beside the checkout (the
# course's machines), or a download by `container-fs pull` from Alpine's CDN or
# the mirror --mirror URL names.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
jar=$here/target/container-fs.jar
# The launcher starts the JVM with the options that make a short run fast (docs/BENCHMARKS.md);
# it runs the jar above. A build product (src/main/c/launcher/launcher.c), made by the same mvn package.
launcher=$here/bin/container-fs

say() { printf 'quickstart: %s\n' "$*" >&2; }
usage() {
    echo "usage: sudo scripts/quickstart.sh [--file TARBALL | --mirror URL] [--] [COMMAND [ARG...]]"
    echo "  --file TARBALL  extract this Alpine mini root filesystem (.tar.gz) you already have"
    echo "                  (ALPINE_TARBALL=TARBALL does the same)"
    echo "  --mirror URL    download it from this Alpine mirror instead of Alpine's CDN"
    echo "  COMMAND         run in the container (default: sh)"
}
die_usage() { say "$*"; usage >&2; exit 2; }

tarball=${ALPINE_TARBALL:-}
mirror=
while (($# > 0)); do
    case $1 in
        --file) (($# > 1)) || die_usage "--file needs a TARBALL"; tarball=$2; shift 2 ;;
        --file=*) tarball=${1#--file=}; shift ;;
        --mirror) (($# > 1)) || die_usage "--mirror needs a URL"; mirror=$2; shift 2 ;;
        --mirror=*) mirror=${1#--mirror=}; shift ;;
        -h | --help) usage; exit 0 ;;
        --) shift; break ;;
        -*) die_usage "unknown option $1" ;;
        *) break ;;
    esac
done
if [ -n "$tarball" ] && [ -n "$mirror" ]; then
    die_usage "--file and --mirror are two ways to get the same tarball: give one"
fi
if [ -n "$tarball" ]; then
    [ -f "$tarball" ] || die_usage "no tarball at $tarball"
    tarball=$(realpath "$tarball")
fi

# overlayfs cannot use a VirtualBox shared folder (the course VM's
# ~/exercises) as a layer: keep the demo layers on the VM's own disk then.
demo=${DEMO_DIR:-$here/demo}
if [ -z "${DEMO_DIR:-}" ] && [ "$(stat -f -c %T "$here")" = vboxsf ]; then
    demo=/var/tmp/container-fs-demo
    say "$here is a VirtualBox shared folder, where overlayfs does not work: using $demo"
fi

if [ "$(id -u)" -ne 0 ]; then
    say "containers need root: run it as 'sudo $0 $*'"
    exit 125
fi
needs_build=
if [ ! -f "$jar" ] || [ ! -x "$launcher" ]; then needs_build=yes; fi
for tool in java ${needs_build:+mvn}; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        say "no $tool on PATH: the quick start needs a JDK 17 or newer and Maven, e.g."
        say "  sudo apt-get install openjdk-17-jdk-headless maven"
        exit 125
    fi
done

# gcc, g++, libc6-dev, make: the C core, its front end and the launcher
# (Maven NAR links the JNI library with g++); musl-tools: the static fib;
# slirp4netns: the container's network (the default --network private).
"$here/scripts/install-packages.sh" gcc g++ libc6-dev make musl-tools slirp4netns

if [ -n "$needs_build" ]; then
    say "building $jar and $launcher"
    (cd "$here" && mvn -q -B package -DskipTests) >&2
fi

mkdir -p "$demo"
if [ -d "$demo/rootfs" ]; then
    if [ -n "$tarball$mirror" ]; then
        say "$demo/rootfs is there already: --file and --mirror are not needed (remove it to pull again)"
    fi
else
    local_copy=$here/../shared/alpine-mirror/v3.20/releases/x86_64/alpine-minirootfs-3.20.3-x86_64.tar.gz
    if [ -z "$tarball$mirror" ] && [ -f "$local_copy" ]; then
        tarball=$(realpath "$local_copy")
    fi
    if [ -n "$tarball" ]; then
        say "extracting $tarball into $demo/rootfs"
        pull=(pull --quiet --file "$tarball")
    elif [ -n "$mirror" ]; then
        say "downloading Alpine's mini root filesystem from $mirror into $demo/rootfs"
        pull=(pull --mirror "$mirror" alpine)
    else
        say "downloading Alpine's mini root filesystem into $demo/rootfs"
        pull=(pull alpine)
    fi
    if ! "$launcher" "${pull[@]}" "$demo/rootfs" >&2; then
        say "no Alpine root filesystem; give the quick start one of:"
        say "  --file TARBALL  an alpine-minirootfs-*-x86_64.tar.gz you have (ALPINE_TARBALL=TARBALL too)"
        say "  --mirror URL    an Alpine mirror you can reach, e.g. sudo $0 --mirror https://MIRROR/alpine"
        exit 125
    fi
fi

if [ ! -x "$demo/app/usr/bin/fib" ]; then
    "$here/scripts/build-fib.sh" "$demo/app/usr/bin/fib" >&2
fi
mkdir -p "$demo/writedir"

# The launcher on PATH as container-fs, for every command after this one.
if "$here/scripts/install.sh" >&2; then
    name=container-fs
else
    say "could not put container-fs on PATH: run $launcher instead"
    name=$launcher
fi
say "from now on: sudo $name $demo/rootfs $demo/app $demo/writedir -- COMMAND"

if [ "$#" -eq 0 ]; then
    set -- sh
    say "starting sh in the container: try fib, cat /etc/alpine-release, ps; exit to leave"
fi
exec "$launcher" "$demo/rootfs" "$demo/app" "$demo/writedir" -- "$@"
