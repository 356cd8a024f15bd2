#!/bin/bash
# The VM suite: runs as PID 1 inside the Debian 11 VM that scripts/vm-test.sh
# boots (Linux 5.10, glibc 2.31, cgroup v2 only), from the test's own disk,
# mounted read-only at /payload by the image's /vmtest-init. It holds:
#   container-fs.jar            the jar under test
#   libcontainer-fs.so          optional: the JNI library to load instead of the jar's
#   container-fs                the plain C front end
#   alpine.tar.gz               Alpine's mini root filesystem; without it (arm64, which
#                               the tests' mirror lacks) the rootfs is the VM's static busybox
#   app/usr/bin/fib             the course's static fib
# It reports on the serial console, one line each, which vm-test.sh reads:
#   VMTEST info WHAT            what the VM is
#   VMTEST ok NAME
#   VMTEST fail NAME: WHY       then up to 30 lines "VMTEST log NAME: ..." of its output
#   VMTEST done N failed        last, then the VM powers off
# PID 1 must never exit (the kernel panics), so every step is checked here
# and the end is always a power-off.
set -u
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8
payload=/payload
work=/var/tmp/vmtest
logs=/tmp/vmtest-logs
failed=0
fib_output=$'Fibonacci numbers:\n1\n1\n2\n3\n5\n8\n13\n21\n34\n55'

power_off() {
    echo "VMTEST done $failed failed"
    sync
    echo o >/proc/sysrq-trigger
    sleep 60
}

ok() { echo "VMTEST ok $1"; }
fail() { # NAME WHY: and the test's output, for the host to show
    local name=$1 file
    echo "VMTEST fail $name: $2"
    failed=$((failed + 1))
    for file in "$logs/$name.out" "$logs/$name.err"; do
        [[ -s $file ]] && sed -n '1,30{s/^/VMTEST log '"$name"': /;p}' "$file"
    done
}

# Mounts the way a Debian 11 host with cgroup v2 (systemd's unified
# hierarchy) has them; the initramfs has moved /proc, /sys and /dev here.
setup() {
    mountpoint -q /proc || mount -t proc proc /proc
    mountpoint -q /sys || mount -t sysfs sysfs /sys
    mountpoint -q /dev || mount -t devtmpfs devtmpfs /dev
    [[ -e /dev/fd ]] || ln -s /proc/self/fd /dev/fd # udev's work: bash's <(...) needs it
    mount -t cgroup2 cgroup2 /sys/fs/cgroup
    mount -t tmpfs -o mode=1777 tmpfs /tmp
    mount -t tmpfs -o mode=755 tmpfs /run
    # Only the kernel's emergencies on the console: an OOM kill's report
    # would cut through our lines.
    echo 1 >/proc/sys/kernel/printk
    modprobe overlay
    modprobe tun # slirp4netns's tap device, for --network private (the default)
    mkdir -p "$logs" "$work"
}

java_cmd=(java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC)
if [[ -f $payload/libcontainer-fs.so ]]; then
    java_cmd+=("-Dcontainerfs.native.path=$payload/libcontainer-fs.so")
fi
java_cmd+=(-jar "$payload/container-fs.jar")

# The layers: Alpine (extracted as root would) or busybox, the app layer, and
# a fresh WRITEDIR per run.
make_layers() {
    mkdir -p "$work/rootfs" && cp -a "$payload/app" "$work/app" || return 1
    if [[ -f $payload/alpine.tar.gz ]]; then
        tar --same-owner -xzpf "$payload/alpine.tar.gz" -C "$work/rootfs"
        return
    fi
    local applet
    mkdir -p "$work/rootfs/bin" "$work/rootfs/etc" && cp /bin/busybox "$work/rootfs/bin/" || return 1
    for applet in $(busybox --list); do
        [[ -e $work/rootfs/bin/$applet ]] || ln -s busybox "$work/rootfs/bin/$applet" || return 1
    done
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$work/rootfs/etc/passwd"
}

writedir() { # NAME: a new, empty WRITEDIR
    rm -rf "${work:?}/w-$1" && mkdir "$work/w-$1" && echo "$work/w-$1"
}

run_logged() { # NAME COMMAND...: output to NAME.out and .err; its status
    local name=$1
    shift
    (cd "$work" && "$@") >"$logs/$name.out" 2>"$logs/$name.err" </dev/null
}

cgroups_left() {
    compgen -G "/sys/fs/cgroup/container-fs-*" || true
}

