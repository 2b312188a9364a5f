#!/bin/sh
# test_run.sh: `spotbench run` end to end: summaries, storage, determinism,
# --set, and bad scenarios (exit 2, nothing stored).
. "$(dirname "$0")/lib.sh"
SC=traces/scenarios/all-outbid-3h/scenario.json
q() { sqlite3 "$1" "$2"; }

run "$SB" run "$SC" --db "$TMP/a.db"
expect_rc "run" 0
expect_out "run" "all-outbid-3h"
expect_out "run" "classic"
expect_out "run" "fallback latency med/max"
[ "$(q "$TMP/a.db" 'SELECT count(*) FROM runs')" = 1 ] && ok || bad "one run stored"
[ "$(q "$TMP/a.db" 'SELECT count(*) FROM summaries')" = 1 ] && ok || bad "one summary stored"
[ "$(q "$TMP/a.db" 'SELECT count(*) FROM timeseries_days')" = 0 ] && ok || bad "no timeseries without --timeseries"
[ "$(q "$TMP/a.db" 'PRAGMA journal_mode')" = wal ] && ok || bad "WAL"

# JSON: total = spot + on-demand, and the stored summary holds the same.
run "$SB" run "$SC" --policy classic --policy guarded --json --timeseries --db "$TMP/b.db"
expect_rc "run --json" 0
expect_lines "run --json" 2
/usr/bin/python3 - "$TMP/out" "$TMP/b.db" <<'PY' && ok || bad "json summary consistent with the database"
import json, sqlite3, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
db = sqlite3.connect(sys.argv[2])
assert [r["policy"] for r in rows] == ["classic", "guarded"]
for r in rows:
    s = r["summary"]
    assert abs(s["total_cost"] - s["spot_cost"] - s["od_cost"]) < 1e-9
    assert 0 <= s["coverage_pct"] <= 100
    # 24 h of 32 units required
    assert abs(s["required_unit_hours"] - 32 * 24) < 1e-9, s["required_unit_hours"]
    stored = db.execute("SELECT total_cost, coverage_pct, set_calls FROM summaries WHERE run_id = ?", (r["run_id"],)).fetchone()
    assert stored == (s["total_cost"], s["coverage_pct"], s["set_calls"]), (stored, s)
    n = db.execute("SELECT sum(n) FROM timeseries_days WHERE run_id = ?", (r["run_id"],)).fetchone()[0]
    assert n == 24 * 60 - 1, n   # one sample per minute after the start
    nd = db.execute("SELECT sum(repeats) FROM decisions WHERE run_id = ?", (r["run_id"],)).fetchone()[0]
    assert nd == 24 * 60, nd     # every invocation, with --timeseries
    # a row stands for `repeats` consecutive invocations, the last at last_t
    bad = db.execute("SELECT count(*) FROM decisions WHERE run_id = ? AND NOT"
                     " (last_t >= t AND (repeats > 1 OR last_t = t) AND"
                     " (repeats = 1 OR (action = 'set' AND accepted = 0) OR action = 'none'))",
                     (r["run_id"],)).fetchone()[0]
    assert bad == 0, bad
    gaps = db.execute("SELECT count(*) FROM (SELECT seq, repeats, lead(seq) OVER"
                      " (ORDER BY seq) AS nxt FROM decisions WHERE run_id = ?)"
                      " WHERE nxt IS NOT NULL AND nxt <> seq + repeats",
                      (r["run_id"],)).fetchone()[0]
    assert gaps == 0, gaps       # with --timeseries no invocation is left out
# the outage of all four pools is covered by on-demand instances
assert rows[0]["summary"]["od_launches"] > 0 and rows[1]["summary"]["od_launches"] > 0
PY

# Determinism: the same scenario and seed give identical rows.
"$SB" run "$SC" --timeseries --db "$TMP/c1.db" >/dev/null
"$SB" run "$SC" --timeseries --db "$TMP/c2.db" >/dev/null
for t in summaries decisions timeseries_days run_pools scenarios; do
    a=$(q "$TMP/c1.db" "SELECT * FROM $t" | md5sum)
    b=$(q "$TMP/c2.db" "SELECT * FROM $t" | md5sum)
    [ "$a" = "$b" ] && ok || bad "table $t differs between identical runs"
