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
# else it is downloaded once into ~/.cache/container-fs-tests (root's, here);
# without it the tests that need it are skipped (failed under CI=true), and the
# run ends with what was skipped and how to give them the tarball.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $(id -u) -ne 0 ]]; then
    echo "test.sh: the tests install packages, mount filesystems and make namespaces: run it as 'sudo $0 $*'" >&2
    exit 1
fi

# gcc, g++, libc6-dev, make: the C core, its front ends and the launcher
# (src/main/c/Makefile; Maven NAR links the JNI library with g++); gcc-aarch64-linux-gnu, libc6-dev-arm64-cross: the
# same for arm64, whose library the jar carries too (BundledArchitecturesTest);
# qemu-user-static: an arm64 JVM loads it (Arm64JvmIT);
# musl-tools: the static fib in the app layer and --init's PID 1;
# util-linux: setpriv (tests as nobody), unshare, mountpoint; bsdutils: script
# (pty tests); procps: kill; binutils: nm, and objdump for the symbol versions
# (GlibcBaselineTest); strace: the --trace check;
# clang-format: the C style check below; git: the tests list the project's
# files with git ls-files; mount: losetup (DeviceCgroupIT's loop device);
# slirp4netns: the default --network private, which nearly every test's
# container is on (NetworkIT tests it).
# qemu-system-x86, debootstrap, e2fsprogs: VmSuiteIT boots Debian 11 (Linux
# 5.10, cgroup v2) under QEMU from an image that debootstrap and mkfs.ext4
# make (scripts/vm-test.sh); qemu-system-arm, kmod, cpio: the same on arm64,
# whose initrd holds the modules depmod finds.
# podman (it brings conmon): PodmanIT runs a real engine's containers on
# container-fs as its OCI runtime (docs/OCI.md).
# libcrypto (OpenSSL): pull's checksums (src/main/c/pull/digest.c), 3 or 1.1;
# Sha2Test insists on it under CI. Named by its library, as its package's name
# differs: libssl3t64 (Ubuntu 24.04), libssl3 (Debian 12, Ubuntu 22.04),
# libssl1.1 (Ubuntu 20.04).
# (Not `ldconfig -p | grep -q`: under pipefail, grep's early exit can kill ldconfig with SIGPIPE.)
wanted=(gcc g++ libc6-dev make gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user-static musl-tools util-linux bsdutils procps binutils strace clang-format git mount slirp4netns
    qemu-system-x86 debootstrap e2fsprogs qemu-system-arm kmod cpio
    podman)
libraries=$(ldconfig -p)
# ImagePullIT builds real images offline (podman, FROM scratch) and copies them to an OCI layout (skopeo).
wanted+=(podman skopeo)
# LayerCompressionTest and PullPathClassesIT make zstd layers with the zstd tool itself; pull decodes
# them with libzstd.so.1 (libzstd1, which apt and zstd depend on; src/main/c/pull/zstd.c).
wanted+=(zstd libzstd1)
# DockerIT and ContainerdIT run real engines on container-fs (issue 24): dockerd and its containerd,
# containerd with ctr and its runc shim; runc, which both bring, is what they call by default.
wanted+=(docker.io containerd runc)
# RegistryPullIT and RegistryResumeIT pull from a real registry (distribution's docker-registry, on 127.0.0.1).
wanted+=(docker-registry)
# RootlessIT maps a test user's /etc/subuid and /etc/subgid ranges with newuidmap and newgidmap
# (uidmap), and runs it with setpriv (util-linux) and useradd/userdel (passwd).
wanted+=(uidmap passwd)
# OciLifecycleIT runs the OCI lifecycle on a bundle made by `runc spec` itself.
wanted+=(runc)
# RootlessIT mounts the root with fuse-overlayfs (CONTAINERFS_OVERLAY=fuse), as on Linux before 5.11
# (the course VM's 5.4), where the kernel's overlayfs cannot be mounted in a user namespace.
wanted+=(fuse-overlayfs)
if [[ $libraries != *'libcrypto.so.3 '* && $libraries != *'libcrypto.so.1.1 '* ]]; then
    wanted+=('libssl3t64|libssl3|libssl1.1')
fi
scripts/install-packages.sh "${wanted[@]}"
# The course's checks: docker.io, debootstrap, ruby, shellcheck, node and actionlint.
.ci/course-checks.sh setup
.ci/course-checks.sh lint
scripts/check-c-format.sh

# What this run skipped and why, from its own test reports (older ones are not
# this run's): one line per reason, most frequent first.
started=$(mktemp)
trap 'rm -f "$started"' EXIT
skipped_summary() {
    local reports=() report reasons
    while IFS= read -r -d '' report; do
        reports+=("$report")
    done < <(find target/surefire-reports target/failsafe-reports -name 'TEST-*.xml' \
        -newer "$started" -print0 2>/dev/null)
    ((${#reports[@]} > 0)) || return 0
    # <testcase name="TEST" classname="CLASS"> then <skipped type="...TestAbortedException">
    # <![CDATA[...TestAbortedException: REASON (then the stack), or <skipped message="REASON"/>.
    # A class run once per parameter (CLASS[1], CLASS[2]) counts once, as Maven counts it.
    reasons=$(awk '
        /<testcase / {
            match($0, / name="[^"]*"/); test = substr($0, RSTART, RLENGTH)
            match($0, / classname="[^"]*"/); class = substr($0, RSTART, RLENGTH)
            sub(/\[[0-9]+\]"$/, "", class)
        }
        /<skipped/ {
            reason = "(no reason given)"
            if ($0 ~ /<!\[CDATA\[/) { reason = $0; sub(/.*<!\[CDATA\[[^ ]*: /, "", reason) }
            else if ($0 ~ / message="/) { reason = $0; sub(/.* message="/, "", reason); sub(/".*/, "", reason) }
            print class "\t" test "\t" reason
        }' "${reports[@]}" | sort -u | cut -f3 | sort | uniq -c | sort -rn)
    [[ -n $reasons ]] || return 0
    echo
    echo "test.sh: $(awk '{ n += $1 } END { print n }' <<<"$reasons") tests skipped, for these reasons (count, reason):"
    sed -n '1,10p' <<<"$reasons"
    if (($(wc -l <<<"$reasons") > 10)); then
        echo "  ... and more: see target/surefire-reports and target/failsafe-reports"
    fi
    if [[ $reasons == *alpine-minirootfs* ]]; then
        cat <<'EOF'
test.sh: the tests on Alpine need its mini root filesystem 3.20.3 (its SHA-256
  is pinned), and take the first of:
    CONTAINERFS_ALPINE_MIRROR=DIR  a copy of an Alpine mirror: the tarball in DIR/v3.20/releases/x86_64/
    ../shared/alpine-mirror        the same, beside the project (the course's machines have it)
    ALPINE_TARBALL=FILE            alpine-minirootfs-3.20.3-x86_64.tar.gz, wherever you have it
    a download from Alpine's CDN (or CONTAINERFS_ALPINE_DOWNLOAD=URL), kept in ~/.cache/container-fs-tests
  e.g. sudo ALPINE_TARBALL=$HOME/Downloads/alpine-minirootfs-3.20.3-x86_64.tar.gz scripts/test.sh
EOF
    fi
}

# Whole output, not piped to head: under pipefail, mvn dies of the closed pipe.
java -version
mvn -v
status=0
mvn -B verify "$@" || status=$?
skipped_summary
exit "$status"
