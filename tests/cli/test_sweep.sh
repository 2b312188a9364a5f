#!/bin/sh
# test_sweep.sh: `spotbench sweep` and `spotbench best` end to end: runs
# stored under one sweep id, the same results as `spotbench run`, Pareto
# fronts, best, bad input (exit 2, nothing stored), and a sweep killed with
# kill -9 and resumed (every run present exactly once, database intact).
. "$(dirname "$0")/lib.sh"
SC=traces/scenarios/all-outbid-3h/scenario.json
SW=traces/scenarios/seed-week/scenario.json
q() { sqlite3 "$1" "$2"; }

run "$SB" sweep "$SC" "$SW" --policy guarded --grid confirm=1:3:1 \
    --grid asg.DefaultCooldown=60,900 -j 2 --db "$TMP/a.db"
expect_rc "sweep" 0
expect_out "sweep" "sweep 1: policy guarded, 6 parameter sets x 2 scenarios"
expect_out "sweep" "Pareto front, $SC"
expect_out "sweep" "Pareto front over all scenarios (cost summed, minimum coverage)"
expect_err "sweep" "100%"
[ "$(q "$TMP/a.db" 'SELECT count(*) FROM runs')" = 12 ] && ok || bad "12 runs stored"
[ "$(q "$TMP/a.db" 'SELECT count(*) FROM sweep_runs WHERE sweep_id = 1')" = 12 ] && ok || bad "12 runs linked"
[ "$(q "$TMP/a.db" 'SELECT count(DISTINCT point) FROM sweep_runs')" = 6 ] && ok || bad "6 points"
[ "$(q "$TMP/a.db" "SELECT params FROM sweep_runs WHERE point = 5 AND scenario = 1")" = '{"confirm": 3, "asg.DefaultCooldown": 900}' ] && ok ||
    bad "point 5 params: $(q "$TMP/a.db" 'SELECT params FROM sweep_runs WHERE point = 5')"
[ "$(q "$TMP/a.db" 'SELECT count(*) FROM runs r JOIN sweep_runs w ON w.run_id = r.id WHERE json_extract(r.params, "$.confirm") <> json_extract(w.params, "$.confirm")')" = 0 ] && ok ||
    bad "runs ran with the swept parameters"

# A sweep's run is the run `spotbench run` makes with the same settings.
"$SB" run "$SW" --policy guarded --set confirm=3 --set asg.DefaultCooldown=900 --json --db "$TMP/r.db" >"$TMP/run.json"
a=$(q "$TMP/a.db" "SELECT printf('%.17g %.17g', m.total_cost, m.coverage_pct) FROM sweep_runs w JOIN summaries m ON m.run_id = w.run_id WHERE point = 5 AND scenario = 1")
b=$(q "$TMP/r.db" "SELECT printf('%.17g %.17g', total_cost, coverage_pct) FROM summaries")
[ -n "$a" ] && [ "$a" = "$b" ] && ok || bad "sweep run differs from spotbench run: '$a' vs '$b'"

# The printed aggregated front: each line's point is not dominated.
/usr/bin/python3 - "$TMP/a.db" <<'PY' && ok || bad "aggregated front is the brute-force one"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
pts = db.execute("""SELECT point, sum(total_cost), min(coverage_pct) FROM sweep_runs w
    JOIN summaries m ON m.run_id = w.run_id GROUP BY point""").fetchall()
front = [p for p in pts if not any(q[1] <= p[1] and q[2] >= p[2] and (q[1] < p[1] or q[2] > p[2]) for q in pts)]
assert front
PY

# Progress: one line per percent step when stderr is not a terminal; on a
# terminal one line rewritten in place (\r) with the rate and ETA.
[ "$(grep -c '^sweep: [0-9]*/12 ' "$TMP/err")" = 12 ] && ok || bad "12 progress lines: $(cat "$TMP/err")"
if command -v script >/dev/null 2>&1; then
    script -qec "$SB sweep $SC --policy classic --grid window=300,600 -j 1 --db $TMP/tty.db" /dev/null >"$TMP/tty.out" 2>&1
    grep -q "$(printf '\r')sweep: 2/2 (100%)" "$TMP/tty.out" && grep -qF "runs/s  ETA" "$TMP/tty.out" && ok ||
        bad "terminal progress: $(od -c "$TMP/tty.out" | head -5)"
