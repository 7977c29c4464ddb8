#!/usr/bin/env bash
# Runs every libFuzzer target (*_fuzzer) in BUILD_DIR for SECONDS each, seeded from the committed
# corpus beside its source (src/<module>/fuzz/corpus/ or src/<module>/fuzz/corpus/<name>/).
# A crash, leak or UB report fails the run and leaves the reproducer under build/fuzz-artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-build/fuzz}
seconds=${2:-20}
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
  echo "fuzz: $name for ${seconds}s (seeds: ${seed_dir:-none})"
  if ! "$bin" -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix=build/fuzz-artifacts/ \
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