test_seed_run() { # NAME FRONT-END...: the course's run prints fib's numbers
    local name=$1
    shift
    run_logged "$name" "$@" rootfs app "$(writedir "$name")" -- fib
    local status=$?
    if ((status != 0)); then
        fail "$name" "exit status $status"
    elif [[ $(<"$logs/$name.out") != "$fib_output" ]]; then
        fail "$name" "fib printed something else"
    else
        ok "$name"
    fi
}

# A stats line's value: "  OOM kills       1" -> 1
stat_value() { # NAME LABEL
    sed -n "s/^  $2  *//p" "$logs/$1.err"
}

test_memory_limit() {
    local name=memory-limit-oom status
    run_logged $name "${java_cmd[@]}" --memory 32m --stats rootfs app "$(writedir $name)" -- \
        sh -c 'exec tail < /dev/zero'
    status=$?
    if ((status != 137)); then
        fail $name "exit status $status, not 137"
    elif ! grep -qxF "container-fs: the container reached its memory limit (--memory 32m) and the kernel's OOM killer ended it (exit status 137)" "$logs/$name.err"; then
        fail $name "no line saying the OOM killer ended it"
    elif [[ $(stat_value $name "OOM kills") != 1 ]]; then
        fail $name "--stats does not count one OOM kill"
    elif [[ -n $(cgroups_left) ]]; then
        fail $name "cgroup left: $(cgroups_left)"
    else
        ok $name
    fi
}

test_memory_under_limit() {
    local name=memory-under-limit status
    run_logged $name "${java_cmd[@]}" --memory 64m --stats rootfs app "$(writedir $name)" -- \
        sh -c 'head -c 20m /dev/zero | tail | wc -c'
    status=$?
    if ((status != 0)); then
        fail $name "exit status $status"
    elif [[ $(tr -d ' ' <"$logs/$name.out") != $((20 << 20)) ]]; then
        fail $name "tail did not pass 20 MiB through"
    elif [[ $(stat_value $name "OOM kills") != 0 ]]; then
        fail $name "--stats counts an OOM kill"
    elif ! [[ $(stat_value $name "CPU user") =~ ^[0-9]+\.[0-9]{3}\ s$ ]]; then
        fail $name "--stats has no CPU user time"
    else
        ok $name
    fi
}

# What the cgroup holds while the container runs, read from outside it: the
# limits (--cpu-shares 512 as the cpu.weight runc 1.3.2 maps it to, 59), and a busy
# loop held to half a CPU (cpu.stat counts the periods in which it was
# throttled).
test_limits_written() {
    local name=limits-written pid dir='' i status throttled=0
    # shellcheck disable=SC2016 # the container's shell expands it
    run_logged $name "${java_cmd[@]}" --memory 48m --pids-limit 10 --cpus 0.5 --cpu-shares 512 rootfs app \
        "$(writedir $name)" -- sh -c 'end=$(($(date +%s) + 4)); while [ "$(date +%s)" -lt $end ]; do :; done' &
    pid=$!
    for ((i = 0; i < 600; i++)); do
        dir=$(cgroups_left)
        if [[ -n $dir ]] || ! kill -0 $pid 2>/dev/null; then break; fi
        sleep 0.1
    done
    local memory pids cpu weight procs
    memory=$(cat "$dir/memory.max" 2>&1)
    pids=$(cat "$dir/pids.max" 2>&1)
    cpu=$(cat "$dir/cpu.max" 2>&1)
    weight=$(cat "$dir/cpu.weight" 2>&1)
    for ((i = 0; i < 100 && throttled == 0; i++)); do
        throttled=$(sed -n 's/^nr_throttled //p' "$dir/cpu.stat" 2>/dev/null)
        throttled=${throttled:-0}
        sleep 0.1
    done
    # Once throttled, not as soon as the directory shows: the parent makes
    # it before the child exists to join it.
    procs=$(cat "$dir/cgroup.procs" 2>&1)
    wait $pid
    status=$?
    if [[ -z $dir ]]; then
        fail $name "no cgroup container-fs-* under /sys/fs/cgroup while it ran"
    elif ((status != 0)); then
        fail $name "exit status $status"
    elif [[ $memory != $((48 << 20)) || $pids != 10 || $cpu != "50000 100000" || $weight != 59 ]]; then
        fail $name "memory.max $memory, pids.max $pids, cpu.max $cpu, cpu.weight $weight"
    elif [[ -z $procs ]]; then
        fail $name "no process in the cgroup"
    elif ((throttled == 0)); then
        fail $name "a busy loop under --cpus 0.5 was never throttled"
    elif [[ -n $(cgroups_left) ]]; then
        fail $name "cgroup left: $(cgroups_left)"
    else
        ok $name
    fi
}

