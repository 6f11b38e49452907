#!/usr/bin/env bash
# Runs a command with the project's toolchain, installing what is missing first:
#   - Node >= 22: when the host's Node is older, Node LTS is fetched from the npm registry
#     (package node-<os>-<arch>, which ships the binary) into .tooling/ and put first on PATH;
#   - npm dependencies, reinstalled whenever the lockfile or the Node major version changed;
#   - with --system, the Debian packages of the local system (scripts/system-packages.sh).
# Usage: scripts/toolchain.sh [--system] <command> [args...]
set -euo pipefail

NODE_LTS_VERSION=24.21.0
MIN_NODE_MAJOR=22

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

say() { printf '\033[2mtoolchain:\033[0m %s\n' "$*" >&2; }
die() { printf 'toolchain: %s\n' "$*" >&2; exit 1; }

system=false
if [ "${1:-}" = "--system" ]; then system=true; shift; fi

command -v npm >/dev/null 2>&1 || die "npm is not installed. On Debian/Ubuntu: sudo apt-get install -y nodejs npm (any version; Node $NODE_LTS_VERSION is fetched by this script)."

# One installer at a time: two commands started together (npm start beside npm test) would
# otherwise both run npm ci in the same node_modules. Each install re-checks after the wait.
locked=false
lock() {
  $locked && return 0
  locked=true
  command -v flock >/dev/null 2>&1 || return 0
  mkdir -p "$root/.tooling"
  exec 9>"$root/.tooling/install.lock"
  flock -n 9 || { say "waiting for another toolchain install to finish…"; flock 9; }
}

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(node_major)" -lt "$MIN_NODE_MAJOR" ]; then
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) die "no Node build for CPU $(uname -m); install Node >= $MIN_NODE_MAJOR by hand." ;;
  esac
  os=$(uname -s | tr '[:upper:]' '[:lower:]')
  pkg="node-$os-$arch"
  bin_dir="$root/.tooling/node_modules/$pkg/bin"
  node_ok() { [ "$("$bin_dir/node" --version 2>/dev/null)" = "v$NODE_LTS_VERSION" ]; }
  node_ok || lock
  if ! node_ok; then
    say "host Node $(node --version 2>/dev/null || echo none) is older than $MIN_NODE_MAJOR; fetching Node $NODE_LTS_VERSION from the npm registry ($pkg)…"
    mkdir -p "$root/.tooling"
    npm install --prefix "$root/.tooling" --no-save --no-package-lock --no-audit --no-fund --loglevel=error "$pkg@$NODE_LTS_VERSION" >&2
  fi
  export PATH="$bin_dir:$PATH"
fi

stamp="node_modules/.toolchain-stamp"
want="node $(node_major) lock $(cksum < package-lock.json | cut -d' ' -f1)"
deps_ok() { [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; }
deps_ok || lock
if ! deps_ok; then
  say "installing npm dependencies (npm ci) with Node $(node --version)…"
  npm ci --no-audit --no-fund --loglevel=error >&2
  echo "$want" > "$stamp"
fi

if $system; then
  lock # apt and dpkg take one installer at a time too
  bash "$root/scripts/system-packages.sh"
fi
if $locked; then exec 9>&-; fi

export PATH="$root/node_modules/.bin:$PATH"
exec "$@"
