#!/usr/bin/env bash
# `make demo`: loads the real market data shipped in testdata/ and a synthetic universe into a
# fresh kairos home, shows what is stored, scans the market, then paper-trades two example
# strategies (examples/strategies/) over the last year of the synthetic data with `run-day`:
# sma_cross approves its own signals, rsi_dip waits for a person, whom this script plays.
set -eu  # no pipefail: `kairos ... | head` ends kairos with SIGPIPE, which is fine here
cd "$(dirname "$0")/.."
kairos=${1:-build/release/kairos}
export KAIROS_HOME=${KAIROS_HOME:-$PWD/build/demo-home}
data=testdata/shared/data

title() { printf '\n\033[1m== %s\033[0m\n$ %s\n' "$1" "$2"; }
# last N: the header line and the last N rows of a table on stdin.
last() { awk -v n="$1" 'NR == 1 { print; next } { rows[NR] = $0 } END { for (i = (NR - n + 1 > 2 ? NR - n + 1 : 2); i <= NR; i++) print rows[i] }'; }
# step TITLE COMMAND: shows and runs a shell command line (KAIROS_HOME is set for it).
step() { title "$1" "$2"; eval "$2"; }
# refused TITLE COMMAND: a step whose refusal (exit 1) is part of the demo.
refused() {
  title "$1" "$2"
  if (set -o pipefail; eval "$2"); then
    echo "demo: expected kairos to refuse part of this import" >&2
    exit 1
  fi
}

rm -rf "$KAIROS_HOME"
echo "kairos demo: home is $KAIROS_HOME"
k=$kairos

step "S&P 500 index, daily OHLCV 2000-2020 (a long file with a symbol column)" \
  "$k data import $data/sp500_index_ohlcv_2000_2020.csv"
step "MSFT 2000-2001, prices in sixteenths" \
  "$k data import $data/msft_ohlcv_2000_2001.csv"
# MSFT is in the next files too, close-only: kairos stores the other symbols and refuses to mix
# close-only bars into the OHLCV series stored above (an error and exit 1; nothing is invented).
refused "30 Dow Jones stocks, close-only 1990-2001 (MSFT is already stored with OHLCV: refused)" \
  "$k data import $data/dowjones30_close_1990_2001.csv"
# This file really has unadjusted splits (NVDA, HRB, ...): the import flags them as warnings.
refused "~500 S&P 500 members, close-only 2001H2 (not split-adjusted; spans the 9/11 closure)" \
  "$k data import $data/sp500_constituents_close_2001H2.csv 2>&1 | grep -E 'NVDA|HRB|MSFT|file'"
step "A synthetic universe: 500 symbols x 1,260 sessions (5 years)" \
  "$k data synth --symbols 500 --sessions 1260 --seed 42"

step "What is stored (first rows)" "$k data list | head -8"
step "One symbol" "$k data show MSFT --last 5"
step "Weekly bars, derived with the NYSE calendar (the Good Friday week ends on Thursday)" \
  "$k data export ^GSPC --timeframe weekly --from 2020-03-23 --to 2020-04-17"
step "The NYSE calendar around Thanksgiving 2024 (13:00 early close)" \
  "$k calendar sessions --exchange NYSE --from 2024-11-25 --to 2024-12-03"
step "RSI(14) of the S&P 500, last rows" \
  "$k ta rsi 14 --input testdata/shared/reference/sp500.csv | tail -3"

step "A rule universe: the 200 most traded symbols by median turnover (stored with its date)" \
  "$k universe define liquid --rule 'median(turnover,20) > 1e5' --rank 'median(turnover,20)' --top 200"
step "Scan it as of its last session (the rule's terms show why each matched)" \
  "$k scan 'rsi(close,14) < 35 and close > sma(close,200)' --universe liquid --rank 'rsi(close,14)' --limit 5"

step "Two example strategies (TOML files; docs/STRATEGIES.md lists every key)" \
  "$k strategy import examples/strategies/sma_cross.toml && $k strategy import examples/strategies/rsi_dip.toml && $k strategy list"

