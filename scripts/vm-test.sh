#!/usr/bin/env bash
# Runs container-fs on a real older kernel: boots a Debian 11 (bullseye) VM
# (Linux 5.10, glibc 2.31 as on the course's Ubuntu 20.04, cgroup v2 only)
# under QEMU and runs the VM suite (scripts/vm-suite.sh) in it: the course's
# run with the jar and with the plain C front end, the cgroup v2 limits, the
# read-only volume without mount_setattr(2) (5.12) and the overlay option
# string without lowerdir+ (6.8).
#
#   sudo scripts/vm-test.sh [--arch amd64|arm64] [--jar JAR] [--native-library SO]
#                           [--c-front-end PROGRAM] [--alpine TARBALL] [--app DIR] [--console FILE]
#
#   --arch            the VM's: amd64 (default), or arm64 under qemu-system-aarch64 (below)
#   --jar             default target/container-fs.jar (mvn package)
#   --native-library  a JNI library to load instead of the jar's (-Dcontainerfs.native.path)
#   --c-front-end     default src/main/c/container-fs (make -C src/main/c); arm64:
#                     target/release/aarch64/container-fs (mvn package, gcc-aarch64-linux-gnu)
#   --alpine          alpine-minirootfs-3.20.3-x86_64.tar.gz; default: $ALPINE_TARBALL, else
#                     the tests' mirror copies ($CONTAINERFS_ALPINE_MIRROR, ../shared/alpine-mirror,
#                     ~/.cache/container-fs-tests/alpine-mirror); arm64: none, the rootfs
#                     is the VM's static busybox (the tests' mirror holds x86_64 only)
#   --app             an app layer holding usr/bin/fib; default: built by scripts/build-fib.sh,
#                     arm64: by aarch64-linux-gnu-gcc -static
#   --console         keep the VM's whole serial console in FILE
#
# Prints one line per test ("VMTEST ok NAME", "VMTEST fail NAME: WHY") and
# exits 0 only when every test passed; 1 on a failure, on a timeout
# (VMTEST_TIMEOUT seconds, default 900) or when the VM cannot be made.
# The image is made once, from Debian's packages, and kept in
# ~/.cache/container-fs-tests/vm-VERSION ($XDG_CACHE_HOME too): debootstrap
# of bullseye with linux-image-amd64, openjdk-17-jre-headless and slirp4netns
# (for --network private, the default), and on amd64 fuse-overlayfs and uidmap
# (the rootless run): two to five minutes, 1 GB; made into
# an ext4 disk image with mkfs.ext4 -d (no loop mount). A boot and the suite
# then take one to two minutes under TCG. The VM never writes to the image
# (QEMU's snapshot=on); what a run brings is on a second, small disk made for
# it. Each boot takes the image's kernel and initrd from the cache, `console=ttyS0`, `cgroup_no_v1=all` and
# `init=/vmtest-init`, which mounts that disk and runs the suite as PID 1.
# KVM when /dev/kvm runs a guest (a kernel must reach its panic within 10 s;
# nested KVM hangs on some machines), else TCG; VMTEST_ACCEL=kvm|tcg chooses.
# Needs root (debootstrap), debootstrap, qemu-system-x86_64 (Debian package
# qemu-system-x86), mkfs.ext4 (e2fsprogs) and Debian's mirror (DEBIAN_MIRROR,
# default http://deb.debian.org/debian).
# arm64 (TCG only): Debian's arm64 packages are unpacked, not configured (no
# arm64 program runs on the host: debootstrap --foreign, dpkg-deb -x), so the
# image has no initrd of Debian's; its own is busybox-static's busybox and the
# modules that mount the root (virtio, ext4; depmod and modprobe of the host's
# kmod find them, cpio packs them). Needs qemu-system-aarch64 (qemu-system-arm),
# kmod, cpio and gcc-aarch64-linux-gnu too.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/container-fs-tests
timeout=${VMTEST_TIMEOUT:-900}
tarball='alpine-minirootfs-3.20.3-x86_64.tar.gz'

say() { echo "vm-test: $*"; }
die() { echo "vm-test: $*" >&2; exit 1; }
usage() {
    echo "usage: sudo scripts/vm-test.sh [--arch amd64|arm64] [--jar JAR] [--native-library SO] [--c-front-end PROGRAM] [--alpine TARBALL] [--app DIR] [--console FILE]" >&2
    exit 2
}