# busybox sh gives up when fork(2) fails with EAGAIN at the limit.
test_pids_limit() {
    local name=pids-limit status
    # shellcheck disable=SC2016 # the container's shell expands it
    run_logged $name "${java_cmd[@]}" --pids-limit 10 rootfs app "$(writedir $name)" -- \
        sh -c 'for i in $(seq 20); do sleep 2 & done; echo forked all'
    status=$?
    if ((status == 0)) || grep -q 'forked all' "$logs/$name.out"; then
        fail $name "twenty processes started under --pids-limit 10 (exit status $status)"
    elif ! grep -q "can't fork" "$logs/$name.err"; then
        fail $name "the shell did not fail to fork"
    elif [[ -n $(cgroups_left) ]]; then
        fail $name "cgroup left: $(cgroups_left)"
    else
        ok $name
    fi
}

# The device allowlist (src/main/c/core/devices.c): on cgroup v2 a BPF
# device program, attached to the container's cgroup.  mknod works, opening
# a node of the VM's disk does not; --device gives that one, read-only.
test_device_rules() {
    local name=device-rules disk status
    disk="$((16#$(stat -c %t /dev/vdb))) $((16#$(stat -c %T /dev/vdb)))"
    run_logged $name "$payload/container-fs" rootfs app "$(writedir $name)" -- \
        sh -c "head -c 4 /dev/zero | wc -c; mknod /dev/disk b $disk && head -c 1 /dev/disk"
    status=$?
    run_logged $name-given "${java_cmd[@]}" --device /dev/vdb:/dev/xvda:r rootfs app "$(writedir $name-given)" -- \
        sh -c 'head -c 4 /dev/xvda | wc -c'
    if ((status == 0)) || [[ $(tr -d ' ' <"$logs/$name.out") != 4 ]]; then
        fail $name "exit status $status, /dev/zero gave '$(<"$logs/$name.out")'"
    elif ! grep -q '/dev/disk: Operation not permitted' "$logs/$name.err"; then
        fail $name "a node of the VM's disk made with mknod could be opened"
    elif [[ $(tr -d ' ' <"$logs/$name-given.out") != 4 ]]; then
        fail $name "--device /dev/vdb:/dev/xvda:r could not be read: $(<"$logs/$name-given.err")"
    elif [[ -n $(cgroups_left) ]]; then
        fail $name "cgroup left: $(cgroups_left)"
    else
        ok $name
    fi
}

# Linux 5.10 has no mount_setattr(2) (5.12): each submount of the volume is
# remounted read-only in turn (src/main/c/core/mount_tree.c).
test_read_only_volume() {
    local name=read-only-volume-submount status
    mkdir -p "$work/hostdir/sub" && mount -t tmpfs -o size=1m vmtest "$work/hostdir/sub"
    run_logged $name "${java_cmd[@]}" --trace -v "$work/hostdir:/x:ro" rootfs app "$(writedir $name)" -- \
        sh -c 'touch /x/top; touch /x/sub/inside; echo tried'
    status=$?
    local left
    left=$(find "$work/hostdir" -mindepth 1 ! -path "$work/hostdir/sub")
    umount "$work/hostdir/sub"
    if ((status != 0)) || ! grep -qx tried "$logs/$name.out"; then
        fail $name "exit status $status"
    elif ! grep -qxF 'touch: /x/top: Read-only file system' "$logs/$name.err"; then
        fail $name "the volume is writable"
    elif ! grep -qxF 'touch: /x/sub/inside: Read-only file system' "$logs/$name.err"; then
        fail $name "the submount under the volume is writable"
    elif ! grep -q '^mount_setattr(.* = -1 ENOSYS' "$logs/$name.err"; then
        fail $name "--trace shows no mount_setattr answered ENOSYS"
    elif ! grep -qE '^mount\(NULL, "[^"]*x/sub", NULL, MS_RDONLY\|.*MS_REMOUNT\|MS_BIND, NULL\) = 0$' "$logs/$name.err"; then
        fail $name "--trace shows no read-only remount of the submount"
    elif [[ -n $left ]]; then
        fail $name "files written to the host directory: $left"
    else
        ok $name
    fi
}

