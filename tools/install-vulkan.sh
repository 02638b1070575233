#!/usr/bin/env bash
# A Vulkan driver for the WebGPU tests on a machine without a GPU: Mesa's llvmpipe (a CPU Vulkan driver). Debian 12's
# own Mesa 22.3 is refused by Dawn ("Vulkan shaderUniform*ArrayDynamicIndexing required"); the 25.0 build in Debian's
# bookworm-backports suite works. Idempotent: does nothing once llvmpipe's Vulkan driver (lvp_icd) is installed.
set -euo pipefail
if ls /usr/share/vulkan/icd.d/lvp_icd*.json >/dev/null 2>&1 && dpkg -s mesa-vulkan-drivers 2>/dev/null | grep -q '^Version: 2[5-9]'; then
  exit 0
fi
SUDO=""; if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  $SUDO tee /etc/apt/sources.list.d/bookworm-backports.sources >/dev/null <<'SOURCES'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
fi
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq -t bookworm-backports mesa-vulkan-drivers libvulkan1 >/dev/null
