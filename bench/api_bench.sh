#!/usr/bin/env bash
# The HTTP API's benchmark (`make bench` runs it as "api"): wrk -t2 -c64 -d10s --latency against
#   - nginx (nginx-light, a config in a temp dir, loopback) serving a small static JSON file: the
#     peer, what a tuned C web server does on this machine;
#   - `kairos serve` on loopback: GET /healthz (the server and the pipeline, no store), and the
#     authenticated GET /api/v1/pnl/daily (a bearer token, a year of daily P&L from the store);
# and prints requests/s, p50 and p99 for each, the ratio of kairos's requests/s to nginx's, and the
# daemon's RSS (VmRSS, VmHWM) under load. The P&L route and API tokens come with the resources and
# accounts of the API: until the binary has them (`kairos token` and the route), that row is
# skipped and said so.
# Usage: bench/api_bench.sh [KAIROS_BINARY]   (default build/release/kairos)
# Environment: KAIROS_BENCH_API_DIR (work dir), KAIROS_BENCH_API_DURATION (default 10s).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${repo}"
k="$(realpath "${1:-build/release/kairos}")"
duration="${KAIROS_BENCH_API_DURATION:-10s}"
work="${KAIROS_BENCH_API_DIR:-build/bench-data/api}"
mkdir -p "${work}"
work="$(realpath "${work}")"
for tool in wrk nginx; do
  command -v "${tool}" >/dev/null || { echo "api: no ${tool} (apt-get install wrk nginx-light)"; exit 1; }
done

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# A home with a year of daily P&L: synthetic bars, the example strategies, run-day over the last
# 250 sessions. Built once and reused.
home="${work}/home"
if [[ ! -f "${home}/pnl.done" ]]; then
  rm -rf "${home}"
  "${k}" --home "${home}" data synth --symbols 100 --sessions 600 --seed 42 >/dev/null 2>&1
  for s in sma_cross rsi_dip; do
    "${k}" --home "${home}" strategy import "examples/strategies/${s}.toml" >/dev/null
  done
  last=$("${k}" --home "${home}" data list --format csv | awk -F, 'NR==2{print $4}')
  first=$(date -u -d "${last} - 364 days" +%F)
  "${k}" --home "${home}" run-day --from "${first}" --to "${last}" --format csv >/dev/null
  touch "${home}/pnl.done"
fi
days=$("${k}" --home "${home}" pnl daily --format csv 2>/dev/null | tail -n +2 | wc -l || true)

# An admin API token, when the binary has accounts.
token=""
if "${k}" --help 2>/dev/null | grep -qE '^ +token'; then
  "${k}" --home "${home}" user list 2>/dev/null | grep -q bench ||
    printf 'bench-password-1\n' | "${k}" --home "${home}" user add bench --role admin \
      --password-stdin >/dev/null 2>&1 || true
  "${k}" --home "${home}" token revoke bench >/dev/null 2>&1 || true
  token=$("${k}" --home "${home}" token create bench --role admin 2>/dev/null | tail -n 1 || true)
fi

# nginx serving a JSON file of about the size of a health answer.
ngx="${work}/nginx"
rm -rf "${ngx}"
mkdir -p "${ngx}/html" "${ngx}/tmp"
echo '{"status":"ok","version":"0.1.0"}' >"${ngx}/html/health.json"
nginx_port=$(free_port)
cat >"${ngx}/nginx.conf" <<CONF
worker_processes 2;
daemon on;
pid ${ngx}/nginx.pid;
error_log ${ngx}/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${ngx}/tmp;
  proxy_temp_path ${ngx}/tmp;
  fastcgi_temp_path ${ngx}/tmp;
  uwsgi_temp_path ${ngx}/tmp;
  scgi_temp_path ${ngx}/tmp;
  types { application/json json; }
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:${nginx_port};
    root ${ngx}/html;
  }
}
CONF
nginx -p "${ngx}" -c "${ngx}/nginx.conf" -e "${ngx}/error.log"

