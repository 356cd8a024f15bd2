#!/usr/bin/env bash
# Runs scripts/provision.sh for real, without a VM: on a Debian 12 root
# filesystem made by debootstrap, inside a container-fs container (which also
# shows container-fs running a distribution other than Alpine). Then checks,
# inside the provisioned system, what a student's VM must offer:
#   - a second run installs nothing and changes no package (idempotent),
#   - java and javac are 17, Maven runs, g++ (for Maven NAR), make and strace run,
#   - the vagrant user is in the docker group, dockerd and docker are there,
#   - scripts/build-fib.sh builds a static fib with musl-gcc that prints the
#     course's sequence.
#
#   sudo scripts/check-provision.sh [DIR]
#
# DIR (default: a new directory under /tmp, removed afterwards) holds:
#   debian-base/  debootstrap --variant=minbase bookworm, with a vagrant user and
#                 a policy-rc.d that keeps package scripts from starting services
#                 (there is no init); kept and reused when DIR is given
#   project/      the project's scripts/ and examples/ at /home/vagrant/exercises,
#                 where the Vagrantfile syncs them
#   writedir/     everything provisioning changed (removed afterwards)
# Needs root, debootstrap, the built jar (target/container-fs.jar, or
# CONTAINER_FS_JAR) and Debian's package mirror (taken from apt's configuration,
# or DEBIAN_MIRROR).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
jar=${CONTAINER_FS_JAR:-$here/target/container-fs.jar}

say() { echo "check-provision: $*"; }
die() { echo "check-provision: $*" >&2; exit 1; }
# shellcheck source-path=SCRIPTDIR source=lib/debian-root.sh
. "$here/scripts/lib/debian-root.sh"

[[ $(id -u) -eq 0 ]] || die "debootstrap and container-fs need root: run with sudo"
command -v debootstrap >/dev/null || die "debootstrap not found: sudo apt-get install debootstrap"
[[ -f $jar ]] || die "no container-fs jar at $jar: build it with mvn -q package -DskipTests"

if (($# > 0)); then
    dir=$(realpath -m "$1")
    keep_base=yes
else
    dir=$(mktemp -d /tmp/check-provision.XXXXXX)
    keep_base=
fi
base=$dir/debian-base
project=$dir/project
writedir=$dir/writedir

cleanup() {
    local status=$?
    set +e
    # debootstrap mounts proc and sys in its target; container-fs's own mounts
    # live in the container's mount namespace and end with it.
    findmnt -rn -o TARGET | grep -F "$dir/" | sort -r | while read -r m; do
        umount -l "$m" || echo "check-provision: could not unmount $m" >&2
    done
    rm -rf "$project" "$writedir"
    if [[ -z $keep_base ]]; then rm -rf "$dir"; fi
    if (( status != 0 )); then echo "check-provision: failed (exit $status)" >&2; fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

in_container() { # COMMAND...: run it as root in base + project + writedir
    java -jar "$jar" "$base" "$project" "$writedir" -- "$@"
}

if [[ -f $base/.complete ]]; then
    say "reusing the Debian 12 root filesystem in $base"
else
    mirror=$(debian_mirror)
    say "debootstrap --variant=minbase bookworm from $mirror"
    rm -rf "$base"
    start=$SECONDS
    debootstrap --variant=minbase bookworm "$base" "$mirror"
    say "debootstrap took $((SECONDS - start)) s"
    # What a Vagrant box has and a bare root filesystem lacks: the vagrant user,
    # and (since nothing runs init here) a policy that stops docker.io's
    # maintainer scripts from starting dockerd inside the container.
    chroot "$base" useradd --create-home --shell /bin/bash vagrant
    printf '#!/bin/sh\n# No init in this root filesystem: start no services.\nexit 101\n' \
        >"$base/usr/sbin/policy-rc.d"
    chmod 755 "$base/usr/sbin/policy-rc.d"
    touch "$base/.complete"
fi

rm -rf "$project" "$writedir"
mkdir -p "$project/home/vagrant/exercises" "$writedir"
cp -a "$here/scripts" "$here/examples" "$project/home/vagrant/exercises/"
rm -f "$project/home/vagrant/exercises/examples/fib/fib"

# shellcheck disable=SC2016 # dpkg-query's format, not the shell's
packages() { in_container dpkg-query -W -f '${Package} ${Version} ${db:Status-Status}\n'; }

say "provisioning (first run)"
start=$SECONDS
in_container bash /home/vagrant/exercises/scripts/provision.sh vagrant
say "first run took $((SECONDS - start)) s"
before=$(packages)

say "provisioning again: must install and change nothing"
second=$(in_container bash /home/vagrant/exercises/scripts/provision.sh vagrant)
echo "$second"
grep -q 'all packages already installed' <<<"$second" || die "the second run installed packages"
grep -q 'vagrant is already in the docker group' <<<"$second" || die "the second run changed the docker group"
after=$(packages)
[[ $before == "$after" ]] || die "the package set changed on the second run: $(diff <(echo "$before") <(echo "$after"))"

say "checking the provisioned system"
# Each fact is printed, then checked; no grep -q in a pipeline, which could
# fail the pipeline with SIGPIPE under pipefail.
# shellcheck disable=SC2016 # expanded by the shell inside the container
in_container bash -euo pipefail -c '
    java=$(java -version 2>&1 | sed -n 1p); echo "java: $java"
    javac=$(javac -version 2>&1); echo "javac: $javac"
    [[ $java == *\"17.* && $javac == "javac 17."* ]] || { echo "java or javac is not 17"; exit 1; }
    echo "maven: $(mvn -B -v | sed -n "1{s/\x1b\[[0-9;]*m//g;p}")"
    echo "g++: $(g++ --version | sed -n 1p)"
    echo "make: $(make --version | sed -n 1p)"
    strace -f -o /dev/null true
    echo "strace: $(strace -V | sed -n 1p)"
    echo "docker: $(docker --version); dockerd: $(dockerd --version)"
    groups=$(id -nG vagrant); echo "groups of vagrant: $groups"
    [[ " $groups " == *" docker "* ]] || { echo "vagrant is not in the docker group"; exit 1; }
    bash /home/vagrant/exercises/scripts/build-fib.sh /tmp/fib
    echo "fib output:"
    /tmp/fib
'
say "ok: scripts/provision.sh provisions Debian 12 for the course"
