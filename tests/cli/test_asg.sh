#!/bin/sh
# test_asg.sh: spot capacity as an Auto Scaling group (fleet.kind asg) and
# the native strategies (mixed-instances, capacity-providers) from the
# command line: wrong fields named with what to use instead, every policy
# run on a group, the natives beside the controllers in compare with their
# parameters, and where they cannot run (live, deploy, direct mode).
. "$(dirname "$0")/lib.sh"

A=traces/asg/capacity-ice-asg/scenario.json
F=traces/scenarios/capacity-ice/scenario.json
DB=$TMP/asg.db
ID=fleet.MixedInstancesPolicy.InstancesDistribution

# Wrong input: exit 2, the file, the field and what is wrong.
bad_set() {
    # $1 name, $2 scenario, $3 the --set, $4 the message expected
    run "$SB" run "$2" --policy none --set "$3" --db "$DB"
    expect_rc "$1" 2
    expect_err "$1" "spotbench: $2: $4"
}
bad_set kind $A fleet.kind=fleet "fleet.kind: 'fleet' is not one of spot-fleet, asg"
bad_set target $A fleet.TargetCapacity=32 \
    "fleet.TargetCapacity: a Spot Fleet field, not one of fleet.kind asg: an Auto Scaling group has DesiredCapacity (units)"
bad_set alloc $A fleet.AllocationStrategy=diversified \
    "fleet.AllocationStrategy: a Spot Fleet field, not one of fleet.kind asg: use MixedInstancesPolicy.InstancesDistribution.SpotAllocationStrategy"
bad_set pct $A "$ID.OnDemandPercentageAboveBaseCapacity=120" \
    "$ID.OnDemandPercentageAboveBaseCapacity: must be at most 100"
bad_set base $A "$ID.OnDemandBaseCapacity=2.5" "$ID.OnDemandBaseCapacity: must be a whole number"
bad_set strategy $A "$ID.SpotAllocationStrategy=cheapest" \
    "$ID.SpotAllocationStrategy: 'cheapest' is not one of lowest-price, capacity-optimized, capacity-optimized-prioritized, price-capacity-optimized"
bad_set rebalance $A fleet.CapacityRebalance=yes "fleet.CapacityRebalance: must be true or false"
bad_set specprice $A "fleet.LaunchSpecifications[0].SpotPrice=0.1" \
    "fleet.LaunchSpecifications[0].SpotPrice: an Auto Scaling group's override has no max price"
bad_set template $A 'fleet.MixedInstancesPolicy.LaunchTemplate={}' \
    "fleet.MixedInstancesPolicy.LaunchTemplate: not read: the group's overrides are fleet.LaunchSpecifications"
bad_set desired_on_fleet $F fleet.DesiredCapacity=32 \
    "fleet.DesiredCapacity: only with fleet.kind asg"
bad_set desired_zero $A fleet.DesiredCapacity=0 "fleet.DesiredCapacity: must be > 0"

# Every policy runs on the group (the oracle too); the native strategies
# show their parameters in compare's JSON.
for p in classic guarded hedge karpenter none ondemand mixed-instances capacity-providers oracle
do
    run "$SB" run "$A" --policy $p --db "$DB"
    expect_rc "$p on asg" 0
    expect_out "$p on asg" "capacity-ice-asg (model mode"
done

# The group with its own InstancesDistribution and mixed-instances with the
# same settings are one run: the same total cost.
run "$SB" run "$A" --policy none --policy mixed-instances --db "$DB" --json
expect_rc "none = mixed-instances on the group" 0
n=$(python3 -c 'import json,sys; r=[json.loads(l) for l in open(sys.argv[1]) if l.strip()]; print(len({x["summary"]["total_cost"] for x in r}))' "$TMP/out" 2>/dev/null)
[ "$n" = 1 ] && ok || bad "none and mixed-instances differ on the group: $(head -c 300 "$TMP/out")"

# compare: natives beside a controller, with their parameters; a
# direct-mode case is left out for them, with a note.
run "$SB" compare traces/scenarios --policy hedge --policy mixed-instances -j 2 --db "$DB" \
    --set on_demand_base=4
expect_rc "compare natives" 0
expect_err "compare natives: direct case left out" \
    "note: period-300-direct: left out: a direct-mode case replays a fleet's metrics, and mixed-instances needs the model"
expect_out "compare natives: parameters" "mixed-instances: on_demand_base=4 on_demand_percentage=0"

# Not controllers: nothing to run live or deploy.
run "$SB" deploy live-config "$F" --policy mixed-instances -o "$TMP/live.json"
expect_rc "deploy a native" 2
expect_err "deploy a native" "is a native AWS strategy"

# Direct mode: a native strategy has no spot side to set up.
run "$SB" run traces/scenarios/period-300-direct/scenario.json --policy capacity-providers \
    --db "$DB"