# The daemon, its API on a free loopback port.
api_port=$(free_port)
printf '[server]\nlisten = "127.0.0.1:%s"\nthreads = 2\nmax_connections = 1024\n' "${api_port}" \
  >"${home}/kairos.toml"
"${k}" --home "${home}" serve 2>"${work}/serve.log" &
pid=$!
cleanup() {
  kill -TERM "${pid}" 2>/dev/null || true
  wait "${pid}" 2>/dev/null || true
  [[ -f "${ngx}/nginx.pid" ]] && kill "$(cat "${ngx}/nginx.pid")" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 100); do
  grep -q "serving the API on" "${work}/serve.log" && break
  sleep 0.1
done
grep -q "serving the API on" "${work}/serve.log" || { cat "${work}/serve.log"; exit 1; }

# wrk NAME URL [HEADER]: prints "NAME requests/s p50 p99" (latencies in ms).
declare -A rps
peak_rss=0
bench() {
  local name="$1" url="$2"
  shift 2
  local log="${work}/wrk-${name}.txt"
  wrk -t2 -c64 -d"${duration}" --latency "$@" "${url}" >"${log}" 2>&1 &
  local wrk_pid=$!
  sleep 3
  local rss
  rss=$(awk '/VmRSS/{print $2}' "/proc/${pid}/status")
  (( rss > peak_rss )) && peak_rss=${rss}
  wait "${wrk_pid}"
  local r p50 p99 errors
  r=$(awk '/^Requests\/sec/{print $2}' "${log}")
  p50=$(awk '$1=="50%"{print $2}' "${log}")
  p99=$(awk '$1=="99%"{print $2}' "${log}")
  errors=$(grep -E 'Non-2xx|Socket errors' "${log}" | tr -s ' ' | paste -sd';' || true)
  rps[${name}]=${r}
  printf '%-12s %12s req/s  p50 %-9s p99 %-9s %s\n' "${name}" "${r}" "${p50}" "${p99}" "${errors}"
}

echo "SUMMARY api (wrk -t2 -c64 -d${duration} --latency, loopback, $(nproc) cores; ${days} daily P&L rows in the store)"
bench nginx "http://127.0.0.1:${nginx_port}/health.json"
bench healthz "http://127.0.0.1:${api_port}/healthz"
# The year of daily P&L in one answer (limit 1000), and the same bytes as nginx's static file.
pnl_path="/api/v1/pnl/daily?limit=1000"
if [[ -n "${token}" ]] &&
  curl -sf -H "Authorization: Bearer ${token}" "http://127.0.0.1:${api_port}${pnl_path}" \
    >"${ngx}/html/pnl.json"; then
  echo "pnl_daily answer: $(wc -c <"${ngx}/html/pnl.json") bytes, $(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['items']))" "${ngx}/html/pnl.json") rows"
  bench nginx_pnl "http://127.0.0.1:${nginx_port}/pnl.json"
  bench pnl_daily "http://127.0.0.1:${api_port}${pnl_path}" -H "Authorization: Bearer ${token}"
else
  echo "pnl_daily    skipped: this kairos has no API tokens or no /api/v1/pnl/daily yet"
fi
ratio() { python3 -c "print(f'{float(\"$1\") / float(\"$2\"):.2f}')"; }
echo "ratio healthz/nginx: $(ratio "${rps[healthz]}" "${rps[nginx]}")"
if [[ -n "${rps[pnl_daily]:-}" ]]; then
  echo "ratio pnl_daily/nginx_pnl (the same JSON as a static file): $(ratio "${rps[pnl_daily]}" "${rps[nginx_pnl]}")"
fi
hwm=$(awk '/VmHWM/{print $2}' "/proc/${pid}/status")
echo "daemon RSS under load: $(( peak_rss / 1024 )) MB (VmHWM $(( hwm / 1024 )) MB)"
