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
passed=0
for bin in "${fuzzers[@]}"; do
  name=$(basename "$bin")
  src=$(find src -name "$name.cc" | head -1)
  seed_dir=""
  if [ -n "$src" ]; then
    d=$(dirname "$src")/corpus
    if [ -d "$d/$name" ]; then seed_dir="$d/$name"; elif [ -d "$d" ]; then seed_dir="$d"; fi
  fi
  work=$(mktemp -d)
  [ -n "$seed_dir" ] && cp -r "$seed_dir"/. "$work"/
  echo "fuzz: $name, seed $seed, $runs inputs or ${seconds}s (corpus: ${seed_dir:-none})"
  if ! "$bin" -seed="$seed" -runs="$runs" -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix=build/fuzz-artifacts/ \
      "$work" >"build/fuzz-artifacts/$name.log" 2>&1; then
    tail -40 "build/fuzz-artifacts/$name.log"
    echo "fuzz: $name FAILED (log: build/fuzz-artifacts/$name.log)"
    rm -rf "$work"
    exit 1
  fi
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "build/fuzz-artifacts/$name.log" | sed "s/^/  /"
  rm -rf "$work"
  passed=$((passed + 1))
done
echo "fuzz: $passed fuzzer(s) ran clean"
