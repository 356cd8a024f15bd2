#!/usr/bin/env bash
# Part 1 of the course, checked with a real Docker engine on a machine that
# reaches no image registry:
#   1. build fib static (scripts/build-fib.sh),
#   2. start a private dockerd: its own data root, exec root, pid file, config
#      file and socket in a temporary directory; no bridge, no iptables rules,
#      no ip_forward change, so the host's network is left as it was,
#   3. make alpine:latest locally by `docker import` of the Alpine mini root
#      filesystem (the registry's alpine image is that same tarball),
#   4. `docker build -t fib` of examples/fib/Dockerfile, then `docker run --rm fib`.
# fib's output goes to stdout; everything else to stderr. Exits 1 unless the
# output is exactly the course's sequence. dockerd is stopped by its pid and
# everything it created is removed on every exit path.
#
#   sudo scripts/docker-fib-check.sh [ALPINE_MINIROOTFS_TARBALL]
# The tarball defaults to the copy of the Alpine mirror beside the repository:
#   ../shared/alpine-mirror/v3.20/releases/x86_64/alpine-minirootfs-3.20.3-x86_64.tar.gz
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
tarball=${1:-$here/../shared/alpine-mirror/v3.20/releases/x86_64/alpine-minirootfs-3.20.3-x86_64.tar.gz}
expected=$'Fibonacci numbers:\n1\n1\n2\n3\n5\n8\n13\n21\n34\n55'

say() { echo "docker-fib-check: $*" >&2; }
die() { say "$*"; exit 1; }

[[ $(id -u) -eq 0 ]] || die "dockerd needs root: run with sudo"
command -v dockerd >/dev/null || die "dockerd not found: sudo apt-get install docker.io"
command -v docker >/dev/null || die "docker (the client) not found: sudo apt-get install docker.io"
[[ -f $tarball ]] || die "no Alpine mini root filesystem at $tarball (give its path as the argument)"

# Host paths that dockerd 20.10 and its containerd write outside the roots we
# give them (the trust key and two hard-coded socket directories). Whatever of
# these did not exist before is removed afterwards.
host_leftovers=(/etc/docker/key.json /run/docker /run/containerd)
preexisting=()
for path in "${host_leftovers[@]}"; do
    if [[ -e $path ]]; then preexisting+=("$path"); fi
done

# Short path: unix socket names are limited to 108 bytes.
tmp=$(mktemp -d /tmp/docker-fib.XXXXXX)
dockerd_pid=

stop_pid() { # PID WHAT: TERM, wait up to 30 s, then KILL
    local pid=$1 what=$2
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 60); do
        kill -0 "$pid" 2>/dev/null || return 0
        # A child of ours that exited but was not yet waited for is gone too.
        [[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) == Z ]] && return 0
        sleep 0.5
    done
    say "$what ($pid) ignored SIGTERM for 30 s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
    local status=$?
    set +e
    if [[ -n $dockerd_pid ]]; then
        # The containerd that dockerd started is stopped by dockerd itself on a
        # clean shutdown; read its pid first in case dockerd has to be killed.
        local containerd_pid
        containerd_pid=$(cat "$tmp/exec/containerd/containerd.pid" 2>/dev/null)
        stop_pid "$dockerd_pid" dockerd
        wait "$dockerd_pid" 2>/dev/null
        if [[ -n $containerd_pid ]] && grep -qF "$tmp" "/proc/$containerd_pid/cmdline" 2>/dev/null; then
            stop_pid "$containerd_pid" containerd
        fi
    fi
    # Anything still mounted below our directory (overlay2 layers, the exec
    # root's netns or shm mounts), deepest first.
    findmnt -rn -o TARGET | grep -F "$tmp/" | sort -r | while read -r m; do
        umount -l "$m" || say "could not unmount $m"
    done
    rm -rf "$tmp"
    for path in "${host_leftovers[@]}"; do
        if [[ " ${preexisting[*]} " != *" $path "* ]]; then rm -rf "$path"; fi
    done
    if (( status != 0 )); then say "failed (exit $status)"; fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say "building fib (static, musl-gcc)"
mkdir -p "$tmp/context"
"$here/scripts/build-fib.sh" "$tmp/context/fib" >&2
cp "$here/examples/fib/Dockerfile" "$tmp/context/Dockerfile"

say "starting a private dockerd in $tmp"
# Where a containerd already runs (/run/containerd/containerd.sock, as on
# GitHub's runners) dockerd uses it instead of starting its own: its own
# namespaces there keep our containers apart from the host engine's.
echo '{}' >"$tmp/daemon.json"
dockerd --config-file "$tmp/daemon.json" \
    --data-root "$tmp/data" --exec-root "$tmp/exec" --pidfile "$tmp/dockerd.pid" \
    -H "unix://$tmp/docker.sock" \
    --bridge=none --iptables=false --ip-forward=false --ip-masq=false \
    --containerd-namespace docker-fib-check --containerd-plugins-namespace docker-fib-check-plugins \
    >"$tmp/dockerd.log" 2>&1 &
dockerd_pid=$!
export DOCKER_HOST="unix://$tmp/docker.sock"
# The docker client may be newer than the engine and default to BuildKit via
# the buildx plugin; the classic builder is part of every engine and needs no
# network for a Dockerfile whose base image is already local.
export DOCKER_BUILDKIT=0

for _ in $(seq 120); do
    if docker version >/dev/null 2>&1; then break; fi
    kill -0 "$dockerd_pid" 2>/dev/null || { tail -n 20 "$tmp/dockerd.log" >&2; die "dockerd exited"; }
    sleep 0.5
done
docker version >/dev/null 2>&1 || { tail -n 20 "$tmp/dockerd.log" >&2; die "dockerd did not answer within 60 s"; }
say "dockerd $(docker version --format '{{.Server.Version}}') is up (pid $dockerd_pid)"

say "docker import $(basename "$tarball") alpine:latest"
docker import "$tarball" alpine:latest >&2

say "docker build -t fib examples/fib"
docker build -t fib "$tmp/context" >&2

say "docker run --rm fib"
docker run --rm fib >"$tmp/output"
cat "$tmp/output"

if [[ $(cat "$tmp/output") != "$expected" ]]; then
    die "fib printed something else than the course's sequence"
fi
say "ok: the image prints the first ten Fibonacci numbers"
