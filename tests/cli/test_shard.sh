#!/bin/sh
# test_shard.sh: a sweep run as 4 shards in separate processes and merged
# gives the same runs as the sweep in one process (all but ids and created);
# shards from batch array variables; merge is idempotent and refuses
# shards of different sweeps and shards whose schema was altered.
. "$(dirname "$0")/lib.sh"
SC=traces/scenarios/all-outbid-3h/scenario.json
SW=traces/scenarios/seed-week/scenario.json
q() { sqlite3 "$1" "$2"; }
ARGS="$SC $SW --policy guarded --grid confirm=1:3:1 --grid asg.DefaultCooldown=60,900 --random staleness=60:300 --samples 2 --quiet"

"$SB" sweep $ARGS -j 2 --db "$TMP/one.db" >/dev/null || bad "one-process sweep"
for k in 1 2 3 4; do
    "$SB" sweep $ARGS -j 1 --shard $k/4 --db "$TMP/s$k.db" >/dev/null &
done
wait
for k in 1 2 3 4; do
    n=$(q "$TMP/s$k.db" 'SELECT count(*) FROM sweep_runs')
    [ "$n" = 6 ] && ok || bad "shard $k: $n runs, wanted 6 of 24"
done
run "$SB" merge "$TMP/out.db" "$TMP/s1.db" "$TMP/s2.db" "$TMP/s3.db" "$TMP/s4.db"
expect_rc "merge" 0
expect_out "merge" "6 runs copied into sweep 1"

# The same rows, keyed by (point, scenario) instead of run ids.
rows() {
    q "$1" "SELECT w.point, w.scenario, w.params, r.policy, r.params, r.sets, r.seed,
                   r.tool_version, r.timeseries, s.hash, s.name, s.path
            FROM sweep_runs w JOIN runs r ON r.id = w.run_id
            JOIN scenarios s ON s.id = r.scenario_id ORDER BY w.point, w.scenario"
    q "$1" "SELECT w.point, w.scenario, m.* FROM sweep_runs w
            JOIN (SELECT * FROM summaries) m ON m.run_id = w.run_id ORDER BY w.point, w.scenario" |
        cut -d'|' -f1,2,4-
    q "$1" "SELECT w.point, w.scenario, p.pool, p.instance_type, p.availability_zone,
                   p.weighted_capacity, p.spot_price, p.on_demand_price
            FROM sweep_runs w JOIN run_pools p ON p.run_id = w.run_id
            ORDER BY w.point, w.scenario, p.pool"
    q "$1" "SELECT policy, spec, points, scenarios, tool_version FROM sweeps"
}
rows "$TMP/one.db" >"$TMP/one.txt"
rows "$TMP/out.db" >"$TMP/out.txt"
[ "$(grep -c . "$TMP/one.txt")" -gt 48 ] && ok || bad "too few rows compared"
cmp -s "$TMP/one.txt" "$TMP/out.txt" && ok || bad "merged shards differ from one process: $(diff "$TMP/one.txt" "$TMP/out.txt" | head -5)"
[ "$(q "$TMP/out.db" 'PRAGMA integrity_check')" = ok ] && ok || bad "integrity"
[ "$(q "$TMP/out.db" 'PRAGMA foreign_key_check' | wc -l)" = 0 ] && ok || bad "foreign keys"

# A shard upgraded from an older schema holds the later columns last (ALTER
# TABLE ADD COLUMN): merged by name, its values land in their columns.
for k in 1 2 3 4; do cp "$TMP/s$k.db" "$TMP/u$k.db"; done
# (The views read every column: set aside while the columns move.)
q "$TMP/u1.db" "ATTACH '$TMP/s1.db' AS o;
    DROP VIEW run_results; DROP VIEW sweep_1_runs;
    ALTER TABLE summaries DROP COLUMN holds; ALTER TABLE summaries ADD COLUMN holds INTEGER;
    ALTER TABLE summaries DROP COLUMN spot_cost; ALTER TABLE summaries ADD COLUMN spot_cost REAL;
    UPDATE summaries SET
        holds = (SELECT holds FROM o.summaries x WHERE x.run_id = summaries.run_id),
        spot_cost = (SELECT spot_cost FROM o.summaries x WHERE x.run_id = summaries.run_id)"
[ "$(q "$TMP/u1.db" "SELECT name FROM pragma_table_info('summaries') ORDER BY cid DESC LIMIT 1")" = spot_cost ] &&
    ok || bad "the shard's columns were not reordered"
run "$SB" merge "$TMP/out2.db" "$TMP/u1.db" "$TMP/u2.db" "$TMP/u3.db" "$TMP/u4.db"
expect_rc "merge a reordered shard" 0
rows "$TMP/out2.db" >"$TMP/out2.txt"
cmp -s "$TMP/one.txt" "$TMP/out2.txt" && ok ||
    bad "a reordered shard merged wrong: $(diff "$TMP/one.txt" "$TMP/out2.txt" | head -3)"

