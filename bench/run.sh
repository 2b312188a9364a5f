#!/bin/sh
# run.sh: spotbench benchmarks. Prints each figure (the median of repeated
# runs: wall time, peak memory) beside its target; never fails on a slow
# machine (figures are printed, not judged).
#
#   bench/run.sh                      the figures of build/spotbench
#   BEFORE=OLD/spotbench bench/run.sh the same runs of another build too,
#                                     alternating with this one, and the ratio
#                                     new / old of the medians
#   REPS=N                            runs per figure (default 5)
#   BASE=REV                          the one-year runs paired against REV's
#                                     build (git archive, built here; default
#                                     f5ba830, main before the performance
#                                     work of issue 25; BASE= skips them)
#
# Machines are shared and noisy: quote medians, and ratios measured in one
# run rather than figures of different runs.
set -eu
cd "$(dirname "$0")/.."
SB=build/spotbench
BEFORE=${BEFORE:-}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
REPS=${REPS:-5}
BASE=${BASE-f5ba830}

# median FILE: the median of the numbers in FILE, one per line.
median() { sort -g "$1" | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# one TAG BIN CMD...: runs CMD once, its word @SB@ replaced by BIN, and
# appends its wall seconds and peak MB to $TMP/TAG.wall and $TMP/TAG.rss.
one() {
    tag=$1 bin=$2; shift 2
    for a in "$@"; do
        shift
        [ "$a" = @SB@ ] && a=$bin
        # The old build keeps its own databases: it refuses a newer schema.
        case $tag:$a in old:*.db) a=$a.old.db ;; esac
        set -- "$@" "$a"
    done
    /usr/bin/time -f '%e %M' -o "$TMP/t" "$@" >/dev/null 2>"$TMP/stderr" ||
        echo "   (exit status $? from: $*)" >&2
    awk '{print $1 >> "'"$TMP/$tag.wall"'"; print $2/1024 >> "'"$TMP/$tag.rss"'"}' "$TMP/t"
}

# measure [--new-only] NAME TARGET CMD...: CMD (build/spotbench written @SB@)
# REPS times, and with BEFORE set (unless --new-only: a command the old build
# lacks, or would take far too long) the same with the old binary in turn;
# prints the medians, the target and the ratio. Sets $wall to this build's
# median.
measure() {
    both=$BEFORE
    [ "$1" = --new-only ] && both= && shift
    name=$1 target=$2; shift 2
    rm -f "$TMP"/new.* "$TMP"/old.*
    i=0
    while [ $i -lt "$REPS" ]; do
        one new "$SB" "$@"
        [ -z "$both" ] || one old "$BEFORE" "$@"
        i=$((i + 1))
    done
    wall=$(median "$TMP/new.wall")
    printf '%-44s %7.3f s %7.1f MB' "$name" "$wall" "$(median "$TMP/new.rss")"
    if [ -n "$both" ]; then
        old=$(median "$TMP/old.wall")
        printf '   before %7.3f s %7.1f MB   x%.2f' "$old" "$(median "$TMP/old.rss")" \
            "$(awk -v a="$wall" -v b="$old" 'BEGIN {print (b > 0 ? a / b : 0)}')"
    fi
    printf '   (target %s)\n' "$target"
}

# events SCENARIO [ARGS...]: the events one run of it processes.
events() {
    $SB run "$@" --json --db "$TMP/ev.db" 2>/dev/null | sed 's/.*"events": \([0-9]*\).*/\1/'
}

echo "spotbench benchmarks: medians of $REPS runs${BEFORE:+, beside $BEFORE}"

echo "== policy eval: 1,000,000 observations of a 10-minute window"
build/bench/gen_obs 1000000 >"$TMP/obs.jsonl"
echo "   input: $(wc -c <"$TMP/obs.jsonl") bytes"
measure "policy eval --policy classic" "<= 1 s" @SB@ policy eval --policy classic "$TMP/obs.jsonl"
measure "policy eval --policy guarded" "<= 1 s" @SB@ policy eval --policy guarded "$TMP/obs.jsonl"
rm -f "$TMP/obs.jsonl"