arch=amd64
jar=$here/target/container-fs.jar
native_library=''
c_front_end=''
alpine=''
app=''
console=''
while (($# > 0)); do
    (($# >= 2)) || usage
    case $1 in
        --arch) arch=$2 ;;
        --jar) jar=$2 ;;
        --native-library) native_library=$2 ;;
        --c-front-end) c_front_end=$2 ;;
        --alpine) alpine=$2 ;;
        --app) app=$2 ;;
        --console) console=$2 ;;
        *) usage ;;
    esac
    shift 2
done

# Change a version when what goes into its image changes: the next run makes a new one.
case $arch in
    amd64)
        version=bullseye-linux-image-amd64-openjdk-17-jre-headless-slirp4netns-fuse-overlayfs-uidmap-3
        qemu='qemu-system-x86_64'
        tools=(debootstrap "$qemu" mkfs.ext4)
        c_front_end=${c_front_end:-$here/src/main/c/container-fs}
        ;;
    arm64)
        version=bullseye-arm64-linux-image-arm64-openjdk-17-jre-headless-slirp4netns-busybox-static-2
        qemu='qemu-system-aarch64'
        tools=(debootstrap "$qemu" mkfs.ext4 dpkg-deb depmod modprobe cpio)
        [[ -n $app ]] || tools+=(aarch64-linux-gnu-gcc)
        c_front_end=${c_front_end:-$here/target/release/aarch64/container-fs}
        ;;
    *) usage ;;
esac
image=$cache/vm-$version

[[ $(id -u) -eq 0 ]] || die "debootstrap needs root: run it as 'sudo $0'"
PATH=$PATH:/usr/sbin:/sbin # depmod, mkfs.ext4
for tool in "${tools[@]}"; do
    command -v "$tool" >/dev/null || die "$tool not found (sudo scripts/test.sh installs it)"
done
[[ -f $jar ]] || die "no jar $jar (mvn package makes it)"
[[ -x $c_front_end ]] || die "no C front end $c_front_end (make -C src/main/c makes it)"
[[ -z $native_library || -f $native_library ]] || die "no native library $native_library"
if [[ $arch == amd64 && -z $alpine ]]; then
    for candidate in "${ALPINE_TARBALL:-}" \
        "${CONTAINERFS_ALPINE_MIRROR:-/nonexistent}/v3.20/releases/x86_64/$tarball" \
        "$here/../shared/alpine-mirror/v3.20/releases/x86_64/$tarball" \
        "$cache/alpine-mirror/v3.20/releases/x86_64/$tarball"; do
        if [[ -n $candidate && -f $candidate ]]; then alpine=$candidate && break; fi
    done
    [[ -n $alpine ]] || die "no $tarball: give it with --alpine FILE (sudo scripts/test.sh downloads one into $cache)"
fi
[[ -z $alpine || -f $alpine ]] || die "no Alpine tarball $alpine"
[[ -z $app || -x $app/usr/bin/fib ]] || die "no usr/bin/fib in the app layer $app"

