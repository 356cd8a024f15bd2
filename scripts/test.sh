#!/usr/bin/env bash
# The one command that builds container-fs and runs every test; the README,
# .ci/run and .github/workflows/ci.yml all run exactly this:
#   sudo scripts/test.sh [MAVEN_ARGS...]     e.g. sudo scripts/test.sh -Dit.test=RunIT
# On Debian 12 or Ubuntu 22.04+ with a JDK and Maven, it installs the Debian
# packages the tests need (apt-get runs only when one is missing, so a second
# run starts at once), checks the C format, lints the workflows, and runs
# mvn -B verify as root, so the namespace, mount and Docker tests run for real.
# The tests' Alpine tarball comes from ../shared/alpine-mirror when present,
# else it is downloaded once into ~/.cache/container-fs-tests (root's, here).
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $(id -u) -ne 0 ]]; then
    echo "test.sh: the tests install packages, mount filesystems and make namespaces: run it as 'sudo $0 $*'" >&2
    exit 1
fi

# gcc, libc6-dev, make: the C core and its front end; musl-tools: the static
# fib in the app layer; util-linux: setpriv (tests as nobody), unshare,
# mountpoint; bsdutils: script (pty tests); strace: the --trace check;
# clang-format: the C style check below.
wanted=(gcc libc6-dev make musl-tools util-linux bsdutils strace clang-format)
missing=()
for p in "${wanted[@]}"; do
    if [[ $(dpkg-query -W -f '${db:Status-Status}' "$p" 2>/dev/null) != installed ]]; then
        missing+=("$p")
    fi
done
# libcrypto (OpenSSL): pull's checksums (src/main/c/pull/digest.c); Sha2Test insists on it under CI.
# Named by its library: Debian 12 and Ubuntu 22.04 call the package libssl3, 24.04 libssl3t64.
# (Not `ldconfig -p | grep -q`: under pipefail, grep's early exit can kill ldconfig with SIGPIPE.)
if [[ $(ldconfig -p) != *'libcrypto.so.3 '* ]]; then
    missing+=(libssl3)
fi
if ((${#missing[@]} > 0)); then
    echo "test.sh: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
# The course's checks: docker.io, debootstrap, ruby, shellcheck, node and actionlint.
.ci/course-checks.sh setup
.ci/course-checks.sh lint
scripts/check-c-format.sh

# Whole output, not piped to head: under pipefail, mvn dies of the closed pipe.
java -version
mvn -v
mvn -B verify "$@"
