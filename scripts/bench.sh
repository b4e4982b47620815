#!/usr/bin/env bash
# Prints every performance figure, each next to its target:
#   1. native: gunzip + IDX decode (src/bin/bench_decode.rs) and the network (src/bin/bench_nn.rs)
#   2. wasm:   the NN kernels in headless Chromium (tests/wasm_nn_bench.rs), if present, and
#              gunzip against maintained inflaters and gunzip + decode of the test split, cold
#              and warm (tests/wasm_decode_bench.rs, scripts/bench_gunzip.sh)
#   3. browser: the release build served under /mnist/, measured by e2e/bench.mjs (decode in the
#      browser, first grid paint, page flips, network page, bundle size)
# A part that does not exist yet prints "n/a" instead of failing the whole run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/setup.sh --test

source scripts/tools-env.sh
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-600}"

# Runs a native bench binary when its source exists.
native_bench() {
  local bin="$1"
  echo
  echo "=== native: $bin"
  if [ -f "src/bin/$bin.rs" ] || [ -f "src/bin/$bin/main.rs" ]; then
    cargo run --quiet --profile native --bin "$bin" || echo "$bin: n/a (it failed, exit $?)"
  else
    echo "$bin: n/a (src/bin/$bin.rs does not exist yet)"
  fi
}

native_bench bench_decode
native_bench bench_nn

echo
echo "=== wasm: tests/wasm_nn_bench.rs in headless Chromium"
if [ -f tests/wasm_nn_bench.rs ]; then
  # --nocapture: the bench test prints its figures through the console.
  cargo test --release --target wasm32-unknown-unknown --test wasm_nn_bench -- --nocapture ||
    echo "wasm_nn_bench: n/a (it failed)"
else
  echo "wasm NN bench: n/a (tests/wasm_nn_bench.rs does not exist yet)"
fi

echo
echo "=== wasm: tests/wasm_decode_bench.rs in headless Chromium (each way on a fresh page: cold, then warm)"
if [ -f tests/wasm_decode_bench.rs ]; then
  # Gunzip: the app's against maintained inflaters, GUNZIP_ROUNDS fresh pages each (9 for the
  # README's table).
  bash scripts/bench_gunzip.sh "${GUNZIP_ROUNDS:-3}" || echo "bench_gunzip: n/a (it failed)"
  # --profile web: the app's own build profile. One test per run, so each starts cold.
  for t in cold_app warm_alternating parts_of_the_work; do
    cargo test --profile web --target wasm32-unknown-unknown --test wasm_decode_bench -- --nocapture "$t" 2>&1 |
      grep -E '^wasm |test result|panicked' || echo "wasm_decode_bench $t: n/a (it failed)"
  done
else
  echo "wasm decode bench: n/a (tests/wasm_decode_bench.rs does not exist yet)"
fi

echo
echo "=== browser: release build under /mnist/"
if rm -rf dist && trunk build --release --public-url /mnist/ >target/bench-build.log 2>&1; then
  [ -f dist/404.html ] || cp dist/index.html dist/404.html
  node e2e/bench.mjs
else
  tail -n 30 target/bench-build.log
  echo "browser figures: n/a (trunk build --release failed; log: target/bench-build.log)"
fi
