#!/bin/sh
# run.sh: spotbench benchmarks. Prints figures (medians of repeated runs,
# wall time and peak memory); never fails on a slow machine.
set -eu
cd "$(dirname "$0")/.."
SB=build/spotbench
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
REPS=${REPS:-5}

# median FILE: the median of the numbers in FILE, one per line.
median() { sort -g "$1" | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# measure NAME CMD...: runs CMD REPS times, prints median wall seconds and
# median peak RSS (MB).
measure() {
    name=$1; shift
    : >"$TMP/wall"; : >"$TMP/rss"
    i=0
    while [ $i -lt "$REPS" ]; do
        /usr/bin/time -f '%e %M' -o "$TMP/t" "$@" >/dev/null
        awk '{print $1 >> "'"$TMP/wall"'"; print $2/1024 >> "'"$TMP/rss"'"}' "$TMP/t"
        i=$((i + 1))
    done
    printf '%-52s median %6.3f s   peak %6.1f MB   (%s runs)\n' "$name" \
        "$(median "$TMP/wall")" "$(median "$TMP/rss")" "$REPS"
}

echo "== policy eval: 1,000,000 observations of a 10-minute window (target < 2 s)"
build/bench/gen_obs 1000000 >"$TMP/obs.jsonl"
echo "   input: $(wc -c <"$TMP/obs.jsonl") bytes"
measure "policy eval --policy classic" $SB policy eval --policy classic "$TMP/obs.jsonl"
measure "policy eval --policy guarded" $SB policy eval --policy guarded "$TMP/obs.jsonl"

# store_run ARGS...: store_bench REPS times on a fresh database; prints the
# median wall time of st_run_begin .. st_run_commit and the last run's line.
store_run() {
    : >"$TMP/wall"
    i=0
    while [ $i -lt "$REPS" ]; do
        rm -f "$TMP/store.db" "$TMP/store.db-wal" "$TMP/store.db-shm"
        build/bench/store_bench "$TMP/store.db" "$@" >"$TMP/line"
        sed 's/.*): \([0-9.]*\) s.*/\1/' "$TMP/line" >>"$TMP/wall"
        i=$((i + 1))
    done
    printf '   median %6.3f s   last: %s\n' "$(median "$TMP/wall")" "$(cat "$TMP/line")"
}

echo "== store: a year's run with timeseries, 525,600 decisions + 525,600 samples (target < 3 s)"
store_run 525600 4 60
echo "   the same, 8 pools whose prices change every minute to prices never seen before (worst case)"
store_run 525600 8 1 0

echo "== run: one-year scenario, 4 pools, prices every ~5 min, ~100 instances, controller every minute"
echo "   (targets: <= 0.5 s and <= 64 MB without timeseries, <= 3 s with)"
mkdir -p "$TMP/year"
build/bench/gen_year "$TMP/year"
echo "   prices: $(wc -l <"$TMP/year/prices.csv") rows"
measure "run (classic)" $SB run "$TMP/year/scenario.json" --db "$TMP/year1.db"
measure "run (guarded)" $SB run "$TMP/year/scenario.json" --policy guarded --db "$TMP/year2.db"
measure "run --timeseries (classic)" $SB run "$TMP/year/scenario.json" --timeseries --db "$TMP/year3.db"
for p in hedge karpenter none ondemand; do
    measure "run ($p)" $SB run "$TMP/year/scenario.json" --policy $p --db "$TMP/year-$p.db"
done

echo "== compare: the bundled suite with the six policies that run live, -j 2 (target <= 10 s)"
# A fresh database each time, through sh -c: one process tree to measure.
FRESH='rm -f "$1" "$1-wal" "$1-shm"; exec "$0" compare traces/scenarios -j 2 --db "$1"'
measure "compare traces/scenarios (6 policies, -j 2)" sh -c "$FRESH" $SB "$TMP/compare.db"

echo "== trace import: 1,000,000 spot price records, one describe-spot-price-history document (target <= 2 s, <= 200 MB)"
build/bench/gen_spot 1000000 >"$TMP/spot.json"
gzip -1 -c "$TMP/spot.json" >"$TMP/spot.json.gz"
echo "   input: $(wc -c <"$TMP/spot.json") bytes, gzip'd $(wc -c <"$TMP/spot.json.gz") bytes"
# Through sh -c ... exec: one process to measure, its summary on stderr dropped.
QUIET='exec "$0" "$@" 2>/dev/null'
measure "trace import (JSON)" sh -c "$QUIET" $SB trace import "$TMP/spot.json" -o "$TMP/spot.csv"
measure "trace import (gzip'd JSON)" sh -c "$QUIET" $SB trace import "$TMP/spot.json.gz" -o "$TMP/spot.csv"

echo "== sweep: 1,000 runs of a 30-day scenario (targets: -j 2 >= 1.8 x -j 1, the whole sweep <= 60 s)"
mkdir -p "$TMP/month"
build/bench/gen_year "$TMP/month" 30
# 10 x 100 parameter sets of guarded: confirm 1..10, scale_in_delay 0..5940 s.
sweep_time() {
    rm -f "$TMP/sweep.db" "$TMP/sweep.db-wal" "$TMP/sweep.db-shm"
    s0=$(date +%s.%N)
    $SB sweep "$TMP/month/scenario.json" --policy guarded --grid confirm=1:10:1 \
        --grid scale_in_delay=0:5940:60 -j "$1" --quiet --db "$TMP/sweep.db" >/dev/null
    s1=$(date +%s.%N)
    awk -v a="$s0" -v b="$s1" 'BEGIN { print b - a }'
}
t1=$(sweep_time 1)
t2=$(sweep_time 2)
awk -v t1="$t1" -v t2="$t2" 'BEGIN { printf "   -j 1: %6.2f s (%5.1f runs/s)   -j 2: %6.2f s (%5.1f runs/s)   speed-up %.2f x\n", t1, 1000 / t1, t2, 1000 / t2, t1 / t2 }'
