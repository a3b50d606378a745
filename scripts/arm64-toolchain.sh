#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs, from Debian's packages, what the arm64 prebuild and its emulated test need: the
# cross compiler (g++-aarch64-linux-gnu, with the arm64 glibc it links against) and qemu's
# user-mode emulator (qemu-user-static: /usr/bin/qemu-aarch64-static). A no-op when both are
# there. Needs root (or sudo) and Debian's package archive; run by `npm run test:arm64`.
set -euo pipefail

need=()
command -v aarch64-linux-gnu-g++ >/dev/null 2>&1 || need+=(g++-aarch64-linux-gnu)
command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 || need+=(gcc-aarch64-linux-gnu)
command -v qemu-aarch64-static >/dev/null 2>&1 || need+=(qemu-user-static)
[ ${#need[@]} -eq 0 ] && exit 0

sudo=()
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "arm64-toolchain: need root or sudo to install ${need[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
echo "arm64-toolchain: installing ${need[*]} from Debian's packages" >&2
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
