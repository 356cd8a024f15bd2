#!/usr/bin/env bash
# The one command that builds container-fs and runs every test; the README,
# .ci/run and .github/workflows/ci.yml all run exactly this:
#   sudo scripts/test.sh [MAVEN_ARGS...]     e.g. sudo scripts/test.sh -Dit.test=RunIT
# On Debian 12 or Ubuntu 20.04, 22.04 or 24.04 with a JDK 17+ and Maven, it
# installs the packages the tests need (scripts/install-packages.sh: apt-get
# runs only when one is missing, so a second run starts at once), checks the C
# format, lints the workflows, and runs mvn -B verify as root, so the
# namespace, mount and Docker tests run for real.
# The tests' Alpine tarball comes from ../shared/alpine-mirror when present,
# else it is downloaded once into ~/.cache/container-fs-tests (root's, here).
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $(id -u) -ne 0 ]]; then
    echo "test.sh: the tests install packages, mount filesystems and make namespaces: run it as 'sudo $0 $*'" >&2
    exit 1
fi

# gcc, g++, libc6-dev, make: the C core and its front end (Maven NAR links the
# JNI library with g++); musl-tools: the static fib in the app layer;
# util-linux: setpriv (tests as nobody), unshare, mountpoint; bsdutils: script
# (pty tests); procps: kill; binutils: nm; strace: the --trace check;
# clang-format: the C style check below; git: the tests list the project's
# files with git ls-files.
# libcrypto (OpenSSL): pull's checksums (src/main/c/pull/digest.c), 3 or 1.1;
# Sha2Test insists on it under CI. Named by its library, as its package's name
# differs: libssl3t64 (Ubuntu 24.04), libssl3 (Debian 12, Ubuntu 22.04),
# libssl1.1 (Ubuntu 20.04).
# (Not `ldconfig -p | grep -q`: under pipefail, grep's early exit can kill ldconfig with SIGPIPE.)
wanted=(gcc g++ libc6-dev make musl-tools util-linux bsdutils procps binutils strace clang-format git)
libraries=$(ldconfig -p)
if [[ $libraries != *'libcrypto.so.3 '* && $libraries != *'libcrypto.so.1.1 '* ]]; then
    wanted+=('libssl3t64|libssl3|libssl1.1')
fi
scripts/install-packages.sh "${wanted[@]}"
# The course's checks: docker.io, debootstrap, ruby, shellcheck, node and actionlint.
.ci/course-checks.sh setup
.ci/course-checks.sh lint
scripts/check-c-format.sh

# Whole output, not piped to head: under pipefail, mvn dies of the closed pipe.
java -version
mvn -v
mvn -B verify "$@"