expect_rc "native in direct mode" 2
expect_err "native in direct mode" "traces/scenarios/period-300-direct/scenario.json: mode: capacity-providers is a native strategy"

# trace import: an AWS/AutoScaling GetMetricData export (1-minute group
# metrics, newest first, Ids lower-case first) of a spot group of 32 units
# that lost 12 from 00:15 to 00:25 (GroupTerminatingCapacity 12 at 00:14,
# replacements pending at 00:23-00:24). The kind-neutral view:
# GroupDesiredCapacity, GroupInServiceCapacity, GroupTerminatingCapacity;
# GroupPendingCapacity and GroupTotalCapacity are counted, not read.
G=tests/fixtures/asg/group-metrics.json
run "$SB" trace import "$G" -o "$TMP/group.csv"
expect_rc "asg import" 0
expect_err "asg import" "60 records of other group metrics not read"
awk 'BEGIN { print "Timestamp,TargetCapacity,FulfilledCapacity,TerminatingCapacity"
    for (m = 0; m < 30; m++)
        printf "2017-03-01T00:%02d:00Z,32,%d,%d\n", m, (m >= 15 && m <= 24) ? 20 : 32,
            m == 14 ? 12 : 0 }' >"$TMP/group.want"
cmp -s "$TMP/group.csv" "$TMP/group.want" && ok ||
    bad "asg import CSV: $(diff "$TMP/group.want" "$TMP/group.csv" | head -5)"
run "$SB" trace check "$G"
expect_out "asg check" "kind: metrics (AWS/AutoScaling, as the kind-neutral view)"
expect_out "asg check" "not read: 60"
# Both namespaces in one import are refused.
sed 's/"GroupInServiceCapacity"/"FulfilledCapacity"/' "$G" >"$TMP/mixed.json"
run "$SB" trace import "$TMP/mixed.json" -o "$TMP/mixed.csv"
expect_rc "mixed namespaces" 2
expect_err "mixed namespaces" "MetricDataResults[1].Label: AWS/EC2Spot and AWS/AutoScaling metrics in one import"
sed 's/"GroupInServiceCapacity"/"GroupInServiceCapacityX"/; s/"groupInServiceCapacity"/"x"/' \
    "$G" >"$TMP/unknown.json"
run "$SB" trace import "$TMP/unknown.json" -o "$TMP/unknown.csv"
expect_rc "unknown group metric" 2
expect_err "unknown group metric" "'GroupInServiceCapacityX' (Id 'x') is neither an AWS/EC2Spot fleet metric"

# Direct mode on it: PendingCapacity derived as desired - in service, 12
# units for 600 s; without a fallback 12 x 600 unit-s short over 20 minutes
# of 32 units: 2.00 unit-hours, coverage 1 - 7200 / 38400 = 81.250 %.
# guarded covers the 12 units under notice (GroupTerminatingCapacity) at
# once: 3 instances of 4 units.
cat >"$TMP/direct.json" <<EOF2
{"name": "group-direct", "mode": "direct", "seed": 1,
 "start": "2017-03-01T00:10:00Z", "end": "2017-03-01T00:30:00Z",
 "direct": {"metrics": "group.csv", "Period": 60, "SpotPrice": 0.05},
 "cloudwatch": {"IngestionDelay": 0},
 "controller": {"policy": "none", "Cron": true, "Interval": 60},
 "asg": {"AutoScalingGroupName": "backup", "InstanceType": "c4.xlarge",
         "WeightedCapacity": 4, "OnDemandPrice": 0.199, "MinSize": 0, "MaxSize": 20,
         "DesiredCapacity": 0, "DefaultCooldown": 300, "LaunchDelay": 60}}
EOF2
run "$SB" run "$TMP/direct.json" --policy none --db "$DB" --json
expect_rc "direct none" 0
python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["summary"]; assert abs(s["shortfall_unit_hours"]-2.0)<1e-9 and abs(s["coverage_pct"]-81.25)<1e-9, s' "$TMP/out" &&
    ok || bad "direct none: $(head -c 400 "$TMP/out")"
run "$SB" run "$TMP/direct.json" --policy guarded --db "$DB" --json
expect_rc "direct guarded" 0
python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["summary"]; assert s["od_launches"]==3, s' "$TMP/out" &&
    ok || bad "direct guarded: $(head -c 400 "$TMP/out")"

# Target tracking on a group: the split is made again when the desired
# capacity moves. capacity-ice-asg (base 8) at 50 % above it, demand 32, 48
# from 06:00, 32 from 12:00 (scale-out-during-outage's): 8 + 12 = 20 units,
# 5 c4.xlarge on demand; target tracking raises the group to 48 at 06:01
# (8 + 20 = 28: 7) and lowers it at 12:01: 5 x 24 h + 2 x 6 h = 132
# instance-hours at $0.199 = $26.268.
run "$SB" run "$A" --policy none --db "$DB" --json \
    --set "fleet.TargetTracking={\"Demand\": \"$PWD/traces/scenarios/scale-out-during-outage/demand.csv\"}" \
    --set "$ID.OnDemandPercentageAboveBaseCapacity=50"
