#!/bin/sh
# test_json.sh: --json wherever a table is printed (sweep, best, regress --
# its own test --, trace info, policy list, run): one valid JSON value on one
# line whose figures are the stored runs' (read back with sqlite3) or the
# table's, and valid JSON even for a path that is not UTF-8.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
A=traces/scenarios/all-outbid-3h/scenario.json
E=traces/scenarios/every-pool-outbid/scenario.json
DB="$TMP/j.db"

# one_line: stdout is one line of valid JSON.
one_line() {
    expect_lines "$1" 1
    $PY -c 'import json, sys; json.loads(sys.stdin.read())' <"$TMP/out" && ok || bad "$1: not JSON"
}

run "$SB" sweep "$A" "$E" --policy guarded --grid confirm=1,3 --grid window=300,900 \
    --quiet --json --db "$DB"
expect_rc "sweep --json" 0
one_line "sweep --json"
cp "$TMP/out" "$TMP/sweep.json"
# Every front point's cost and coverage are its stored run's; the combined
# front's are the sums and minima over the point's runs.
sqlite3 -separator ' ' "$DB" "SELECT r.run_id, s.total_cost, s.coverage_pct, r.params FROM sweep_runs r JOIN summaries s ON s.run_id = r.run_id" >"$TMP/runs.txt"
$PY - "$TMP/sweep.json" "$TMP/runs.txt" <<'PYEOF' && ok || bad "sweep --json figures differ from the stored runs"
import json, sys
d = json.load(open(sys.argv[1]))
runs = {}
for line in open(sys.argv[2]):
    rid, cost, cov, params = line.split(" ", 3)
    runs[int(rid)] = (float(cost), float(cov), json.loads(params))
assert d["parameter_sets"] == 4 and len(d["scenarios"]) == 2, d
per, combined = d["fronts"][:2], d["fronts"][2]
for f in per:
    assert f["points"] == 4 and f["front"], f
    for p in f["front"]:
        c, v, params = runs[p["run_id"]]
        assert abs(p["total_cost"] - c) < 1e-9 and abs(p["coverage_pct"] - v) < 1e-9, p
        assert p["parameters"] == params, (p, params)
assert combined["scenario"] is None
for p in combined["front"]:
    mine = [r for r in runs.values() if r[2] == p["parameters"]]
    assert len(mine) == 2
    assert abs(p["total_cost"] - sum(r[0] for r in mine)) < 1e-9
    assert abs(p["coverage_pct"] - min(r[1] for r in mine)) < 1e-9
PYEOF

run "$SB" best --sweep 1 --min-coverage 99 --json --db "$DB"
expect_rc "best --json" 0
one_line "best --json"
$PY - "$TMP/out" "$TMP/runs.txt" <<'PYEOF' && ok || bad "best --json figures differ from the stored runs"
import json, sys
d = json.load(open(sys.argv[1]))
runs = {}
for line in open(sys.argv[2]):
    rid, cost, cov, params = line.split(" ", 3)
    runs[int(rid)] = (float(cost), float(cov), json.loads(params))
# The cheapest parameter set whose every run covers >= 99 %, found here.
sets = {}
for c, v, p in runs.values():
    k = json.dumps(p, sort_keys=True)
    sets.setdefault(k, []).append((c, v))
ok = {k: sum(c for c, _ in r) for k, r in sets.items() if min(v for _, v in r) >= 99}
want = min(ok, key=ok.get)
assert json.dumps(d["parameters"], sort_keys=True) == want, (d["parameters"], want)
assert abs(d["total_cost"] - ok[want]) < 1e-9
assert len(d["runs"]) == 2 and d["deploy"].startswith("spotbench deploy cloudformation")
PYEOF

# trace info: the table's figures.
FX=tests/fixtures/spot-c4.large-2021-05-30.json
"$SB" trace info "$FX" --above 0.0312 >"$TMP/info.txt" 2>/dev/null
run "$SB" trace info "$FX" --above 0.0312 --json
expect_rc "trace info --json" 0
one_line "trace info --json"
$PY - "$TMP/out" "$TMP/info.txt" <<'PYEOF' && ok || bad "trace info --json differs from its table"
import json, sys
d = json.load(open(sys.argv[1]))
rows = [l.split() for l in open(sys.argv[2]) if l.startswith("  c4.large ") and len(l.split()) == 6]
assert d["kind"] == "prices" and len(d["pools"]) == len(rows) == 6
for p, r in zip(d["pools"], rows):
    assert (p["InstanceType"], p["AvailabilityZone"], p["records"]) == (r[0], r[1], int(r[2]))
    assert "%.6g" % p["min"] == r[3] and "%.6g" % p["median"] == r[4] and "%.6g" % p["max"] == r[5]
eps = sum(p["episodes"] for p in d["pools"])
assert ("all pools: %d episodes" % eps) in open(sys.argv[2]).read()
PYEOF

# policy list: every parameter and default of the table.
"$SB" policy list >"$TMP/list.txt"
run "$SB" policy list --json
expect_rc "policy list --json" 0
one_line "policy list --json"
$PY - "$TMP/out" "$TMP/list.txt" <<'PYEOF' && ok || bad "policy list --json differs from its table"
import json, sys
d = json.load(open(sys.argv[1]))
text = open(sys.argv[2]).read()
assert [p["name"] for p in d["policies"]] == [l.split(":")[0] for l in text.splitlines() if l and not l.startswith(" ")]
for p in d["policies"]:
    for q in p["params"]:
        assert "  %-20s %10g " % (q["name"], q["default"]) in text, q
        assert q["min"] <= q["default"] <= q["max"]
PYEOF

# A scenario path that is not UTF-8 still gives valid JSON.
mkdir "$TMP/u"
cp traces/scenarios/all-outbid-3h/* "$TMP/u/"
L1="$TMP/u/caf$(printf '\351').json"
mv "$TMP/u/scenario.json" "$L1"
run "$SB" sweep "$L1" --policy guarded --grid confirm=1,2 --quiet --json --db "$TMP/u.db"
expect_rc "sweep --json, a Latin-1 path" 0
$PY -c 'import json, sys; d = json.loads(sys.stdin.buffer.read().decode("utf-8")); assert d["scenarios"][0].endswith("caf\ufffd.json"), d' \
    <"$TMP/out" && ok || bad "sweep --json with a Latin-1 path: $(head -c 300 "$TMP/out")"
finish