echo "== run: one year, 4 pools, prices every ~5 min, ~100 instances, controller every minute"
mkdir -p "$TMP/year" "$TMP/year5"
build/bench/gen_year "$TMP/year"
build/bench/gen_year "$TMP/year5" 1826
echo "   prices: $(wc -l <"$TMP/year/prices.csv") rows, $(wc -c <"$TMP/year/prices.csv") bytes; five years: $(wc -c <"$TMP/year5/prices.csv") bytes"
measure "run (classic)" "<= 0.10 s, <= 32 MB" @SB@ run "$TMP/year/scenario.json" --db "$TMP/y1.db"
measure "run (guarded)" "<= 0.15 s, <= 32 MB" @SB@ run "$TMP/year/scenario.json" --policy guarded --db "$TMP/y2.db"
if [ -n "$BASE" ]; then
    echo "   paired against $BASE's build (the targets: new / old):"
    git archive "$BASE" | tar -x -C "$TMP" --one-top-level=base
    if make -s -C "$TMP/base" -j2 build/spotbench >/dev/null 2>&1; then
        n=$((REPS < 3 ? 3 : REPS))
        for p in classic guarded; do
            case $p in classic) target=0.45 ;; *) target=0.35 ;; esac
            echo "   one year, $p:"
            python3 bench/pairs.py $n new old "$TMP/new.out" "$TMP/old.out" \
                -- $SB run "$TMP/year/scenario.json" --policy $p --db "$TMP/pn-$p.db" \
                -- "$TMP/base/build/spotbench" run "$TMP/year/scenario.json" --policy $p \
                --db "$TMP/po-$p.db"
            echo "   (target: new / old <= x$target)"
        done
    else
        echo "   SKIPPED: $BASE does not build"
    fi
    rm -rf "$TMP/base"
fi
measure "run: loading only (the span cut to a day)" "none: a part of the run" \
    @SB@ run "$TMP/year/scenario.json" --set end=1451692800 --db "$TMP/y3.db"
measure "run --timeseries (classic)" "<= 3 s" @SB@ run "$TMP/year/scenario.json" --timeseries --db "$TMP/y4.db"
echo "   run --timeseries against a plain run, paired, each on a fresh database:"
# Through sh -c: the database removed first (its size is the year's alone).
FRESH_TS='rm -f "$1" "$1-wal" "$1-shm"; exec "$0" run "$2" --timeseries --db "$1"'
FRESH_PLAIN='rm -f "$1" "$1-wal" "$1-shm"; exec "$0" run "$2" --db "$1"'
python3 bench/pairs.py $((REPS < 3 ? 3 : REPS)) "run --timeseries" "run" "$TMP/ts.out" \
    "$TMP/plain.out" -- sh -c "$FRESH_TS" $SB "$TMP/yts.db" "$TMP/year/scenario.json" \
    -- sh -c "$FRESH_PLAIN" $SB "$TMP/ypl.db" "$TMP/year/scenario.json"
echo "   (target: run --timeseries <= x2 a plain run's wall time)"
python3 - "$TMP/yts.db" <<'PY'
import os, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
start, end = db.execute("SELECT s.start, s.end FROM scenarios s JOIN runs r"
                        " ON r.scenario_id = s.id").fetchone()
db.close()
years = (end - start) / (365 * 86400)
mb = sum(os.path.getsize(sys.argv[1] + x) for x in ("", "-wal") if os.path.exists(sys.argv[1] + x)) / 1e6
print("   the database after run --timeseries: %.1f MB for %.2f simulated years: "
      "%.1f MB per simulated year (target <= 25 MB)" % (mb, years, mb / years))
PY
for p in hedge karpenter none ondemand; do
    measure --new-only "run ($p)" "none of its own" @SB@ run "$TMP/year/scenario.json" --policy $p --db "$TMP/y-$p.db"
done
echo "== own policies: the bench year through an external policy (exec:) and a loaded .so"
measure --new-only "run (none)" "none: the base of the next" @SB@ run "$TMP/year/scenario.json" --policy none --db "$TMP/y-none2.db"
none_wall=$wall
measure --new-only "run (exec:build/bench/exec_child)" "see per tick below" @SB@ run "$TMP/year/scenario.json" --policy exec:build/bench/exec_child --db "$TMP/y-exec.db"
ticks=$($SB run "$TMP/year/scenario.json" --policy none --json --db "$TMP/ev.db" 2>/dev/null | sed 's/.*"invocations": \([0-9]*\).*/\1/')
awk -v a="$wall" -v b="$none_wall" -v n="$ticks" 'BEGIN {printf "   %d ticks: %.1f us per tick of protocol (the C child answers \"none\", as the built-in none) (target <= 10 us)\n", n, (a - b) * 1e6 / n}'
measure --new-only "run (karpenter)" "none: the base of the next" @SB@ run "$TMP/year/scenario.json" --policy karpenter --db "$TMP/y-k.db"
k_wall=$wall
measure --new-only "run (./build/examples/karpenter.so)" "see the ratio below" @SB@ run "$TMP/year/scenario.json" --policy ./build/examples/karpenter.so --db "$TMP/y-so.db"
awk -v a="$wall" -v b="$k_wall" 'BEGIN {printf "   the .so / the built-in: x%.2f (target <= x1.1)\n", a / b}'
measure "run, five years (classic)" "<= 64 MB" @SB@ run "$TMP/year5/scenario.json" --db "$TMP/y5.db"
rm -rf "$TMP/year5"