fi
run "$SB" sweep "$SC" --policy classic --grid window=300,600 --quiet --db "$TMP/q.db"
expect_rc "quiet" 0
[ ! -s "$TMP/err" ] && ok || bad "--quiet printed: $(cat "$TMP/err")"

# best: the cheapest set meeting the coverage on every scenario.
run "$SB" best --sweep 1 --min-coverage 90 --db "$TMP/a.db"
expect_rc "best" 0
expect_out "best" "parameters  {"
want=$(q "$TMP/a.db" "SELECT printf('\$%.2f', sum(total_cost)) FROM sweep_runs w JOIN summaries m ON m.run_id = w.run_id GROUP BY point HAVING min(coverage_pct) >= 90 ORDER BY sum(total_cost), point LIMIT 1")
expect_out "best" "total cost  $want"
run "$SB" best --sweep 1 --min-coverage 100 --db "$TMP/a.db"
expect_rc "best none" 1
expect_err "best none" "none of its 6 parameter sets reaches 100 % coverage"
run "$SB" best --sweep 7 --min-coverage 99 --db "$TMP/a.db"
expect_rc "best no sweep" 2
expect_err "best no sweep" "no sweep 7"
run "$SB" best --sweep 1 --db "$TMP/a.db"
expect_rc "best no coverage" 2

# --random: seeded, so two sweeps draw the same values.
"$SB" sweep "$SC" --policy guarded --random staleness=60:300 --samples 4 --seed 3 -j 2 --quiet --db "$TMP/b.db" >/dev/null
"$SB" sweep "$SC" --policy guarded --random staleness=60:300 --samples 4 --seed 3 -j 1 --quiet --db "$TMP/b.db" >/dev/null
[ "$(q "$TMP/b.db" 'SELECT count(*) FROM sweeps')" = 2 ] && ok || bad "two sweeps"
a=$(q "$TMP/b.db" "SELECT point, params FROM sweep_runs WHERE sweep_id = 1 ORDER BY point")
b=$(q "$TMP/b.db" "SELECT point, params FROM sweep_runs WHERE sweep_id = 2 ORDER BY point")
[ -n "$a" ] && [ "$a" = "$b" ] && ok || bad "same seed, different draws"

# Bad input: exit 2, nothing stored.
run "$SB" sweep "$SC" --policy guarded --grid nosuchfield=1,2 --db "$TMP/c.db"
expect_rc "unknown key" 2
expect_err "unknown key" "nosuchfield"
run "$SB" sweep "$SC" --policy guarded --grid confirm=0,1 --db "$TMP/c.db"
expect_rc "out of range" 2
expect_err "out of range" "confirm=0"
run "$SB" sweep "$SC" --policy nosuch --grid window=1,2 --db "$TMP/c.db"
expect_rc "unknown policy" 2
run "$SB" sweep "$SC" --grid window=1,2 --db "$TMP/c.db"
expect_rc "no policy" 2
run "$SB" sweep "$SC" --policy classic --grid window=9:1:1 --db "$TMP/c.db"
expect_rc "bad grid" 2
[ ! -e "$TMP/c.db" ] && ok || bad "a bad sweep created the database"
run "$SB" sweep --resume 3 --db "$TMP/a.db"
expect_rc "resume unknown" 2

# kill -9 half-way, then --resume: every run exactly once, database intact.
# 1,800 runs of a week: enough that the poll below sees 30 stored long
# before the last (with 360 runs of three hours, a loaded machine's poll
# could miss the whole sweep).
"$SB" sweep "$SW" --policy guarded --grid window=60:1200:60 --grid confirm=1,2,3 \
    --grid scale_in_delay=300:1800:300 --grid staleness=120:360:60 -j 2 --quiet \
    --db "$TMP/k.db" >/dev/null 2>&1 &
pid=$!
n=0
for _ in $(seq 1 300); do
    n=$(q "$TMP/k.db" 'SELECT count(*) FROM sweep_runs' 2>/dev/null || echo 0)
    [ "${n:-0}" -ge 30 ] && break
    sleep 0.05
