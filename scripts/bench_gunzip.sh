#!/usr/bin/env bash
# Cold and warm gunzip of the MNIST image files in headless Chromium (tests/wasm_decode_bench.rs):
# the app's gunzip against the maintained pure-Rust inflaters, whole and in 64 KiB pieces.
#
#   bash scripts/bench_gunzip.sh [rounds]      # default 9 rounds; needs scripts/setup.sh --test
#   TESTS="cold_pieces_app cold_pieces_miniz" bash scripts/bench_gunzip.sh 3
#
# Each `cold_*` test runs alone on a freshly loaded page (its first gunzip is cold, the next
# ones warm); one round runs every test once, in turn, so that the machine's load weighs on each
# decoder alike. Prints the median over the rounds of the cold figure and of the warm median,
# with every run, and the load average (/proc/loadavg) before and after. Lines: target/bench-gunzip.log.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/tools-env.sh
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-600}"

rounds="${1:-9}"
read -r -a tests <<<"${TESTS:-cold_whole_app cold_whole_miniz cold_whole_zune cold_whole_flate2 \
cold_pieces_app cold_pieces_miniz cold_pieces_zune cold_pieces_flate2 \
cold_train_app cold_train_miniz cold_train_zune cold_train_flate2}"
log="$ROOT/target/bench-gunzip.log"
bench=(cargo test --profile web --target wasm32-unknown-unknown --test wasm_decode_bench)

"${bench[@]}" --quiet --no-run
mkdir -p "$(dirname "$log")"
: >"$log"
echo "load average before: $(cat /proc/loadavg)"
for ((r = 1; r <= rounds; r++)); do
  for t in "${tests[@]}"; do
    "${bench[@]}" -- --nocapture "$t" 2>&1 | grep -E '^wasm gunzip' >>"$log" ||
      echo "$t: failed in round $r" | tee -a "$log"
  done
  echo "round $r/$rounds done, load average $(cut -d' ' -f1-3 /proc/loadavg)"
done
echo "load average after: $(cat /proc/loadavg)"

# Median of numbers, one per line.
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }

echo
echo "gunzip in headless Chromium, $rounds fresh pages each (ms; median, then every run in order)"
printf '%-13s %-7s %-13s %8s  %-44s %8s  %s\n' file mode decoder cold "cold runs" warm "warm runs (each the median of a page's later runs)"
# "wasm gunzip t10k-images pieces app: cold 41.2 ms, warm 20.1 ms (median of 7); runs [...]"
parsed=$(sed -nE 's/^wasm gunzip ([^ ]+) ([^ ]+) ([^:]+): cold ([0-9.]+) ms, warm ([0-9.]+) ms.*/\1 \2 \3 \4 \5/p' "$log")
awk '!seen[$1 " " $2 " " $3]++ { print $1, $2, $3 }' <<<"$parsed" |
  while read -r file mode decoder; do
    rows=$(awk -v f="$file" -v m="$mode" -v d="$decoder" '$1 == f && $2 == m && $3 == d { print $4, $5 }' <<<"$parsed")
    cold=$(cut -d' ' -f1 <<<"$rows")
    warm=$(cut -d' ' -f2 <<<"$rows")
    printf '%-13s %-7s %-13s %8s  %-44s %8s  %s\n' "$file" "$mode" "$decoder" \
      "$(median <<<"$cold")" "[$(paste -sd' ' <<<"$cold")]" \
      "$(median <<<"$warm")" "[$(paste -sd' ' <<<"$warm")]"
  done
