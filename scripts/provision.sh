#!/usr/bin/env bash
# Provisions the course's VM (the Vagrantfile runs it as root): everything the
# three parts need, on Ubuntu 20.04 (the ubuntu/focal64 box) or Debian 12,
# where the package names agree:
#   part 1  gcc and musl-tools (static fib), docker.io (the Docker engine)
#   part 2  the kernel's overlayfs and coreutils, nothing to install
#   part 3  a JDK 17 and Maven (container-fs), with g++, libc6-dev and make
#           for its C core (Maven NAR links the JNI library with g++), strace,
#           slirp4netns (a container's own network, the default)
# and USER (default: vagrant) in the docker group, so `docker run` needs no sudo
# after the next login. Non-interactive and idempotent: a second run installs
# nothing and changes nothing.
#
#   sudo scripts/provision.sh [USER]
set -euo pipefail

user=${1:-vagrant}
packages=(openjdk-17-jdk-headless maven gcc g++ libc6-dev musl-tools docker.io make strace slirp4netns)

say() { echo "provision: $*"; }
die() { echo "provision: $*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || die "run as root (sudo scripts/provision.sh)"
# shellcheck source=/dev/null
. /etc/os-release
case "$ID:$VERSION_ID" in
    ubuntu:20.04 | debian:12) ;;
    *) say "warning: made for Ubuntu 20.04 and Debian 12, this is $PRETTY_NAME; trying anyway" ;;
esac
id "$user" >/dev/null 2>&1 || die "no user '$user' to put in the docker group (give one: provision.sh USER)"

# Never stop to ask: keep changed configuration files, take defaults.
export DEBIAN_FRONTEND=noninteractive
apt_options=(-y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)

missing=()
for p in "${packages[@]}"; do
    if [[ $(dpkg-query -W -f '${db:Status-Status}' "$p" 2>/dev/null) != installed ]]; then
        missing+=("$p")
    fi
done
if ((${#missing[@]} > 0)); then
    say "installing ${missing[*]}"
    apt-get update -q
    apt-get install "${apt_options[@]}" "${missing[@]}"
else
    say "all packages already installed: ${packages[*]}"
fi

# On Ubuntu 20.04, Maven pulls in the distribution's default JDK 11 as well;
# make 17 the java, javac and jar on the PATH either way.
jdk17=/usr/lib/jvm/java-17-openjdk-$(dpkg --print-architecture)
[[ -x $jdk17/bin/javac ]] || die "no JDK 17 at $jdk17 after installing openjdk-17-jdk-headless"
for tool in java javac jar; do
    if [[ $(readlink -f "$(command -v "$tool")") != "$(readlink -f "$jdk17/bin/$tool")" ]]; then
        say "making $jdk17/bin/$tool the default $tool"
        update-alternatives --set "$tool" "$jdk17/bin/$tool"
    fi
done

if [[ " $(id -nG "$user") " == *" docker "* ]]; then
    say "$user is already in the docker group"
else
    say "adding $user to the docker group (takes effect at the next login)"
    usermod -aG docker "$user"
fi

say "ready:"
# sed, not head: head would close the pipe early and, with pipefail, fail the script.
java -version 2>&1 | sed -n '1s/^/  /p'
# (Debian's Maven prints colour resets even in batch mode: drop them.)
mvn -B -v 2>/dev/null | sed -n '1{s/\x1b\[[0-9;]*m//g;s/^/  /;p}'
gcc --version | sed -n '1s/^/  /p'
g++ --version | sed -n '1s/^/  /p'
echo "  musl-gcc: $(command -v musl-gcc)"
docker --version | sed 's/^/  /'
make --version | sed -n '1s/^/  /p'
strace -V | sed -n '1s/^/  /p'
echo "  $user: $(id -nG "$user")"