done
a=$(q "$TMP/c1.db" "SELECT scenario_id, policy, params, sets, seed, tool_version FROM runs" | md5sum)
b=$(q "$TMP/c2.db" "SELECT scenario_id, policy, params, sets, seed, tool_version FROM runs" | md5sum)
[ "$a" = "$b" ] && ok || bad "runs rows differ between identical runs"

# --set: a policy parameter and a scenario field, both recorded.
run "$SB" run "$SC" --set window=900 --set asg.DefaultCooldown=600 --set seed=5 --json --db "$TMP/d.db"
expect_rc "run --set" 0
expect_out "run --set" '"window": 900'
expect_out "run --set" '"seed": 5'
[ "$(q "$TMP/d.db" "SELECT sets FROM runs")" = '["asg.DefaultCooldown=600", "seed=5", "window=900"]' ] && ok ||
    bad "sets stored: $(q "$TMP/d.db" 'SELECT sets FROM runs')"

# Bad input: exit 2, a message naming the field, nothing stored.
cp -r traces/scenarios/all-outbid-3h "$TMP/bad"
sed 's/"MinSize": 0/"MinSize": -1/' "$SC" >"$TMP/bad/scenario.json"
run "$SB" run "$TMP/bad/scenario.json" --db "$TMP/e.db"
expect_rc "bad field" 2
expect_err "bad field" "spotbench: $TMP/bad/scenario.json: asg.MinSize:"
[ ! -e "$TMP/e.db" ] && ok || bad "a scenario that failed to load created the database"
run "$SB" run "$SC" --set asg.MinSize=300 --db "$TMP/a.db"
expect_rc "set out of range" 2
expect_err "set out of range" "asg."
[ "$(q "$TMP/a.db" 'SELECT count(*) FROM runs')" = 1 ] && ok || bad "failed load stored a run"
printf 'Timestamp,InstanceType,AvailabilityZone,SpotPrice\n2017-03-01T00:00:00Z,c4.xlarge,us-east-1d,abc\n' >"$TMP/bad/prices.csv"
cp "$SC" "$TMP/bad/scenario.json"
run "$SB" run "$TMP/bad/scenario.json" --db "$TMP/e.db"
expect_rc "bad trace" 2
expect_err "bad trace" "prices.csv:2: SpotPrice:"
run "$SB" run "$TMP/missing.json"
expect_rc "missing scenario" 2
expect_err "missing scenario" "missing.json"
run "$SB" run "$SC" --policy nosuch --db "$TMP/a.db"
expect_rc "unknown policy" 2
run "$SB" run "$SC" --policy classic --set confirm=3 --db "$TMP/a.db"
expect_rc "param of another policy" 2
expect_err "param of another policy" "spotbench: --set confirm=3: 'confirm' is a parameter of guarded, not of classic (see 'spotbench policy list')"
run "$SB" run "$SC" --set nosuchfield=1 --db "$TMP/a.db"
expect_rc "unknown field" 2
expect_err "unknown field" "nosuchfield"
run "$SB" run
expect_rc "no scenario" 2

# classic on a fleet whose TargetCapacity is not its fallback_capacity
# (the original's hard-coded 32 units) says so, once.
run "$SB" run "$SC" --policy classic --policy guarded --policy classic \
    --set fleet.TargetCapacity=48 --db "$TMP/fb.db"
expect_rc "48-unit fleet" 0
n=$(grep -c "fallback_capacity 32 units" "$TMP/err")
[ "$n" -eq 1 ] && ok || bad "48-unit fleet: $n notes, wanted 1: $(cat "$TMP/err")"
expect_err "48-unit fleet" "the fleet's TargetCapacity is 48 (--set fallback_capacity=48 to match)"
for args in "--policy classic" "--policy guarded --set fleet.TargetCapacity=48" \
    "--policy classic --set fleet.TargetCapacity=48 --set fallback_capacity=48"; do
    # shellcheck disable=SC2086
    run "$SB" run "$SC" $args --db "$TMP/fb.db"
    grep -q "fallback_capacity" "$TMP/err" && bad "a note with $args: $(cat "$TMP/err")" || ok
done
run "$SB" sweep "$SC" --policy classic --grid window=300,600 --set fleet.TargetCapacity=48 \
    --quiet --db "$TMP/fbs.db"