# Paper trading, one session at a time as the daily job would: after each session's run, the
# person approves what the manual strategy proposed (before its 09:00 cut-off next morning).
from=2025-12-01
to=$($k data list --format csv | awk -F, '$1=="SYN0001"{print $0}' | grep -oE '[0-9]{4}-[0-9]{2}-[0-9]{2}' | tail -1)
title "Paper trading $from .. $to with run-day, approving rsi_dip's signals as they come" \
  "for each session D: $k run-day --date D; $k signals approve ID --note ... (each pending one)"
sessions=0 approved=0
while IFS=, read -r day _; do
  [ -z "$day" ] && continue
  "$k" run-day --date "$day" --format csv >/dev/null
  sessions=$((sessions + 1))
  for id in $("$k" signals list --status pending_review --format csv | awk -F, 'NR>1{print $1}'); do
    "$k" signals approve "$id" --note "demo: looks good" >/dev/null
    approved=$((approved + 1))
  done
done < <("$k" calendar sessions --exchange NYSE --from "$from" --to "$to" | head -n -5)
echo "ran $sessions sessions; approved $approved manual signal(s)"

# The last week runs under the daemon instead: every job of kairos.toml at its instant, on a
# simulated clock (the same fills and P&L as run-day; rsi_dip's signals now wait for a person).
week_from=$("$k" calendar sessions --exchange NYSE --from "$from" --to "$to" | tail -5 | head -1 | cut -d, -f1)
step "The daemon, simulated over the last week: kairos serve --simulate" \
  "$k init >/dev/null && $k serve --simulate --from $week_from --to $to 2>&1 | tail -3"
step "What the jobs did (kairos jobs history)" "$k jobs history --limit 30"
step "What the owner was told (kairos alerts list; delivered by Telegram when configured)" \
  "$k alerts list --limit 20 --format csv | cut -c1-150"

step "Signals (last 8)" "$k signals list | last 8"
step "Orders (last 6)" "$k orders list | last 6"
step "Fills (last 6)" "$k fills list | last 6"
step "Open positions" "$k positions"
step "P&L by month (last 6 rows)" "$k pnl monthly | last 6"
step "P&L summary" "$k pnl summary"
step "The kill switch: halt and square off everything, then lift it" \
  "$k halt --squareoff --reason 'demo drill' && $k resume"

# The daemon's HTTP API: an account and a token, `kairos serve` in the background (on a port the
# system picks, so a kairos already on 8720 does not clash), two calls, then SIGTERM.
step "Accounts for the HTTP API: an admin, and a read-only token for scripts" \
  "printf 'demo pass phrase\\n' | $k user add demo --role admin --password-stdin && TOKEN=\$($k token create demo-script --role viewer --user demo) && $k token list"
sed -i 's|^# listen = .*|listen = "127.0.0.1:0"|' "$KAIROS_HOME/kairos.toml"
"$k" serve 2>"$KAIROS_HOME/serve.log" &
serve_pid=$!
url=""
for _ in $(seq 100); do
  url=$(sed -n 's/.*serving the API on //p' "$KAIROS_HOME/serve.log" | head -1)
  [ -n "$url" ] && break
  sleep 0.1
done
if [ -n "$url" ]; then
  step "kairos serve: health, and the open positions as the API answers them" \
    "curl -s $url/healthz; echo; curl -s -H \"Authorization: Bearer \$TOKEN\" $url/api/v1/positions | cut -c1-300; echo"
else
  echo "demo: kairos serve did not start:" >&2
  cat "$KAIROS_HOME/serve.log" >&2
fi
kill -TERM "$serve_pid" 2>/dev/null || true
wait "$serve_pid" 2>/dev/null || true

cat <<MSG

Done. Look around with:
  $kairos --home $KAIROS_HOME signals list --status filled
  $kairos --home $KAIROS_HOME pnl daily --strategy sma_cross --format csv
  $kairos --home $KAIROS_HOME scan 'crossover(sma(close,10), sma(close,30))' --symbols SYN0001,SYN0002
  $kairos ta --list
  $kairos --home $KAIROS_HOME serve     # the daemon: the jobs on the wall clock, and the HTTP API
The bar store is in $KAIROS_HOME/bars (one columnar file per symbol plus manifest.tsv); strategies,
signals, orders, fills, positions and P&L are in $KAIROS_HOME/kairos.db (SQLite).
MSG
