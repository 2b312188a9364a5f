#!/bin/sh
# demo.sh: the main job on the bundled default scenario: the seed's own fleet
# through a week of recorded 2016 spot prices in which every pool is outbid
# for hours, run with the seed's controller (classic), the improved one
# (guarded) and the oracle bound, summaries side by side; how far the answer
# moves with the metrics' ingestion delay and the schedule's second; a small sweep
# of guarded's settings, its cost-versus-coverage frontier and the timeline
# of the outage. Everything is stored in results/spotbench.db.
set -eu
cd "$(dirname "$0")/.."
SB=${BUILD:-build}/spotbench
SCENARIO=traces/scenarios/seed-week/scenario.json
DB=results/spotbench.db
echo "== spotbench run $SCENARIO --policy classic --policy guarded --policy oracle"
"$SB" run "$SCENARIO" --policy classic --policy guarded --policy oracle --timeseries \
    --db "$DB" | tee results/demo-summary.txt
run=$(sqlite3 "$DB" "SELECT max(id) FROM runs WHERE policy = 'guarded'")

echo
echo "== spotbench run $SCENARIO --policy classic --policy guarded --seeds 20"
"$SB" run "$SCENARIO" --policy classic --policy guarded --seeds 20 --db "$DB"

echo "== spotbench sensitivity $SCENARIO (ingestion delays x schedule seconds)"
"$SB" sensitivity "$SCENARIO" --policy classic --policy guarded --db "$DB" | tee results/demo-sensitivity.txt

echo
echo "== spotbench sweep $SCENARIO --policy guarded --grid confirm=1,2,3 --grid scale_in_delay=300,900,1800"
"$SB" sweep "$SCENARIO" --policy guarded --grid confirm=1,2,3 \
    --grid scale_in_delay=300,900,1800 --db "$DB" --quiet | tee results/demo-sweep.txt
sweep=$(sed -n 's/^sweep \([0-9]*\):.*/\1/p' results/demo-sweep.txt | head -1)
echo
echo "== spotbench best --sweep $sweep --min-coverage 99.9"
"$SB" best --sweep "$sweep" --min-coverage 99.9 --db "$DB" || true

"$SB" plot frontier --sweep "$sweep" --db "$DB" -o results/frontier.png >/dev/null
"$SB" plot timeline --run "$run" --db "$DB" -o results/timeline.png >/dev/null
echo
echo "figures:"
echo "  results/frontier.png   cost versus coverage of the sweep, Pareto front, oracle bound"
echo "  results/timeline.png   the guarded run minute by minute through the outage week"
echo "database: $DB (sqlite3 -header -column $DB 'SELECT * FROM summaries')"