# Linux 5.10 has no overlayfs lowerdir+ (6.8): the layers go in mount(2)'s
# option string, top first, as the course builds it.
test_legacy_overlay_options() {
    local name=overlay-option-string layers=() i status
    for ((i = 1; i <= 60; i++)); do
        mkdir -p "$work/many/l$i" && echo "$i" >"$work/many/l$i/layer" && touch "$work/many/l$i/in-$i"
        layers+=("many/l$i")
    done
    run_logged $name "$payload/container-fs" --trace rootfs "${layers[@]}" "$(writedir $name)" -- \
        sh -c 'cat /layer; ls / | grep -c "^in-"'
    status=$?
    if ((status != 0)); then
        fail $name "60 layers: exit status $status"
    elif [[ $(<"$logs/$name.out") != $'60\n60' ]]; then
        fail $name "60 layers: the top layer is not the last one named, or a layer is missing"
    elif ! grep -q "^mount(\"overlay\", \"[^\"]*\", \"overlay\", MS_NODEV, \"lowerdir=$work/many/l60:$work/many/l59:.*:$work/rootfs,upperdir=" "$logs/$name.err"; then
        fail $name "--trace shows no mount(2) with the lowerdir= string, top first"
    elif grep -q 'fsopen\|fsconfig' "$logs/$name.err"; then
        fail $name "the layers went through fsopen(2)"
    else
        ok $name
    fi
}

# Past one page of options a 5.10 kernel has fsopen(2) but not lowerdir+:
# refused, in one line (src/main/c/core/overlay.c).
test_options_past_one_page() {
    local name=overlay-past-one-page layers=() i status padding
    padding=$(printf 'p%.0s' {1..120})
    for ((i = 1; i <= 40; i++)); do
        mkdir -p "$work/long/$padding/l$i"
        layers+=("$work/long/$padding/l$i")
    done
    run_logged $name "$payload/container-fs" rootfs "${layers[@]}" "$(writedir $name)" -- true
    status=$?
    if ((status != 125)); then
        fail $name "exit status $status, not 125"
    elif ! grep -q "^container-fs: build overlay options: the layer paths make an option string longer than mount(2)'s limit of 4095 bytes; past it they are given one by one, which needs Linux 6.8" "$logs/$name.err"; then
        fail $name "not the one line about the page limit"
    else
        ok $name
    fi
}

test_nothing_left() {
    local name=nothing-left
    if [[ -n $(cgroups_left) ]]; then
        fail $name "cgroups left: $(cgroups_left)"
    elif ! diff <(cut -d' ' -f5,9- "$logs/mounts.before") <(cut -d' ' -f5,9- /proc/self/mountinfo) >"$logs/$name.out"; then
        fail $name "the mount table changed"
    elif [[ -n $(compgen -G "$work/.container-fs-*") ]]; then
        fail $name "left in $work: $(compgen -G "$work/.container-fs-*")"
    else
        ok $name
    fi
}

# Rootless on Linux 5.10 (issue 26): overlayfs cannot be mounted in a user
# namespace before 5.11, so an ordinary user's root is fuse-overlayfs's
# (src/main/c/core/fuse_overlay.c); pull as that user gives the image's
# owners from its subordinate range.  amd64 only: its image has
# fuse-overlayfs and uidmap (vm-test.sh), and Alpine's tarball.
as_user() { # COMMAND...: as test_rootless's user, with a home of its own
    setpriv --reuid=cfsuser --regid=cfsuser --init-groups -- env HOME=/home/cfsuser TMPDIR=/home/cfsuser "$@"
}

