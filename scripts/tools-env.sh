# Sourced by serve.sh, test.sh and bench.sh after setup.sh: puts the tools setup.sh installed on
# PATH and makes trunk use them, never downloading one (crates were fetched by setup.sh).
export PATH="$HOME/.cargo/bin:$ROOT/.tools/node_modules/.bin:$PATH"
export CARGO_TERM_PROGRESS_WHEN=never
export TRUNK_OFFLINE=true TRUNK_SKIP_VERSION_CHECK=true
export TRUNK_TOOLS_WASM_BINDGEN=0.2.130 TRUNK_TOOLS_WASM_OPT=version_132
export CHROMEDRIVER="${CHROMEDRIVER:-$(command -v chromedriver || true)}"
export CHROMIUM_PATH="${CHROMIUM_PATH:-$(command -v chromium || true)}"
