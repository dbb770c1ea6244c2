#!/usr/bin/env bash
# Sets up a fresh Debian machine for sinapsis: the npm packages, Debian's
# chromium (the browser test drives it), and a Vulkan driver for Dawn when no
# usable one is there (Debian's chromium package ships SwiftShader, a CPU
# Vulkan driver, which sinapsis finds by itself).
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# chromium ships SwiftShader; libvulkan1 is the Vulkan loader Dawn opens
# (chromium keeps a private copy that Dawn does not look for).
install_chromium() {
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium libvulkan1 >/dev/null
}

npm ci --no-audit --no-fund

# The browser test (test/browser.test.ts) drives /usr/bin/chromium, so it is
# installed even where Dawn has a GPU of its own.
if [ ! -x /usr/bin/chromium ] || ! ldconfig -p | grep 'libvulkan\.so\.1' >/dev/null; then
  echo "setup: installing Debian's chromium (browser test, SwiftShader) and the Vulkan loader"
  install_chromium
fi

if node scripts/probe-gpu.mjs; then
  echo "setup: a WebGPU adapter is available"
else
  echo "setup: no usable WebGPU adapter; installing Debian's chromium for its SwiftShader Vulkan driver"
  install_chromium
  node scripts/probe-gpu.mjs
fi