echo "== fleet size: one year at N instances (TargetCapacity 4 N, MaxSize 2 N), classic"
for n in 10 100 1000 10000; do
    mkdir -p "$TMP/f$n"
    build/bench/gen_year "$TMP/f$n" 365 $n
    measure "run, $n instances" "see the ratio below" @SB@ run "$TMP/f$n/scenario.json" --db "$TMP/f$n.db"
    ev=$(events "$TMP/f$n/scenario.json")
    eval "wall_$n=$wall"
    awk -v w="$wall" -v e="$ev" 'BEGIN {printf "   %d events, %.0f ns per event\n", e, w * 1e9 / e}'
    rm -rf "$TMP/f$n" "$TMP/f$n.db"*
done
awk -v a="$wall_1000" -v b="$wall_10000" 'BEGIN {printf "   10,000 / 1,000 instances: x%.1f (target <= x10, and 10,000 <= 3 s)\n", b / a}'
mkdir -p "$TMP/f100000"
build/bench/gen_year "$TMP/f100000" 30 100000
echo "   100,000 instances over 30 days (one run: a year takes twelve times as long):"
REPS_SAVED=$REPS REPS=1
measure --new-only "run, 100,000 instances, 30 days" "no per-event cost growing with the fleet" \
    @SB@ run "$TMP/f100000/scenario.json" --db "$TMP/f100000.db"
REPS=$REPS_SAVED
ev=$(events "$TMP/f100000/scenario.json")
awk -v w="$wall" -v e="$ev" 'BEGIN {printf "   %d events, %.0f ns per event\n", e, w * 1e9 / e}'
rm -rf "$TMP/f100000" "$TMP/f100000.db"*

echo "== the bench year with every delay a constant (for the floor and SimPy)"
python3 - "$TMP/year/scenario.json" "$TMP/year/fixed.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s["fleet"]["LaunchDelay"] = 180
s["asg"]["LaunchDelay"] = 90
s["asg"]["TerminationDelay"] = 60
s["controller"]["Offset"] = 0
s["controller"]["Jitter"] = 0
s["eventbridge"] = {"DeliveryDelay": 15}  # the warnings guarded reads
json.dump(s, open(sys.argv[2], "w"))
PY
echo "== against a floor: the same year in bench/floor.c (minimal C, same semantics, no store)"
# floor.c reads the scenario's figures from a plain file, written here.
python3 - "$TMP/year/fixed.json" "$TMP/floor.params" <<'PY'
import json, sys
sc = json.load(open(sys.argv[1]))
f, a, c = sc["fleet"], sc["asg"], sc.get("controller", {})
rows = [sc["start"], sc["end"], f["TargetCapacity"], f["LaunchDelay"],
        sc.get("ecs", {}).get("RegistrationDelay", 30), a.get("WeightedCapacity", 4),
        repr(float(a["OnDemandPrice"])), a.get("MaxSize", 200), a.get("DefaultCooldown", 300),
        a["LaunchDelay"], a["TerminationDelay"], c["Offset"], len(f["LaunchSpecifications"])]
out = " ".join(map(str, rows)) + "\n"
for s in f["LaunchSpecifications"]:
    w, od = float(s.get("WeightedCapacity", 1)), float(s["OnDemandPrice"])
    out += "%s %s %r %r %r\n" % (s["InstanceType"], s["AvailabilityZone"], w, od,
                                 float(s.get("SpotPrice", od / w)) * w)
open(sys.argv[2], "w").write(out)
PY
n=$((REPS < 3 ? 3 : REPS))
python3 bench/pairs.py $n spotbench floor "$TMP/sbf.json" "$TMP/floor.json" \
    -- $SB run "$TMP/year/fixed.json" --json --db "$TMP/ff.db" \
    -- build/bench/floor "$TMP/floor.params" "$TMP/year/prices.csv"
