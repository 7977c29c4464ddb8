#!/usr/bin/env bash
# CSV import, kairos vs pandas, on the same files in the same run.
#
#   bench/run_import_bench.sh [DIR]
#
# DIR (default build/bench-data/csv-2000x5000) receives 2,000 symbols x 5,000 sessions of
# per-symbol CSV (~0.5 GB) on the first run (import_bench generates it; later runs reuse it).
# Then import_bench times the kairos importer (parse + validate, and + store), and
# bench/pandas_read.py times pandas.read_csv on the same files; both on a warm page cache.
# Environment: KAIROS_BENCH_BUILD (the Release build tree, default build/bench),
# KAIROS_BENCH_SYMBOLS / KAIROS_BENCH_SESSIONS (a smaller data set for a quick try).
# The last lines are "SUMMARY import" key/value lines that bench/run_all.sh collects.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${repo}"
build="${KAIROS_BENCH_BUILD:-build/bench}"
symbols="${KAIROS_BENCH_SYMBOLS:-2000}"
sessions="${KAIROS_BENCH_SESSIONS:-5000}"
dir="${1:-build/bench-data/csv-${symbols}x${sessions}}"

if [[ ! -x "${build}/bench/import_bench" ]]; then
  cmake -S . -B "${build}" -DCMAKE_BUILD_TYPE=Release -DKAIROS_BUILD_TESTS=OFF >/dev/null
  cmake --build "${build}" --target import_bench -j 2 >/dev/null
fi

log="$(mktemp)"
trap 'rm -f "${log}"' EXIT
"${build}/bench/import_bench" --dir="${dir}" --symbols="${symbols}" --sessions="${sessions}" \
  --benchmark_counters_tabular=true | tee "${log}"

# The interpreter that has pandas: Debian's python3-pandas lives in /usr/bin/python3, which a
# pyenv or venv python3 earlier on PATH may hide.
python=""
for candidate in python3 /usr/bin/python3; do
  if command -v "${candidate}" >/dev/null && "${candidate}" -c "import pandas" 2>/dev/null; then
    python="${candidate}"
    break
  fi
done
pandas_mbps=""
if [[ -n "${python}" ]]; then
  echo
  "${python}" bench/pandas_read.py "${dir}" | tee -a "${log}"
  pandas_mbps="$(awk '/^pandas_read_csv_MBps/ {print $2}' "${log}")"
else
  echo "pandas not found (apt-get install python3-pandas): no peer for the import benchmark"
fi

echo
echo "SUMMARY import vs pandas (${dir}; MB/s of CSV, warm cache; ratio = kairos / pandas throughput, >1 = kairos faster)"
awk -v pandas="${pandas_mbps}" '
  /^kairos_parse_MBps/ || /^kairos_store_MBps/ {
    what = ($1 == "kairos_parse_MBps") ? "parse+validate" : "parse+validate+store"
    ratio = (pandas != "" && pandas > 0) ? sprintf("%.1fx", $3 / pandas) : "-"
    printf "  kairos %-22s %-10s %8.1f MB/s   vs pandas.read_csv %8s MB/s   ratio %s\n",
           what, $2, $3, (pandas == "" ? "-" : pandas), ratio
  }' "${log}"
