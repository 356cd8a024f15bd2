#!/usr/bin/env bash
# Compare `container-fs pull --file` of the real Alpine mini root filesystem, as a
# whole process (JVM start included), with GNU tar extracting the same tarball, in
# one hyperfine run, and print how many times slower pull is.
#   scripts/bench-pull.sh [TARBALL]     default: the copy in ../shared/alpine-mirror
# Environment: RUNS (default 20), JAVA (default java). Build the jar first:
#   mvn -q package -DskipTests
# Run it as root to compare like with like: both then set the archive's owners.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
tarball=${1:-$here/../shared/alpine-mirror/v3.20/releases/x86_64/alpine-minirootfs-3.20.3-x86_64.tar.gz}
jar=$here/target/container-fs.jar
runs=${RUNS:-20}
java=${JAVA:-java}

for tool in hyperfine tar awk "$java"; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "bench-pull: $tool not found (hyperfine: sudo apt-get install hyperfine)" >&2
        exit 1
    fi
done
if [[ ! -f $jar ]]; then
    echo "bench-pull: $jar not found; build it with: mvn -q package -DskipTests" >&2
    exit 1
fi
if [[ ! -f $tarball ]]; then
    echo "bench-pull: $tarball not found; give the tarball as the first argument" >&2
    exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/bench-pull.XXXXXX")
trap 'rm -rf "$work"' EXIT

# pull wants DIR absent (or empty); tar wants it to exist. Each run starts from scratch.
hyperfine --warmup 3 --runs "$runs" --export-csv "$work/results.csv" \
    --command-name "container-fs pull --file" \
    --prepare "rm -rf '$work/pull'" \
    "'$java' -jar '$jar' pull --quiet --file '$tarball' '$work/pull'" \
    --command-name "tar -xzpf" \
    --prepare "rm -rf '$work/tar' && mkdir '$work/tar'" \
    "tar -xzpf '$tarball' -C '$work/tar'"

# results.csv: command,mean,stddev,median,user,system,min,max (seconds)
awk -F, 'NR == 2 { pull = $2 } NR == 3 { tar = $2 }
    END { printf "pull --file: %.0f ms, tar -xzpf: %.0f ms, ratio %.2fx (target: at most 1.50x)\n",
          pull * 1000, tar * 1000, pull / tar }' "$work/results.csv"
