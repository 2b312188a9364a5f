#!/bin/sh
# tune-walkthrough.sh: the runs behind the figures of docs/sweep.md's tuning
# walkthrough (window x cooldown on seed-week), so scripts/figures.py can make
# them again. Needs $SB (the binary) and $DB (a database of its own).
#   tune-walkthrough.sh front       the guarded sweep's output
#   tune-walkthrough.sh table       cost and coverage per cooldown, both policies
#   tune-walkthrough.sh classic     classic's launches, flaps, latency per cooldown
#   tune-walkthrough.sh best PCT    best --min-coverage PCT on the guarded sweep
set -eu
SC=traces/scenarios/seed-week/scenario.json
GRID="--grid window=60,120,300,600,900,1200 --grid asg.DefaultCooldown=60,300,600,900,1800,2700"
sweeps() {
    # shellcheck disable=SC2086
    "$SB" sweep "$SC" --policy classic $GRID -j 1 --db "$DB" --quiet >/dev/null
    # shellcheck disable=SC2086
    "$SB" sweep "$SC" --policy guarded $GRID -j 1 --db "$DB" --quiet
}
cd "$(dirname "$0")/.."
case ${1:-} in
front)
    sweeps
    ;;
table)
    sweeps >/dev/null
    sqlite3 "$DB" ".mode markdown" "
        SELECT json_extract(c.params, '$.\"asg.DefaultCooldown\"') AS 'DefaultCooldown (s)',
               printf('\$%.2f', mc.total_cost) AS 'classic cost',
               printf('%.3f %%', mc.coverage_pct) AS 'classic coverage',
               printf('\$%.2f', mg.total_cost) AS 'guarded cost',
               printf('%.3f %%', mg.coverage_pct) AS 'guarded coverage'
        FROM sweep_runs c JOIN summaries mc ON mc.run_id = c.run_id
        JOIN sweep_runs g ON g.sweep_id = 2 AND g.params = c.params
        JOIN summaries mg ON mg.run_id = g.run_id
        WHERE c.sweep_id = 1 AND json_extract(c.params, '$.window') = 600
        ORDER BY 1"
    ;;
classic)
    sweeps >/dev/null
    sqlite3 "$DB" ".mode markdown" "
        SELECT json_extract(w.params, '$.\"asg.DefaultCooldown\"') AS 'DefaultCooldown (s)',
               m.od_launches AS 'on-demand launches', m.flaps AS flaps,
               m.fallback_latency_median_s AS 'median fallback latency (s)',
               printf('%.1f', m.od_instance_hours) AS 'on-demand instance-hours',
               printf('\$%.2f', m.od_cost) AS 'on-demand cost'
        FROM sweep_runs w JOIN summaries m ON m.run_id = w.run_id
        WHERE w.sweep_id = 1 AND json_extract(w.params, '$.window') = 600
        ORDER BY 1"
    ;;
best)
    sweeps >/dev/null
    # Shown with the walkthrough's own database path.
    echo "\$ spotbench best --sweep 2 --min-coverage $2 --db results/tune.db"
    "$SB" best --sweep 2 --min-coverage "$2" --db "$DB" 2>&1 | sed "s#$DB#results/tune.db#g" || true
    ;;
*)
    echo "usage: $0 front|table|classic|best PCT" >&2
    exit 2
    ;;
esac