test_rootless() {
    local name=rootless-fuse-overlayfs user=cfsuser home=/home/cfsuser status left base
    if ! {
        # Bullseye's useradd refuses SUB_UID_COUNT=0: its own ranges, from 200000.
        useradd -m -K SUB_UID_MIN=200000 -K SUB_UID_MAX=400000 -K SUB_GID_MIN=200000 \
            -K SUB_GID_MAX=400000 $user &&
            base=$(awk -F: -v u=$user '$1 == u { print $2 }' /etc/subgid) && [[ -n $base ]] &&
            modprobe fuse && chmod 666 /dev/fuse && # udev's work: devtmpfs makes it 0600
            cp "$payload/alpine.tar.gz" "$home/" && chown $user: "$home/alpine.tar.gz" &&
            run_logged $name as_user "${java_cmd[@]}" pull -q --file "$home/alpine.tar.gz" "$home/rootfs" &&
            mkdir "$home/w" && chown $user: "$home/w"
    }; then
        fail $name "setting up the user or its pull failed"
        return
    fi
    # shellcheck disable=SC2016 # the container's shell expands it
    run_logged $name as_user "$payload/container-fs" --network none "$home/rootfs" "$home/w" -- \
        sh -c 'id -u; stat -c %u:%g /etc/shadow; awk '"'"'$5 == "/" {print $(NF - 2)}'"'"' /proc/self/mountinfo; touch /made'
    status=$?
    sleep 1 # fuse-overlayfs exits once the container's mount namespace is gone
    left=$(grep -l '^Name:.*fuse-overlayfs' /proc/[0-9]*/status 2>/dev/null | xargs -r grep -L '^State:.*Z' 2>/dev/null)
    if ((status != 0)); then
        fail $name "exit status $status"
    elif [[ $(<"$logs/$name.out") != $'0\n0:42\nfuse.fuse-overlayfs' ]]; then
        fail $name "not root inside, not the image's owners, or not fuse-overlayfs's root"
    elif [[ $(stat -c %u:%g "$home/rootfs/etc/shadow") != "$(id -u $user):$((base + 41))" ]]; then
        fail $name "pull did not give /etc/shadow the range's group 42"
    elif [[ $(stat -c %U "$home/w/made") != "$user" ]]; then
        fail $name "a file made inside is not the user's"
    elif [[ -n $left ]]; then
        fail $name "fuse-overlayfs left running: $left"
    else
        ok $name
    fi
}

# A cgroup v2 subtree delegated to test_rootless's user (issue 26, #4), as
# the kernel's delegation model has it (cgroup-v2.rst, "Delegation") and
# systemd makes one for a user's service: root enables the controllers in
# the parent's subtree_control and gives the user the directory and its
# cgroup.procs, cgroup.subtree_control and cgroup.threads; a shell of the
# user's, moved there by root, runs container-fs, which makes the
# container's cgroup below it (src/main/c/core/cgroup.c, create_delegated).
delegated=/sys/fs/cgroup/cfsuser-delegated

delegate() {
    echo '+memory +pids' >/sys/fs/cgroup/cgroup.subtree_control && mkdir -p $delegated &&
        chown cfsuser: $delegated $delegated/cgroup.procs $delegated/cgroup.subtree_control \
            $delegated/cgroup.threads
}

delegated_left() {
    compgen -G "$delegated/container-fs-*" || true
}

# Where root puts the user's shell: $delegated, or once a run has enabled
# controllers there (after which it may hold no process), the leaf that run
# moved the user's processes to, where its shell would then be.
user_cgroup() {
    if [[ -d $delegated/container-fs.leaf ]]; then
        echo $delegated/container-fs.leaf
    else
        echo $delegated
    fi
}

as_user_delegated() { # COMMAND...: from the user's shell, which root moved into user_cgroup
    # shellcheck disable=SC2016 # the shells expand them
    bash -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$(user_cgroup)" \
        setpriv --reuid=cfsuser --regid=cfsuser --init-groups -- \
        env HOME=/home/cfsuser TMPDIR=/home/cfsuser sh -c '"$@"' sh "$@"
}

# --memory 32m as the user: the container's cgroup reads memory.max
# 33554432 while it runs, and a process that takes more is OOM-killed.
test_rootless_memory() {
    local name=rootless-delegated-memory home=/home/cfsuser pid dir='' memory='' i status
    mkdir "$home/w-memory" && chown cfsuser: "$home/w-memory" || return
    run_logged $name as_user_delegated "${java_cmd[@]}" --network none --memory 32m \
        "$home/rootfs" "$home/w-memory" -- sh -c 'sleep 2; exec tail < /dev/zero' &
    pid=$!
    # Until the container is in it: the limit is written before it joins.
    for ((i = 0; i < 300; i++)); do
        dir=$(delegated_left)
        if [[ -n $dir && -n $(cat "$dir/cgroup.procs" 2>/dev/null) ]] || ! kill -0 $pid 2>/dev/null; then break; fi
        sleep 0.1
    done
    [[ -n $dir ]] && memory=$(cat "$dir/memory.max" 2>&1)
    wait $pid
    status=$?
    if [[ -z $dir ]]; then
        fail $name "no cgroup container-fs-* under $delegated while it ran"
    elif [[ $memory != 33554432 ]]; then
        fail $name "memory.max of $dir reads $memory"
    elif ((status != 137)); then
        fail $name "exit status $status, not 137"
    elif ! grep -qxF "container-fs: the container reached its memory limit (--memory 32m) and the kernel's OOM killer ended it (exit status 137)" "$logs/$name.err"; then
        fail $name "no line saying the OOM killer ended it"
    elif [[ -n $(delegated_left) ]]; then
        fail $name "cgroup left: $(delegated_left)"
    elif [[ -n $(cat $delegated/cgroup.procs) ]]; then
        fail $name "processes left in the delegated cgroup itself, which enables controllers: $(cat $delegated/cgroup.procs)"
    else
        ok $name
    fi
}

