#!/bin/sh
# test_misuse.sh: no silent misuse. A run that would measure something else
# than was asked is refused with the field at fault and exit 2, in every
# command that runs scenarios, unless the scenario asks for it explicitly:
# units_per_instance against asg.WeightedCapacity; a direct-mode replay
# without a metric the policy reads; a span the traces do not cover. And
# what a reader must be told beside the figures is told, at a material share,
# by every command that shows results: run, run --seeds, compare, tune.
. "$(dirname "$0")/lib.sh"

CASE=traces/scenarios/all-outbid-3h
S=$CASE/scenario.json
DB=$TMP/misuse.db

# Each command that runs a scenario, with the settings $2 and the policy $1.
each() {
    for c in run sweep tune compare sensitivity regress deploy; do
        case $c in
        run) run "$SB" run "$S" --policy "$1" $2 --db "$DB" ;;
        sweep) run "$SB" sweep "$S" --policy "$1" --grid asg.DefaultCooldown=300,600 $2 \
            --db "$DB" -j 1 ;;
        tune) run "$SB" tune "$S" --policy "$1" --min-coverage 99 $2 --db "$DB" -j 1 ;;
        compare) run "$SB" compare "$S" --policy "$1" $2 --seeds 1 --db "$DB" -j 1 ;;
        sensitivity) run "$SB" sensitivity "$S" --policy "$1" $2 --db "$DB" -j 1 ;;
        regress) run "$SB" regress "$CASE" --policy "$1" $2 --db "$DB" ;;
        deploy) run "$SB" deploy live-config "$S" --policy "$1" $2 -o "$TMP/live.json" ;;
        esac
        check "$c"
    done
}

# ---- units_per_instance against asg.WeightedCapacity ----------------------

check() {
    expect_rc "$1: units_per_instance=2" 2
    expect_err "$1: units_per_instance=2" \
        "spotbench: --set units_per_instance=2: disagrees with $S: asg.WeightedCapacity 4, the units one on-demand instance gives (leave units_per_instance out to follow it, or add --set controller.AllowUnitsMismatch=true if the mismatch is meant)"
}
each classic "--set units_per_instance=2"

check() {
    expect_rc "$1: controller.params units" 2
    expect_err "$1: controller.params units" \
        "spotbench: $S: controller.params.classic.units_per_instance: 2 disagrees with asg.WeightedCapacity 4, the units one on-demand instance gives (leave it out to follow asg.WeightedCapacity, or set controller.AllowUnitsMismatch to true if the mismatch is meant)"
}
each classic "--set controller.params.classic.units_per_instance=2"

# Nothing was stored by the refused commands.
if [ -e "$DB" ]; then
    n=$(sqlite3 "$DB" 'SELECT count(*) FROM runs' 2>/dev/null || echo 0)
    [ "$n" = 0 ] && ok || bad "refused commands stored $n runs"
else
    ok
fi

# The default follows the group: on a 1-unit group every policy that has the
# parameter runs with 1 unit per instance.
run "$SB" run "$S" --policy karpenter --policy classic --set asg.WeightedCapacity=1 --json \
    --db "$DB"
expect_rc "units follow asg.WeightedCapacity" 0
python3 - "$TMP/out" <<'P' && ok || bad "units_per_instance did not follow asg.WeightedCapacity"
import json, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
assert len(runs) == 2 and all(r["params"]["units_per_instance"] == 1 for r in runs), runs
P

# Insisting runs it as given; deploy still warns.
run "$SB" run "$S" --policy karpenter --set units_per_instance=2 \
    --set controller.AllowUnitsMismatch=true --json --db "$DB"
expect_rc "AllowUnitsMismatch runs" 0
expect_out "AllowUnitsMismatch runs" '"units_per_instance": 2,'
run "$SB" deploy live-config "$S" --policy karpenter --set units_per_instance=2 \
    --set controller.AllowUnitsMismatch=true -o "$TMP/live.json"
expect_rc "deploy with AllowUnitsMismatch" 0
expect_err "deploy with AllowUnitsMismatch" \
    "asg.WeightedCapacity: 4 units per on-demand instance, but the policy's units_per_instance is 2"
run "$SB" run "$S" --set controller.AllowUnitsMismatch=yes --db "$DB"
expect_rc "AllowUnitsMismatch not a bool" 2
expect_err "AllowUnitsMismatch not a bool" \
    "spotbench: $S: controller.AllowUnitsMismatch: must be true or false"

# ---- a direct-mode replay without a metric the policy reads ----------------

