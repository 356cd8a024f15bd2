#!/usr/bin/env bash
# Fails when a C file differs from what clang-format makes of it with the
# committed .clang-format (GNU-based, as crun's). Fix with:
#   clang-format -i src/main/c/*/*.[ch] include/*.h src/test/c/*.[ch]
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v clang-format >/dev/null 2>&1; then
    echo "check-c-format: clang-format not found; install it with: sudo apt-get install clang-format" >&2
    exit 1
fi
clang-format --dry-run --Werror --style=file src/main/c/*/*.[ch] include/*.h src/test/c/*.[ch]
echo "check-c-format: every C file is formatted"
