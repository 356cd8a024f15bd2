#!/usr/bin/env bash
# How fast container-fs starts, how much memory it takes, what each lower layer adds, and
# how pull compares with tar, against the floor (bench/floor.c), the plain C front end,
# bubblewrap, crun, runc, unshare + chroot and a Java hello-world; prints the tables of
# docs/BENCHMARKS.md.
#   sudo scripts/bench.sh [start|rss|layers|pull|mirror|options|network|podman|registry|zstd]...   default: all ten
# Environment: ROUNDS (default 5) rounds of RUNS (default 6) runs of every command, JDK25
# (default /usr/lib/jvm/temurin-25-jdk-amd64) the second JDK, BASELINE_JAR (default none) an
# older container-fs.jar to measure beside this one (java -jar on JDK 17; through the launcher,
# CONTAINERFS_JAR, in registry and zstd), TARBALL (default the Alpine
# tarball in ../shared/alpine-mirror), DISK (default /var/tmp) and TMPFS (default /dev/shm)
# for pull, and TMPDIR for the layers.
#
# hyperfine runs all runs of one command, then the next, so a machine whose load changes
# skews the comparison. Each table is therefore measured in ROUNDS rounds, every command in
# every round, and the runs of all rounds are pooled: ratios come from commands measured
# side by side. Read the ratios; the milliseconds are this machine's at that hour.
# Needs: root, hyperfine, bubblewrap, crun, runc (Debian packages of those names), gcc,
# musl-gcc (musl-tools), python3, GNU time, and `mvn -q package -DskipTests` done; for registry,
# podman, skopeo and docker-registry.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
jar=$here/target/container-fs.jar
cfront=$here/src/main/c/container-fs
launcher=$here/bin/container-fs
rounds=${ROUNDS:-5}
runs=${RUNS:-6}
jdk17=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
jdk25=${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}
tarball=${TARBALL:-$here/../shared/alpine-mirror/v3.20/releases/x86_64/alpine-minirootfs-3.20.3-x86_64.tar.gz}
baseline=${BASELINE_JAR:-}
# Every section but network runs container-fs on the host's network, the default before the
# private one (issue 23), so that its figures compare with earlier rounds and with the other
# runtimes; the network section measures what the private default adds.
net_args=(--network host) # the same network as earlier rounds
net="${net_args[*]}"     # in the commands hyperfine runs
sections=("$@")
[ ${#sections[@]} -gt 0 ] || sections=(start rss layers pull mirror options network podman registry zstd)

die() {
    echo "bench: $*" >&2
    exit 1
}

[ "$(id -u)" -eq 0 ] || die "containers need root: sudo $0"
for tool in hyperfine bwrap crun runc gcc musl-gcc python3 unshare chroot /usr/bin/time; do
    command -v "$tool" >/dev/null || die "$tool not found (sudo apt-get install hyperfine bubblewrap crun runc musl-tools time)"
done
[ -f "$jar" ] || die "$jar not found: mvn -q package -DskipTests"
{ [ -x "$cfront" ] && [ -x "$launcher" ]; } || make -s -C "$here/src/main/c"
[ -x "$jdk25/bin/java" ] || die "no JDK in $jdk25; set JDK25 to another JDK's home"
[ -z "$baseline" ] || [ -f "$baseline" ] || die "BASELINE_JAR $baseline not found"

# Short paths: the layer limit is the kernel's one page of mount options.
work=$(mktemp -d "${TMPDIR:-/tmp}/cb.XXXX")
pull_dirs=()
mirror_pid=
registry_pid=
cleanup() {
    [ -z "$mirror_pid" ] || kill "$mirror_pid" 2>/dev/null || true
    [ -z "$registry_pid" ] || kill "$registry_pid" 2>/dev/null || true
    # A created container outlives its state directory: the podman section's, deleted first.
    [ ! -d "$work/podman/state" ] || "$launcher" --root "$work/podman/state" delete --force b 2>/dev/null || true
    [ ! -d "$work/podman/state-runc" ] || runc --root "$work/podman/state-runc" delete --force b 2>/dev/null || true
    rm -rf "$work" "${pull_dirs[@]}"
}
trap cleanup EXIT
# Both front ends and the launcher keep their caches (library, class archive) in here.
export XDG_CACHE_HOME=$work/cache

say() { printf '\n## %s\n\n' "$*"; }

# --- what every section runs on ----------------------------------------------------------
mkdir -p "$work/r" "$work/a/usr/bin" "$work/m" "$work/hello"
tar --same-owner -xzpf "$tarball" -C "$work/r"
"$here/scripts/build-fib.sh" "$work/a/usr/bin/fib" >/dev/null
# The tools without overlays get one directory with both layers in it.
cp -a "$work/r/." "$work/m/"
cp "$work/a/usr/bin/fib" "$work/m/usr/bin/fib"
for w in c jar17 jar25 launch17 launch25 base; do mkdir -p "$work/w/$w"; done
mkdir -p "$work/floor/u" "$work/floor/w" "$work/floor/m"
gcc -O2 -Wall -Wextra -Werror -o "$work/floor/floor" "$here/bench/floor.c"

cat >"$work/hello/Hello.java" <<'EOF'
public class Hello {
    public static void main(String[] args) {
        System.out.println("hello");
    }
}
EOF
"$jdk17/bin/javac" --release 17 -d "$work/hello" "$work/hello/Hello.java"
printf 'Main-Class: Hello\n' >"$work/hello/manifest"
"$jdk17/bin/jar" cfm "$work/hello.jar" "$work/hello/manifest" -C "$work/hello" Hello.class

# crun and runc: the same root, read-only, in new PID and mount namespaces only.
for cmd in true fib; do
    mkdir -p "$work/oci-$cmd"
    (cd "$work/oci-$cmd" && runc spec)
    python3 - "$work/oci-$cmd/config.json" "$work/m" "$cmd" <<'EOF'
import json, sys
path, root, cmd = sys.argv[1:]
c = json.load(open(path))
c["root"] = {"path": root, "readonly": True}
c["process"]["terminal"] = False
c["process"]["args"] = ["/bin/true"] if cmd == "true" else ["/usr/bin/fib"]
c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] in ("pid", "mount")]
c["mounts"] = [m for m in c["mounts"] if m["destination"] != "/sys/fs/cgroup"]
c.pop("hostname", None)
json.dump(c, open(path, "w"), indent=1)
EOF
done

