#!/usr/bin/env bash
# Build the course's fib as a static binary with musl-gcc and check that it
# really is static (no program interpreter), as a container without a C
# library needs.
#   scripts/build-fib.sh [OUTPUT]      default: examples/fib/fib
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$here/examples/fib/fib}

if ! command -v musl-gcc >/dev/null 2>&1; then
    echo "build-fib: musl-gcc not found; install it with: sudo apt-get install musl-tools" >&2
    exit 1
fi
mkdir -p "$(dirname "$out")"
musl-gcc -static -O2 -Wall -Wextra -Werror -o "$out" "$here/examples/fib/fib.c"

# A dynamic binary names its loader in a PT_INTERP program header.
if LC_ALL=C readelf -l "$out" | grep -q 'INTERP'; then
    echo "build-fib: $out is not static (it has a program interpreter)" >&2
    exit 1
fi
if ldd "$out" >/dev/null 2>&1; then
    echo "build-fib: ldd reports $out as dynamic" >&2
    exit 1
fi
echo "build-fib: built static $out"
