#!/usr/bin/env bash
# One command from a fresh checkout to a shell in a container:
#   sudo scripts/quickstart.sh [COMMAND [ARG...]]      default COMMAND: sh
# Builds target/container-fs.jar, the launcher bin/container-fs and the static
# fib, prepares demo/rootfs (Alpine's mini root filesystem), demo/app (fib in
# usr/bin) and demo/writedir, then runs COMMAND in a container on those three
# layers.
# Set ALPINE_TARBALL to use a tarball you already have.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
jar=$here/target/container-fs.jar
# The launcher starts the JVM with the options that make a short run fast (docs/BENCHMARKS.md);
# it runs the jar above. A build product (src/main/c/launcher/launcher.c), made by the same mvn package.
launcher=$here/bin/container-fs

say() { printf 'quickstart: %s\n' "$*" >&2; }

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

if ! command -v musl-gcc >/dev/null 2>&1; then
    say "installing musl-tools (for the static fib)"
    apt-get install -y -qq musl-tools >/dev/null || {
        apt-get update -qq && apt-get install -y -qq musl-tools >/dev/null
    }
fi

if [ ! -f "$jar" ] || [ ! -x "$launcher" ]; then
    say "building $jar and $launcher"
    (cd "$here" && mvn -q -B package -DskipTests)
fi

mkdir -p "$demo"
if [ ! -d "$demo/rootfs" ]; then
    tarball=${ALPINE_TARBALL:-}
    local_copy=$here/../shared/alpine-mirror/v3.20/releases/x86_64/alpine-minirootfs-3.20.3-x86_64.tar.gz
    if [ -z "$tarball" ] && [ -f "$local_copy" ]; then
        tarball=$local_copy
    fi
    if [ -n "$tarball" ]; then
        say "extracting $tarball into $demo/rootfs"
        "$launcher" pull --quiet --file "$tarball" "$demo/rootfs" >&2
    else
        say "downloading Alpine's mini root filesystem into $demo/rootfs"
        "$launcher" pull alpine "$demo/rootfs" >&2
    fi
fi

if [ ! -x "$demo/app/usr/bin/fib" ]; then
    "$here/scripts/build-fib.sh" "$demo/app/usr/bin/fib" >&2
fi
mkdir -p "$demo/writedir"

if [ "$#" -eq 0 ]; then
    set -- sh
    say "starting sh in the container: try fib, cat /etc/alpine-release, ps; exit to leave"
fi
exec "$launcher" "$demo/rootfs" "$demo/app" "$demo/writedir" -- "$@"
