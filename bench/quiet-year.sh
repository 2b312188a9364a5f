#!/bin/sh
# quiet-year.sh SCENARIO OUTDIR: the scenario (bench/gen_year's, its prices
# in prices.csv beside it) with each pool's first price only, held to the
# end (traces.Extend): no price ever changes, every minute is quiet. Writes
# OUTDIR/scenario.json and OUTDIR/prices.csv. Used by run.sh (the quiet
# minute) and same-outputs.sh (quiet stretches).
set -eu
mkdir -p "$2"
awk -F, 'NR == 1 || !seen[$2 FS $3]++' "$(dirname "$1")/prices.csv" >"$2/prices.csv"
python3 - "$1" "$2/scenario.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s["traces"]["Extend"] = True  # the first prices hold to the end
json.dump(s, open(sys.argv[2], "w"))
PY