# period-300-direct without its TerminatingCapacity column: no policy reads
# it (AWS counts there capacity ended for being above target, not notices),
# so every one runs; guarded and hedge read events, which a replay has not,
# and say so.
D=$TMP/direct
mkdir -p "$D/case"
cp traces/scenarios/period-300-direct/scenario.json "$D/case/"
grep -v '^#' traces/scenarios/period-300-direct/metrics.csv | cut -d, -f1-4 >"$D/case/metrics.csv"
DS=$D/case/scenario.json
for p in classic guarded hedge karpenter ondemand none; do
    run "$SB" run "$DS" --policy $p --db "$DB"
    expect_rc "run $p without TerminatingCapacity" 0
done
BLIND="reads interruption warnings (EventBridge events) and this run had none (a replay of recorded metrics carries no events)"
for p in guarded hedge; do
    run "$SB" run "$DS" --policy $p --db "$DB"
    expect_out "run $p says it ran without events" "note: $p $BLIND"
done
run "$SB" run "$DS" --policy classic --db "$DB"
grep -qF EventBridge "$TMP/out" && bad "classic: a note about events it does not read" || ok
# A metric a policy reads, missing: PendingCapacity's column empty (an
# empty column is not derived). Refused in every command, naming it.
awk -F, 'BEGIN {OFS = ","} NR == 1 {print; next} {$4 = ""; print}' \
    "$D/case/metrics.csv" >"$D/m0.csv" && mv "$D/m0.csv" "$D/case/metrics.csv"
NOPEND="spotbench: $DS: direct.metrics: no PendingCapacity datapoints, and karpenter reads it (without it karpenter would hold wherever it needs it): leave the empty column out of the header to have it computed from the other two (docs/scenario.md), or import it with the other metrics (docs/traces.md)"
run "$SB" run "$DS" --policy karpenter --db "$DB"
expect_rc "run karpenter without PendingCapacity" 2
expect_err "run karpenter without PendingCapacity" "$NOPEND"
run "$SB" sweep "$DS" --policy karpenter --grid asg.DefaultCooldown=300,600 --db "$DB" -j 1
expect_rc "sweep karpenter without PendingCapacity" 2
expect_err "sweep karpenter without PendingCapacity" "$NOPEND"
run "$SB" tune "$DS" --policy karpenter --min-coverage 90 --db "$DB" -j 1
expect_rc "tune karpenter without PendingCapacity" 2
expect_err "tune karpenter without PendingCapacity" "$NOPEND"
run "$SB" sensitivity "$DS" --policy karpenter --db "$DB" -j 1
expect_rc "sensitivity karpenter without PendingCapacity" 2
expect_err "sensitivity karpenter without PendingCapacity" "$NOPEND"
run "$SB" compare "$D" --policy karpenter --seeds 1 --db "$DB" -j 1
expect_rc "compare without PendingCapacity" 2
expect_err "compare without PendingCapacity" "$NOPEND"
# hedge reads FulfilledCapacity, recorded: it runs.
run "$SB" run "$DS" --policy hedge --db "$DB"
expect_rc "run hedge without PendingCapacity" 0

# ---- a span the traces do not cover ----------------------------------------

# all-outbid-3h's prices: rows from 00:00 to 09:00 on 2017-03-01, taken to
# hold a day past the last.
check() {
    expect_rc "$1: end past the prices" 2
    expect_err "$1: end past the prices" \
        "spotbench: $S: end: the span [2017-03-01T00:00:00Z, 2017-03-03T00:00:00Z) ends after what traces.prices covers, [2017-03-01T00:00:00Z, 2017-03-02T09:00:00Z): a price history lists changes only, so it is taken to hold a day past its last row (2017-03-01T09:00:00Z) (set end at or before 2017-03-02T09:00:00Z, or traces.Extend to true to hold its last values to the end)"
}
each classic "--set end=2017-03-03T00:00:00Z"

check() {
    expect_rc "$1: start before the prices" 2
    expect_err "$1: start before the prices" \
        "spotbench: $S: start: the span [2016-03-01T00:00:00Z, 2017-03-02T00:00:00Z) begins before what traces.prices covers, [2017-03-01T00:00:00Z, 2017-03-02T09:00:00Z): c4.xlarge in us-east-1d has no price before it (set start at or after 2017-03-01T00:00:00Z, or traces.Extend to true to hold its first values before it)"
}
each classic "--set start=2016-03-01T00:00:00Z"

# Asked for, the last prices hold to the end.
run "$SB" run "$S" --set end=2017-03-03T00:00:00Z --set traces.Extend=true --db "$DB"
expect_rc "traces.Extend runs" 0
expect_out "traces.Extend runs" "span      2017-03-01T00:00:00Z .. 2017-03-03T00:00:00Z"

