#!/bin/sh
# test_regress.sh: the outage library passes its bounds; a tightened bound
# fails with exit 1; bad bounds are exit 2; --update writes bounds of the
# named cases only, rounded to the precision they are compared at; a suite
# that checks nothing fails; entries with their own parameters and scenario
# overrides; --set for every run; --json.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3

run "$SB" regress --db "$TMP/r.db"
expect_rc "regress library" 0
expect_out "regress library" "every-pool-outbid"
expect_out "regress library" " 0 failed"
grep -q FAIL "$TMP/out" && bad "a FAIL line in the library" || ok
n=$(sqlite3 "$TMP/r.db" "SELECT count(*) FROM runs")
cases=$(ls traces/scenarios/*/bounds.json | wc -l)
[ "$n" -ge $((2 * cases)) ] && ok || bad "runs stored: $n for $cases cases"

mkdir -p "$TMP/lib"
cp -r traces/scenarios/every-pool-outbid traces/scenarios/single-pool-outbid "$TMP/lib/"
# Coverage can never exceed 100 %: this bound must fail.
printf '{"guarded": {"coverage_pct_min": 100.5}}\n' >"$TMP/lib/every-pool-outbid/bounds.json"
run "$SB" regress "$TMP/lib" --case every-pool-outbid --db "$TMP/r2.db"
expect_rc "tightened bound" 1
expect_out "tightened bound" "coverage_pct_min"
expect_out "tightened bound" "FAIL"
expect_out "tightened bound" "0 passed, 1 failed"

printf '{"guarded": {"coverage": 99}}\n' >"$TMP/lib/every-pool-outbid/bounds.json"
run "$SB" regress "$TMP/lib" --db "$TMP/r2.db"
expect_rc "unknown bound" 2
expect_err "unknown bound" "bounds.json: guarded.coverage: unknown bound"

# A suite that tests nothing does not pass: no case in DIR, or no case with
# a bounds.json.
mkdir -p "$TMP/empty"
run "$SB" regress "$TMP/empty" --db "$TMP/r2.db"
expect_rc "no case" 2
expect_err "no case" "no case here"
mkdir -p "$TMP/nobounds"
cp -r traces/scenarios/every-pool-outbid "$TMP/nobounds/"
rm "$TMP/nobounds/every-pool-outbid/bounds.json"
run "$SB" regress "$TMP/nobounds" --db "$TMP/r2.db"
expect_rc "no bounds at all" 1
expect_err "no bounds at all" "no check was run"
run "$SB" regress "$TMP/lib" --case every-pool-outbd --db "$TMP/r2.db"
expect_rc "unknown --case" 2
expect_err "unknown --case" "did you mean 'every-pool-outbid'?"
# A case's own folder is that one case.
run "$SB" regress traces/scenarios/single-pool-outbid/ --db "$TMP/r2.db"
expect_rc "a case folder" 0
expect_out "a case folder" "single-pool-outbid"
expect_out "a case folder" "8 passed, 0 failed"

# --update rewrites only the cases named, with rounded numbers.
rm "$TMP/lib/every-pool-outbid/bounds.json"
cp "$TMP/lib/single-pool-outbid/bounds.json" "$TMP/single.before"
run "$SB" regress "$TMP/lib" --update --db "$TMP/r2.db"
expect_rc "update without --case" 2
run "$SB" regress "$TMP/lib" --update --case every-pool-outbid --db "$TMP/r2.db"
expect_rc "update" 0
B="$TMP/lib/every-pool-outbid/bounds.json"
[ -s "$B" ] && ok || bad "--update wrote no bounds.json"
cmp -s "$TMP/single.before" "$TMP/lib/single-pool-outbid/bounds.json" && ok ||
    bad "--update rewrote a case it was not asked about"
# Every number as written has at most 3 decimals, and the bounds follow the
# documented tolerances from the run's own figures (computed here).
grep -Eq '[0-9]\.[0-9]{4,}' "$B" && bad "long decimals in bounds.json: $(cat "$B")" || ok
"$SB" run "$TMP/lib/every-pool-outbid/scenario.json" --policy guarded --json \
    --db "$TMP/r3.db" >"$TMP/g.json"
$PY - "$B" "$TMP/g.json" <<'PYEOF' && ok || bad "bounds do not follow the figures"
import json, math, sys
b = json.load(open(sys.argv[1]))["guarded"]
s = json.loads(open(sys.argv[2]).read())["summary"]
want = {"coverage_pct_min": round(math.floor((s["coverage_pct"] - 0.05) * 1000) / 1000, 3),
        "shortfall_unit_hours_max": round(math.ceil((s["shortfall_unit_hours"] * 1.1 + 0.01) * 100) / 100, 2),
        "od_cost_max": round(math.ceil((s["od_cost"] * 1.1 + 0.01) * 100) / 100, 2),
        "set_rejected_max": math.ceil(s["set_rejected"] * 1.1 + 2)}
for k, v in want.items():
    assert abs(b[k] - v) < 1e-9, (k, b[k], v)
PYEOF
run "$SB" regress "$TMP/lib" --db "$TMP/r2.db"
expect_rc "after update" 0

# An entry with its own parameters and scenario overrides runs them: its run
# is stored with them, and a bound on it is checked.
cat >"$TMP/lib/every-pool-outbid/bounds.json" <<'JSON'
{"guarded": {"coverage_pct_min": 99},
 "tuned": {"policy": "guarded", "params": {"window": 600, "confirm": 3},
           "set": {"asg.DefaultCooldown": 900}, "coverage_pct_min": 99}}
JSON
run "$SB" regress "$TMP/lib" --case every-pool-outbid --db "$TMP/r4.db"
expect_rc "tuned entry" 0
expect_out "tuned entry" "tuned"
p=$(sqlite3 "$TMP/r4.db" "SELECT params FROM runs ORDER BY id DESC LIMIT 1")
case $p in *'"window": 600'*'"confirm": 3'* | *'"confirm": 3'*'"window": 600'*) ok ;;
*) bad "tuned entry stored with $p" ;; esac
sets=$(sqlite3 "$TMP/r4.db" "SELECT sets FROM runs ORDER BY id DESC LIMIT 1")
case $sets in *asg.DefaultCooldown=900*) ok ;; *) bad "tuned entry's overrides: $sets" ;; esac
# The same entry through --update keeps its policy, params and set.
run "$SB" regress "$TMP/lib" --case every-pool-outbid --update --db "$TMP/r4.db"
expect_rc "update tuned" 0
$PY -c '
import json, sys
b = json.load(open(sys.argv[1]))
t = b["tuned"]
assert t["policy"] == "guarded" and t["params"] == {"window": 600, "confirm": 3}, t
assert t["set"] == {"asg.DefaultCooldown": 900}, t' "$TMP/lib/every-pool-outbid/bounds.json" &&
    ok || bad "--update lost the tuned entry's settings: $(cat "$TMP/lib/every-pool-outbid/bounds.json")"
printf '{"x": {"coverage_pct_min": 99}}\n' >"$TMP/lib/every-pool-outbid/bounds.json"
run "$SB" regress "$TMP/lib" --case every-pool-outbid --db "$TMP/r4.db"
expect_rc "entry without policy" 2
printf '{"t": {"policy": "guarded", "params": {"windw": 1}}}\n' >"$TMP/lib/every-pool-outbid/bounds.json"
run "$SB" regress "$TMP/lib" --case every-pool-outbid --db "$TMP/r4.db"
expect_rc "unknown param" 2
expect_err "unknown param" "t.params.windw: not a parameter of policy guarded"

# --set applies to every run of every case: the stored runs carry it.
run "$SB" regress "$TMP/lib" --case single-pool-outbid --set window=600 \
    --set asg.DefaultCooldown=600 --db "$TMP/r5.db"
expect_rc "--set" 0
n=$(sqlite3 "$TMP/r5.db" "SELECT count(*) FROM runs WHERE params LIKE '%\"window\": 600%' AND sets LIKE '%asg.DefaultCooldown=600%'")
[ "$n" -eq 2 ] && ok || bad "--set reached $n of 2 runs"
run "$SB" regress "$TMP/lib" --case single-pool-outbid --set windw=600 --db "$TMP/r5.db"
expect_rc "--set unknown key" 2

# --json: one object, the same verdicts as the table.
run "$SB" regress "$TMP/lib" --case single-pool-outbid --json --db "$TMP/r5.db"
expect_rc "--json" 0
$PY -c '
import json, sys
d = json.loads(sys.stdin.read())
assert d["failed"] == 0 and d["passed"] == 8, d
c = d["cases"][0]
assert c["case"] == "single-pool-outbid" and len(c["runs"]) == 2
assert all(k["pass"] for r in c["runs"] for k in r["checks"])' <"$TMP/out" && ok ||
    bad "--json: $(head -c 300 "$TMP/out")"

run "$SB" regress "$TMP/nosuch"
expect_rc "no folder" 2
# --seeds: every entry at each seed, each row named entry@seed; the figures
# are those of `run --set seed=S` of the same entry.
run "$SB" regress "$TMP/lib" --case single-pool-outbid --seeds 2-3 --json --db "$TMP/r6.db"
cp "$TMP/out" "$TMP/seeds.json"
"$SB" run traces/scenarios/single-pool-outbid/scenario.json --policy guarded --set seed=3 \
    --json --db "$TMP/r7.db" >"$TMP/g3.json" || bad "run guarded seed 3"
$PY - "$TMP/seeds.json" "$TMP/g3.json" <<'P' && ok || bad "regress --seeds figures"
import json, sys
d = json.load(open(sys.argv[1]))
g3 = json.load(open(sys.argv[2]))["summary"]
assert [c["seed"] for c in d["cases"]] == [2, 3], d
runs = {r["run"]: r for r in d["cases"][1]["runs"]}
cov = next(k for k in runs["guarded"]["checks"] if k["figure"] == "coverage_pct_min")
assert abs(cov["value"] - round(g3["coverage_pct"], 3)) < 1e-9, (cov, g3["coverage_pct"])
P
run "$SB" regress "$TMP/lib" --case single-pool-outbid --seeds 2-3 --db "$TMP/r8.db"
expect_out "--seeds rows" "guarded@3"
# --update over seeds: each bound the loosest of the seeds' own, so that it
# holds at every seed; computed here from `run --set seed=S` by the rule of
# docs/regression.md (a minimum: floor((v - 0.05) * 1000) / 1000; a cost
# maximum: ceil((v * 1.1 + 0.01) * 100) / 100).
run "$SB" regress "$TMP/lib" --case single-pool-outbid --seeds 2-3 --update --db "$TMP/r8.db"
expect_rc "--update with --seeds" 0
"$SB" run traces/scenarios/single-pool-outbid/scenario.json --policy guarded --set seed=2 \
    --json --db "$TMP/r7.db" >"$TMP/g2.json" || bad "run guarded seed 2"
$PY - "$TMP/lib/single-pool-outbid/bounds.json" "$TMP/g2.json" "$TMP/g3.json" <<'P' && ok || bad "bounds over seeds"
import json, math, sys
b = json.load(open(sys.argv[1]))["guarded"]
runs = [json.load(open(f))["summary"] for f in sys.argv[2:]]
cov = min(math.floor((r["coverage_pct"] - 0.05) * 1000) / 1000 for r in runs)
od = max(math.ceil((r["od_cost"] * 1.1 + 0.01) * 100) / 100 for r in runs)
assert abs(b["coverage_pct_min"] - cov) < 1e-9, (b["coverage_pct_min"], cov)
assert abs(b["od_cost_max"] - od) < 1e-9, (b["od_cost_max"], od)
P
run "$SB" regress "$TMP/lib" --case single-pool-outbid --seeds 2-3 --db "$TMP/r8.db"
expect_rc "bounds written over seeds 2-3 hold at both" 0

finish
