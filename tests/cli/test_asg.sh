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

finish
