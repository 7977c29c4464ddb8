#!/usr/bin/env bash
# `make demo`: loads the real market data shipped in testdata/ and a synthetic universe into a
# fresh kairos home, then shows what is stored. Later issues make it run the whole trading day.
set -eu  # no pipefail: `kairos ... | head` ends kairos with SIGPIPE, which is fine here
cd "$(dirname "$0")/.."
kairos=${1:-build/release/kairos}
export KAIROS_HOME=${KAIROS_HOME:-$PWD/build/demo-home}
data=testdata/shared/data

title() { printf '\n\033[1m== %s\033[0m\n$ %s\n' "$1" "$2"; }
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

cat <<MSG

Done. Look around with:
  $kairos --home $KAIROS_HOME data list
  $kairos --home $KAIROS_HOME data export SYN0001 --timeframe weekly
  $kairos ta --list
The bar store is in $KAIROS_HOME/bars (one columnar file per symbol plus manifest.tsv).
MSG
