#!/bin/sh
# test_handover.sh: from a tuned point to production without a setting lost
# or doubled: a tuned scenario field (asg.DefaultCooldown) reaches the stack
# as the group's Cooldown, and live-config, which cannot hold it, warns
# naming it and its value; live.json holds one max_on_demand (guarded's
# parameter and the live cap agree: min(100, asg.MaxSize 200) = 100, or N
# with --max-on-demand N; classic has no parameter: the cap is MaxSize,
# 200); a tune over the whole suite with --budget is not refused for the
# size of a grid it never runs, and asks for the user's fleet.
. "$(dirname "$0")/lib.sh"
SC=traces/scenarios/seed-week/scenario.json
DB=$TMP/h.db
"$SB" sweep "$SC" --policy guarded --grid confirm=2 --grid asg.DefaultCooldown=600,2700 \
    --db "$DB" --quiet >/dev/null
# Point 0: confirm=2, asg.DefaultCooldown=600 (the last axis varies fastest).
run "$SB" deploy cloudformation "$SC" --sweep 1 --point 0 --db "$DB" -o "$TMP/stack.json"
expect_rc "stack" 0
/usr/bin/python3 -c 'import json,sys
t = json.load(open(sys.argv[1]))
g = t["Resources"]["OnDemandGroup"]
assert g["Type"] == "AWS::AutoScaling::AutoScalingGroup", g
assert str(g["Properties"]["Cooldown"]) == "600", g' "$TMP/stack.json" \
    && ok || bad "the tuned cooldown is not the group's Cooldown"
run "$SB" deploy live-config "$SC" --sweep 1 --point 0 --db "$DB" -o "$TMP/live.json"
expect_rc "live-config" 0
expect_err "live-config names the field it cannot hold" "asg.DefaultCooldown=600"
expect_err "live-config says what to set" "--default-cooldown 600"
run "$SB" best --sweep 1 --min-coverage 50 --db "$DB" --live-config "$TMP/live2.json"
expect_rc "best --live-config" 0
expect_err "best --live-config names the field" "asg.DefaultCooldown="
# A point with no scenario field: no such warning.
"$SB" sweep "$SC" --policy guarded --grid confirm=1,2 --db "$DB" --quiet >/dev/null
run "$SB" deploy live-config "$SC" --sweep 2 --point 1 --db "$DB" -o "$TMP/live3.json"
expect_rc "live-config, policy parameters only" 0
grep -q WARNING "$TMP/err" && bad "a warning without a scenario field" || ok

onecap() { # FILE WANT
    /usr/bin/python3 -c 'import json,sys
c = json.load(open(sys.argv[1]))
caps = [c["max_on_demand"]] + ([c["params"]["max_on_demand"]] if "max_on_demand" in c["params"] else [])
assert caps == [int(sys.argv[2])] * len(caps), caps' "$1" "$2"
}
run "$SB" deploy live-config "$SC" --policy guarded -o "$TMP/g.json"
onecap "$TMP/g.json" 100 && ok || bad "guarded's live.json: two caps"
run "$SB" deploy live-config "$SC" --policy guarded --max-on-demand 50 -o "$TMP/g50.json"
onecap "$TMP/g50.json" 50 && ok || bad "--max-on-demand 50 is not the one cap"
run "$SB" deploy live-config "$SC" --policy guarded --set max_on_demand=300 -o "$TMP/g300.json"
onecap "$TMP/g300.json" 200 && ok || bad "a parameter above MaxSize: not capped at MaxSize"
run "$SB" deploy live-config "$SC" --policy classic -o "$TMP/c.json"
onecap "$TMP/c.json" 200 && ok || bad "classic's cap is not asg.MaxSize"

# A tune over the suite with a budget: its grid (10^7 runs) is never run.
run "$SB" tune traces/scenarios --policy guarded --min-coverage 95 --budget 600 \
    --db "$TMP/t.db"
expect_rc "tune over the suite" 0
grep -q -- '--grid' "$TMP/err" && bad "tune names --grid: $(cat "$TMP/err")" || ok
expect_out "tune over the suite asks for the fleet" "deploy cloudformation YOUR-FLEET.json"
finish
