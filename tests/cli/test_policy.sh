#!/bin/sh
# test_policy.sh: `spotbench policy list|eval`, help and version, end to end.
. "$(dirname "$0")/lib.sh"

run "$SB" --version
expect_rc version 0
expect_out version "spotbench 0."

run "$SB" --help
expect_rc help 0
expect_out help "policy"
run "$SB" help policy
expect_rc "help policy" 0
expect_out "help policy" "spotbench policy eval --policy NAME"
run "$SB" help nosuch
expect_rc "help nosuch" 2
expect_err "help nosuch" "spotbench: help: unknown command 'nosuch'"
run "$SB" nosuch
expect_rc "unknown command" 2
run "$SB"
expect_rc "no command" 2

run "$SB" policy list
expect_rc list 0
expect_out list "classic:"
expect_out list "guarded:"
expect_out list "fallback_capacity"
expect_out list "use_events"

# The documented example: TargetCapacity steady at 32, PendingCapacity 8 in
# the last minute, no on-demand instances: (int)(8/4 + 0.999999) = 2.
EX='{"now": 1488369600, "metrics": {"TargetCapacity": [[1488369000, 32], [1488369060, 32], [1488369540, 32]], "PendingCapacity": [[1488369540, 8]]}, "failed": ["FulfilledCapacity"], "asg": {"DesiredCapacity": 0, "MinSize": 0, "MaxSize": 200, "InService": 0}}'
# A minute later the fleet has scaled 32 -> 40 within the window.
EX2='{"now": "2017-03-01T12:01:00Z", "metrics": {"TargetCapacity": [[1488369540, 32], [1488369600, 40]], "PendingCapacity": [[1488369600, 8]]}, "asg": {"DesiredCapacity": 2, "MinSize": 0, "MaxSize": 200, "InService": 0}}'
printf '%s\n\n%s\n' "$EX" "$EX2" >"$TMP/obs.jsonl"
cat >"$TMP/want" <<'W'
{"now": 1488369600, "action": "set", "DesiredCapacity": 2, "HonorCooldown": false, "reason": "scale out: PendingCapacity 8 units needs 2 instances"}
{"now": 1488369660, "action": "none", "reason": "fleet scaled recently: TargetCapacity went from 32 to 40 within 600s"}
W
run "$SB" policy eval --policy classic "$TMP/obs.jsonl"
expect_rc "eval classic" 0
expect_same "eval classic" "$TMP/want"

# Same input on standard input, with '-' and with no file.
run sh -c "\"$SB\" policy eval --policy classic - <\"$TMP/obs.jsonl\""
expect_same "eval stdin -" "$TMP/want"
run sh -c "\"$SB\" policy eval --policy classic <\"$TMP/obs.jsonl\""
expect_same "eval stdin" "$TMP/want"

# --set reaches the policy: units_per_instance=8 -> (int)(1 + 0.999999) = 1.
run "$SB" policy eval --policy classic --set units_per_instance=8 "$TMP/obs.jsonl"
expect_out "eval --set" '"DesiredCapacity": 1,'

# guarded: a single datapoint with a shortfall is not yet confirmed.
run "$SB" policy eval --policy guarded "$TMP/obs.jsonl"
expect_rc "eval guarded" 0
expect_lines "eval guarded" 2
expect_out "eval guarded" '"action": "none", "reason": "shortfall of 8 units not yet confirmed'

# A failed spot launch (launch_failures, a spot group's Failed scaling
# activity at 11:58:00Z, within guarded's window of 600 s): with
# use_launch_failures=1 the one datapoint of 8 pending units is confirmed:
# ceil(8 / 4) = 2 instances; without the parameter still not confirmed.
LF='{"now": 1488369600, "metrics": {"TargetCapacity": [[1488369000, 32], [1488369060, 32], [1488369540, 32]], "PendingCapacity": [[1488369540, 8]]}, "asg": {"DesiredCapacity": 0, "MinSize": 0, "MaxSize": 200, "InService": 0}, "launch_failures": ["2017-03-01T11:58:00Z"]}'
printf '%s\n' "$LF" >"$TMP/lf.jsonl"
run "$SB" policy eval --policy guarded --set use_launch_failures=1 "$TMP/lf.jsonl"
expect_rc "eval launch_failures" 0
expect_out "eval launch_failures" '"action": "set", "DesiredCapacity": 2, "HonorCooldown": false, "reason": "scale out: shortfall 8 units (pending 8, launching 0, warned 0) needs 2 instances; no interruption events; a spot launch failed"'
run "$SB" policy eval --policy guarded "$TMP/lf.jsonl"
expect_out "eval launch_failures unread" '"action": "none", "reason": "shortfall of 8 units not yet confirmed'