# Idempotent.
run "$SB" merge "$TMP/out.db" "$TMP/s1.db" "$TMP/s2.db" "$TMP/s3.db" "$TMP/s4.db"
expect_rc "merge again" 0
expect_out "merge again" "0 runs copied into sweep 1"
[ "$(q "$TMP/out.db" 'SELECT count(*) FROM runs')" = 24 ] && ok || bad "merge again added runs"

# merge --json: one object; each shard's runs_copied counted here from the
# shard and the databases (a fresh OUT copies all, OUT as merged none).
run "$SB" merge --json "$TMP/outj.db" "$TMP/s1.db" "$TMP/s2.db"
expect_rc "merge --json" 0
expect_lines "merge --json" 1
n1=$(q "$TMP/s1.db" 'SELECT count(*) FROM sweep_runs')
sid=$(q "$TMP/outj.db" 'SELECT id FROM sweeps')
python3 - "$TMP/out" "$TMP/outj.db" "$TMP/s1.db" "$TMP/s2.db" "$n1" "$sid" <<'PY' \
    && ok || bad "merge --json: $(cat "$TMP/out")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["output"] == sys.argv[2], d
want = [{"file": sys.argv[3], "sweep": int(sys.argv[6]), "runs_copied": int(sys.argv[5])},
        {"file": sys.argv[4], "sweep": int(sys.argv[6]), "runs_copied": 6}]
assert d["shards"] == want, (d["shards"], want)
PY
run "$SB" merge "$TMP/outj.db" "$TMP/s1.db" --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["shards"][0]["runs_copied"] == 0, d' \
    "$TMP/out" && ok || bad "merge --json again: $(cat "$TMP/out")"
run "$SB" merge --json "$TMP/outj.db" "$TMP/s1.db" "$TMP/other-missing.db"
expect_rc "merge --json missing shard" 2
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["exit_status"] == 2 and "other-missing.db" in d["error"], d' \
    "$TMP/out" && ok || bad "merge --json missing shard: $(cat "$TMP/out")"

# The slice from a batch system's array variables (indices from 0).
for i in 0 1; do
    SLURM_ARRAY_TASK_ID=$i SLURM_ARRAY_TASK_COUNT=2 "$SB" sweep $ARGS -j 1 --db "$TMP/slurm$i.db" >/dev/null
done
AWS_BATCH_JOB_ARRAY_INDEX=1 AWS_BATCH_JOB_ARRAY_SIZE=2 "$SB" sweep $ARGS -j 1 --db "$TMP/aws1.db" >/dev/null
[ "$(q "$TMP/slurm0.db" 'SELECT count(*) FROM sweep_runs')" = 12 ] && ok || bad "slurm shard 0"
a=$(q "$TMP/slurm1.db" 'SELECT point, scenario FROM sweep_runs ORDER BY 1, 2')
b=$(q "$TMP/aws1.db" 'SELECT point, scenario FROM sweep_runs ORDER BY 1, 2')
[ -n "$a" ] && [ "$a" = "$b" ] && ok || bad "slurm and aws index 1 differ"
"$SB" merge "$TMP/arr.db" "$TMP/slurm0.db" "$TMP/slurm1.db" >/dev/null
[ "$(q "$TMP/arr.db" 'SELECT count(DISTINCT point || "," || scenario) FROM sweep_runs')" = 24 ] && ok || bad "array shards cover the sweep"
run env SLURM_ARRAY_TASK_ID=2 SLURM_ARRAY_TASK_COUNT=2 "$SB" sweep $ARGS --db "$TMP/x.db"
expect_rc "array index out of range" 2
run "$SB" sweep $ARGS --shard 5/4 --db "$TMP/x.db"
expect_rc "bad --shard" 2

# Mismatched sweeps are refused and leave OUT untouched.
"$SB" sweep "$SC" --policy guarded --grid confirm=1,2 --quiet --db "$TMP/other.db" >/dev/null
run "$SB" merge "$TMP/out.db" "$TMP/s1.db" "$TMP/other.db"
expect_rc "mismatch" 2
expect_err "mismatch" "not the same sweep"
[ "$(q "$TMP/out.db" 'SELECT count(*) FROM runs')" = 24 ] && ok || bad "refused merge changed OUT"
# A shard is untrusted input: one whose summaries is a view over a recursive
# CTE without end is refused at once (it kept merge busy until killed),
# before OUT is touched.
cp "$TMP/s2.db" "$TMP/evil.db"
q "$TMP/evil.db" "ALTER TABLE summaries RENAME TO s_old; CREATE VIEW summaries AS
    WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c) SELECT s.* FROM s_old s, c"
cp "$TMP/out.db" "$TMP/out-before.db"
run timeout 20 "$SB" merge "$TMP/out.db" "$TMP/evil.db"
expect_rc "a view for a table" 2
expect_err "a view for a table" "evil.db: 'summaries' is a view, not a table: refusing a shard"
cmp -s "$TMP/out.db" "$TMP/out-before.db" && ok || bad "a refused shard changed OUT"
run "$SB" merge "$TMP/out.db" "$TMP/missing.db"
expect_rc "missing shard" 2
run "$SB" merge "$TMP/out.db"
expect_rc "no shard" 2

finish
