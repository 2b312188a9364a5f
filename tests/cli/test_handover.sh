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

# deploy --json: what was written and every warning, as one object whose
# warnings are the stderr lines (in order) and whose figures are the files'.
run "$SB" deploy live-config "$SC" --sweep 1 --point 0 --db "$DB" -o "$TMP/lj.json" --json
expect_rc "live-config --json" 0
expect_lines "live-config --json" 1
/usr/bin/python3 - "$TMP/out" "$TMP/err" "$TMP/lj.json" "$TMP/live.json" <<'PY' \
    && ok || bad "live-config --json differs from its stderr or file"
import json, sys
d = json.load(open(sys.argv[1]))
err = [l[len("spotbench: "):].rstrip("\n") for l in open(sys.argv[2])]
assert d["kind"] == "live-config" and d["output"] == sys.argv[3], d
assert d["policy"] == json.load(open(sys.argv[3]))["policy"] == "guarded", d
assert [w["text"] for w in d["warnings"]] + d["notes"] == err, (d, err)
tuned = [w for w in d["warnings"] if w["field"] == "asg.DefaultCooldown"]
assert len(tuned) == 1 and "--default-cooldown 600" in tuned[0]["text"], d["warnings"]
# the file is the one written without --json (its path aside)
assert open(sys.argv[3]).read() == open(sys.argv[4]).read()
PY
run "$SB" deploy cloudformation "$SC" --sweep 1 --point 0 --db "$DB" -o "$TMP/sj.json" \
    --json --alarm
expect_rc "cloudformation --json" 0
/usr/bin/python3 - "$TMP/out" "$TMP/err" "$TMP/sj.json" <<'PY' \
    && ok || bad "cloudformation --json differs from its stderr or template"
import json, sys
d = json.load(open(sys.argv[1]))
err = [l[len("spotbench: "):].rstrip("\n") for l in open(sys.argv[2])]
t = json.load(open(sys.argv[3]))
assert d["kind"] == "cloudformation" and d["output"] == sys.argv[3], d
assert [w["text"] for w in d["warnings"]] + d["notes"] == err, (d, err)
assert all(w["text"].startswith("warning: ") for w in d["warnings"]), d
# pools: the template's overrides; the alarm and dry run as asked
lt = t["Resources"]["SpotGroup"]["Properties"]["MixedInstancesPolicy"]["LaunchTemplate"]
assert d["pools"] == len(lt["Overrides"]), (d["pools"], lt)
assert d["alarm"] is True and d["apply"] is False, d
assert d["lambda_timeout_s"] == t["Resources"]["Controller"]["Properties"]["Timeout"], d
PY
# A failure with --json: the error object, and the message on stderr.
run "$SB" deploy live-config "$SC" --sweep 1 --point 9 --db "$DB" -o "$TMP/x.json" --json
expect_rc "--json bad point" 2
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
assert d == {"error": "--point 9: sweep 1 has points 0 to 1", "exit_status": 2}, d' "$TMP/out" \
    && ok || bad "--json bad point: $(cat "$TMP/out")"
expect_err "--json bad point on stderr" "--point 9: sweep 1 has points 0 to 1"
run "$SB" deploy cloudformation "$SC" --json
expect_rc "--json without -o" 2
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
assert d["exit_status"] == 2 and d["error"], d' "$TMP/out" && ok || bad "--json without -o"

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
