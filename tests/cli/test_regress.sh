#!/bin/sh
# test_regress.sh: the outage library passes its bounds; a tightened bound
# fails with exit 1; bad bounds are exit 2; --update writes bounds.
. "$(dirname "$0")/lib.sh"

run "$SB" regress --db "$TMP/r.db"
expect_rc "regress library" 0
expect_out "regress library" "every-pool-outbid"
expect_out "regress library" " 0 failed"
grep -q FAIL "$TMP/out" && bad "a FAIL line in the library" || ok
n=$(sqlite3 "$TMP/r.db" "SELECT count(*) FROM runs")
cases=$(ls traces/scenarios/*/bounds.json | wc -l)
[ "$n" -ge $((2 * cases)) ] && ok || bad "runs stored: $n for $cases cases"

mkdir -p "$TMP/lib"
cp -r traces/scenarios/every-pool-outbid "$TMP/lib/"
# Coverage can never exceed 100 %: this bound must fail.
printf '{"guarded": {"coverage_pct_min": 100.5}}\n' >"$TMP/lib/every-pool-outbid/bounds.json"
run "$SB" regress "$TMP/lib" --db "$TMP/r2.db"
expect_rc "tightened bound" 1
expect_out "tightened bound" "coverage_pct_min"
expect_out "tightened bound" "FAIL"
expect_out "tightened bound" "0 passed, 1 failed"

printf '{"guarded": {"coverage": 99}}\n' >"$TMP/lib/every-pool-outbid/bounds.json"
run "$SB" regress "$TMP/lib" --db "$TMP/r2.db"
expect_rc "unknown bound" 2
expect_err "unknown bound" "bounds.json: guarded.coverage: unknown bound"

rm "$TMP/lib/every-pool-outbid/bounds.json"
run "$SB" regress "$TMP/lib" --update --db "$TMP/r2.db"
expect_rc "update" 0
[ -s "$TMP/lib/every-pool-outbid/bounds.json" ] && ok || bad "--update wrote no bounds.json"
run "$SB" regress "$TMP/lib" --db "$TMP/r2.db"
expect_rc "after update" 0
run "$SB" regress "$TMP/nosuch"
expect_rc "no folder" 2
finish
