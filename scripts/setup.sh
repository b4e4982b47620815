#!/usr/bin/env bash
# Installs what building, serving and testing mnist-viz needs, on Debian/Ubuntu with Rust via rustup.
#
#   bash scripts/setup.sh          # wasm target, trunk, wasm-bindgen-cli, wasm-opt (binaryen)
#   bash scripts/setup.sh --test   # also chromium + chromedriver (apt) and e2e's npm packages
#
# Idempotent: every step checks what is installed first, so a second run takes a second or two.
# Everything comes from package registries (crates.io, npm, Debian); nothing else is downloaded.
# The other scripts put the same tool directories on PATH (see tool_path below).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TRUNK_VERSION="0.21.14"
WASM_BINDGEN_VERSION="0.2.130"
BINARYEN_VERSION="132"
TOOLS_DIR="$ROOT/.tools"

export PATH="$HOME/.cargo/bin:$TOOLS_DIR/node_modules/.bin:$PATH"
export CARGO_TERM_PROGRESS_WHEN=never
export DEBIAN_FRONTEND=noninteractive
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

with_test=false
for arg in "$@"; do
  case "$arg" in
    --test) with_test=true ;;
    *) echo "setup.sh: unknown option '$arg' (known: --test)" >&2; exit 2 ;;
  esac
done

say() { echo "setup: $*"; }

# Runs a command as root: directly when we are root, else through sudo.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo -n "$@"
  else
    echo "setup: '$*' needs root and sudo is not available" >&2
    return 1
  fi
}

# Prints the installed version line of a command, or nothing when it is missing or broken.
version_of() {
  command -v "$1" >/dev/null 2>&1 || return 0
  "$1" --version 2>/dev/null | head -n 1 || true
}

require_rust() {
  if ! command -v cargo >/dev/null 2>&1 || ! command -v rustup >/dev/null 2>&1; then
    echo "setup: cargo/rustup not found. Install Rust with rustup first (https://rustup.rs)," \
      "then re-run this script." >&2
    exit 1
  fi
}

ensure_wasm_target() {
  if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "wasm32-unknown-unknown target present"
  else
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

ensure_trunk() {
  if [[ "$(version_of trunk)" == "trunk $TRUNK_VERSION" ]]; then
    say "trunk $TRUNK_VERSION present"
  else
    say "installing trunk $TRUNK_VERSION (cargo install, takes a few minutes)"
    cargo install --locked trunk --version "$TRUNK_VERSION"
  fi
}

ensure_wasm_bindgen() {
  # No --locked: the crate's lockfile names a dependency version that crates.io does not have.
  if [[ "$(version_of wasm-bindgen)" == "wasm-bindgen $WASM_BINDGEN_VERSION" ]] &&
    command -v wasm-bindgen-test-runner >/dev/null 2>&1; then
    say "wasm-bindgen-cli $WASM_BINDGEN_VERSION present"
  else
    say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (cargo install, takes a few minutes)"
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
  fi
}

# trunk runs wasm-opt on release builds. It takes the wasm-opt found on PATH when its version
# matches (the scripts pin it with TRUNK_TOOLS_WASM_OPT); otherwise it would try to download
# one. The npm package `binaryen` ships wasm-opt as a Node program: install it into .tools/.
ensure_wasm_opt() {
  if [[ "$(version_of wasm-opt)" == "wasm-opt version $BINARYEN_VERSION "* ]]; then
    say "wasm-opt $BINARYEN_VERSION present ($(command -v wasm-opt))"
  else
    say "installing wasm-opt (npm binaryen@$BINARYEN_VERSION) into .tools/"
    mkdir -p "$TOOLS_DIR"
    npm install --prefix "$TOOLS_DIR" --loglevel=error "binaryen@$BINARYEN_VERSION"
    hash -r
    [[ "$(version_of wasm-opt)" == "wasm-opt version $BINARYEN_VERSION "* ]] || {
      echo "setup: wasm-opt $BINARYEN_VERSION is not on PATH after installing it" >&2
      exit 1
    }
  fi
}

# Fetches the crates of every target (native and wasm32), so trunk can build --offline.
fetch_crates() {
  say "fetching crates (cargo fetch)"
  (cd "$ROOT" && cargo fetch --quiet)
}

ensure_browser() {
  if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
    say "chromium and chromedriver present"
  else
    say "installing chromium and chromedriver (apt-get)"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      chromium chromium-driver >/dev/null
  fi
}

# npm ci wipes node_modules and installs again: only when the lockfile changed since the last run.
ensure_e2e_packages() {
  local e2e="$ROOT/e2e" stamp="$ROOT/e2e/node_modules/.package-lock.json"
  if [ -d "$e2e/node_modules/playwright-core" ] && [ -f "$stamp" ] &&
    [ "$stamp" -nt "$e2e/package-lock.json" ]; then
    say "e2e npm packages present"
  else
    say "installing e2e npm packages (npm ci: playwright-core only, no browser download)"
    (cd "$e2e" && npm ci --loglevel=error)
  fi
}

require_rust
ensure_wasm_target
ensure_trunk
ensure_wasm_bindgen
ensure_wasm_opt
fetch_crates
if $with_test; then
  ensure_browser
  ensure_e2e_packages
fi
say "ready (trunk $(trunk --version | cut -d' ' -f2), wasm-bindgen $(wasm-bindgen --version | cut -d' ' -f2), $(wasm-opt --version | cut -d' ' -f1-3))"
