#!/bin/sh
# test_readme_flow.sh: README.md's "From a sweep to production" commands,
# taken from the README as written, run after `make demo` (scripts/demo.sh)
# in the same database, in a scratch copy of the checkout: they must tune
# the guarded sweep they create (not one of the demo's sensitivity sweeps)
# and hand every tuned setting over: the policy's to live.json, the
# cooldown to the stack. The `spotbench live` lines need a real fleet and
# are left out (tests/aws/test_live_*.py run live against fake endpoints).
. "$(dirname "$0")/lib.sh"
SBABS=$(cd "$(dirname "$SB")" && pwd)/$(basename "$SB")
mkdir -p "$TMP/co/scripts" "$TMP/co/results"
cp -R traces "$TMP/co/"
cp scripts/demo.sh "$TMP/co/scripts/"
(cd "$TMP/co" && BUILD=$(dirname "$SBABS") sh scripts/demo.sh) >"$TMP/demo.log" 2>&1
[ $? -eq 0 ] && ok || bad "make demo's script failed: $(tail -5 "$TMP/demo.log")"

# The README block after "From a sweep to production", lines joined.
awk '/^From a sweep to production/ {f = 1; next}
     f && /^```sh/ {b = 1; next}
     b && /^```/ {exit}
     b {print}' README.md |
    sed -e ':a' -e '/\\$/N; s/\\\n//; ta' |
    grep '^spotbench ' | grep -v '^spotbench live ' >"$TMP/cmds"
[ "$(wc -l <"$TMP/cmds")" -ge 3 ] && ok || bad "README block not found: $(cat "$TMP/cmds")"
grep -q '^spotbench best ' "$TMP/cmds" && ok || bad "README block runs no best"

cd "$TMP/co"
i=0
while IFS= read -r line; do
    i=$((i + 1))
    # The line as written, with this build's binary for 'spotbench'.
    eval "\"\$SBABS\" ${line#spotbench }" >"$TMP/out.$i" 2>"$TMP/err.$i"
    r=$?
    [ "$r" -eq 0 ] && ok || bad "README line '$line': exit $r: $(head -c 400 "$TMP/err.$i")"
done <"$TMP/cmds"

# The sweep best ranked is the README's own: guarded, over confirm and the
# cooldown, and the last one ls lists.
"$SBABS" ls --json >"$TMP/ls.json"
/usr/bin/python3 - "$TMP/ls.json" "$TMP/co/stack.json" "$TMP/co/live.json" <<'PYEOF' \
    && ok || bad "the README's sweep, stack or live.json is not the tuned one"
import json, sys
sweeps = json.load(open(sys.argv[1]))
last = sweeps[-1]
assert last["policy"] == "guarded" and last["kind"] == "sweep", last
assert last["axes"] == ["confirm", "asg.DefaultCooldown"], last
assert [s["kind"] for s in sweeps[:2]] == ["sensitivity", "sensitivity"], sweeps
stack = json.load(open(sys.argv[2]))
live = json.load(open(sys.argv[3]))
group = stack["Resources"]["OnDemandGroup"]
assert group["Type"] == "AWS::AutoScaling::AutoScalingGroup", group
cooldown = int(group["Properties"]["Cooldown"])
assert cooldown in (600, 1800, 2700), cooldown
assert live["policy"] == "guarded", live
assert live["params"]["confirm"] in (1, 2, 3), live
# The sweep ran the spot group the stack deploys, and live.json names it.
assert stack["Resources"]["SpotGroup"]["Type"] == "AWS::AutoScaling::AutoScalingGroup"
assert "SpotAutoScalingGroupName" in live and "FleetRequestId" not in live, live
PYEOF
grep -h "fleet.kind" "$TMP"/err.* && bad "the README's flow: warned of the spot side's kind" || ok

# What best chose is what went out: its JSON names the same point.
run "$SBABS" best --sweep last --min-coverage 99.9 --json
expect_rc "best --json" 0
/usr/bin/python3 - "$TMP/out" "$TMP/co/stack.json" "$TMP/co/live.json" <<'PYEOF' \
    && ok || bad "best's point differs from what the stack and live.json hold"
import json, sys
b = json.load(open(sys.argv[1]))
stack = json.load(open(sys.argv[2]))
live = json.load(open(sys.argv[3]))
assert b["policy"] == "guarded", b
g = stack["Resources"]["OnDemandGroup"]
assert int(g["Properties"]["Cooldown"]) == b["parameters"]["asg.DefaultCooldown"], b
assert live["params"]["confirm"] == b["parameters"]["confirm"], b
PYEOF
# The cooldown cannot go into live.json: best says so, by name.
n=$(grep -n '^spotbench best ' "$TMP/cmds" | head -1 | cut -d: -f1)
grep -q 'asg.DefaultCooldown=' "$TMP/err.$n" && ok ||
    bad "best did not name the tuned cooldown live.json cannot hold"
grep -q 'policy      guarded' "$TMP/out.$n" && ok || bad "best did not name the policy"

# The demo's first sweep is a sensitivity sweep: refused, and said why.
run "$SBABS" best --sweep 1 --min-coverage 99.9
expect_rc "best on a sensitivity sweep" 2
expect_err "best on a sensitivity sweep" "varies only unknowns"
run "$SBABS" best --sweep 1 --min-coverage 99.9 --json
expect_rc "best --json on a sensitivity sweep" 2
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1]));
assert d["exit_status"] == 2 and "unknowns" in d["error"], d' "$TMP/out" \
    && ok || bad "best --json failure is not a JSON error: $(cat "$TMP/out")"
run "$SBABS" best --sweep 1 --min-coverage 90 --allow-unknowns --json
expect_rc "best --allow-unknowns" 0
expect_out "best --allow-unknowns" '"policy":"classic"'
cd - >/dev/null
finish
