#!/usr/bin/env bash
# Proves tools/check_layering.sh fails on a forbidden include and passes on an allowed one.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/tools" "$tmp/src/domain" "$tmp/src/engine"
cp "$here/check_layering.sh" "$tmp/tools/"
printf '#include "core/status.h"\n#include "calendar/calendar.h"\n' > "$tmp/src/domain/ok.h"
"$tmp/tools/check_layering.sh" >/dev/null
printf '#pragma once\n#include "adapters/sqlite/db.h"\n' > "$tmp/src/engine/bad.h"
if out=$("$tmp/tools/check_layering.sh"); then
  echo "FAIL: an engine file including an adapter passed the layering check"; exit 1
fi
grep -q "src/engine/bad.h:2: module 'engine' must not include 'adapters/'" <<<"$out" \
  || { echo "FAIL: unexpected message: $out"; exit 1; }
echo "PASS: the layering check rejects engine -> adapters"
