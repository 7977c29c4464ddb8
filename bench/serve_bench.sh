#!/usr/bin/env bash
# The daemon's benchmark (`make bench` runs it as "serve"): on the demo configuration (500
# synthetic symbols x 1,260 sessions, the two example strategies, every job at its default):
#   - a simulated year (`kairos serve --simulate` over the last 365 days of bars, ~250 sessions),
#     wall time (target <= 10 s), checked against `run-day` over the same sessions (fills and
#     daily P&L identical);
#   - the idle daemon on the wall clock: RSS (VmRSS, VmHWM from /proc/PID/status; target <= 40 MB)
#     and CPU time over 10 s (target ~0);
#   - job start latency: a heartbeat every 2 s (a 6-field cron) for ~11 s, started_at minus the
#     instant, from `kairos jobs history` (target <= 1 s).
# Usage: bench/serve_bench.sh [KAIROS_BINARY]   (default build/release/kairos)
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${repo}"
k="$(realpath "${1:-build/release/kairos}")"
work="${KAIROS_BENCH_SERVE_DIR:-build/bench-data/serve}"
mkdir -p "${work}"
work="$(realpath "${work}")"
base="${work}/base"
if [[ ! -f "${base}/kairos.db" ]]; then
  rm -rf "${base}"
  "${k}" --home "${base}" data synth --symbols 500 --sessions 1260 --seed 42 >/dev/null 2>&1
  for s in sma_cross rsi_dip; do
    "${k}" --home "${base}" strategy import "examples/strategies/${s}.toml" >/dev/null
  done
fi
last=$("${k}" --home "${base}" data list --format csv | awk -F, 'NR==2{print $4}')
first=$(date -u -d "${last} - 364 days" +%F)

rm -rf "${work}/sim" "${work}/runday"
cp -r "${base}" "${work}/sim"
cp -r "${base}" "${work}/runday"
t0=$(date +%s.%N)
"${k}" --home "${work}/sim" serve --simulate --from "${first}" --to "${last}" 2>"${work}/sim.log"
t1=$(date +%s.%N)
"${k}" --home "${work}/runday" run-day --from "${first}" --to "${last}" --format csv >/dev/null
t2=$(date +%s.%N)
# Runs finished (the history itself is pruned by maintenance to keep_history_days).
runs=$(grep -cE " job [^ ]+ (succeeded|failed) for " "${work}/sim.log" || true)
sessions=$("${k}" calendar sessions --exchange NYSE --from "${first}" --to "${last}" | wc -l)
same=yes
for what in "fills list" "pnl daily"; do
  # shellcheck disable=SC2086
  cmp -s <("${k}" --home "${work}/sim" ${what} --format csv) \
    <("${k}" --home "${work}/runday" ${what} --format csv) || same=no
done

# The idle daemon on the simulated home (its next job is hours away), its API on a free port.
printf '[server]\nlisten = "127.0.0.1:0"\n' >"${work}/sim/kairos.toml"
"${k}" --home "${work}/sim" serve 2>"${work}/idle.log" &
pid=$!
sleep 3
ticks0=$(awk '{print $14 + $15}' "/proc/${pid}/stat")
sleep 10
ticks1=$(awk '{print $14 + $15}' "/proc/${pid}/stat")
rss=$(awk '/VmRSS/{print $2}' "/proc/${pid}/status")
hwm=$(awk '/VmHWM/{print $2}' "/proc/${pid}/status")
kill -TERM "${pid}"
wait "${pid}"
idle_exit=$?

# Start latency on the wall clock.
lat="${work}/latency"
rm -rf "${lat}"
"${k}" --home "${lat}" init >/dev/null
printf '[jobs."heartbeat"]\ncron = "*/2 * * * * *"\n' >"${lat}/kairos.toml"
"${k}" --home "${lat}" serve 2>"${work}/latency.log" &
pid=$!
sleep 11
kill -TERM "${pid}"
wait "${pid}" || true
latency=$("${k}" --home "${lat}" jobs history heartbeat --limit 100 --format csv | python3 -c '
import csv, sys
from datetime import datetime
def t(s):
    s = s.rstrip("Z")
    main, _, frac = s.partition(".")
    return datetime.fromisoformat(main).timestamp() + (int(frac.ljust(9, "0")) / 1e9 if frac else 0)
d = [t(r["started_at"]) - t(r["scheduled_at"]) for r in csv.DictReader(sys.stdin)]
print(f"{len(d)} runs, max {max(d)*1000:.2f} ms, mean {sum(d)/len(d)*1000:.2f} ms" if d else "no runs")')

echo "SUMMARY serve (the daemon; $(nproc) cores)"
printf '  simulated year %s .. %s: %d sessions, %d job runs, %.2f s (target <= 10 s); run-day over the same: %.2f s; fills and P&L identical: %s\n' \
  "${first}" "${last}" "${sessions}" "${runs}" "$(python3 -c "print(${t1} - ${t0})")" "$(python3 -c "print(${t2} - ${t1})")" "${same}"
printf '  idle daemon: RSS %d KB (peak %d KB; target <= 40 MB), CPU %d ticks in 10 s, SIGTERM exit %d\n' \
  "${rss}" "${hwm}" "$((ticks1 - ticks0))" "${idle_exit}"
echo "  job start latency (heartbeat every 2 s): ${latency} (target <= 1 s)"