# The launcher runs the java on PATH, the JDK 17 above, as a user types it; on JDK 25 it is
# started through env(1) to set CONTAINERFS_JAVA, which adds one exec (~0.7 ms here).
# Make the caches once, as a user's first run does, so every timed run is a later one.
CONTAINERFS_JAVA=$jdk17/bin/java "$launcher" "${net_args[@]}" "$work/r" "$work/a" "$work/w/launch17" -- /bin/true
CONTAINERFS_JAVA=$jdk25/bin/java "$launcher" "${net_args[@]}" "$work/r" "$work/a" "$work/w/launch25" -- /bin/true

# name<TAB>command, one per line, for /bin/true or fib ($1: the path in the container)
start_commands() {
    local cmd=$1 oci=$work/oci-true
    [ "$cmd" = /bin/true ] || oci=$work/oci-fib
    printf '%s\t%s\n' \
        "floor" "$work/floor/floor $work/a:$work/r $work/floor/u $work/floor/w $work/floor/m $cmd" \
        "C front end" "$cfront $net $work/r $work/a $work/w/c -- $cmd" \
        "java -jar (17)" "$jdk17/bin/java -jar $jar $net $work/r $work/a $work/w/jar17 -- $cmd" \
        "launcher (17)" "$launcher $net $work/r $work/a $work/w/launch17 -- $cmd" \
        "java -jar (25)" "$jdk25/bin/java -jar $jar $net $work/r $work/a $work/w/jar25 -- $cmd" \
        "launcher (25)" "env CONTAINERFS_JAVA=$jdk25/bin/java $launcher $net $work/r $work/a $work/w/launch25 -- $cmd" \
        "hello jar (17)" "$jdk17/bin/java -jar $work/hello.jar" \
        "hello jar (25)" "$jdk25/bin/java -jar $work/hello.jar" \
        "bubblewrap" "bwrap --ro-bind $work/m / --proc /proc --dev /dev --unshare-pid $cmd" \
        "bubblewrap, contained" "bwrap --ro-bind $work/m / --proc /proc --dev /dev --unshare-pid --unshare-ipc --unshare-uts --hostname bench --cap-drop ALL $cmd" \
        "crun" "crun run --bundle $oci bench-crun" \
        "runc" "runc run --bundle $oci bench-runc" \
        "unshare + chroot" "unshare -mpf --mount-proc=$work/m/proc chroot $work/m $cmd"
    if [ -n "$baseline" ]; then
        printf '%s\t%s\n' "baseline java -jar (17)" "$jdk17/bin/java -jar $baseline $net $work/r $work/a $work/w/base -- $cmd"
    fi
}

# Runs name<TAB>command[<TAB>prepare] lines from stdin in $rounds hyperfine rounds; JSON into
# $1/round-N.json. crun refuses a host with both cgroup versions (this one) unless the unified
# hierarchy is hidden: every command runs in one private mount namespace with a tmpfs over it.
measure() {
    local out=$1 args=() prepares=() name command prepare
    mkdir -p "$out"
    while IFS=$'\t' read -r name command prepare; do
        args+=(--command-name "$name" "$command")
        prepares+=(--prepare "${prepare:-true}")
    done
    for ((i = 1; i <= rounds; i++)); do
        unshare -m sh -c 'mount -t tmpfs tmpfs /sys/fs/cgroup/unified 2>/dev/null; exec "$@"' sh \
            hyperfine -N --style none --warmup 1 --runs "$runs" --export-json "$out/round-$i.json" \
            "${prepares[@]}" "${args[@]}" >/dev/null 2>"$out/hyperfine.err" || {
            cat "$out/hyperfine.err" >&2
            return 1
        }
    done
}

