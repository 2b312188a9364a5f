#!/bin/sh
# test_sets.sh: one rule for --set KEY=VALUE (lab/lab.h) in every command
# that takes it: the same wrong input gives the same message and exit 2 in
# run, sweep, tune, compare, sensitivity, regress, deploy live-config and
# policy eval; a right one applies where the rule says.
. "$(dirname "$0")/lib.sh"

CASE=traces/scenarios/all-outbid-3h
S=$CASE/scenario.json
DB=$TMP/sets.db

# Each command with karpenter chosen, as a user would type it.
each() {
    # $1: the settings; runs every command, calls check after each.
    for c in run sweep tune compare sensitivity regress deploy eval; do
        case $c in
        run) run "$SB" run "$S" --policy karpenter $1 --db "$DB" ;;
        sweep) run "$SB" sweep "$S" --policy karpenter --grid fallback_wait=0,60 $1 --db "$DB" -j 1 ;;
        tune) run "$SB" tune "$S" --policy karpenter --min-coverage 99 $1 --db "$DB" -j 1 ;;
        compare) run "$SB" compare "$S" --policy karpenter $1 --db "$DB" -j 1 ;;
        sensitivity) run "$SB" sensitivity "$S" --policy karpenter $1 --db "$DB" -j 1 ;;
        regress) run "$SB" regress "$CASE" --policy karpenter $1 --db "$DB" ;;
        deploy) run "$SB" deploy live-config "$S" --policy karpenter $1 -o "$TMP/live.json" ;;
        eval) run "$SB" policy eval /dev/null --policy karpenter $1 ;;
        esac
        check "$c"
    done
}

# Another policy's parameter: an error naming the policies that have it.
check() {
    expect_rc "$1: window=900 with karpenter" 2
    expect_err "$1: window=900 with karpenter" \
        "spotbench: --set window=900: 'window' is a parameter of classic and guarded, not of karpenter (see 'spotbench policy list')"
    [ ! -s "$TMP/out" ] && ok || bad "$1: printed a result: $(head -c 200 "$TMP/out")"
}
each "--set window=900"

# A misspelt top-level name: neither a parameter nor a scenario field.
check() {
    expect_rc "$1: windw=900" 2
    expect_err "$1: windw=900" \
        "spotbench: --set windw=900: unknown setting 'windw': not a parameter of karpenter nor a scenario field"
}
each "--set windw=900"

# A value the policy refuses: the policy engine's own words, once.
check() {
    expect_rc "$1: fallback_wait=-5" 2
    expect_err "$1: fallback_wait=-5" "spotbench: --set fallback_wait=-5: fallback_wait: must be between 0 and"
}
each "--set fallback_wait=-5"

# A misspelt field inside a scenario object: the loader's message, the same
# in every command that loads a scenario; policy eval reads none.
check() {
    expect_rc "$1: asg.DefaultCooldwn" 2
    if [ "$1" = eval ]; then
        expect_err "$1: asg.DefaultCooldwn" \
            "spotbench: --set asg.DefaultCooldwn=900: a scenario field, and 'policy eval' reads observations, not a scenario"
    else
        expect_err "$1: asg.DefaultCooldwn" \
            "spotbench: $S: asg.DefaultCooldwn: unknown field (did you mean 'DefaultCooldown'?)"
    fi
}
each "--set asg.DefaultCooldwn=900"

# Nothing was stored by any of the refused commands.
if [ -e "$DB" ]; then
    n=$(sqlite3 "$DB" 'SELECT count(*) FROM runs' 2>/dev/null || echo 0)
    [ "$n" = 0 ] && ok || bad "refused commands stored $n runs"
else
    ok
fi

# Several policies: a parameter goes to those that have it. classic's window
# is a parameter of classic and guarded; karpenter runs without it.
run "$SB" run "$S" --policy classic --policy karpenter --set window=900 --json --db "$DB"
expect_rc "run classic+karpenter window=900" 0
python3 - "$TMP/out" <<'P' && ok || bad "window=900 reached classic only"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
by = {r["policy"]: r["params"] for r in rows}
assert by["classic"]["window"] == 900, by
assert "window" not in by["karpenter"], by
P

# No --policy: the scenario's controller.policy (classic here) is chosen.
run "$SB" run "$S" --set fallback_wait=0 --db "$DB"
expect_rc "run, scenario's policy, karpenter's parameter" 2
expect_err "run, scenario's policy" "'fallback_wait' is a parameter of karpenter, not of classic"

finish
