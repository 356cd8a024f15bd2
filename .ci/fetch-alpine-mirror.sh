#!/usr/bin/env bash
# Makes, on a machine without ../shared (GitHub's runners), the same local
# Alpine mirror copy the tests read: the Alpine 3.20.3 mini root filesystem,
# downloaded and checked against the SHA-512 that Alpine published, with its
# checksum files and an index listing only it, in the mirror's layout.
#   .ci/fetch-alpine-mirror.sh DEST     then: export CONTAINERFS_ALPINE_MIRROR=DEST
set -euo pipefail

dest=${1:?usage: .ci/fetch-alpine-mirror.sh DEST}
mirror=${ALPINE_MIRROR:-https://dl-cdn.alpinelinux.org/alpine}
file=alpine-minirootfs-3.20.3-x86_64.tar.gz
size=3490290
sha256=d4e6fd67dcf75e40c451560ac7265166c2b72a0f38ddc9aae756a7de3d1efa0c
sha512=9d5405f61f8a6ebc02461ba75346fbf1a63a4eab8510a0158dd321cee0c4dafe28c2a3d2cb7c3d75e2a8130dae0c3c92382f5b6adeea309eafc97621c5bf6400

dir=$dest/v3.20/releases/x86_64
mkdir -p "$dir"
curl -fsSL --retry 3 -o "$dir/$file.part" "$mirror/v3.20/releases/x86_64/$file"
echo "$sha512  $dir/$file.part" | sha512sum -c --quiet
mv "$dir/$file.part" "$dir/$file"
echo "$sha256  $file" >"$dir/$file.sha256"
echo "$sha512  $file" >"$dir/$file.sha512"
cat >"$dir/latest-releases.yaml" <<YAML
---
-
  title: "Mini root filesystem"
  desc: "Minimal root filesystem.
    For use in containers
    and minimal chroots."
  branch: v3.20
  arch: x86_64
  version: 3.20.3
  flavor: alpine-minirootfs
  file: $file
  iso: $file
  date: 2024-09-06
  size: $size
  sha256: $sha256
  sha512: $sha512
YAML
echo "fetch-alpine-mirror: $dir/$file verified"