# Median, 10th percentile and ratios of the pooled runs: $1 the JSON dir, then pairs
# "name|baseline" for the ratio column.
report() {
    python3 - "$@" <<'EOF'
import glob, json, statistics, sys
d, pairs = sys.argv[1], sys.argv[2:]
times = {}
for f in sorted(glob.glob(d + "/round-*.json")):
    for r in json.load(open(f))["results"]:
        times.setdefault(r["command"], []).extend(r["times"])
def p10(xs):
    xs = sorted(xs); return xs[max(0, int(round(0.1 * (len(xs) - 1))))]
med = {k: statistics.median(v) for k, v in times.items()}
base = dict(p.split("|") for p in pairs)
print("| command | median | 10th percentile | runs | ratio |")
print("| --- | --- | --- | --- | --- |")
for k, v in times.items():
    ratio = ""
    if k in base:
        b = base[k]
        ratio = "%.2fx %s" % (med[k] / med[b], b)
    print("| %s | %.1f ms | %.1f ms | %d | %s |" % (k, med[k] * 1e3, p10(v) * 1e3, len(v), ratio))
EOF
}

start_ratios=(
    "C front end|floor" "bubblewrap|floor" "bubblewrap, contained|floor" "crun|floor" "runc|floor" "unshare + chroot|floor"
    "java -jar (17)|hello jar (17)" "launcher (17)|hello jar (17)"
    "java -jar (25)|hello jar (25)" "launcher (25)|hello jar (25)" "baseline java -jar (17)|hello jar (17)")

section_start() {
    for cmd in /bin/true /usr/bin/fib; do
        say "Start time: $cmd ($rounds rounds of $runs runs, pooled)"
        start_commands "$cmd" | measure "$work/start-${cmd##*/}"
        report "$work/start-${cmd##*/}" "${start_ratios[@]}"
        echo
        python3 - "$work/start-${cmd##*/}" <<'EOF'
import glob, json, statistics, sys
t = {}
for f in glob.glob(sys.argv[1] + "/round-*.json"):
    for r in json.load(open(f))["results"]:
        t.setdefault(r["command"], []).extend(r["times"])
m = {k: statistics.median(v) for k, v in t.items()}
print("C front end / bubblewrap: %.2fx (contained: %.2fx); launcher (17) / C front end: %.1fx;"
      " launcher (25) / C front end: %.1fx"
      % (m["C front end"] / m["bubblewrap"], m["C front end"] / m["bubblewrap, contained"],
         m["launcher (17)"] / m["C front end"], m["launcher (25)"] / m["C front end"]))
EOF
    done
}

# Peak RSS (GNU time's %M) of /bin/true runs, interleaved; then the RSS of the front end while
# a container runs `sleep 3`.
section_rss() {
    say "Memory: peak RSS of a /bin/true run, median of $((rounds * 2)) interleaved runs"
    local -A names=(
        [hello17]="$jdk17/bin/java -jar $work/hello.jar"
        [jar17]="$jdk17/bin/java -jar $jar $net $work/r $work/a $work/w/jar17 -- /bin/true"
        [launch17]="$launcher $net $work/r $work/a $work/w/launch17 -- /bin/true"
        [hello25]="$jdk25/bin/java -jar $work/hello.jar"
        [jar25]="$jdk25/bin/java -jar $jar $net $work/r $work/a $work/w/jar25 -- /bin/true"
        [launch25]="env CONTAINERFS_JAVA=$jdk25/bin/java $launcher $net $work/r $work/a $work/w/launch25 -- /bin/true"
        [c]="$cfront $net $work/r $work/a $work/w/c -- /bin/true"
    )
    local order=(hello17 jar17 launch17 hello25 jar25 launch25 c)
    local -A labels=([jar17]="java -jar (17)" [launch17]="launcher (17)" [jar25]="java -jar (25)"
        [launch25]="launcher (25)" [c]="C front end")
    for ((i = 1; i <= rounds * 2; i++)); do
        for k in "${order[@]}"; do
            # shellcheck disable=SC2086 # the commands are words without spaces
            /usr/bin/time -f "$k %M" -a -o "$work/rss.txt" ${names[$k]} >/dev/null
        done
    done
    python3 - "$work/rss.txt" <<'EOF'
import statistics, sys
kb = {}
for line in open(sys.argv[1]):
    k, v = line.split()
    kb.setdefault(k, []).append(int(v))
m = {k: statistics.median(v) for k, v in kb.items()}
label = {"hello17": "hello jar (17)", "jar17": "java -jar (17)", "launch17": "launcher (17)",
         "hello25": "hello jar (25)", "jar25": "java -jar (25)", "launch25": "launcher (25)", "c": "C front end"}
print("| command | peak RSS | ratio |")
print("| --- | --- | --- |")
for k in ["hello17", "jar17", "launch17", "hello25", "jar25", "launch25", "c"]:
    h = "hello17" if k.endswith("17") else "hello25" if k.endswith("25") else None
    ratio = "%.2fx hello jar (%s)" % (m[k] / m[h], h[-2:]) if h and h != k else ""
    print("| %s | %.1f MB | %s |" % (label[k], m[k] / 1024, ratio))
EOF
    echo
    echo "RSS of container-fs while the container runs 'sleep 3' (read after 1.5 s):"
    echo
    echo "| command | RSS |"
    echo "| --- | --- |"
    for k in jar17 launch17 jar25 launch25 c; do
        # shellcheck disable=SC2086
        set -- ${names[$k]}
        "${@:1:$#-1}" sleep 3 &
        local pid=$!
        sleep 1.5
        # The launcher execs java, so the pid is the JVM's.
        echo "| ${labels[$k]} | $(awk '/^VmRSS/ { printf "%.1f MB", $2 / 1024 }' "/proc/$pid/status") |"
        wait "$pid"
    done
}

