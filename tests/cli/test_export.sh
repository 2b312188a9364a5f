#!/bin/sh
# test_export.sh: spotbench export: a sweep as CSV (read back with Python's
# csv module: one row per run, each swept key a column, numbers exact) and
# JSON Lines, the same rows as the database's view, a compare's sweeps
# under one header, every run, and the refusals; a run's timeseries
# (--run), checked against the stored rows decoded here, and the same from
# a database of the previous format (tests/fixtures/store-v5-timeseries.sql.gz).
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
# ---- a run's timeseries (--run) ----------------------------------------------
# The fixture: the run below stored by the previous build (schema 5: one
# timeseries row per minute, prices as text, one decisions row per 'none').
OLD=$TMP/old.db
gzip -dc tests/fixtures/store-v5-timeseries.sql.gz | sqlite3 "$OLD"
[ "$(sqlite3 "$OLD" 'PRAGMA user_version')" = 5 ] && ok || bad "the fixture is not version 5"
run "$SB" export --run 1 --db "$OLD" -o "$TMP/old.csv"
expect_rc "export --run from a version 5 database" 0
[ "$(sqlite3 "$OLD" 'PRAGMA user_version')" = 7 ] && ok || bad "the fixture was not upgraded"
TS=$TMP/ts.db
"$SB" run traces/scenarios/all-outbid-3h/scenario.json --policy guarded --timeseries \
    --set start=2017-03-01T05:30:00Z --set end=2017-03-01T09:30:00Z --db "$TS" >/dev/null 2>&1
run "$SB" export --run 1 --db "$TS" -o "$TMP/new.csv"
expect_rc "export --run" 0
# The same run through either format: the same bytes.
cmp -s "$TMP/old.csv" "$TMP/new.csv" && ok ||
    bad "the timeseries differs between the formats: $(diff "$TMP/old.csv" "$TMP/new.csv" | head -3)"
# Read with Python's csv module and checked against the stored rows,
# decoded here from docs/store.md's description (not spotbench's reader),
# and the old table's rows of the fixture.
/usr/bin/python3 - "$TMP/new.csv" "$TS" "$OLD" <<'PYEOF' && ok || bad "the exported timeseries is not the stored one"
import csv, sqlite3, struct, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
def varint(b, i):
    v = s = 0
    while True:
        c = b[i]; i += 1
        v |= (c & 0x7f) << s; s += 7
        if not c & 0x80:
            return v, i
def runs(b, i, n, integer):
    out = []
    while len(out) < n:
        k, i = varint(b, i)
        if integer:
            z, i = varint(b, i)
            v = (z >> 1) ^ -(z & 1)
        else:
            v = struct.unpack_from("<d", b, i)[0]; i += 8
        out += [v] * k
    assert len(out) == n
    return out, i
db = sqlite3.connect(sys.argv[2])
cols = ["required", "target", "fulfilled", "pending", "terminating", "spot_units",
        "od_units", "od_desired", "od_in_service"]
want = []
for rec in db.execute("SELECT t, n, npools, dt, " + ", ".join(cols) +
                      ", prices FROM timeseries_days WHERE run_id = 1 ORDER BY t"):
    t, n, npools, dt = rec[0], rec[1], rec[2], rec[3]
    steps = runs(dt, 0, n - 1, True)[0]
    ts = [t]
    for d in steps:
        ts.append(ts[-1] + d)
    vals = [runs(b, 0, n, c in ("od_desired", "od_in_service"))[0] for c, b in zip(cols, rec[4:13])]
    i, prices = 0, []
    for p in range(npools):
        v, i = runs(rec[13], i, n, False)
        prices.append(v)
    assert i == len(rec[13])
    for k in range(n):
        want.append([ts[k]] + [v[k] for v in vals] + [p[k] for p in prices])
assert len(rows) == len(want) == 239, (len(rows), len(want))   # 4 h of minutes after the start
assert want[0][0] == 1488346260 and all(b[0] - a[0] == 60 for a, b in zip(want, want[1:]))
for r, w in zip(rows, want):
    got = [int(r["t"])] + [float(r[c]) for c in cols] + \
          [float(r["price_%d" % p]) for p in range(len(w) - 10)]
    assert got == w, (got, w)
# The old table's rows (prices as text) are the same values.
old = sqlite3.connect(sys.argv[3]).execute(
    "SELECT t, " + ", ".join(cols) + ", prices FROM timeseries WHERE run_id = 1 ORDER BY t").fetchall()
assert [list(o[:10]) + [float(x) for x in o[10].split(",")] for o in old] == want
# Something happens in these four hours: every pool outbid, on-demand covering.
assert len({tuple(w[10:]) for w in want}) == 2 and max(w[8] for w in want) > 0
PYEOF
# The decisions: the same invocations; a run of identical 'none' is one row.
cat >"$TMP/dec.sql" <<'SQLEOF'
WITH RECURSIVE d(k, t, seq, action, desired, honor_cooldown, reason, accepted, error) AS (
    SELECT 0, t, seq, action, desired, honor_cooldown, reason, accepted, error
    FROM decisions WHERE repeats >= 1
    UNION ALL SELECT k + 1, t, seq, action, desired, honor_cooldown, reason, accepted, error
    FROM d WHERE k + 1 < (SELECT repeats FROM decisions x WHERE x.run_id = 1 AND x.t = d.t
                          AND x.seq = d.seq))
SELECT seq + k, action, desired, honor_cooldown, reason, accepted, error FROM d ORDER BY 1;
SQLEOF
sqlite3 "$OLD" <"$TMP/dec.sql" >"$TMP/old.dec"
sqlite3 "$TS" <"$TMP/dec.sql" >"$TMP/new.dec"
[ "$(wc -l <"$TMP/new.dec")" = 240 ] && cmp -s "$TMP/old.dec" "$TMP/new.dec" && ok ||
    bad "the decisions differ between the formats"
[ "$(sqlite3 "$TS" "SELECT count(*) FROM decisions WHERE action = 'none'")" -lt \
  "$(sqlite3 "$OLD" "SELECT count(*) FROM decisions WHERE action = 'none'")" ] && ok ||
    bad "runs of 'none' decisions are not one row each"
run "$SB" export --run 1 --format jsonl --db "$TS"
expect_rc "export --run --format jsonl" 0
/usr/bin/python3 - "$TMP/out" "$TMP/new.csv" <<'PYEOF' && ok || bad "the JSON Lines timeseries is not the CSV's"
import csv, json, sys
j = [json.loads(l) for l in open(sys.argv[1])]
c = list(csv.DictReader(open(sys.argv[2], newline="")))
assert len(j) == len(c) == 239
for a, b in zip(j, c):
    assert list(a) == list(b) and all(float(a[k]) == float(b[k]) for k in a), (a, b)
PYEOF
run "$SB" export --run 9 --db "$TS" -o "$TMP/none.csv"
expect_rc "no such run" 2
expect_err "no such run" "no run 9"
[ ! -e "$TMP/none.csv" ] && ok || bad "a refused export left a file"
run "$SB" export --run 1 --db "$DB"
expect_rc "a run without its timeseries" 2
expect_err "a run without its timeseries" "stored without its timeseries"
run "$SB" export --run 1 --runs --db "$TS"
expect_rc "--run with --runs" 2
finish
