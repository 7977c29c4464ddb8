#!/usr/bin/env bash
# Runs every libFuzzer target (*_fuzzer) in BUILD_DIR for at most SECONDS each, seeded from the
# committed corpus beside its source (src/<module>/fuzz/corpus/ or src/<module>/fuzz/corpus/<name>/).
# A crash, leak or UB report fails the run and leaves the reproducer under build/fuzz-artifacts/.
#
# The run is reproducible: a fixed random seed (FUZZ_SEED, default 1) and a fixed number of inputs
# (FUZZ_RUNS, default 50000; SECONDS only caps a slow machine), so `make test` in CI explores
# exactly what it explored here. Explore further with other seeds and longer runs, e.g.
#   FUZZ_SEED=$RANDOM FUZZ_RUNS=-1 tools/run_fuzzers.sh build/fuzz 600
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-build/fuzz}
seconds=${2:-20}
seed=${FUZZ_SEED:-1}
runs=${FUZZ_RUNS:-50000}
mapfile -t fuzzers < <(find "$build_dir" -type f -name '*_fuzzer' -perm -u+x | sort)
if [ ${#fuzzers[@]} -eq 0 ]; then
  echo "fuzz: no *_fuzzer targets in $build_dir" >&2
  exit 1
fi
mkdir -p build/fuzz-artifacts
# Each fuzzer is one process on one core: up to FUZZ_JOBS (default: the number of cores) run at once.
jobs=${FUZZ_JOBS:-$(nproc)}

# Runs one fuzzer on a copy of its seed corpus; prints its summary, or its log's tail on failure.
run_one() {
  local bin=$1 name src seed_dir="" d work
  name=$(basename "$bin")
  src=$(find src -name "$name.cc" | head -1)
  if [ -n "$src" ]; then
    d=$(dirname "$src")/corpus
    if [ -d "$d/$name" ]; then seed_dir="$d/$name"; elif [ -d "$d" ]; then seed_dir="$d"; fi
  fi
  work=$(mktemp -d)
  [ -n "$seed_dir" ] && cp -r "$seed_dir"/. "$work"/
  local log="build/fuzz-artifacts/$name.log" status=0
  "$bin" -seed="$seed" -runs="$runs" -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix=build/fuzz-artifacts/ "$work" >"$log" 2>&1 || status=$?
  rm -rf "$work"
  {
    echo "fuzz: $name, seed $seed, $runs inputs or ${seconds}s (corpus: ${seed_dir:-none})"
    if [ $status -ne 0 ]; then
      tail -40 "$log"
      echo "fuzz: $name FAILED (log: $log)"
    else
      grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$log" | sed "s/^/  /"
    fi
  } >"$log.summary"
  echo $status >"$log.status"
}

running=0
for bin in "${fuzzers[@]}"; do
  if [ $running -ge "$jobs" ]; then
    wait -n
    running=$((running - 1))
  fi
  run_one "$bin" &
  running=$((running + 1))
done
wait
failed=0
for bin in "${fuzzers[@]}"; do
  log="build/fuzz-artifacts/$(basename "$bin").log"
  cat "$log.summary"
  [ "$(cat "$log.status")" = 0 ] || failed=$((failed + 1))
  rm -f "$log.summary" "$log.status"
done
if [ $failed -ne 0 ]; then
  echo "fuzz: $failed of ${#fuzzers[@]} fuzzer(s) FAILED"
  exit 1
fi
echo "fuzz: ${#fuzzers[@]} fuzzer(s) ran clean"