# Added start time per lower layer: rootfs plus N-1 empty layers, the C front end and the launcher.
section_layers() {
    local max=1 n
    mkdir -p "$work/l"
    for ((n = 1; n <= 499; n++)); do mkdir -p "$work/l/$n"; done
    lowers() { # rootfs, then $1 - 1 empty layers above it
        local out=$work/r
        for ((j = 1; j < $1; j++)); do out+=" $work/l/$j"; done
        echo "$out"
    }
    mkdir -p "$work/w/layers"
    # The limit: the largest count the C front end accepts with these paths.
    for ((n = 499; n > 1; n--)); do
        # shellcheck disable=SC2046
        if "$cfront" "${net_args[@]}" $(lowers "$n") "$work/w/layers" -- /bin/true 2>/dev/null; then
            max=$n
            break
        fi
    done
    say "Layers: rootfs plus N-1 empty lower layers, /bin/true (limit with these paths: $max)"
    local counts=(1 10 100 "$max")
    for n in "${counts[@]}"; do
        # shellcheck disable=SC2046
        if "$cfront" "${net_args[@]}" $(lowers "$n") "$work/w/layers" -- /bin/true 2>"$work/layers-$n.err"; then
            printf '%s\t%s\n' "C front end, $n layer(s)" "$cfront $net $(lowers "$n") $work/w/layers -- /bin/true" \
                "launcher (17), $n layer(s)" "$launcher $net $(lowers "$n") $work/w/layers -- /bin/true"
        else
            echo "$n layers: refused: $(cat "$work/layers-$n.err")" >&2
        fi
    done | measure "$work/layers"
    report "$work/layers"
    echo
    # The slope of a least-squares line through the medians: what one more layer costs.
    python3 - "$work/layers" <<'EOF'
import glob, json, re, statistics, sys
t = {}
for f in glob.glob(sys.argv[1] + "/round-*.json"):
    for r in json.load(open(f))["results"]:
        t.setdefault(r["command"], []).extend(r["times"])
for front in ("C front end", "launcher (17)"):
    pts = sorted((int(re.search(r"(\d+) layer", k).group(1)), statistics.median(v))
                 for k, v in t.items() if k.startswith(front))
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    mx, my = statistics.mean(xs), statistics.mean(ys)
    slope = sum((x - mx) * (y - my) for x, y in pts) / sum((x - mx) ** 2 for x in xs)
    last = (ys[-1] - ys[0]) / (xs[-1] - xs[0])
    print("%s: %.0f us per lower layer (least squares over %s layers); %.0f us from 1 to %d"
          % (front, slope * 1e6, ", ".join(map(str, xs)), last * 1e6, xs[-1]))
EOF
}

# What each of the launcher's options buys: java -jar with one option added at a time, on
# the current jar, then the launcher itself (the archive is the one the launcher made). With
# an archive the launcher names Main with -cp, so that nothing opens the jar: a row adds the
# archive with -jar, another with -cp. On JDK 25 the AOT cache comes only with -cp and
# --enable-native-access, with which the launcher made it. The serial collector it uses from
# JDK 18 only: its row on 17 shows why.
section_options() {
    local jsa aot l="$work/r $work/a" main=io.containerfs.cli.Main
    # A run's archive, not one of pull's (named ...-pull.jsa and ...-pull-file.jsa).
    jsa=$(find "$XDG_CACHE_HOME/container-fs/cds" -name '*-jdk17-*.jsa' ! -name '*-pull*' | head -1)
    aot=$(find "$XDG_CACHE_HOME/container-fs/cds" -name '*-jdk25-*.aot' ! -name '*-pull*' | head -1)
    if [ -z "$jsa" ] || [ -z "$aot" ]; then
        die "no archive made by the launcher in $XDG_CACHE_HOME"
    fi
    mkdir -p "$work/w/opt"
    say "What each launcher option buys: /bin/true, one option added to java -jar at a time"
    printf '%s\t%s\n' \
        "hello jar (17)" "$jdk17/bin/java -jar $work/hello.jar" \
        "java -jar (17)" "$jdk17/bin/java -jar $jar $net $l $work/w/opt -- /bin/true" \
        "+ archive (17)" "$jdk17/bin/java -XX:SharedArchiveFile=$jsa -Xlog:disable -jar $jar $net $l $work/w/opt -- /bin/true" \
        "+ C1 only (17)" "$jdk17/bin/java -XX:TieredStopAtLevel=1 -jar $jar $net $l $work/w/opt -- /bin/true" \
        "+ archive, -cp (17)" "$jdk17/bin/java -XX:SharedArchiveFile=$jsa -Xlog:disable -cp $jar $main $net $l $work/w/opt -- /bin/true" \
        "+ serial GC (17)" "$jdk17/bin/java -XX:+UseSerialGC -jar $jar $net $l $work/w/opt -- /bin/true" \
        "+ no perf data (17)" "$jdk17/bin/java -XX:-UsePerfData -jar $jar $net $l $work/w/opt -- /bin/true" \
        "launcher (17)" "$launcher $net $l $work/w/opt -- /bin/true" \
        "hello jar (25)" "$jdk25/bin/java -jar $work/hello.jar" \
        "java -jar (25)" "$jdk25/bin/java -jar $jar $net $l $work/w/opt -- /bin/true" \
        "+ AOT cache, -cp (25)" "$jdk25/bin/java -XX:AOTCache=$aot --enable-native-access=ALL-UNNAMED -Xlog:disable -cp $jar $main $net $l $work/w/opt -- /bin/true" \
        "+ serial GC (25)" "$jdk25/bin/java -XX:+UseSerialGC -jar $jar $net $l $work/w/opt -- /bin/true" \
        "launcher (25)" "env CONTAINERFS_JAVA=$jdk25/bin/java $launcher $net $l $work/w/opt -- /bin/true" |
        measure "$work/options"
    report "$work/options" "java -jar (17)|hello jar (17)" "+ archive (17)|java -jar (17)" \
        "+ archive, -cp (17)|java -jar (17)" "+ C1 only (17)|java -jar (17)" "+ serial GC (17)|java -jar (17)" \
        "+ no perf data (17)|java -jar (17)" "launcher (17)|hello jar (17)" "java -jar (25)|hello jar (25)" \
        "+ AOT cache, -cp (25)|java -jar (25)" "+ serial GC (25)|java -jar (25)" "launcher (25)|hello jar (25)"
}