# A malformed third line: the two decisions before it stand, exit 2.
printf '%s\n%s\n{"now": 1, "asg": null, "metrics": {"Pending": []}}\n%s\n' "$EX" "$EX2" "$EX" >"$TMP/bad.jsonl"
run "$SB" policy eval --policy classic "$TMP/bad.jsonl"
expect_rc "bad line" 2
expect_lines "bad line" 2
expect_err "bad line" "spotbench: $TMP/bad.jsonl:3: metrics.Pending: unknown metric"

printf '%s\n{"now": 1, "asg": null, "metrics": {"TargetCapacity": [[0, 1]' "$EX" >"$TMP/trunc.jsonl"
run "$SB" policy eval --policy classic "$TMP/trunc.jsonl"
expect_rc "truncated" 2
expect_err "truncated" ":2: metrics.TargetCapacity: unexpected end of line (truncated JSON?)"
run sh -c "echo 'not json' | \"$SB\" policy eval --policy classic"
expect_rc "stdin bad" 2
expect_err "stdin bad" "spotbench: <stdin>:1: expected a JSON object"

run "$SB" policy eval --policy classic --set nope=1 "$TMP/obs.jsonl"
expect_rc "unknown key" 2
expect_err "unknown key" "spotbench: --set nope=1: unknown setting 'nope': not a parameter of classic nor a scenario field"
run "$SB" policy eval --policy guarded --set confirm=0 "$TMP/obs.jsonl"
expect_rc "out of range" 2
expect_err "out of range" "confirm: must be between 1 and 30, got 0"
run "$SB" policy eval --policy classic --set window "$TMP/obs.jsonl"
expect_rc "set without =" 2
run "$SB" policy eval --policy nosuch "$TMP/obs.jsonl"
expect_rc "unknown policy" 2
expect_err "unknown policy" "--policy nosuch: unknown policy"
run "$SB" policy eval "$TMP/obs.jsonl"
expect_rc "no policy" 2
expect_err "no policy" "--policy NAME is required"
run "$SB" policy eval --policy classic "$TMP/missing.jsonl"
expect_rc "missing file" 1
expect_err "missing file" "missing.jsonl: No such file or directory"

