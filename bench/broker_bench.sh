#!/usr/bin/env bash
# The broker benchmark (`make bench` runs it as "broker"): starts the Alpaca stand-in on
# loopback, runs broker_bench against it and stops it.
# Usage: bench/broker_bench.sh BROKER_BENCH_BINARY [ORDERS]
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$1"
orders="${2:-500}"
out="$(mktemp)"
python3 "${repo}/tests/standins/alpaca_api.py" --key-id BENCHKEY --secret-key BENCHSECRET \
  --parent-pid $$ >"${out}" &
standin=$!
trap 'kill ${standin} 2>/dev/null; rm -f "${out}"' EXIT
for _ in $(seq 100); do
  grep -q '^port ' "${out}" && break
  sleep 0.1
done
port="$(awk '/^port /{print $2}' "${out}")"
"${bin}" "http://127.0.0.1:${port}" BENCHKEY BENCHSECRET "${orders}"
