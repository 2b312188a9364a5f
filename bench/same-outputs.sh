#!/bin/sh
# same-outputs.sh: do this build and git revision REV compute the same? Builds
# REV's spotbench in a temporary directory (git archive: no worktree), dumps
# what each build computes with bench/outputs.py (every regression case with
# classic, guarded and the oracle, with and without --timeseries; the bench
# year and 30-day scenarios; a small sweep) and lists every file that
# differs. Exit status 0 when none does.
#
#   bench/same-outputs.sh [REV]      (default: main)
#   KEEP=DIR bench/same-outputs.sh   keeps both dumps in DIR/old and DIR/new
#
# A speed-up must leave them all the same; a deliberate change of a result
# shows here, file by file, before it is committed.
set -eu
cd "$(dirname "$0")/.."
REV=${1:-main}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
KEEP=${KEEP:-}
git archive "$REV" | tar -x -C "$TMP" --one-top-level=src
make -s -C "$TMP/src" -j2 build/spotbench >/dev/null
make -s -j2 build/spotbench build/bench/gen_year >/dev/null
mkdir -p "$TMP/year" "$TMP/month"
build/bench/gen_year "$TMP/year"
build/bench/gen_year "$TMP/month" 30
# The quiet bench year: each pool's first price only, held to the end.
bench/quiet-year.sh "$TMP/year/scenario.json" "$TMP/quiet"
# A constant schedule and ingestion delay (the second pass) is what lets
# the simulator skip quiet minutes (sim/run.c, "quiet stretches"): the
# cases again that way, the delay longer than the schedule's second.
CONST="--set controller.Jitter=0 --set controller.Offset=20 --set cloudwatch.IngestionDelay=70"
for side in new old; do
    bin=build/spotbench
    [ "$side" = old ] && bin=$TMP/src/build/spotbench
    python3 bench/outputs.py dump "$bin" "$TMP/$side" --scenario "$TMP/year/scenario.json" \
        --scenario "$TMP/month/scenario.json" --sweep "$TMP/month/scenario.json"
    # shellcheck disable=SC2086
    python3 bench/outputs.py dump "$bin" "$TMP/$side.constant" \
        --scenario "$TMP/quiet/scenario.json" --scenario "$TMP/month/scenario.json" $CONST
done
if [ -n "$KEEP" ]; then
    mkdir -p "$KEEP"
    rm -rf "$KEEP/old" "$KEEP/new" "$KEEP/old.constant" "$KEEP/new.constant"
    cp -r "$TMP/old" "$TMP/new" "$TMP/old.constant" "$TMP/new.constant" "$KEEP/"
fi
python3 bench/outputs.py compare "$TMP/old" "$TMP/new" &&
    python3 bench/outputs.py compare "$TMP/old.constant" "$TMP/new.constant"