# pull --file against tar -xzpf, onto tmpfs and onto disk.
section_pull() {
    local where dir
    for where in "${TMPFS:-/dev/shm}" "${DISK:-/var/tmp}"; do
        dir=$(mktemp -d "$where/cb-pull.XXXX")
        pull_dirs+=("$dir")
        say "pull --file of the Alpine tarball onto $where ($(stat -f -c %T "$dir"))"
        # Each run starts with its directory absent; pull wants it so, tar wants it made.
        printf '%s\t%s\t%s\n' \
            "tar -xzpf" "tar -xzpf $tarball -C $dir/t" "sh -c 'rm -rf $dir/t && mkdir $dir/t'" \
            "java -jar (17) pull" "$jdk17/bin/java -jar $jar pull -q --file $tarball $dir/j" "rm -rf $dir/j" \
            "launcher (17) pull" "$launcher pull -q --file $tarball $dir/l" \
            "rm -rf $dir/l" \
            "launcher (25) pull" "env CONTAINERFS_JAVA=$jdk25/bin/java $launcher pull -q --file $tarball $dir/k" \
            "rm -rf $dir/k" |
            if [ -n "$baseline" ]; then
                cat
                printf '%s\t%s\t%s\n' "baseline java -jar (17) pull" \
                    "$jdk17/bin/java -jar $baseline pull -q --file $tarball $dir/b" "rm -rf $dir/b"
            else
                cat
            fi | measure "$work/pull-${where//\//_}"
        report "$work/pull-${where//\//_}" "java -jar (17) pull|tar -xzpf" "launcher (17) pull|tar -xzpf" \
            "launcher (25) pull|tar -xzpf" "baseline java -jar (17) pull|tar -xzpf"
        rm -rf "$dir"
    done
}

# pull from a mirror on 127.0.0.1 whose tarball is already in the cache, as every pull after
# the first is: the index comes over HTTP, the tarball is read once, as it is extracted. The
# mirror is the directory three levels above TARBALL, which must hold latest-releases.yaml.
section_mirror() {
    local release mirror dir port url branch pull
    release=$(dirname "$tarball")
    [ -f "$release/latest-releases.yaml" ] || die "mirror: no latest-releases.yaml beside $tarball"
    mirror=$(cd "$release/../../.." && pwd)
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    url=http://127.0.0.1:$port
    python3 -m http.server --bind 127.0.0.1 --directory "$mirror" "$port" >/dev/null 2>&1 &
    mirror_pid=$!
    python3 - "$url" <<'EOF2' || die "mirror: python3 -m http.server did not answer on $url"
import sys, time, urllib.request
for _ in range(100):
    try:
        urllib.request.urlopen(sys.argv[1], timeout=1).close(); sys.exit(0)
    except OSError:
        time.sleep(0.05)
sys.exit(1)
EOF2
    dir=$(mktemp -d "${TMPFS:-/dev/shm}/cb-mirror.XXXX")
    pull_dirs+=("$dir")
    say "pull from a mirror on 127.0.0.1, the tarball in the cache, onto ${TMPFS:-/dev/shm}"
    branch=$(basename "$(dirname "$(dirname "$release")")")
    pull="pull -q --mirror $url --cache-dir $work/mirror-cache alpine:$branch"
    printf '%s\t%s\t%s\n' \
        "tar -xzpf" "tar -xzpf $tarball -C $dir/t" "sh -c 'rm -rf $dir/t && mkdir $dir/t'" \
        "java -jar (17) pull" "$jdk17/bin/java -jar $jar $pull $dir/j" "rm -rf $dir/j" \
        "launcher (17) pull" "$launcher $pull $dir/l" "rm -rf $dir/l" |
        if [ -n "$baseline" ]; then
            cat
            printf '%s\t%s\t%s\n' "baseline java -jar (17) pull" "$jdk17/bin/java -jar $baseline $pull $dir/b" \
                "rm -rf $dir/b"
        else
            cat
        fi | measure "$work/mirror"
    report "$work/mirror" "java -jar (17) pull|tar -xzpf" "launcher (17) pull|tar -xzpf" \
        "baseline java -jar (17) pull|tar -xzpf"
    kill "$mirror_pid"
    mirror_pid=
    rm -rf "$dir"
}

