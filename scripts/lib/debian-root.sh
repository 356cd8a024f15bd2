# shellcheck shell=bash
# What the scripts that check something in a Debian root of their own share
# (check-bullseye.sh, check-quickstart.sh, check-arm64.sh, check-provision.sh):
# sourced, not run. The caller defines say, die and, for a root it caches,
# base (the finished root's directory; debootstrap writes $base.part.$$).

# The Debian mirror apt already uses here, so nothing new is reached;
# DEBIAN_MIRROR chooses another, deb.debian.org when apt names none.
debian_mirror() {
    local mirror=${DEBIAN_MIRROR:-$(apt-cache policy 2>/dev/null |
        awk '$3 ~ /^[a-z-]+\/main$/ && $2 ~ /\/debian\/?$/ { print $2; exit }')}
    echo "${mirror:-http://deb.debian.org/debian}"
}

# Runs the calling script again in a mount namespace of its own, private:
# nothing it mounts reaches the host's mount table, nor the other way.
#   in_private_mount_namespace "$0" "$@"
in_private_mount_namespace() {
    [[ -z ${DEBIAN_ROOT_NAMESPACE:-} ]] || return 0
    exec unshare --mount --propagation private env DEBIAN_ROOT_NAMESPACE=1 "$BASH" "$@"
}

# A scratch directory, $tmp, for NAME's run; what mount_at mounts is
# unmounted, and $tmp and an unfinished root removed, when it exits.
begin_scratch() { # NAME
    scratch_name=$1
    tmp=$(mktemp -d "/var/tmp/$1.XXXXXX")
    mounted=()
    trap end_scratch EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

end_scratch() {
    local status=$? i
    set +e
    for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
        umount -R "${mounted[i]}" || echo "$scratch_name: could not unmount ${mounted[i]}" >&2
    done
    # --one-file-system: should an unmount have failed, what is mounted stays untouched.
    rm -rf --one-file-system "$tmp" ${base:+"$base.part.$$"}
    if ((status != 0)); then echo "$scratch_name: failed (exit $status)" >&2; fi
    exit "$status"
}

mount_at() { # TARGET MOUNT-ARGS...: mount, and remember to unmount
    local target=$1
    shift
    mount "$@" "$target"
    mounted+=("$target")
}