echo "   (target: spotbench within x1.5 of the floor's wall time)"
python3 - "$TMP/sbf.json" "$TMP/floor.json" <<'PY'
import json, sys
sb = json.loads(open(sys.argv[1]).read())["summary"]
fl = json.loads(open(sys.argv[2]).read())
ok = True
for k in ("spot_cost", "od_cost", "total_cost", "coverage_pct"):
    a, b = sb[k], fl[k]
    good = abs(a - b) <= (1e-9 if k == "coverage_pct" else 1e-9 * max(abs(a), abs(b)))
    ok &= good
    print("   %-16s %20.10f %20.10f%s" % (k, a, b, "" if good else "   DIFFER"))
print("   equal results (costs within 1e-9 relative, coverage within 1e-9 points)" if ok
      else "   the floor and spotbench DISAGREE: the floor is not a floor of this model")
PY
echo "== against a reference: the bench year in SimPy (bench/simpy_model.py)"
if ! /usr/bin/python3 -c 'import simpy' 2>/dev/null; then
    echo "   SKIPPED: SimPy is not installed (Debian: python3-simpy3; scripts/install-deps.sh)"
else
    # Paired: SimPy and spotbench in turn, the ratio pair by pair, its median.
    n=$((REPS < 3 ? 3 : REPS))
    for p in classic guarded; do
        case $p in classic) target=100 ;; *) target=60 ;; esac
        echo "   $p:"
        python3 bench/pairs.py $n SimPy spotbench "$TMP/simpy.json" "$TMP/sb.json" \
            -- /usr/bin/python3 bench/simpy_model.py "$TMP/year/fixed.json" $p \
            -- $SB run "$TMP/year/fixed.json" --policy $p --json --db "$TMP/fx-$p.db"
        echo "   (target: SimPy / spotbench >= x$target)"
        /usr/bin/python3 - "$TMP/sb.json" "$TMP/simpy.json" <<'PY'
import json, sys
sb = json.loads(open(sys.argv[1]).read())["summary"]
py = json.loads(open(sys.argv[2]).read())
print("   %-16s %20s %20s" % ("", "spotbench", "SimPy"))
agree = True
for k in ("spot_cost", "od_cost", "total_cost", "coverage_pct", "set_calls", "set_rejected",
          "od_launches", "spot_launches", "interruptions"):
    same = sb[k] == py[k]
    agree &= same
    fmt = "   %-16s %20d %20d%s" if isinstance(py[k], int) else "   %-16s %20.10f %20.10f%s"
    print(fmt % (k, sb[k], py[k], "" if same else "   DIFFER"))
print("   the two models agree to the last bit" if agree else "   the two models DISAGREE")
PY
    done
fi

echo "== a quiet minute: instructions per simulated minute when nothing changes (callgrind)"
# The bench year (constant delays) with each pool's first price only: no
# price ever changes, so every minute is a CloudWatch period and an
# invocation that does nothing. Instructions of a 32-day run less those of
# a 2-day run, over the 30 days' minutes: loading and setup cancel out.
if ! command -v valgrind >/dev/null 2>&1; then
    echo "   SKIPPED: valgrind is not installed (Debian: valgrind)"
else
    bench/quiet-year.sh "$TMP/year/fixed.json" "$TMP/quiet"
    # irefs CMD...: the instructions callgrind counts for CMD.
    irefs() {
        valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
            sed -n 's/.*I *refs: *//p' | tr -d ,
    }
    qstart=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["start"])' \
        "$TMP/quiet/scenario.json")
    for p in classic guarded; do
        rm -f "$TMP"/q*.db*
        i2=$(irefs $SB run "$TMP/quiet/scenario.json" --policy $p --db "$TMP/q2.db" \
            --set end=$((qstart + 2 * 86400)))
        i32=$(irefs $SB run "$TMP/quiet/scenario.json" --policy $p --db "$TMP/q32.db" \
            --set end=$((qstart + 32 * 86400)))
        awk -v a="${i2:-0}" -v b="${i32:-0}" -v p="$p" 'BEGIN {printf "   spotbench (%s): %.0f instructions per quiet minute (target <= 400)\n", p, (b - a) / (30 * 1440)}'
    done
    for d in 2 32; do
        awk -v e=$((qstart + d * 86400)) 'NR == 1 {$2 = e} {print}' "$TMP/floor.params" \
            >"$TMP/quiet/floor$d.params"
    done
    i2=$(irefs build/bench/floor "$TMP/quiet/floor2.params" "$TMP/quiet/prices.csv")
    i32=$(irefs build/bench/floor "$TMP/quiet/floor32.params" "$TMP/quiet/prices.csv")
    awk -v a="${i2:-0}" -v b="${i32:-0}" 'BEGIN {printf "   the floor (classic):  %.0f instructions per quiet minute\n", (b - a) / (30 * 1440)}'