expect_rc "asg target tracking" 0
python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["summary"]; assert abs(s["od_cost"]-26.268)<1e-9 and abs(s["od_instance_hours"]-132)<1e-9, s' "$TMP/out" &&
    ok || bad "asg target tracking: $(head -c 400 "$TMP/out")"

# A Spot Fleet's description run as a group (--set fleet.kind=asg: the group
# the default stack deploys from it: 100 % spot, CapacityRebalance, no
# SpotMaxPrice) runs as the same group written by hand: capacity-ice-asg is
# capacity-ice's pools as a group, with a base of 8 set to 0 here. Every
# figure of the summary agrees; mixed-instances keeps its own defaults on a
# converted fleet (base 8) and agrees when given the hand-written base 0.
same_as_group() {
    # $1 label, $2 policy, $3 extra --set for both, or ""
    set -- "$1" "$2" ${3:+--set "$3"}
    lab=$1; pol=$2; shift 2
    "$SB" run "$F" --policy "$pol" --set fleet.kind=asg "$@" --db "$DB" --json \
        >"$TMP/conv.json" 2>"$TMP/conv.err"
    "$SB" run "$A" --policy "$pol" --set "$ID.OnDemandBaseCapacity=0" "$@" --db "$DB" \
        --json >"$TMP/hand.json" 2>"$TMP/hand.err"
    python3 -c '
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
assert a["summary"] == b["summary"] and a["params"] == b["params"], (a["summary"], b["summary"])
assert a["summary"]["spot_cost"] > 0 and a["summary"]["interruptions"] > 0, a["summary"]
' "$TMP/conv.json" "$TMP/hand.json" && ok ||
        bad "$lab: $(cat "$TMP/conv.err" "$TMP/hand.err" | head -c 600)"
}
for p in classic guarded hedge karpenter none capacity-providers; do
    same_as_group "fleet.kind=asg on a fleet: $p as on the hand-written group" $p ""
done
same_as_group "fleet.kind=asg on a fleet: mixed-instances with base 0" mixed-instances \
    on_demand_base=0
# With a group field as well, the description is read as a group's: the
# fleet's TargetCapacity is then named as the wrong field.
run "$SB" run "$F" --policy none --set fleet.kind=asg --set fleet.CapacityRebalance=true \
    --db "$DB"
expect_rc "fleet.kind=asg with a group field" 2
expect_err "fleet.kind=asg with a group field" \
    "spotbench: $F: fleet.TargetCapacity: a Spot Fleet field, not one of fleet.kind asg"
# compare over a suite leaves its direct-mode case out, saying why.
run "$SB" compare traces/scenarios --policy none --seeds 1 --set fleet.kind=asg --db "$DB"
expect_rc "compare --set fleet.kind=asg over the suite" 0
expect_err "compare --set fleet.kind=asg: the direct case left out" \
    "note: period-300-direct: left out: a direct-mode case replays a fleet's metrics, and fleet.kind=asg needs the model"

# What is simulated is what is deployed: a Spot Fleet scenario's stack with
# --set fleet.kind=asg is the default stack byte for byte, without the
# warning that the simulation was a fleet's.
S=traces/scenarios/seed-week/scenario.json
run "$SB" deploy cloudformation "$S" --policy hedge -o "$TMP/fleet-stack.json"
expect_err "deploy of a fleet scenario: the kind warned" "fleet.kind: simulated as a Spot Fleet"
run "$SB" deploy cloudformation "$S" --policy hedge --set fleet.kind=asg -o "$TMP/group-stack.json"
expect_rc "deploy --set fleet.kind=asg" 0
cmp -s "$TMP/fleet-stack.json" "$TMP/group-stack.json" && ok ||
    bad "deploy --set fleet.kind=asg: a stack other than the default's"
grep -q "fleet.kind" "$TMP/err" && bad "deploy --set fleet.kind=asg: still warned" || ok

# The spot side's kind is held by the key live.json names: nothing to warn
# of when they agree, a warning when a simulated group goes to a fleet.
run "$SB" deploy live-config "$S" --set fleet.kind=asg -o "$TMP/live-group.json"
expect_rc "live-config of a group" 0
grep -q "fleet.kind" "$TMP/err" && bad "live-config of a group: warned of the kind" || ok
run "$SB" deploy live-config "$S" --set fleet.kind=asg --spot-fleet -o "$TMP/live-fleet.json"
expect_err "live-config of a group as a fleet" \
    "WARNING: $TMP/live-fleet.json: fleet.kind=asg was simulated, but the live configuration names a Spot Fleet"

finish
