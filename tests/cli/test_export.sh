#!/bin/sh
# test_export.sh: spotbench export: a sweep as CSV (read back with Python's
# csv module: one row per run, each swept key a column, numbers exact) and
# JSON Lines, the same rows as the database's view, a compare's sweeps
# under one header, every run, and the refusals.
. "$(dirname "$0")/lib.sh"
SC=traces/scenarios/seed-week/scenario.json
DB=$TMP/x.db
run "$SB" sweep "$SC" --policy guarded --grid confirm=1,3 \
    --grid asg.DefaultCooldown=600,2700 --db "$DB" --quiet
expect_rc "sweep" 0
run "$SB" export --sweep 1 --db "$DB" -o "$TMP/s1.csv"
expect_rc "export csv" 0
# The expected values come from the tables themselves (sweep_runs joined
# with summaries), not from the view export reads.
sqlite3 -separator ' ' "$DB" "SELECT w.point, w.run_id, printf('%.17g', m.total_cost),
    printf('%.17g', m.coverage_pct) FROM sweep_runs w JOIN summaries m
    ON m.run_id = w.run_id WHERE w.sweep_id = 1 ORDER BY w.point" >"$TMP/want"
/usr/bin/python3 - "$TMP/s1.csv" "$TMP/want" <<'PYEOF' && ok || bad "the CSV is not one row per run"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
want = [l.split() for l in open(sys.argv[2])]
assert len(rows) == 4 == len(want), (len(rows), len(want))
# Point p of a 2 x 2 grid: the first axis varies slowest.
grid = [("1", "600"), ("1", "2700"), ("3", "600"), ("3", "2700")]
for r, (p, run, cost, cov) in zip(rows, want):
    assert r["point"] == p and r["run_id"] == run, (r["point"], p)
    assert (r["confirm"], r["asg.DefaultCooldown"]) == grid[int(p)], r
    assert float(r["total_cost"]) == float(cost), (r["total_cost"], cost)
    assert float(r["coverage_pct"]) == float(cov)
    assert r["policy"] == "guarded" and r["scenario"] == "traces/scenarios/seed-week/scenario.json"
    assert len(r["scenario_hash"]) == 16 and r["seed"] == "1", r
PYEOF
# The view holds the same rows and columns.
sqlite3 -csv -header "$DB" "SELECT * FROM sweep_1_runs ORDER BY point" | tr -d '\r' >"$TMP/view.csv"
/usr/bin/python3 - "$TMP/s1.csv" "$TMP/view.csv" <<'PYEOF' && ok || bad "export and the view differ"
import csv, sys
a = list(csv.reader(open(sys.argv[1], newline="")))
b = list(csv.reader(open(sys.argv[2], newline="")))
assert a[0] == b[0], (a[0], b[0])
assert len(a) == len(b)
for x, y in zip(a[1:], b[1:]):
    for u, v in zip(x, y):
        try:
            # sqlite3 -csv prints 15 digits, export 17.
            assert abs(float(u) - float(v)) <= 1e-12 * max(1, abs(float(v))), (u, v)
        except ValueError:
            assert u == v, (u, v)
PYEOF
run "$SB" export --sweep last --format jsonl --db "$DB"
expect_rc "export jsonl" 0
expect_lines "export jsonl" 4
/usr/bin/python3 -c 'import json,sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert [r["confirm"] for r in rows] == [1, 1, 3, 3], rows
assert [r["asg.DefaultCooldown"] for r in rows] == [600, 2700, 600, 2700]' "$TMP/out" \
    && ok || bad "the JSON Lines rows are not the sweep's"
# A compare's sweeps (the same columns) under one header; runs.
run "$SB" compare traces/scenarios/all-outbid-3h/scenario.json --policy guarded \
    --policy classic --seeds 2 --db "$TMP/c.db"
expect_rc "compare" 0
ids=$(sqlite3 "$TMP/c.db" "SELECT group_concat('--sweep ' || id, ' ') FROM sweeps")
# shellcheck disable=SC2086
run "$SB" export $ids --db "$TMP/c.db"
expect_rc "export a compare" 0
n=$(sqlite3 "$TMP/c.db" "SELECT count(*) FROM sweep_runs")
expect_lines "export a compare: a header and a row per run" $((n + 1))
run "$SB" export --runs --db "$DB"
expect_rc "export --runs" 0
expect_lines "export --runs" 5
# Refusals.
run "$SB" export --sweep 7 --db "$DB"
expect_rc "no such sweep" 2
expect_err "no such sweep" "no sweep 7"
"$SB" sweep "$SC" --policy guarded --grid window=300,600 --db "$DB" --quiet >/dev/null
run "$SB" export --sweep 1 --sweep 2 --db "$DB" -o "$TMP/mixed.csv"
expect_rc "sweeps of other columns" 2
[ ! -e "$TMP/mixed.csv" ] && ok || bad "a refused export left a file"
run "$SB" export --sweep 1 --format xls --db "$DB"
expect_rc "bad format" 2
run "$SB" export --db "$DB"
expect_rc "nothing to export" 2
finish
