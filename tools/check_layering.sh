#!/usr/bin/env bash
# Checks that every module includes only the modules ARCHITECTURE.md lets it depend on
# (STYLE.md #1): in particular no domain or engine code includes an adapter header.
# Exit 1 with one line per violation.
set -euo pipefail
cd "$(dirname "$0")/.."

declare -A allowed=(
  [core]="core"
  [calendar]="core calendar"
  [domain]="core calendar domain"
  [indicators]="core indicators"
  [rules]="core indicators rules"
  [marketdata]="core calendar domain marketdata"
  [ports]="core calendar domain ports"
  [scheduler]="core calendar domain ports scheduler"
  [engine]="core calendar domain indicators rules marketdata ports engine"
  [jobs]="core calendar domain indicators rules marketdata ports engine scheduler jobs"
  [backtest]="core calendar domain indicators rules marketdata ports engine backtest"
  [adapters]="core calendar domain ports adapters"
  [server]="core calendar domain indicators rules marketdata ports engine server"
)

status=0
for module in "${!allowed[@]}"; do
  [ -d "src/$module" ] || continue
  while IFS= read -r line; do
    file=${line%%:*}
    rest=${line#*:}
    lineno=${rest%%:*}
    inc=$(sed -E 's/.*#include "([^/"]+)\/.*/\1/' <<<"$rest")
    if [[ " ${allowed[$module]} " != *" $inc "* ]]; then
      echo "$file:$lineno: module '$module' must not include '$inc/' (allowed: ${allowed[$module]})"
      status=1
    fi
  done < <(grep -rnE '^[[:space:]]*#[[:space:]]*include "[^/"]+/' "src/$module" || true)
done
if [ $status -eq 0 ]; then echo "layering: OK (every module includes only what ARCHITECTURE.md allows)"; fi
exit $status