tmp=$(mktemp -d /var/tmp/vm-test.XXXXXX)
qemu_pid=''
cleanup() {
    local status=$?
    if [[ -n $qemu_pid ]]; then kill -KILL "$qemu_pid" 2>/dev/null || true; fi
    rm -rf "$tmp" "$image.part.$$"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The init the kernel runs: the suite comes with each run, on /dev/vdb.
write_init() { # ROOT
    cat >"$1/vmtest-init" <<'EOF'
#!/bin/sh
# scripts/vm-test.sh's init: the test's own disk, then its suite as PID 1.
mkdir -p /payload
if mount -o ro /dev/vdb /payload; then
    exec /bin/bash /payload/vm-suite.sh
fi
echo "VMTEST fail boot: cannot mount the test's disk /dev/vdb"
echo "VMTEST done 1 failed"
echo o >/proc/sysrq-trigger
sleep 60
EOF
    chmod 755 "$1/vmtest-init"
}

# The initrd of an arm64 image: busybox loads the modules that mount the root
# (the kernel has virtio and ext4 as modules), then switches to it.
make_arm64_initrd() { # ROOT OUTPUT
    local root=$1 dir=$tmp/initrd kernel module
    kernel=$(basename "$root"/lib/modules/*)
    depmod -b "$root" "$kernel"
    mkdir -p "$dir/bin" "$dir/modules"
    cp "$root/bin/busybox" "$dir/bin/busybox"
    for module in virtio_mmio virtio_pci virtio_blk ext4; do
        modprobe -d "$root" -S "$kernel" --show-depends "$module"
    done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }' | while read -r module; do
        cp "$module" "$dir/modules/"
        basename "$module" >>"$dir/modules/order"
    done
    cat >"$dir/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mkdir -p /proc /sys /dev /root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for module in $(cat /modules/order); do insmod "/modules/$module"; done
i=0
while [ ! -b /dev/vda ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
if ! mount -o rw /dev/vda /root; then
    echo "VMTEST fail boot: cannot mount the root /dev/vda"
    echo "VMTEST done 1 failed"
    echo o >/proc/sysrq-trigger
    sleep 60
fi
mount --move /dev /root/dev
umount /proc /sys
exec switch_root /root /vmtest-init
EOF
    chmod 755 "$dir/init"
    (cd "$dir" && find . | cpio -o -H newc --quiet | gzip -1) >"$2"
}

# Debian's arm64 packages, unpacked only: what postinst scripts would do for
# the suite is done here.
debootstrap_arm64() { # ROOT MIRROR
    debootstrap --arch=arm64 --foreign --variant=minbase \
        --include=linux-image-arm64,openjdk-17-jre-headless,slirp4netns,busybox-static,kmod bullseye "$1" "$2"
    find "$1/var/cache/apt/archives" -name '*.deb' -print0 | xargs -0 -I{} -P 4 dpkg-deb -x {} "$1"
    cp "$1/usr/share/base-passwd/passwd.master" "$1/etc/passwd"
    cp "$1/usr/share/base-passwd/group.master" "$1/etc/group"
    ln -sf /usr/lib/jvm/java-17-openjdk-arm64/bin/java "$1/usr/bin/java"
}

build_image() {
    local part=$image.part.$$ debian=${DEBIAN_MIRROR:-http://deb.debian.org/debian} start=$SECONDS
    say "making the VM image: debootstrap bullseye ($arch) with linux-image-$arch, openjdk-17-jre-headless and slirp4netns from $debian"
    mkdir -p "$part"
    if [[ $arch == arm64 ]]; then
        debootstrap_arm64 "$part/root" "$debian" >"$tmp/debootstrap.log" 2>&1
    else
        # fuse-overlayfs and uidmap: the suite's rootless run (an ordinary user's root on 5.10).
        debootstrap --variant=minbase --include=linux-image-amd64,openjdk-17-jre-headless,slirp4netns,fuse-overlayfs,uidmap \
            bullseye "$part/root" "$debian" >"$tmp/debootstrap.log" 2>&1
    fi || { tail -20 "$tmp/debootstrap.log" >&2; die "debootstrap failed"; }
    rm -f "$part"/root/var/cache/apt/archives/*.deb
    write_init "$part/root"
    cp "$part"/root/boot/vmlinuz-* "$part/vmlinuz"
    if [[ $arch == arm64 ]]; then
        make_arm64_initrd "$part/root" "$part/initrd.img"
    else
        cp "$part"/root/boot/initrd.img-* "$part/initrd.img"
    fi
    # Sparse: 2 GiB for what the suite writes, about 1 GiB on the host's disk.
    mkfs.ext4 -q -F -L vmtest-root -d "$part/root" "$part/disk.img" 2G >/dev/null
    rm -rf "$part/root"
    touch "$part/.complete"
    # Another run may have made one meanwhile: either is as good.
    mv -T "$part" "$image" 2>/dev/null || rm -rf "$part"
    say "the image took $((SECONDS - start)) s"
}

# KVM only when a guest actually runs: the kernel alone, no root, must panic.
choose_accel() {
    if [[ -n ${VMTEST_ACCEL:-} ]]; then
        echo "$VMTEST_ACCEL"
        return
    fi
    if [[ $arch != amd64 || ! -w /dev/kvm ]]; then
        echo tcg
        return
    fi
    qemu-system-x86_64 -accel kvm -m 256 -kernel "$image/vmlinuz" -append "console=ttyS0 panic=-1" \
        -display none -serial "file:$tmp/kvm-probe.log" -monitor none -no-reboot -nic none \
        </dev/null >/dev/null 2>&1 &
    local pid=$! i
    for ((i = 0; i < 100; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    if grep -q 'Kernel panic' "$tmp/kvm-probe.log" 2>/dev/null; then echo kvm; else echo tcg; fi
}

# The second disk: what this run tests.
make_payload() {
    local dir=$tmp/payload
    mkdir -p "$dir"
    cp "$here/scripts/vm-suite.sh" "$dir/vm-suite.sh"
    cp "$jar" "$dir/container-fs.jar"
    cp "$c_front_end" "$dir/container-fs"
    [[ -z $native_library ]] || cp "$native_library" "$dir/libcontainer-fs.so"
    [[ -z $alpine ]] || cp "$alpine" "$dir/alpine.tar.gz"
    if [[ -n $app ]]; then
        cp -a "$app" "$dir/app"
    elif [[ $arch == arm64 ]]; then
        mkdir -p "$dir/app/usr/bin"
        aarch64-linux-gnu-gcc -static -O2 -o "$dir/app/usr/bin/fib" "$here/examples/fib/fib.c"
    else
        "$here/scripts/build-fib.sh" "$dir/app/usr/bin/fib" >/dev/null
    fi
    mkfs.ext4 -q -F -L vmtest-payload -d "$dir" "$tmp/payload.img" "$(($(du -sm "$dir" | cut -f1) + 32))M" >/dev/null
}

if [[ -f $image/.complete ]]; then
    say "reusing the VM image in $image"
else
    mkdir -p "$cache"
    build_image
fi
make_payload
accel=$(choose_accel)
say "booting Debian 11 (Linux 5.10, $arch) with $accel; the suite reports below"
start=$SECONDS
log=$tmp/console.log
: >"$log" # before tail follows it: QEMU's redirection comes later, in its own process
kernel_options="root=/dev/vda rw init=/vmtest-init cgroup_no_v1=all systemd.unified_cgroup_hierarchy=1 panic=-1 quiet"
if [[ $arch == arm64 ]]; then
    machine=(-M virt -cpu max)
    kernel_options+=" console=ttyAMA0"
else
    machine=()
    kernel_options+=" console=ttyS0"
fi
"$qemu" "${machine[@]}" -accel "$accel" -m 2048 -smp 2 -nographic -no-reboot -nic none \
    -kernel "$image/vmlinuz" -initrd "$image/initrd.img" -append "$kernel_options" \
    -drive "file=$image/disk.img,format=raw,if=virtio,snapshot=on" \
    -drive "file=$tmp/payload.img,format=raw,if=virtio" \
    </dev/null >"$log" 2>&1 &
qemu_pid=$!
# The suite's lines as they come, until QEMU exits or the time is up.
tail -n +1 -f --pid "$qemu_pid" "$log" 2>/dev/null | sed -un 's/\r$//; /^VMTEST /p' &
tail_pid=$!
timed_out=''
while kill -0 "$qemu_pid" 2>/dev/null; do
    if ((SECONDS - start > timeout)); then
        timed_out=yes
        kill -KILL "$qemu_pid" 2>/dev/null || true
        break
    fi
    sleep 1
done
wait "$qemu_pid" 2>/dev/null || true
qemu_pid=''
wait "$tail_pid" 2>/dev/null || true
say "the boot and the suite took $((SECONDS - start)) s"
[[ -z $console ]] || cp "$log" "$console"

lines=$(tr -d '\r' <"$log" | grep -a '^VMTEST ' || true)
done_line=$(grep '^VMTEST done ' <<<"$lines" || true)
if [[ -n $timed_out || -z $done_line ]] || grep -q '^VMTEST fail ' <<<"$lines" || [[ $done_line != 'VMTEST done 0 failed' ]]; then
    [[ -z $timed_out ]] || say "timed out after $timeout s (VMTEST_TIMEOUT)"
    say "the console's last lines:"
    tr -d '\r' <"$log" | grep -av '^VMTEST ' | tail -40 >&2
    die "failed"
fi
say "ok: every test passed on Linux 5.10 ($arch) with cgroup v2"