# kill -9 of the user's front end: the watchdog ends the container; its
# cgroup, empty, stays until the user's next run with a limit sweeps it
# (test_rootless_pids then finds none left), as root's does.
test_rootless_kill() {
    local name=rootless-delegated-kill home=/home/cfsuser pid dir='' i procs=''
    mkdir "$home/w-kill" && chown cfsuser: "$home/w-kill" || return
    # shellcheck disable=SC2016 # bash -c expands them; exec keeps $! the front end's pid
    bash -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$(user_cgroup)" \
        setpriv --reuid=cfsuser --regid=cfsuser --init-groups -- env HOME=$home TMPDIR=$home \
        "${java_cmd[@]}" --network none --memory 32m "$home/rootfs" "$home/w-kill" -- sleep 60 \
        >"$logs/$name.out" 2>"$logs/$name.err" </dev/null &
    pid=$!
    for ((i = 0; i < 300; i++)); do
        dir=$(delegated_left)
        if [[ -n $dir && -n $(cat "$dir/cgroup.procs" 2>/dev/null) ]] || ! kill -0 $pid 2>/dev/null; then break; fi
        sleep 0.1
    done
    kill -KILL $pid
    wait $pid
    for ((i = 0; i < 50; i++)); do
        procs=$(cat "$dir/cgroup.procs" 2>/dev/null)
        if [[ -z $procs ]]; then break; fi
        sleep 0.1
    done
    if [[ -z $dir ]]; then
        fail $name "no cgroup container-fs-* under $delegated while it ran"
    elif [[ -n $procs ]]; then
        fail $name "processes left in $dir five seconds after kill -9 of the front end: $procs"
    else
        ok $name
    fi
}

# --pids-limit 10 as the user.
test_rootless_pids() {
    local name=rootless-delegated-pids home=/home/cfsuser status
    mkdir "$home/w-pids" && chown cfsuser: "$home/w-pids" || return
    # shellcheck disable=SC2016 # the container's shell expands it
    run_logged $name as_user_delegated "${java_cmd[@]}" --network none --pids-limit 10 \
        "$home/rootfs" "$home/w-pids" -- sh -c 'for i in $(seq 20); do sleep 2 & done; echo forked all'
    status=$?
    if ((status == 0)) || grep -q 'forked all' "$logs/$name.out"; then
        fail $name "twenty processes started under --pids-limit 10 (exit status $status)"
    elif ! grep -q "can't fork" "$logs/$name.err"; then
        fail $name "the shell did not fail to fork"
    elif [[ -n $(delegated_left) ]]; then
        fail $name "cgroup left: $(delegated_left)"
    else
        ok $name
    fi
}

test_rootless_delegated() {
    if ! delegate >"$logs/delegate.err" 2>&1; then
        fail rootless-delegated-memory "delegating $delegated failed: $(<"$logs/delegate.err")"
        return
    fi
    test_rootless_memory
    test_rootless_kill
    test_rootless_pids
}

setup_log=/var/tmp/vmtest-setup.log
if ! setup >"$setup_log" 2>&1 || ! make_layers >>"$setup_log" 2>&1; then
    echo "VMTEST fail setup: $(tail -1 "$setup_log")"
    failed=1
    power_off
fi
echo # the firmware's last escape sequence ends this line, not ours
echo "VMTEST info kernel $(uname -r) $(uname -m), $(ldd --version | sed -n '1s/.* //p' | sed 's/^/glibc /'), $(stat -f -c %T /sys/fs/cgroup), $(java -version 2>&1 | sed -n 1p)"
cat /proc/self/mountinfo >"$logs/mounts.before"

test_seed_run jar-fib "${java_cmd[@]}"
test_seed_run c-front-end-fib "$payload/container-fs"
test_memory_limit
test_memory_under_limit
test_limits_written
test_pids_limit
test_device_rules
test_read_only_volume
test_legacy_overlay_options
test_options_past_one_page
if command -v fuse-overlayfs >/dev/null && [[ -f $payload/alpine.tar.gz ]]; then
    test_rootless
    test_rootless_delegated
fi
test_nothing_left
power_off
