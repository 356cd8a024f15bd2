#!/usr/bin/env bash
# --cpus, measured: the same CPU-bound loop in a container without a limit
# and with --cpus 0.5, interleaved in one hyperfine run (Debian package
# hyperfine); half a CPU should take about twice as long.  A ratio from one
# run, not a timed test: this machine is shared and its speed varies.
#   sudo scripts/bench-cpus.sh ROOTFS [CPUS]      e.g. ROOTFS from: container-fs pull /tmp/rootfs
set -euo pipefail

rootfs=${1:?usage: sudo scripts/bench-cpus.sh ROOTFS [CPUS]}
cpus=${2:-0.5}
here=$(cd "$(dirname "$0")/.." && pwd)
jar=$here/target/container-fs.jar
[[ -f $jar ]] || { echo "bench-cpus: build the jar first: mvn -q package -DskipTests" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "bench-cpus: install hyperfine: sudo apt-get install hyperfine" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/app" "$work/w0" "$work/w1" "$work/w2"
# About a second of one CPU's work in busybox sh on the build machine; the
# container's shell expands it, not this one.
# shellcheck disable=SC2016
loop='i=0; while [ $i -lt 400000 ]; do i=$((i+1)); done'
run="java -jar $jar"

# The start of the JVM and the container, measured alone, is taken out of both.
hyperfine --warmup 1 --runs 5 --export-json "$work/result.json" \
    -n start "$run $rootfs $work/app $work/w0 -- true" \
    -n unlimited "$run $rootfs $work/app $work/w1 -- sh -c '$loop'" \
    -n "cpus-$cpus" "$run --cpus $cpus $rootfs $work/app $work/w2 -- sh -c '$loop'"

python3 - "$work/result.json" "$cpus" <<'PY'
import json, sys
results = {r["command"]: r["median"] for r in json.load(open(sys.argv[1]))["results"]}
cpus = float(sys.argv[2])
start = results["start"]
free, limited = results["unlimited"] - start, results["cpus-" + sys.argv[2]] - start
print(f"the loop alone (medians less the {start:.3f} s start): {free:.3f} s unlimited,"
      f" {limited:.3f} s with --cpus {sys.argv[2]}")
print(f"ratio {limited / free:.2f} (expected about {1 / cpus:.2f} for {cpus} of a CPU)")
PY