# Direct mode: the recorded metrics end at 20:00.
P3=traces/scenarios/period-300-direct/scenario.json
run "$SB" run "$P3" --set end=2020-11-21T21:00:00Z --db "$DB"
expect_rc "direct end past the metrics" 2
expect_err "direct end past the metrics" \
    "spotbench: $P3: end: the span [2020-11-21T02:00:00Z, 2020-11-21T21:00:00Z) ends after what direct.metrics covers, [2020-11-21T01:30:00Z, 2020-11-21T20:00:00Z): TargetCapacity from its first datapoint to one Period after its last (set end at or before 2020-11-21T20:00:00Z, or direct.Extend to true to hold its last values to the end)"
run "$SB" run "$P3" --set end=2020-11-21T21:00:00Z --set direct.Extend=true --db "$DB"
expect_rc "direct.Extend runs" 0

# ---- notes, at a material share, in every command -------------------------

HELD="guarded held on missing or stale data in"
late() { echo "cloudwatch.IngestionDelay={\"min\": 0, \"max\": $1}"; }
# 1 of 1440 invocations held (0.07 %): no note; 32 (2.2 %): a note.
run "$SB" run "$S" --policy guarded --set "$(late 90)" --json --db "$DB"
expect_rc "held 0.07 %" 0
expect_out "held 0.07 %" '"holds": 1,'
expect_out "held 0.07 %" '"notes": []'
run "$SB" run "$S" --policy guarded --set "$(late 145)" --db "$DB"
expect_out "held 2.2 %" "note: $HELD 2.2 % of its 1440 invocations: its figures say that much less about it. Check that its windows fit the data (CloudWatch IngestionDelay, MissingProbability, the metrics' Period, what the traces cover)."
# run --seeds: once, with the seeds it came at and the weightiest figures.
run "$SB" run "$S" --policy guarded --policy classic --set "$(late 145)" --seeds 2 --db "$DB"
expect_rc "run --seeds notes" 0
expect_out "run --seeds notes" "note: all-outbid-3h, guarded (at 2 of 2 seeds; figures of the weightiest): $HELD 4.9 %"
# compare: after the table, with the case and policy; in JSON too.
run "$SB" compare "$S" --policy guarded --policy classic --set "$(late 145)" --seeds 2 \
    --db "$DB" -j 1
expect_rc "compare notes" 0
expect_out "compare notes" "note: all-outbid-3h, guarded (at 2 of 2 seeds; figures of the weightiest): $HELD 4.9 %"
[ "$(grep -c '^note:' "$TMP/out")" = 1 ] && ok || bad "compare notes: $(grep '^note:' "$TMP/out")"
run "$SB" compare "$S" --policy guarded --set "$(late 145)" --seeds 2 --json --db "$DB" -j 1
python3 - "$TMP/out" <<'P' && ok || bad "compare --json notes: $(head -c 300 "$TMP/out")"
import json, sys
n = json.load(open(sys.argv[1]))["notes"]
assert len(n) == 1, n
x = n[0]
assert (x["case"], x["policies"], x["kind"], x["runs"], x["of"]) == \
    ("all-outbid-3h", ["guarded"], "held", 2, 2), x
assert x["text"].startswith("guarded held on missing or stale data in 4.9 %"), x
P
# A note the same for every policy of a case is one line naming them all.
run "$SB" compare traces/scenarios/late-missing-datapoints --policy guarded --policy karpenter \
    --seeds 1 --db "$DB" -j 1
expect_out "one line for all policies" "note: late-missing-datapoints, guarded, karpenter: no spot interruption in this run"
# tune: the notes of the chosen point's runs.
run "$SB" tune traces/scenarios/v100-availability-2023 --policy karpenter --min-coverage 90 \
    --budget 20 --db "$DB" -j 1
expect_rc "tune notes" 0
expect_out "tune notes" "note: v100-availability-2023, karpenter (at 10 of 10 runs): the span ends 11.0 days after what traces.prices covers: with traces.Extend its last values were held there, which nothing recorded."
# The pricing regime is the span's: a 2016 span does not blame AWS's 2017
# change; a 2021 one names it.
run "$SB" run traces/scenarios/seed-week/scenario.json --set traces.Extend=true \
    --set start=2016-07-01T00:00:00Z --set end=2016-07-02T00:00:00Z --db "$DB"
expect_out "2016 span" "note: the span begins 37.0 days before what the traces cover"
grep -q "2017" "$TMP/out" && bad "a 2016 span's notes name 2017: $(grep note "$TMP/out")" || ok
run "$SB" run traces/scenarios/market-2021/scenario.json --set market.InterruptionFrequency=0 \
    --set "fleet.LaunchSpecifications[0].InterruptionFrequency=0" \
    --set "fleet.LaunchSpecifications[1].InterruptionFrequency=0" \
    --set "fleet.LaunchSpecifications[2].InterruptionFrequency=0" \
    --set "fleet.LaunchSpecifications[3].InterruptionFrequency=0" --db "$DB"
expect_out "2021 span" "Since AWS's November 2017 pricing change prices rarely reach the on-demand price"

finish
