#!/usr/bin/env bash
# `make demo`: loads the real market data shipped in testdata/ and a synthetic universe into a
# fresh kairos home, then shows what is stored. Later issues make it run the whole trading day.
set -euo pipefail
cd "$(dirname "$0")/.."
kairos=${1:-build/release/kairos}
export KAIROS_HOME=${KAIROS_HOME:-$PWD/build/demo-home}
data=testdata/shared/data

step() { printf '\n\033[1m== %s\033[0m\n$ %s\n' "$1" "${*:2}"; "${@:2}"; }

rm -rf "$KAIROS_HOME"
echo "kairos demo: home is $KAIROS_HOME"

step "S&P 500 index, daily OHLCV 2000-2020 (Yahoo-style long file)" \
  "$kairos" data import --exchange NYSE "$data/sp500_index_ohlcv_2000_2020.csv"
step "MSFT 2000-2001, prices in sixteenths" \
  "$kairos" data import "$data/msft_ohlcv_2000_2001.csv"
step "30 Dow Jones stocks, close-only 1990-2001" \
  "$kairos" data import "$data/dowjones30_close_1990_2001.csv"
# This file really has unadjusted splits (NVDA, HRB): the import flags them as warnings.
step "~500 S&P 500 members, close-only 2001H2 (not split-adjusted, spans 9/11)" \
  "$kairos" data import "$data/sp500_constituents_close_2001H2.csv"
step "A synthetic universe: 500 symbols x 1,260 sessions (5 years)" \
  "$kairos" data synth --symbols 500 --sessions 1260 --seed 42

step "What is stored (first rows)" bash -c "\"$kairos\" data list | head -12"
step "One symbol" "$kairos" data show MSFT --last 5
step "Weekly bars, derived with the NYSE calendar" \
  bash -c "\"$kairos\" data export ^GSPC --timeframe weekly --from 2020-03-01 --to 2020-04-17"
step "The NYSE calendar around Thanksgiving 2024 (13:00 early close)" \
  "$kairos" calendar sessions --exchange NYSE --from 2024-11-25 --to 2024-12-03
step "RSI(14) of the S&P 500, last rows" \
  bash -c "\"$kairos\" ta rsi 14 --input $data/../reference/sp500.csv | tail -3"

cat <<MSG

Done. Look around with:
  $kairos --home $KAIROS_HOME data list
  $kairos --home $KAIROS_HOME data export SYN0001 --timeframe weekly
  $kairos ta --list
The store is in $KAIROS_HOME/bars (one memory-mapped file per symbol plus a manifest).
MSG
