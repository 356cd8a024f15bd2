#!/usr/bin/env bash
# Installs those of the named Debian/Ubuntu packages that are missing, for
# quickstart.sh, test.sh and .ci/course-checks.sh (run as root):
#   scripts/install-packages.sh NEED...
# A NEED is a package name, or names joined by '|' where the distributions
# disagree (libssl3t64|libssl3|libssl1.1): it is met when any of them is
# installed, else the first one apt can install is installed.
# When every NEED is met it does nothing and needs no network, so a second run
# starts at once. Otherwise it runs apt-get update first: a fresh machine's (or
# a Docker image's) package lists are missing or stale.
# Only apt's own messages, on stderr: a caller's stdout stays its own.
set -euo pipefail

say() { echo "install-packages: $*" >&2; }
die() { say "$*"; exit 1; }

(($# > 0)) || { echo "usage: scripts/install-packages.sh NEED..." >&2; exit 2; }
[[ $(id -u) -eq 0 ]] || die "installing packages needs root: sudo $0 $*"

installed() {
    [[ $(dpkg-query -W -f '${db:Status-Status}' "$1" 2>/dev/null) == installed ]]
}
installable() {
    local candidate
    # sed reads to the end: no SIGPIPE for apt-cache under pipefail.
    candidate=$(apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: *//p')
    [[ -n $candidate && $candidate != '(none)' ]]
}

unmet=()
for need in "$@"; do
    IFS='|' read -ra names <<<"$need"
    for name in "${names[@]}"; do
        if installed "$name"; then continue 2; fi
    done
    unmet+=("$need")
done
((${#unmet[@]} > 0)) || exit 0

export DEBIAN_FRONTEND=noninteractive
say "apt-get update (to install ${unmet[*]})"
apt-get update -q >&2
packages=()
for need in "${unmet[@]}"; do
    IFS='|' read -ra names <<<"$need"
    if ((${#names[@]} == 1)); then
        packages+=("$need") # apt-get names what it cannot find
        continue
    fi
    for name in "${names[@]}"; do
        if installable "$name"; then
            packages+=("$name")
            continue 2
        fi
    done
    die "apt knows none of ${names[*]} here"
done
say "installing ${packages[*]}"
apt-get install -y -q --no-install-recommends "${packages[@]}" >&2