# pull docker:// of a 3-layer image (the Alpine tarball, then two small files) from a
# docker-registry on 127.0.0.1, into an empty layer store, against skopeo copy of the same image
# to an OCI layout, which downloads and checks the same blobs but unpacks nothing. podman builds
# the image (FROM scratch, nothing runs) into a vfs storage of its own; skopeo pushes it.
section_registry() {
    local port host dir podman
    for tool in podman skopeo docker-registry; do
        command -v "$tool" >/dev/null || die "registry: $tool not found (sudo apt-get install podman skopeo docker-registry)"
    done
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    host=127.0.0.1:$port
    mkdir -p "$work/reg/context"
    printf 'version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: %s\n' \
        "$work/reg/storage" "$host" >"$work/reg/config.yml"
    docker-registry serve "$work/reg/config.yml" >"$work/reg/log" 2>&1 &
    registry_pid=$!
    podman=(podman --root "$work/reg/root" --runroot "$work/reg/run" --storage-driver vfs --cgroup-manager cgroupfs
        --events-backend none)
    cp "$tarball" "$work/reg/context/"
    echo one >"$work/reg/context/one.txt"
    echo two >"$work/reg/context/two.txt"
    printf 'FROM scratch\nADD %s /\nCOPY one.txt /one.txt\nCOPY two.txt /two.txt\nCMD ["sh"]\n' \
        "$(basename "$tarball")" >"$work/reg/context/Containerfile"
    "${podman[@]}" build -q --isolation chroot -t localhost/bench:1 "$work/reg/context" >/dev/null
    python3 - "http://$host/v2/" <<'EOF2' || die "registry: docker-registry did not answer on $host"
import sys, time, urllib.request
for _ in range(100):
    try:
        urllib.request.urlopen(sys.argv[1], timeout=1).close(); sys.exit(0)
    except OSError:
        time.sleep(0.05)
sys.exit(1)
EOF2
    skopeo copy -q --dest-tls-verify=false \
        "containers-storage:[vfs@$work/reg/root+$work/reg/run]localhost/bench:1" "docker://$host/bench:1"
    # The same image with zstd layers, by way of an OCI layout (pushed straight, skopeo would
    # reuse the registry's gzip blobs of the same tars).
    skopeo copy -q --dest-compress-format zstd \
        "containers-storage:[vfs@$work/reg/root+$work/reg/run]localhost/bench:1" "oci:$work/reg/zstd:latest"
    skopeo copy -q --dest-tls-verify=false --preserve-digests "oci:$work/reg/zstd:latest" "docker://$host/bench:zstd"
    dir=$(mktemp -d "${TMPFS:-/dev/shm}/cb-registry.XXXX")
    pull_dirs+=("$dir")
    say "pull docker:// of a 3-layer image from a registry on 127.0.0.1 onto ${TMPFS:-/dev/shm}"
    printf '%s\t%s\t%s\n' \
        "skopeo copy to oci:" "skopeo copy -q --src-tls-verify=false docker://$host/bench:1 oci:$dir/s:latest" \
        "rm -rf $dir/s" \
        "java -jar (17) pull" "$jdk17/bin/java -jar $jar pull -q --layer-store $dir/js docker://$host/bench:1 $dir/j" \
        "rm -rf $dir/j $dir/js" \
        "launcher (17) pull" "$launcher pull -q --layer-store $dir/ls docker://$host/bench:1 $dir/l" \
        "rm -rf $dir/l $dir/ls" \
        "launcher (17) pull, layers stored" "$launcher pull -q --layer-store $dir/ss docker://$host/bench:1 $dir/m" \
        "rm -rf $dir/m" \
        "launcher (17) pull, zstd layers" "$launcher pull -q --layer-store $dir/zs docker://$host/bench:zstd $dir/z" \
        "rm -rf $dir/z $dir/zs" \
        "launcher (25) pull" "env CONTAINERFS_JAVA=$jdk25/bin/java $launcher pull -q --layer-store $dir/ks docker://$host/bench:1 $dir/k" \
        "rm -rf $dir/k $dir/ks" \
        "hello jar (17)" "$jdk17/bin/java -jar $work/hello.jar" "" \
        "launcher (17) pull --file (Alpine's layer alone)" "$launcher pull -q --file $tarball $dir/f" "rm -rf $dir/f" \
        "tar -xzpf (Alpine's layer alone)" "tar -xzpf $tarball -C $dir/t" "sh -c 'rm -rf $dir/t && mkdir $dir/t'" \
        "hello jar (17), then tar -xzpf" "sh -c '$jdk17/bin/java -jar $work/hello.jar && tar -xzpf $tarball -C $dir/h'" \
        "sh -c 'rm -rf $dir/h && mkdir $dir/h'" |
        if [ -n "$baseline" ]; then
            cat
            printf '%s\t%s\t%s\n' "baseline launcher (17) pull" \
                "env CONTAINERFS_JAR=$baseline $launcher pull -q --layer-store $dir/bs docker://$host/bench:1 $dir/b" \
                "rm -rf $dir/b $dir/bs"
        else
            cat
        fi | measure "$work/registry"
    # What bounds a pull from below, in the same rounds: a JVM's start and exit (the hello-world
    # jar) and the big layer unpacked from a file (pull --file), beside tar(1) doing the same;
    # and the two one after the other, the least any pull that starts a JVM and unpacks at
    # tar's speed could take, before its first request.
    report "$work/registry" "java -jar (17) pull|skopeo copy to oci:" "launcher (17) pull|skopeo copy to oci:" \
        "launcher (17) pull, layers stored|skopeo copy to oci:" "launcher (17) pull, zstd layers|launcher (17) pull" \
        "launcher (25) pull|skopeo copy to oci:" "hello jar (17)|skopeo copy to oci:" \
        "launcher (17) pull --file (Alpine's layer alone)|skopeo copy to oci:" \
        "tar -xzpf (Alpine's layer alone)|skopeo copy to oci:" "hello jar (17), then tar -xzpf|skopeo copy to oci:" \
        "baseline launcher (17) pull|launcher (17) pull"
    kill "$registry_pid"
    registry_pid=
    rm -rf "$dir"
}