fi

echo "== store: a year's run with timeseries, 525,600 decisions + 525,600 samples (target < 3 s)"
# store_run ARGS...: store_bench REPS times on a fresh database; prints the
# median wall time of st_run_begin .. st_run_commit and the last run's line.
store_run() {
    : >"$TMP/swall"
    i=0
    while [ $i -lt "$REPS" ]; do
        rm -f "$TMP/store.db" "$TMP/store.db-wal" "$TMP/store.db-shm"
        build/bench/store_bench "$TMP/store.db" "$@" >"$TMP/line"
        sed 's/.*): \([0-9.]*\) s.*/\1/' "$TMP/line" >>"$TMP/swall"
        i=$((i + 1))
    done
    printf '   median %6.3f s   last: %s\n' "$(median "$TMP/swall")" "$(cat "$TMP/line")"
}
store_run 525600 4 60
echo "   the same, 8 pools whose prices change every minute to prices never seen before (worst case)"
store_run 525600 8 1 0

echo "== compare: the bundled suite, the six policies that run live x 20 seeds (the default), -j 2"
# A fresh database each time, through sh -c: one process tree to measure.
FRESH='rm -f "$1" "$1-wal" "$1-shm"; exec "$0" compare traces/scenarios -j 2 --db "$1"'
measure --new-only "compare traces/scenarios (6 x 20 seeds, -j 2)" "<= 20 s" sh -c "$FRESH" @SB@ "$TMP/compare.db"

echo "== trace import: 1,000,000 spot price records, one describe-spot-price-history document"
build/bench/gen_spot 1000000 >"$TMP/spot.json"
gzip -1 -c "$TMP/spot.json" >"$TMP/spot.json.gz"
echo "   input: $(wc -c <"$TMP/spot.json") bytes, gzip'd $(wc -c <"$TMP/spot.json.gz") bytes"
# Through sh -c ... exec: one process to measure, its summary on stderr dropped.
QUIET='exec "$0" "$@" 2>/dev/null'
measure "trace import (JSON)" "<= 2 s, <= 200 MB" sh -c "$QUIET" @SB@ trace import "$TMP/spot.json" -o "$TMP/spot.csv"
measure "trace import (gzip'd JSON)" "<= 2 s, <= 200 MB" sh -c "$QUIET" @SB@ trace import "$TMP/spot.json.gz" -o "$TMP/spot.csv"
rm -f "$TMP/spot.json" "$TMP/spot.json.gz" "$TMP/spot.csv"

echo "== sweep: 1,000 runs of a 30-day scenario, guarded, confirm x scale_in_delay"
mkdir -p "$TMP/month"
build/bench/gen_year "$TMP/month" 30
# sweep_time BIN J: seconds for the whole sweep on J workers.
sweep_time() {
    rm -f "$TMP/sweep.db" "$TMP/sweep.db-wal" "$TMP/sweep.db-shm"
    s0=$(date +%s.%N)
    "$1" sweep "$TMP/month/scenario.json" --policy guarded --grid confirm=1:10:1 \
        --grid scale_in_delay=0:5940:60 -j "$2" --quiet --db "$TMP/sweep.db" >/dev/null
    s1=$(date +%s.%N)
    awk -v a="$s0" -v b="$s1" 'BEGIN { print b - a }'
}
for bin in $SB $BEFORE; do
    t1=$(sweep_time "$bin" 1)
    t2=$(sweep_time "$bin" 2)
    awk -v n="$bin" -v t1="$t1" -v t2="$t2" 'BEGIN { printf "   %s: -j 1 %6.2f s, -j 2 %6.2f s (%5.1f runs/s), -j 1 / -j 2 x%.2f (targets: -j 2 <= 15 s, x >= 1.8)\n", n, t1, t2, 1000 / t2, t1 / t2 }'
done