n=$(grep -c "fallback_capacity 32 units" "$TMP/err")
[ "$n" -eq 1 ] && ok || bad "sweep on a 48-unit fleet: $n notes, wanted 1"

# Names are UTF-8: a scenario file named in another encoding gives a valid
# JSON line, and a "name" that is not UTF-8 is a field error.
mkdir "$TMP/u"
cp traces/scenarios/all-outbid-3h/prices.csv "$TMP/u/"
sed '/"name":/d' "$SC" >"$TMP/u/caf$(printf '\351').json"
run "$SB" run "$TMP/u/caf$(printf '\351').json" --json --db "$TMP/u.db"
expect_rc "non-UTF-8 file name" 0
/usr/bin/python3 -c 'import json, sys; d = json.loads(sys.stdin.buffer.read().decode("utf-8")); assert d["scenario"] == "caf?", d["scenario"]' \
    <"$TMP/out" && ok || bad "run --json with a non-UTF-8 name: $(head -c 200 "$TMP/out")"
sed "s/\"name\": \"[^\"]*\"/\"name\": \"caf$(printf '\351')\"/" "$SC" >"$TMP/u/bad.json"
run "$SB" run "$TMP/u/bad.json" --json --db "$TMP/u.db"
expect_rc "non-UTF-8 name field" 2
expect_err "non-UTF-8 name field" "name: is not valid UTF-8"

# A database that cannot be created (a full disk, here a file size limit of
# 0) is not left behind as a 0-byte file.
mkdir "$TMP/full"
sh -c "trap '' XFSZ; ulimit -f 0; exec \"$SB\" run \"$SC\" --db \"$TMP/full/new.db\"" \
    >/dev/null 2>"$TMP/err"
[ $? -eq 1 ] && ok || bad "a database on a full disk: not exit 1"
[ -z "$(ls -A "$TMP/full")" ] && ok || bad "left on a full disk: $(ls -lA "$TMP/full")"

# --seeds: each policy at each seed; the summary's figures computed here
# from the per-run JSON of the same command.
S3=traces/scenarios/all-outbid-3h/scenario.json
run "$SB" run "$S3" --policy classic --policy guarded --seeds 4-6 --json --db "$TMP/sd.db"
expect_rc "run --seeds --json" 0
expect_lines "one JSON line per run" 6
cp "$TMP/out" "$TMP/seeds.jsonl"
run "$SB" run "$S3" --policy classic --policy guarded --seeds 4-6 --db "$TMP/sd2.db"
expect_rc "run --seeds" 0
expect_out "run --seeds" "3 seeds: 4 .. 6"
python3 - "$TMP/seeds.jsonl" "$TMP/out" <<'PY' && ok || bad "run --seeds summary"
import json, math, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
assert [r["seed"] for r in runs] == [4, 4, 5, 5, 6, 6], [r["seed"] for r in runs]
assert [r["policy"] for r in runs[:2]] == ["classic", "guarded"]
text = open(sys.argv[2]).read()
row = next(l for l in text.split("\n") if l.startswith("total cost, mean [95 % CI]"))
for p in ("classic", "guarded"):
    xs = [r["summary"]["total_cost"] for r in runs if r["policy"] == p]
    m = sum(xs) / 3
    h = 4.302653 * math.sqrt(sum((x - m) ** 2 for x in xs) / 2) / math.sqrt(3)
    cell = "$%.2f [%.2f, %.2f]" % (m, m - h, m + h)
    assert cell in row, (cell, row)
PY
# The --set rule as without --seeds: window goes to classic, not karpenter.
run "$SB" run "$S3" --policy classic --policy karpenter --set window=900 --seeds 2 --json \
    --db "$TMP/sd4.db"
expect_rc "run --seeds, a parameter of one policy" 0
python3 - "$TMP/out" <<'PY' && ok || bad "run --seeds: window=900 reached classic only"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert len(rows) == 4, rows
for r in rows:
    assert (r["params"].get("window") == 900) == (r["policy"] == "classic"), r["params"]
PY
run "$SB" run "$S3" --seeds 3 --set seed=2 --db "$TMP/sd3.db"
expect_rc "--seeds with --set seed" 2
expect_err "--seeds with --set seed" "--set seed=2: --seeds gives each run its seed"

finish