# pull oci: of one layer, the Alpine tarball's, gzip'd as it is and as the zstd tool (its default
# level) compresses its tar, into an empty layer store on ${TMPFS:-/dev/shm}, through the launcher on
# JDK 17 and 25; BASELINE_JAR's beside it when set (its launcher run with CONTAINERFS_JAR).
section_zstd() {
    local dir base=()
    command -v zstd >/dev/null || die "zstd: the zstd tool not found (sudo apt-get install zstd)"
    mkdir -p "$work/zstd"
    python3 - "$tarball" "$work/zstd" <<'EOF2'
import gzip, hashlib, json, os, subprocess, sys
tarball, out = sys.argv[1:]
tar = gzip.open(tarball).read()
open(out + "/layer.tar", "wb").write(tar)
subprocess.run(["zstd", "-q", "-f", out + "/layer.tar", "-o", out + "/layer.tar.zst"], check=True)
diff_id = "sha256:" + hashlib.sha256(tar).hexdigest()
def blob(d, media, data):
    h = hashlib.sha256(data).hexdigest()
    open(d + "/blobs/sha256/" + h, "wb").write(data)
    return {"mediaType": media, "digest": "sha256:" + h, "size": len(data)}
for name, path in (("gzip", tarball), ("zstd", out + "/layer.tar.zst")):
    d = out + "/" + name
    os.makedirs(d + "/blobs/sha256")
    arch = "arm64" if os.uname().machine == "aarch64" else "amd64"
    config = blob(d, "application/vnd.oci.image.config.v1+json", json.dumps(
        {"architecture": arch, "os": "linux", "rootfs": {"type": "layers", "diff_ids": [diff_id]}}).encode())
    layer = blob(d, "application/vnd.oci.image.layer.v1.tar+" + name, open(path, "rb").read())
    manifest = blob(d, "application/vnd.oci.image.manifest.v1+json", json.dumps({"schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json", "config": config, "layers": [layer]}).encode())
    open(d + "/oci-layout", "w").write('{"imageLayoutVersion":"1.0.0"}')
    open(d + "/index.json", "w").write(json.dumps({"schemaVersion": 2, "manifests": [manifest]}))
EOF2
    dir=$(mktemp -d "${TMPFS:-/dev/shm}/cb-zstd.XXXX")
    pull_dirs+=("$dir")
    say "pull oci: of Alpine's layer, gzip and zstd, onto ${TMPFS:-/dev/shm} ($rounds rounds of $runs runs, pooled)"
    pulls() { # name prefix, launcher command, letter
        for c in gzip zstd; do
            printf '%s\t%s\t%s\n' "$1, $c" "$2 pull -q --layer-store $dir/$3$c-s oci:$work/zstd/$c $dir/$3$c" \
                "rm -rf $dir/$3$c $dir/$3$c-s"
        done
    }
    {
        pulls "launcher (17) pull" "$launcher" a
        pulls "launcher (25) pull" "env CONTAINERFS_JAVA=$jdk25/bin/java $launcher" b
        if [ -n "$baseline" ]; then
            pulls "baseline launcher (17) pull" "env CONTAINERFS_JAR=$baseline $launcher" c
            pulls "baseline launcher (25) pull" "env CONTAINERFS_JAR=$baseline CONTAINERFS_JAVA=$jdk25/bin/java $launcher" d
        fi
    } | measure "$work/zstd-pull"
    [ -z "$baseline" ] || base=("baseline launcher (17) pull, zstd|baseline launcher (17) pull, gzip"
        "baseline launcher (25) pull, zstd|baseline launcher (25) pull, gzip")
    report "$work/zstd-pull" "launcher (17) pull, zstd|launcher (17) pull, gzip" \
        "launcher (25) pull, zstd|launcher (25) pull, gzip" "${base[@]}"
    # CPU time moves less than wall time on a busy machine: hyperfine keeps its mean per round.
    echo
    python3 - "$work/zstd-pull" <<'EOF2'
import glob, json, statistics, sys
cpu = {}
for f in sorted(glob.glob(sys.argv[1] + "/round-*.json")):
    for r in json.load(open(f))["results"]:
        cpu.setdefault(r["command"], []).append(r["user"] + r["system"])
print("| command | CPU time (user + system), mean of the rounds |")
print("| --- | --- |")
for k, v in cpu.items():
    print("| %s | %.1f ms |" % (k, statistics.mean(v) * 1e3))
EOF2
    rm -rf "$dir"
}

