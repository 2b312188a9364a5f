#!/bin/sh
# test_live_ext.sh: `spotbench live` with a policy of one's own, against the
# SigV4-checking stand-in of test_live.sh: an external policy (the Python
# twin of karpenter), a loaded library (karpenter as a .so) and a variant
# print the built-in's very tick line; a child that crashes ends the loop
# with exit status 1 and its message, nothing applied; a config whose
# external policy cannot start is bad input.
. "$(dirname "$0")/lib.sh"

SO=./${BUILD:-build}/examples/karpenter.so
for v in $(env | sed -n 's/^\(AWS_[A-Z_]*\)=.*/\1/p'); do unset "$v"; done
export HOME="$TMP/home"
mkdir -p "$HOME"
export AWS_EC2_METADATA_DISABLED=true SPOTBENCH_RETRY_SCALE=0 SPOTBENCH_NOW=1488369600

start_echo 120
curl -s -X POST --data '{"metrics": {"TargetCapacity": [[1488369000, 32], [1488369060, 32], [1488369540, 32]], "PendingCapacity": [[1488369480, 8], [1488369540, 8]]}}' \
    "$URL/_echo/state" >/dev/null
export AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY='wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'

config() { # FILE POLICY [PARAMS]
    params=
    [ -n "${3:-}" ] && params=", \"params\": $3"
    cat >"$1" <<EOF2
{"region": "us-east-1", "FleetRequestId": "sfr-test", "AutoScalingGroupName": "ecsDemandBackupGroup",
 "max_on_demand": 20, "policy": "$2"$params,
 "endpoints": {"cloudwatch": "$URL", "autoscaling": "$URL/", "ec2": "http://localhost:$PORT"}}
EOF2
}
# The built-in, falling back at once: 8 units pending, 4 units an instance.
config "$TMP/b.json" karpenter '{"fallback_wait": 0}'
run "$SB" live --config "$TMP/b.json" --once
expect_rc "built-in" 0
expect_out "built-in" "set DesiredCapacity=2 HonorCooldown=false: fall back: PendingCapacity 8 units for 60s (wait 0s) needs 2 instances | dry run"
cp "$TMP/out" "$TMP/want"
for p in "exec:examples/policies/karpenter.py" "$SO"; do
    config "$TMP/x.json" "$p" '{"fallback_wait": 0}'
    run "$SB" live --config "$TMP/x.json" --once
    expect_rc "$p" 0
    expect_same "$p" "$TMP/want"
done
config "$TMP/v.json" "exec:examples/policies/karpenter.py@fallback_wait=0:py"
run "$SB" live --config "$TMP/v.json" --once
expect_rc "variant" 0
expect_same "variant" "$TMP/want"
[ "$(ps -eo args | grep -c '[k]arpenter\.py')" -eq 0 ] && ok || bad "children left running"

# A child that dies at its first observation: the loop ends, exit 1.
cat >"$TMP/die.py" <<'EOF2'
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("type") == "hello":
        print(json.dumps({"type": "describe", "protocol": 1, "name": "die"}), flush=True)
    elif m.get("type") == "lookback":
        print(json.dumps({"type": "lookback", "seconds": 300}), flush=True)
    elif "type" not in m:
        sys.exit("no decision today")
EOF2
config "$TMP/d.json" "exec:python3 $TMP/die.py"
run "$SB" live --config "$TMP/d.json" --apply
expect_rc "dying child" 1
expect_err "dying child" "spotbench: live: exec:python3 $TMP/die.py: the policy exited with status 1 before answering; the line it was answering: {\"now\": 1488369600,"
expect_err "dying child" "its last stderr lines: no decision today"
curl -s "$URL/_echo/log" >"$TMP/log.json"
grep -q SetDesiredCapacity "$TMP/log.json" && bad "a failed policy's tick applied a change" || ok

# An external policy that cannot start: the config is refused.
config "$TMP/n.json" "exec:nosuchcommand-spotbench"
run "$SB" live --config "$TMP/n.json" --once
expect_rc "no such command" 2
expect_err "no such command" "spotbench: $TMP/n.json: policy: exec:nosuchcommand-spotbench: the policy exited with status 127 before answering"
finish