# CloudWatch rounds StartTime down to the minute: at 12:00:01 the original
# asks for StartTime 11:59:01 and still gets the 11:59:00 datapoint, which
# says 0 pending: nothing to do (before, this fell back to 32 units).
OFF='{"now": 1488369601, "metrics": {"TargetCapacity": [[1488369540, 32]], "PendingCapacity": [[1488369540, 0]]}, "asg": {"DesiredCapacity": 0, "MinSize": 0, "MaxSize": 200}}'
echo "$OFF" >"$TMP/off.jsonl"
run "$SB" policy eval --policy classic "$TMP/off.jsonl"
expect_rc "offset 1 s" 0
expect_out "offset 1 s" '"action": "none", "reason": "PendingCapacity 0 units: 0 instances already desired"'
# An out-of-range PendingCapacity never becomes an out-of-range call.
BIG='{"now": 1488369600, "metrics": {"TargetCapacity": [[1488369540, 32]], "PendingCapacity": [[1488369540, 1e10]]}, "asg": {"DesiredCapacity": 0, "MinSize": 0, "MaxSize": 200}}'
echo "$BIG" >"$TMP/big.jsonl"
run "$SB" policy eval --policy classic "$TMP/big.jsonl"
expect_rc "huge pending" 0
expect_out "huge pending" '"DesiredCapacity": 200, "HonorCooldown": false'
expect_out "huge pending" 'clamped to MaxSize 200'
# 5-minute data: "period": 300 makes the latest Period the last 5 minutes.
P300='{"now": 1488369899, "period": 300, "metrics": {"TargetCapacity": [[1488369300, 32], [1488369600, 32]], "PendingCapacity": [[1488369600, 8]]}, "asg": {"DesiredCapacity": 0, "MinSize": 0, "MaxSize": 200}}'
echo "$P300" >"$TMP/p300.jsonl"
run "$SB" policy eval --policy classic "$TMP/p300.jsonl"
expect_out "period 300" '"DesiredCapacity": 2'
# The baselines of the field run from the same observation, through eval as
# live runs them: 8 units fulfilled short at 12:00, and an interruption
# warning for a 2-unit instance received at 11:59:50 (events, as EventBridge
# sends them; TerminatingCapacity 2 is capacity ended above target: unread).
FIELD='{"now": 1488369600, "metrics": {"TargetCapacity": [[1488369480, 32], [1488369540, 32]], "FulfilledCapacity": [[1488369480, 32], [1488369540, 24]], "TerminatingCapacity": [[1488369480, 0], [1488369540, 2]], "PendingCapacity": [[1488369480, 0], [1488369540, 8]]}, "asg": {"DesiredCapacity": 0, "MinSize": 0, "MaxSize": 200}, "events": {"since": 1488369540, "InterruptionWarnings": [[1488369590, 2]]}}'
echo "$FIELD" >"$TMP/field.jsonl"
run "$SB" policy eval --policy hedge "$TMP/field.jsonl"
# gap 32 - (24 - 2) = 10 units: 3 instances, + 1 while interruptions are recent
expect_out "hedge eval" '"DesiredCapacity": 4, "HonorCooldown": false'
# Without the events: gap 32 - 24 = 8: 2, + 1 (FulfilledCapacity fell).
sed 's/, "events": {[^}]*}//' "$TMP/field.jsonl" >"$TMP/field-blind.jsonl"
run "$SB" policy eval --policy hedge "$TMP/field-blind.jsonl"
expect_out "hedge eval without events" '"DesiredCapacity": 3, "HonorCooldown": false'
# Karpenter as shipped falls back at once: 8 / 4 = 2.
run "$SB" policy eval --policy karpenter "$TMP/field.jsonl"
expect_out "karpenter eval" '"DesiredCapacity": 2, "HonorCooldown": false'
run "$SB" policy eval --policy karpenter --set fallback_wait=180 "$TMP/field.jsonl"
expect_out "karpenter eval, the wait of #7490" 'waiting 180s before falling back'
run "$SB" policy eval --policy ondemand "$TMP/field.jsonl"
expect_out "ondemand eval" '"DesiredCapacity": 8, "HonorCooldown": false'
run "$SB" policy eval --policy none "$TMP/field.jsonl"
expect_out "none eval" '"action": "none"'
run "$SB" policy list
expect_out "list" "hedge:"
expect_out "list" "karpenter:"
echo '{"now": 1488369600, "period": 90, "asg": null}' >"$TMP/p90.jsonl"
run "$SB" policy eval --policy classic "$TMP/p90.jsonl"
expect_rc "period 90" 2
expect_err "period 90" "p90.jsonl:1: period: must be a whole number of minutes"

# Issue 24: two observations identical but for four missing PendingCapacity
# datapoints in the middle of guarded's 900 s scale-in window (a shortfall
# of 8 units at 11:49-11:52). The complete one holds 2 instances; the
# partial one holds too, naming the hole, instead of setting 0.
python3 - "$TMP/holes.jsonl" <<'PY'
import json, sys
now = 1488369600
def obs(skip):
    pend = [[now + d, 8 if -660 <= d <= -480 else 0] for d in range(-900, 0, 60)
            if not (skip and -660 <= d <= -480)]
    flat = lambda v: [[now + d, v] for d in range(-900, 0, 60)]
    return {"now": now, "metrics": {"TargetCapacity": flat(32), "PendingCapacity": pend,
            "TerminatingCapacity": flat(0)},
            "asg": {"DesiredCapacity": 2, "MinSize": 0, "MaxSize": 200, "InService": 2}}
with open(sys.argv[1], "w") as f:
    f.write(json.dumps(obs(False)) + "\n" + json.dumps(obs(True)) + "\n")
PY
run "$SB" policy eval --policy guarded "$TMP/holes.jsonl"
expect_rc "guarded, holes" 0
expect_lines "guarded, holes" 2
expect_out "guarded, holes" \
    '"action": "none", "reason": "holding 2 instances: shortfall of 8 units within 900s"'
expect_out "guarded, holes" '"action": "none", "reason": "PendingCapacity has no datapoint 660s '\
'ago, within 900s; not scaling in from 2"'

finish