# What the default private network costs a run: slirp4netns started on the child, its
# tap0 configured, stopped at the end; against --network none (a network namespace with lo
# only) and --network host (no network namespace).
section_network() {
    local l="$work/r $work/a"
    mkdir -p "$work/w/net"
    say "The network: /bin/true on each --network ($rounds rounds of $runs runs, pooled)"
    printf '%s	%s
' \
        "launcher (17), --network none" "$launcher --network none $l $work/w/net -- /bin/true" \
        "launcher (17), --network host" "$launcher --network host $l $work/w/net -- /bin/true" \
        "launcher (17), private (default)" "$launcher $l $work/w/net -- /bin/true" \
        "launcher (17), private, -p" "$launcher -p 127.0.0.1:18473:80 $l $work/w/net -- /bin/true" \
        "C front end, --network none" "$cfront --network none $l $work/w/net -- /bin/true" \
        "C front end, --network host" "$cfront --network host $l $work/w/net -- /bin/true" \
        "C front end, private (default)" "$cfront $l $work/w/net -- /bin/true" |
        measure "$work/network"
    report "$work/network" "launcher (17), --network host|launcher (17), --network none" \
        "C front end, --network host|C front end, --network none" \
        "C front end, private (default)|C front end, --network none" \
        "launcher (17), private (default)|launcher (17), --network none" \
        "launcher (17), private, -p|launcher (17), --network none"
}

# Podman (issue 24) runs `run --rm IMAGE true` on container-fs through the launcher, as its OCI
# runtime, and on runc and crun: its own storage and run directories, vfs, cgroupfs, no events,
# no network, the image imported from the tarball. The ulimits: root here lacks
# CAP_SYS_RESOURCE, and Podman's default nofile is above the hard limit, which fails every runtime.
section_podman() {
    local p=$work/podman
    local podman=(podman --root "$p/root" --runroot "$p/runroot" --storage-driver vfs --cgroup-manager cgroupfs
        --events-backend none)
    local run=(run --rm --network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 localhost/bench-alpine true)
    command -v podman >/dev/null || die "podman not found (sudo apt-get install podman)"
    mkdir -p "$p"
    "${podman[@]}" import "$tarball" localhost/bench-alpine >/dev/null
    "${podman[@]}" --runtime "$launcher" "${run[@]}" # the launcher trains its OCI archive once, as a user's first call does
    say "Podman: run --rm IMAGE true on each runtime ($rounds rounds of $runs runs, pooled)"
    printf '%s\t%s\n' \
        "podman, container-fs (launcher, 17)" "${podman[*]} --runtime $launcher ${run[*]}" \
        "podman, runc" "${podman[*]} --runtime $(command -v runc) ${run[*]}" \
        "podman, crun" "${podman[*]} --runtime $(command -v crun) ${run[*]}" |
        measure "$work/podman-runs"
    report "$work/podman-runs" "podman, container-fs (launcher, 17)|podman, runc" "podman, crun|podman, runc"
    echo
    say "The OCI calls Podman makes, each alone on a bundle (container-fs spec's, for both)"
    mkdir -p "$p/bundle"
    (cd "$p/bundle" && "$launcher" spec)
    python3 - "$p/bundle/config.json" "$work/m" <<'EOF'
import json, sys
path, root = sys.argv[1:]
c = json.load(open(path))
c["root"] = {"path": root, "readonly": True}
c["process"]["terminal"] = False
c["process"]["args"] = ["/bin/true"]
json.dump(c, open(path, "w"), indent=1)
EOF
    local cfs="$launcher --root $p/state" rc="runc --root $p/state-runc"
    printf '%s\t%s\t%s\n' \
        "container-fs create" "$cfs create --bundle $p/bundle b" "$cfs delete --force b" \
        "runc create" "$rc create --bundle $p/bundle b" "$rc delete --force b" \
        "container-fs state" "$cfs state b" "sh -c '$cfs state b >/dev/null 2>&1 || $cfs create --bundle $p/bundle b'" \
        "runc state" "$rc state b" "sh -c '$rc state b >/dev/null 2>&1 || $rc create --bundle $p/bundle b'" \
        "container-fs delete --force" "$cfs delete --force b" "sh -c '$cfs state b >/dev/null 2>&1 || $cfs create --bundle $p/bundle b'" \
        "runc delete --force" "$rc delete --force b" "sh -c '$rc state b >/dev/null 2>&1 || $rc create --bundle $p/bundle b'" |
        measure "$work/podman-calls"
    $cfs delete --force b 2>/dev/null || true
    $rc delete --force b 2>/dev/null || true
    report "$work/podman-calls" "container-fs create|runc create" "container-fs state|runc state" \
        "container-fs delete --force|runc delete --force"
}

echo "# container-fs benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "$(nproc) CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), load average $(cut -d' ' -f1-3 /proc/loadavg);"
echo "kernel $(uname -r); $("$jdk17/bin/java" -version 2>&1 | head -1); $("$jdk25/bin/java" -version 2>&1 | head -1);"
echo "$(hyperfine --version); $(bwrap --version); $(crun --version | head -1); $(runc --version | head -1); $(tar --version | head -1)"
for s in "${sections[@]}"; do
    "section_$s"
done
