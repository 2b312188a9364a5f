#!/bin/sh
# demo.sh: the main job on the bundled default scenario: the seed's own fleet
# through a week of recorded 2016 spot prices in which every pool is outbid
# for hours, run with the seed's controller (classic) and the improved one
# (guarded), summaries side by side. Runs are stored in results/spotbench.db.
set -eu
cd "$(dirname "$0")/.."
SB=${BUILD:-build}/spotbench
SCENARIO=traces/scenarios/seed-week/scenario.json
echo "== spotbench run $SCENARIO --policy classic --policy guarded"
"$SB" run "$SCENARIO" --policy classic --policy guarded --timeseries
echo
echo "Stored in results/spotbench.db; try:"
echo "  sqlite3 -header -column results/spotbench.db 'SELECT run_id, policy, total_cost, coverage_pct FROM summaries JOIN runs ON runs.id = run_id'"