done
kill -9 $pid
wait $pid 2>/dev/null
sleep 0.3
n=$(q "$TMP/k.db" 'SELECT count(*) FROM sweep_runs')
[ "$n" -ge 30 ] && [ "$n" -lt 1800 ] && ok || bad "killed mid-way: $n of 1800 runs stored"
[ "$(q "$TMP/k.db" 'PRAGMA integrity_check')" = ok ] && ok || bad "integrity after kill -9"
run "$SB" sweep --resume 1 -j 2 --db "$TMP/k.db"
expect_rc "resume" 0
expect_err "resume" "to run on"
[ "$(q "$TMP/k.db" 'SELECT count(*) FROM sweep_runs')" = 1800 ] && ok || bad "resume: $(q "$TMP/k.db" 'SELECT count(*) FROM sweep_runs') of 1800"
[ "$(q "$TMP/k.db" 'SELECT count(*) FROM (SELECT DISTINCT point, scenario FROM sweep_runs)')" = 1800 ] && ok || bad "a point twice"
[ "$(q "$TMP/k.db" 'SELECT count(*) FROM runs')" = 1800 ] && ok || bad "runs: $(q "$TMP/k.db" 'SELECT count(*) FROM runs') (a run outside the sweep)"
[ "$(q "$TMP/k.db" 'SELECT count(*) FROM summaries')" = 1800 ] && ok || bad "summaries"
[ "$(q "$TMP/k.db" 'PRAGMA integrity_check')" = ok ] && ok || bad "integrity after resume"
run "$SB" sweep --resume 1 --db "$TMP/k.db"
expect_rc "resume of a complete sweep" 0
expect_err "resume of a complete sweep" "0 to run on"

# A sweep stored by a version 5 database (scenario hashes FNV-1a 64 of the
# scenario's bytes then its traces', no scenarios.hash_alg), interrupted
# after two of its four points: --resume upgrades the file, runs the two
# missing points only, and hashes as the sweep did, so its four runs share
# the one scenario row. The old database is this build's, turned back into
# version 5 with the old algorithm's hash computed here independently.
SO=traces/scenarios/all-outbid-3h
run "$SB" sweep "$SO/scenario.json" --policy guarded --grid confirm=1:4:1 -j 1 --quiet \
    --db "$TMP/old.db"
expect_rc "sweep to turn into version 5" 0
fnv=$(/usr/bin/python3 - "$SO/scenario.json" "$SO/prices.csv" <<'PY'
import sys
h = 14695981039346656037
for f in sys.argv[1:]:
    for b in open(f, "rb").read():
        h = ((h ^ b) * 1099511628211) % 2**64
print("%016x" % h)
PY
)
q "$TMP/old.db" "PRAGMA foreign_keys = ON; DROP VIEW run_results; DROP VIEW sweep_1_runs;
    UPDATE scenarios SET hash = '$fnv'; ALTER TABLE scenarios DROP COLUMN hash_alg;
    DROP TABLE timeseries_days;
    DELETE FROM runs WHERE id IN (SELECT run_id FROM sweep_runs WHERE point >= 2);
    PRAGMA user_version = 5" >/dev/null
kept=$(q "$TMP/old.db" 'SELECT group_concat(run_id) FROM sweep_runs ORDER BY point')
[ "$(q "$TMP/old.db" 'SELECT count(*) FROM runs')" = 2 ] && ok || bad "two runs left"
run "$SB" sweep --resume 1 -j 1 --db "$TMP/old.db"
expect_rc "resume of a version 5 sweep" 0
expect_err "resume of a version 5 sweep" "2 to run on"
[ "$(q "$TMP/old.db" 'PRAGMA user_version')" = 7 ] && ok || bad "upgraded to version 7"
[ "$(q "$TMP/old.db" 'SELECT group_concat(run_id) FROM (SELECT run_id FROM sweep_runs WHERE point < 2 ORDER BY point)')" = "$kept" ] &&
    ok || bad "the stored points ran again: $kept"
[ "$(q "$TMP/old.db" 'SELECT count(*) FROM runs')" = 4 ] && ok || bad "four runs"
[ "$(q "$TMP/old.db" "SELECT count(DISTINCT r.scenario_id) || ' ' || min(sc.hash) || ' ' || min(sc.hash_alg) FROM runs r JOIN scenarios sc ON sc.id = r.scenario_id")" = "1 $fnv fnv1a64" ] &&
    ok || bad "one scenario row, FNV-1a: $(q "$TMP/old.db" 'SELECT * FROM scenarios')"
# A new run of the same scenario: the new hash, a row of its own.
"$SB" run "$SO/scenario.json" --policy guarded --db "$TMP/old.db" >/dev/null
[ "$(q "$TMP/old.db" "SELECT count(*) FROM scenarios WHERE hash_alg = 'xxh64' AND hash <> '$fnv'")" = 1 ] &&
    ok || bad "a new run hashes with XXH64: $(q "$TMP/old.db" 'SELECT * FROM scenarios')"

finish
