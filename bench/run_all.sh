#!/usr/bin/env bash
# `make bench`: builds the TA-Lib peer (once), builds the release benchmarks, runs them and prints
# one summary with the ratios against the peers (TA-Lib for indicators, pandas for CSV import).
# About 5-8 minutes on 2 cores, most of it generating the data sets on the first run.
#
#   bench/run_all.sh                 # everything
#   bench/run_all.sh indicators      # only some: indicators universe import store scan backtest serve
#                                    # broker api
#
# Environment: KAIROS_BENCH_BUILD (build tree, default build/bench), KAIROS_BENCH_MIN_TIME
# (--benchmark_min_time in seconds for the kernel benchmarks, default 0.5), and the sizes of each
# benchmark (KAIROS_BENCH_BARS, KAIROS_BENCH_SERIES, KAIROS_BENCH_SERIES_BARS,
# KAIROS_BENCH_SYMBOLS, KAIROS_BENCH_SESSIONS; see bench/README.md) for a quick try.
# Full logs: <build>/results/*.txt.
set -uo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${repo}"
build="${KAIROS_BENCH_BUILD:-build/bench}"
min_time="${KAIROS_BENCH_MIN_TIME:-0.5}"
results="${build}/results"
selected=("$@")
[[ ${#selected[@]} -eq 0 ]] && selected=(indicators universe import store scan backtest serve broker api)
wants() { [[ " ${selected[*]} " == *" $1 "* ]]; }

started=$(date +%s)
echo "== TA-Lib peer"
tools/peer/build_talib.sh || echo "talib: build failed; running without the peer"

echo "== configure and build (Release, -O3) in ${build}"
# Reconfigure every time so a TA-Lib peer built since the last run is picked up.
mkdir -p "${results}"
cmake -S . -B "${build}" -DCMAKE_BUILD_TYPE=Release -DKAIROS_BUILD_TESTS=OFF \
  -DKAIROS_TALIB_DIR="${repo}/build/peer/talib" >"${results}/configure.txt" 2>&1 ||
  { cat "${results}/configure.txt"; echo "configure failed"; exit 1; }
grep -E '^-- bench:' "${results}/configure.txt" || true

declare -A target_of=([indicators]=indicators_bench [universe]=universe_bench
                      [import]=import_bench [store]=store_read_bench [scan]=scan_bench
                      [backtest]=backtest_bench [broker]=broker_bench)
built=()
for name in indicators universe import store scan backtest broker; do
  wants "${name}" || continue
  target="${target_of[${name}]}"
  if cmake --build "${build}" --target "${target}" -j 2 >"${results}/build-${target}.txt" 2>&1; then
    built+=("${name}")
  else
    echo "build of ${target} failed (see ${results}/build-${target}.txt); skipping it"
  fi
done
# The bar store's own benchmark, when its owner has added it.
if wants store && [[ -f bench/store_bench.cc ]]; then
  cmake --build "${build}" --target store_bench -j 2 >"${results}/build-store_bench.txt" 2>&1 &&
    built+=("store_own")
fi

run() {  # run NAME COMMAND...: runs a benchmark, logs it, keeps its SUMMARY lines
  local name="$1"
  shift
  echo
  echo "== ${name}: $*"
  "$@" 2>&1 | tee "${results}/${name}.txt"
}

# The daemon's and the HTTP API's benchmarks drive the kairos binary of the bench build.
if wants serve || wants api; then
  if cmake --build "${build}" --target kairos -j 2 >"${results}/build-kairos.txt" 2>&1; then
    wants serve && built+=("serve")
    wants api && built+=("api")
  else
    echo "build of kairos failed (see ${results}/build-kairos.txt); skipping serve and api"
  fi
fi

flags=(--benchmark_min_time="${min_time}" --benchmark_counters_tabular=true)
for name in "${built[@]}"; do
  case "${name}" in
    indicators) run indicators "${build}/bench/indicators_bench" "${flags[@]}" ;;
    universe) run universe "${build}/bench/universe_bench" "${flags[@]}" ;;
    import) KAIROS_BENCH_BUILD="${build}" run import bench/run_import_bench.sh ;;
    store) run store "${build}/bench/store_read_bench" "${flags[@]}" ;;
    serve) run serve bench/serve_bench.sh "${build}/kairos" ;;
    broker) run broker bench/broker_bench.sh "${build}/bench/broker_bench" ;;
    api) run api bench/api_bench.sh "${build}/kairos" ;;
    store_own) run store_own "${build}/bench/store_bench" "${flags[@]}" ;;
    scan)
      run scan "${build}/bench/scan_bench" "${flags[@]}"
      # The pandas peer on the same bars (the export scan_bench wrote); compute timed only.
      scan_export="build/bench-data/scan-${KAIROS_BENCH_SCAN_SYMBOLS:-5000}x${KAIROS_BENCH_SCAN_SESSIONS:-5000}/export"
      if /usr/bin/python3 -c 'import pandas' 2>/dev/null; then
        /usr/bin/python3 bench/scan_pandas.py "${scan_export}" --runs 1 2>&1 |
          tee "${results}/scan_pandas.txt"
      else
        echo "scan: no pandas for /usr/bin/python3 (apt-get install python3-pandas); no pandas peer"
      fi
      ;;
    backtest)
      # One run of the whole backtest (it is minutes long, not a kernel: no min_time), then the
      # pandas peer on the open/close export it wrote, comparing trades and P&L to the cent.
      run backtest "${build}/bench/backtest_bench" --benchmark_counters_tabular=true
      bt_export="build/bench-data/scan-${KAIROS_BENCH_SCAN_SYMBOLS:-5000}x${KAIROS_BENCH_SCAN_SESSIONS:-5000}/backtest-export"
      if /usr/bin/python3 -c 'import pandas' 2>/dev/null; then
        /usr/bin/python3 bench/backtest_pandas.py "${bt_export}" --runs 1 2>&1 |
          tee "${results}/backtest_pandas.txt"
      else
        echo "backtest: no pandas for /usr/bin/python3 (apt-get install python3-pandas); no peer"
      fi
      ;;
  esac
done

echo
echo "================================ SUMMARY ($(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores)"
for name in indicators universe import store scan scan_pandas backtest backtest_pandas serve \
  broker api; do
  [[ -f "${results}/${name}.txt" ]] || continue
  # Everything from the first SUMMARY line of the log on.
  sed -n '/^SUMMARY/,$p' "${results}/${name}.txt"
  echo
done
if [[ -f "${results}/store_own.txt" ]]; then
  echo "SUMMARY store building blocks (bench/store_bench.cc; name, time, cpu, iterations, counters)"
  grep -E '^(store|synth|resample)/' "${results}/store_own.txt" | tr -s ' '
  echo
fi
echo "(speedup_x and ratio = kairos throughput / peer throughput, i.e. peer time / kairos time:"
echo " above 1 means kairos is faster. Logs: ${results}/; $(( $(date +%s) - started )) s in all)"
