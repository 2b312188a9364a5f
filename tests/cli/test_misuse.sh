#!/bin/sh
# test_misuse.sh: no silent misuse. A run that would measure something else
# than was asked is refused with the field at fault and exit 2, in every
# command that runs scenarios, unless the scenario asks for it explicitly:
# units_per_instance against asg.WeightedCapacity.
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

finish
