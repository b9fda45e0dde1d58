#!/usr/bin/env bash
# Set-up for a bare Debian 12 machine: npm dependencies, then a WebGPU adapter.
# Idempotent and quick when everything is already there. Safe to run in CI (no stdin).
set -euo pipefail
cd "$(dirname "$0")/.."
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"

step() { printf '[setup] %s\n' "$*"; }
t0=$(date +%s)

# 1. npm dependencies: only when node_modules is missing or older than the lockfile.
if [ ! -d node_modules/webgpu ] || [ ! -d node_modules/uvu ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi

# 2. Debian's Chromium for the browser test (test/browser), when we may install packages.
#    Without it that test says it is skipped. MSINET_NO_BROWSER=1 leaves it out.
if [ ! -x /usr/bin/chromium ] && [ -z "${MSINET_NO_BROWSER:-}" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  step "installing Debian's chromium (browser test of the engine)"
  { apt-get install -y -qq chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }; } \
    || step "could not install chromium: the browser test will be skipped"
fi

# 3. A WebGPU adapter. Dawn needs Vulkan; without a GPU that is Mesa's lavapipe, and
#    Debian 12's Mesa (22.3) is too old for Dawn: Mesa >= 25 comes from bookworm-backports.
probe() { node scripts/probe-adapter.mjs >/dev/null 2>&1; }
if probe; then
  step "WebGPU adapter found ($(node scripts/probe-adapter.mjs 2>/dev/null)) in $(( $(date +%s) - t0 )) s"
  exit 0
fi

instructions() {
  cat >&2 <<'MSG'
[setup] No WebGPU adapter. Install a Vulkan driver, for example Mesa >= 25 lavapipe (CPU):
  # Debian 12: add bookworm-backports, then
  apt-get update && apt-get install -y -t bookworm-backports mesa-vulkan-drivers libvulkan1
  # Ubuntu >= 24.10 or Debian 13: apt-get install -y mesa-vulkan-drivers libvulkan1
or run on a machine with a GPU and its Vulkan driver.
MSG
}

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  instructions; exit 1
fi

step "no adapter: installing Mesa lavapipe (Vulkan on the CPU) from bookworm-backports"
. /etc/os-release
if [ "${VERSION_CODENAME:-}" = bookworm ]; then
  if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
      # Reuse the mirror of the first (main) Debian entry.
      sed -n '1,/^$/p' /etc/apt/sources.list.d/debian.sources \
        | sed 's/^Suites:.*/Suites: bookworm-backports/' > /etc/apt/sources.list.d/backports.sources
    else
      echo 'deb http://deb.debian.org/debian bookworm-backports main' > /etc/apt/sources.list.d/backports.list
    fi
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t bookworm-backports mesa-vulkan-drivers libvulkan1 >/dev/null
else
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mesa-vulkan-drivers libvulkan1 >/dev/null
fi

if probe; then
  step "WebGPU adapter ready ($(node scripts/probe-adapter.mjs 2>/dev/null)) in $(( $(date +%s) - t0 )) s"
else
  node scripts/probe-adapter.mjs || true
  instructions; exit 1
fi
