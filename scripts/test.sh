#!/usr/bin/env bash
# Installs what is needed (scripts/setup.sh --test), then runs every test:
#   1. native: `cargo test --workspace` (unit, property and integration tests of src/core and src/bin)
#   2. wasm:   the wasm-bindgen-test targets tests/wasm_*.rs, in headless Chromium (chromedriver)
#   3. build:  `trunk build --release --public-url /mnist/` (the GitHub Pages build, under a sub-path)
#   4. e2e:    e2e/tests/*.test.mjs (node --test + playwright-core) against dist/ served under /mnist/
# Every step runs even when an earlier one failed (except e2e, which needs the build); the script
# exits non-zero when any step failed and ends with one summary line per step and a total.
# Logs: target/test-logs/*.log.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
started=$SECONDS

bash scripts/setup.sh --test

source scripts/tools-env.sh
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-300}"
LOGS="$ROOT/target/test-logs"
mkdir -p "$LOGS"

summaries=() # "name: N passed, N failed", one per step that runs tests
steps=()     # "name: ok in N s"
failed_steps=()
total_passed=0
total_failed=0

# Sums the "test result: ... N passed; M failed" lines of cargo test output: prints "N M".
cargo_counts() {
  awk '/test result:/ { for (i = 1; i <= NF; i++) { if ($(i) ~ /^passed;?$/) p += $(i-1); if ($(i) ~ /^failed;?$/) f += $(i-1) } }
       END { print p + 0, f + 0 }' "$1"
}

# Reads "# pass N" / "# fail N" of node's TAP report: prints "N M".
tap_counts() {
  awk '/^# pass / { p = $3 } /^# fail / { f = $3 } END { print p + 0, f + 0 }' "$1"
}

# Runs one step: record NAME KIND LOG COMMAND... ; KIND is cargo, tap or none (how to count tests).
record() {
  local name="$1" kind="$2" log="$3" rc=0 passed=0 failed=0 t0=$SECONDS
  shift 3
  echo
  echo "=== $name: $*"
  "$@" 2>&1 | tee "$log" || rc=$?
  case "$kind" in
    cargo) read -r passed failed < <(cargo_counts "$log") ;;
    tap) read -r passed failed < <(tap_counts "$LOGS/e2e.tap" 2>/dev/null || echo "0 0") ;;
  esac
  if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi # a build error counts as a failure
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
  local status="ok"
  if [ "$rc" -ne 0 ]; then
    status="FAILED (exit $rc)"
    failed_steps+=("$name")
  fi
  steps+=("$name: $status in $((SECONDS - t0)) s")
  [ "$kind" = none ] || summaries+=("$name: $passed passed, $failed failed")
  return 0
}

# The wasm-bindgen-test targets that exist (tests/wasm_components.rs, tests/wasm_nn_bench.rs, ...).
wasm_test_args=()
for f in tests/wasm_*.rs; do
  [ -e "$f" ] && wasm_test_args+=(--test "$(basename "$f" .rs)")
done

# (Chained with &&: inside `record` errexit is off, as for any command followed by ||.)
build_release() {
  rm -rf dist &&
    trunk build --release --public-url /mnist/ &&
    # GitHub Pages answers unknown paths with 404.html: make it the app, so deep links boot it.
    { [ -f dist/404.html ] || cp dist/index.html dist/404.html; }
}

run_e2e() {
  (cd e2e && node --test --test-concurrency=1 \
    --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$LOGS/e2e.tap" \
    tests/*.test.mjs)
}

record native cargo "$LOGS/native.log" cargo test --workspace
if [ ${#wasm_test_args[@]} -gt 0 ]; then
  # The crate itself at opt-level 3 (dependencies are at 2 in the dev profile already): the NN
  # bench test trains a full epoch, minutes unoptimised, ~10 s optimised.
  record wasm cargo "$LOGS/wasm.log" cargo test --config 'profile.dev.package.mnist-viz.opt-level=3' \
    --target wasm32-unknown-unknown "${wasm_test_args[@]}"
else
  steps+=("wasm: skipped, no tests/wasm_*.rs targets yet")
fi
record build none "$LOGS/build.log" build_release
if [ -f dist/index.html ] && [[ ! " ${failed_steps[*]} " =~ " build " ]]; then
  rm -f "$LOGS/e2e.tap"
  record e2e tap "$LOGS/e2e.log" run_e2e
else
  steps+=("e2e: not run, the release build failed")
  summaries+=("e2e: 0 passed, 1 failed")
  failed_steps+=("e2e")
  total_failed=$((total_failed + 1))
fi

echo
echo "=== summary ($((SECONDS - started)) s in all)"
for line in "${steps[@]}"; do echo "step $line"; done
for line in "${summaries[@]}"; do echo "$line"; done
echo "total: $total_passed passed, $total_failed failed"
if [ ${#failed_steps[@]} -gt 0 ]; then
  echo "FAILED steps: ${failed_steps[*]}"
  exit 1
fi
echo "all tests passed"
