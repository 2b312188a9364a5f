#!/bin/sh
# test_live.sh: `spotbench live` end to end against tests/aws/sigv4_echo.py, a
# loopback stand-in for CloudWatch, Auto Scaling, EC2 and the credential
# endpoints that checks every request's SigV4 signature with botocore.
# Nothing here leaves 127.0.0.1: the instance metadata service is disabled
# unless pointed at the stand-in, and HOME is a scratch folder.
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
AK=AKIDEXAMPLE
SK='wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'
TOKEN='IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN+abc/def=='

for v in $(env | sed -n 's/^\(AWS_[A-Z_]*\)=.*/\1/p'); do unset "$v"; done
export HOME="$TMP/home"
mkdir -p "$HOME"
export AWS_EC2_METADATA_DISABLED=true
export SPOTBENCH_RETRY_SCALE=0
# 2017-03-01T12:00:00Z, the policy eval documentation's example.
export SPOTBENCH_NOW=1488369600

# ---- No server needed ----
run "$SB" live --help
expect_rc help 0
expect_out help "usage: spotbench live --config FILE"
run "$SB" live
expect_rc "no config" 2
expect_err "no config" "--config FILE is required"
run "$SB" live --config x.json --bogus
expect_rc "bad option" 2
run "$SB" live --config x.json --db
expect_rc "--db without FILE" 2
run "$SB" live --config "$TMP/nosuch.json" --once
expect_rc "missing config" 2
expect_err "missing config" "nosuch.json: no such file"

BASE='"FleetRequestId": "sfr-test", "AutoScalingGroupName": "ecsDemandBackupGroup", "max_on_demand": 20'
echo "{$BASE, \"region\": \"us-east-1\", \"bogus\": 1}" >"$TMP/bad.json"
run "$SB" live --config "$TMP/bad.json" --once
expect_rc "unknown key" 2
expect_err "unknown key" "bad.json: unknown key 'bogus'"
echo "{$BASE, \"region\": \"us-east-1\", \"endpoints\": {\"ec2\": \"http://ec2.example.com\"}}" >"$TMP/bad.json"
run "$SB" live --config "$TMP/bad.json" --once
expect_rc "http endpoint" 2
expect_err "http endpoint" "plain http is allowed only to a loopback address"
echo "{$BASE}" >"$TMP/noregion.json"
run "$SB" live --config "$TMP/noregion.json" --once
expect_rc "no region" 2
expect_err "no region" "no AWS region"
AWS_ENDPOINT_URL=http://10.1.2.3:4566 AWS_REGION=us-east-1 \
    run "$SB" live --config "$TMP/noregion.json" --once
expect_rc "http env endpoint" 2
expect_err "http env endpoint" "AWS_ENDPOINT_URL: endpoint http://10.1.2.3:4566: plain http"

# ---- The stand-in ----
start_echo 240
ctl() { curl -s -X POST --data "$2" "$URL/_echo/$1" >/dev/null; }
ctl state '{"metrics": {"TargetCapacity": [[1488369000, 32], [1488369060, 32], [1488369540, 32]], "PendingCapacity": [[1488369540, 8]]}}'

cat >"$TMP/live.json" <<EOF
{"region": "us-east-1", $BASE, "policy": "classic",
 "endpoints": {"cloudwatch": "$URL", "autoscaling": "$URL/", "ec2": "http://localhost:$PORT"}}
EOF
export AWS_ACCESS_KEY_ID=$AK AWS_SECRET_ACCESS_KEY=$SK

# Dry run: the documented example wants 2 instances; nothing is set.
run "$SB" live --config "$TMP/live.json" --once
expect_rc "dry run" 0
expect_lines "dry run" 1
expect_out "dry run" "2017-03-01T12:00:00Z TargetCapacity=32 PendingCapacity=8 FulfilledCapacity=- TerminatingCapacity=- | fleet active target 32 | ASG desired=0 in-service=0 | set DesiredCapacity=2 HonorCooldown=false: scale out: PendingCapacity 8 units needs 2 instances | dry run: would set DesiredCapacity=2 (HonorCooldown=false)"
curl -s "$URL/_echo/log" >"$TMP/log.json"
grep -q SetDesiredCapacity "$TMP/log.json" && bad "dry run called SetDesiredCapacity" || ok
grep -q '"error": ' "$TMP/log.json" && bad "stand-in rejected a request: $(cat "$TMP/echo.err")" || ok

# --json: the same tick as one object on one line: its text line, the
# decision and the outcome as the text says them.
cp "$TMP/out" "$TMP/dry.txt"
run "$SB" live --config "$TMP/live.json" --once --json
expect_rc "dry run --json" 0
expect_lines "dry run --json" 1
python3 - "$TMP/out" "$TMP/dry.txt" <<'PY' && ok || bad "live --json: $(head -c 400 "$TMP/out")"
import json, sys
d = json.loads(open(sys.argv[1]).read())
text = open(sys.argv[2]).read().strip()
assert d["line"] == text, (d["line"], text)
assert d["now"] == "2017-03-01T12:00:00Z" and d["policy"] == "classic" and d["apply"] is False
assert d["outcome"] == "dry-run", d["outcome"]
assert d["decision"] == {"action": "set", "DesiredCapacity": 2, "HonorCooldown": False,
                         "reason": "scale out: PendingCapacity 8 units needs 2 instances",
                         "capped": False}, d["decision"]
assert d["errors"] == [] and d["observation"]["now"] == 1488369600
PY

# --record writes what `policy eval` replays to the same decision.
run "$SB" live --config "$TMP/live.json" --once --record "$TMP/rec.jsonl"
expect_rc record 0
run "$SB" live --config "$TMP/live.json" --once --record "$TMP/rec.jsonl"
n=$(wc -l <"$TMP/rec.jsonl")
[ "$n" -eq 2 ] && ok || bad "record: $n lines, wanted 2 (appended)"
# --record never appends through a symbolic link (traces/outfile.h, as every
# output): refused before the first tick (exit 2), the link's target
# untouched; nor to a FIFO or a device.
echo "not a record" >"$TMP/target.txt"
ln -s "$TMP/target.txt" "$TMP/rec-link.jsonl"
run "$SB" live --config "$TMP/live.json" --once --record "$TMP/rec-link.jsonl"
expect_rc "record through a link" 2
expect_err "record through a link" "rec-link.jsonl: is a symbolic link; spotbench does not write through links"
[ "$(cat "$TMP/target.txt")" = "not a record" ] && ok || bad "--record appended through a link"
[ ! -s "$TMP/out" ] && ok || bad "a refused --record ran a tick: $(cat "$TMP/out")"
mkfifo "$TMP/rec.fifo"
run timeout 10 "$SB" live --config "$TMP/live.json" --once --record "$TMP/rec.fifo"
expect_rc "record to a FIFO" 2
run "$SB" live --config "$TMP/live.json" --once --record /dev/null
expect_rc "record to a device" 2
run "$SB" policy eval --policy classic "$TMP/rec.jsonl"
expect_rc replay 0
expect_out replay '{"now": 1488369600, "action": "set", "DesiredCapacity": 2, "HonorCooldown": false, "reason": "scale out: PendingCapacity 8 units needs 2 instances"}'
expect_lines replay 2

# --db stores each tick as a row of live_ticks; its observation is the
# --record line.
DB="$TMP/db/live.db"
run "$SB" live --config "$TMP/live.json" --once --db "$DB" --record "$TMP/rec3.jsonl"
expect_rc "db dry run" 0
[ "$(sqlite3 "$DB" 'SELECT observation FROM live_ticks')" = "$(cat "$TMP/rec3.jsonl")" ] && ok ||
    bad "db: observation differs from the record line: $(sqlite3 "$DB" 'SELECT observation FROM live_ticks')"
sq() { sqlite3 -separator '|' "$DB" "$1"; }
[ "$(sq 'SELECT t, fleet_request_id, asg_name, policy, json_extract(params, "$.window"), tool_version LIKE "%(%)" FROM live_ticks')" = \
    "1488369600|sfr-test|ecsDemandBackupGroup|classic|600|1" ] && ok ||
    bad "db: tick row: $(sq 'SELECT * FROM live_ticks')"

# A database that cannot be opened: exit 1 before any call is made.
curl -s "$URL/_echo/log" >"$TMP/log0.json"
run "$SB" live --config "$TMP/live.json" --once --apply --db "$TMP/rec3.jsonl"
expect_rc "db unusable" 1
expect_err "db unusable" "rec3.jsonl"
expect_lines "db unusable" 0
curl -s "$URL/_echo/log" >"$TMP/log1.json"
cmp -s "$TMP/log0.json" "$TMP/log1.json" && ok || bad "db unusable: calls were made"

# --apply sets it; the next tick sees it and does nothing.
run "$SB" live --config "$TMP/live.json" --once --apply --db "$DB"
expect_rc apply 0
expect_out apply "| applied: DesiredCapacity=2 (HonorCooldown=false)"
run "$SB" live --config "$TMP/live.json" --once --apply --db "$DB"
expect_out "after apply" "ASG desired=2 in-service=0 | none: "
expect_out "after apply" "| no change"

# A scale-in refused during the cooldown is normal: logged, exit 0.
ctl state '{"metrics": {"TargetCapacity": [[1488369000, 32], [1488369540, 32]], "PendingCapacity": [[1488369540, 0]]}}'
ctl fault '{"action": "SetDesiredCapacity", "status": 400, "code": "ScalingActivityInProgress", "message": "Scaling activity 1 is in progress and blocks this action.", "count": 1}'
run "$SB" live --config "$TMP/live.json" --once --apply --db "$DB"
expect_rc cooldown 0
expect_out cooldown "set DesiredCapacity=0 HonorCooldown=true"
expect_out cooldown "| rejected: ScalingActivityInProgress (cooldown)"
expect_out cooldown "will retry next tick"
run "$SB" live --config "$TMP/live.json" --once --apply --db "$DB"
expect_out "cooldown over" "| applied: DesiredCapacity=0 (HonorCooldown=true)"

# Any other refusal of the apply is a failure.
ctl state '{"metrics": {"TargetCapacity": [[1488369000, 32], [1488369540, 32]], "PendingCapacity": [[1488369540, 8]]}}'
ctl fault '{"action": "SetDesiredCapacity", "status": 400, "code": "ValidationError", "message": "New SetDesiredCapacity value 2 is above max value 1", "count": 1}'
run "$SB" live --config "$TMP/live.json" --once --apply --db "$DB"
expect_rc "apply failed" 1
expect_out "apply failed" "| failed: autoscaling SetDesiredCapacity: ValidationError: New SetDesiredCapacity value 2 is above max value 1 (RequestId req-echo-1)"
sq 'SELECT id, applied, outcome, action, quote(desired), quote(honor_cooldown), quote(error) FROM live_ticks ORDER BY id' >"$TMP/rows"
cat >"$TMP/want" <<'EOF'
1|0|dry-run|set|2|0|NULL
2|1|applied|set|2|0|NULL
3|1|none|none|NULL|NULL|NULL
4|1|rejected|set|0|1|'autoscaling SetDesiredCapacity: ScalingActivityInProgress: Scaling activity 1 is in progress and blocks this action. (RequestId req-echo-1)'
5|1|applied|set|0|1|NULL
6|1|failed|set|2|0|'autoscaling SetDesiredCapacity: ValidationError: New SetDesiredCapacity value 2 is above max value 1 (RequestId req-echo-1)'
EOF
cmp -s "$TMP/rows" "$TMP/want" && ok || bad "db rows: $(diff "$TMP/want" "$TMP/rows")"

# Throttling is retried; the tick succeeds.
ctl fault '{"action": "GetMetricStatistics", "status": 400, "code": "Throttling", "message": "Rate exceeded", "count": 2}'
run "$SB" live --config "$TMP/live.json" --once --verbose
expect_rc throttled 0
expect_err throttled "throttled; retrying in"
expect_out throttled "TargetCapacity=32 PendingCapacity=8"

# EC2's error shape, with retries exhausted: a failed fetch, not a zero.
ctl fault '{"action": "DescribeSpotFleetRequests", "status": 503, "code": "Unavailable", "message": "try later", "count": 3}'
run "$SB" live --config "$TMP/live.json" --once
expect_rc "ec2 503 (the tick could not observe the fleet)" 1
expect_out "ec2 503" "| fleet failed |"
expect_err "ec2 503" "ec2 DescribeSpotFleetRequests: Unavailable: try later (RequestId req-echo-1) (after 3 attempts)"

# A malformed response is a failed fetch with a clear message.
ctl fault '{"action": "DescribeAutoScalingGroups", "kind": "malformed", "count": 1}'
run "$SB" live --config "$TMP/live.json" --once
expect_rc "malformed (the tick could not observe the group)" 1
expect_out malformed "| ASG failed |"
expect_err malformed "autoscaling DescribeAutoScalingGroups: malformed XML in the response"

# A slow endpoint times out (0.5 s here) and is retried.
sed 's/"policy"/"timeout": 0.5, "max_attempts": 2, "policy"/' "$TMP/live.json" >"$TMP/slow.json"
ctl fault '{"action": "DescribeAutoScalingGroups", "kind": "slow", "seconds": 2, "count": 2}'
run "$SB" live --config "$TMP/slow.json" --once
expect_rc "slow (the tick could not observe the group)" 1
expect_err slow "autoscaling DescribeAutoScalingGroups: "
expect_err slow "(after 2 attempts)"
expect_out slow "| ASG failed |"

# A wrong AutoScalingGroupName or FleetRequestId: the tick cannot observe
# what it was told to control, and --once says so with exit 1.
sed 's/"AutoScalingGroupName": "ecsDemandBackupGroup"/"AutoScalingGroupName": "no-such-group"/' \
    "$TMP/live.json" >"$TMP/wrongasg.json"
run "$SB" live --config "$TMP/wrongasg.json" --once
expect_rc "wrong AutoScalingGroupName" 1
expect_err "wrong AutoScalingGroupName" 'no Auto Scaling group named "no-such-group"'
sed 's/"FleetRequestId": "sfr-test"/"FleetRequestId": "sfr-nosuch"/' "$TMP/live.json" >"$TMP/wrongfleet.json"
run "$SB" live --config "$TMP/wrongfleet.json" --once
expect_rc "wrong FleetRequestId" 1
expect_err "wrong FleetRequestId" 'no Spot Fleet request "sfr-nosuch"'

# An answer the policy engine cannot take (MinSize above MaxSize) is an
# undescribed group: the tick fails, and its --record line replays.
ctl state '{"asg": {"name": "ecsDemandBackupGroup", "desired": 0, "min": 5, "max": 2, "in_service": 0}}'
run "$SB" live --config "$TMP/live.json" --once --record "$TMP/minmax.jsonl"
expect_rc "MinSize > MaxSize" 1
expect_err "MinSize > MaxSize" "answer not usable: asg: MinSize 5 is above MaxSize 2"
expect_out "MinSize > MaxSize" "| ASG failed |"
run "$SB" policy eval --policy classic "$TMP/minmax.jsonl"
expect_rc "MinSize > MaxSize: the record replays" 0
run "$SB" trace import --format policy-eval "$TMP/minmax.jsonl" -o "$TMP/minmax.csv"
expect_rc "MinSize > MaxSize: the record imports" 0
ctl state '{"asg": {"name": "ecsDemandBackupGroup", "desired": 0, "min": 0, "max": 200, "in_service": 0}}'

# A heartbeat after a good tick only.
run "$SB" live --config "$TMP/live.json" --once --heartbeat "$TMP/hb"
expect_rc "heartbeat" 0
[ "$(cat "$TMP/hb")" = "1488369600 2017-03-01T12:00:00Z" ] && ok || bad "heartbeat: $(cat "$TMP/hb")"
run "$SB" live --config "$TMP/wrongasg.json" --once --heartbeat "$TMP/hb2"
expect_rc "no heartbeat after a failed tick" 1
[ ! -e "$TMP/hb2" ] && ok || bad "a failed tick wrote the heartbeat"
run "$SB" live --config "$TMP/live.json" --once --heartbeat /dev/null
expect_rc "heartbeat on a device" 2

# Session token: sent (and signed); no secret in any output, even verbose,
# even when the server echoes them back.
ctl state "{\"token\": \"$TOKEN\"}"
export AWS_SESSION_TOKEN=$TOKEN
ctl fault "{\"action\": \"DescribeSpotFleetRequests\", \"status\": 403, \"code\": \"AuthFailure\", \"message\": \"bad $AK $SK $TOKEN\", \"count\": 1}"
run "$SB" live --config "$TMP/live.json" --once --verbose --record "$TMP/rec2.jsonl" --db "$DB"
expect_rc "token (a call failed: exit 1)" 1
expect_out token "TargetCapacity=32"
expect_err token "credentials from environment (AWS_ACCESS_KEY_ID, AWS_SESSION_TOKEN)"
expect_err token "AuthFailure: bad [redacted] [redacted] [redacted]"
sqlite3 "$DB" .dump >"$TMP/dump.sql"
grep -qF "DescribeSpotFleetRequests: AuthFailure: bad [redacted] [redacted] [redacted]" "$TMP/dump.sql" && ok ||
    bad "db: the failed call's error is not stored: $(sq 'SELECT quote(error) FROM live_ticks ORDER BY id DESC LIMIT 1')"
for s in "$AK" "$SK" "$TOKEN" wJalrXUtnFEMI EXAMPLESESSIONTOKEN; do
    if grep -qsaF -- "$s" "$TMP/out" "$TMP/err" "$TMP/rec2.jsonl" "$TMP/dump.sql" "$DB" "$DB-wal"; then
        bad "secret '$s' printed or recorded"
    else
        ok
    fi
done
# A secret echoed where a fixed buffer would cut it (at the end of a long
# message, or inside an error Code) is still recognised: redacted before
# anything is cut, so no part of it gets out.
long=$(printf '%01000d' 0)
ctl fault "{\"action\": \"DescribeSpotFleetRequests\", \"status\": 400, \"code\": \"InvalidParameterValue\", \"message\": \"$long $SK\", \"count\": 1}"
run "$SB" live --config "$TMP/live.json" --once --db "$DB"
cp "$TMP/err" "$TMP/err-long"
ctl fault "{\"action\": \"DescribeAutoScalingGroups\", \"status\": 400, \"code\": \"Code$(printf %040d 0)$SK\", \"message\": \"m\", \"count\": 1}"
run "$SB" live --config "$TMP/live.json" --once --db "$DB"
sqlite3 "$DB" .dump >"$TMP/dump2.sql"
for s in wJalrXUtnFEMI K7MDENG+bPxRfiCY EXAMPLEKEY; do
    if grep -qsaF -- "$s" "$TMP/err-long" "$TMP/err" "$TMP/dump2.sql"; then
        bad "part of the secret key '$s' printed or stored"
    else
        ok
    fi
done
grep -qF "Code$(printf %040d 0)[redacted]" "$TMP/err" && ok ||
    bad "the secret in the error Code is not marked redacted: $(tail -c 300 "$TMP/err")"

curl -s "$URL/_echo/log" >"$TMP/log.json"
grep -q '"error": ' "$TMP/log.json" && bad "stand-in rejected a signed request: $(grep -o '"error": "[^"]*"' "$TMP/log.json" | sort | uniq -c)" || ok
# The stand-in stops asking for the session token.
ctl state '{"token": null}'
unset AWS_SESSION_TOKEN AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY

# Instance metadata (IMDSv2) on the stand-in.
AWS_EC2_METADATA_DISABLED=false AWS_EC2_METADATA_SERVICE_ENDPOINT=$URL \
    run "$SB" live --config "$TMP/live.json" --once --verbose
expect_rc imds 0
expect_err imds "credentials from EC2 instance metadata $URL, role spotbench-test-role"
expect_out imds "TargetCapacity=32"
for s in "$SK" "$TOKEN"; do
    grep -qF -- "$s" "$TMP/out" "$TMP/err" && bad "imds: secret printed" || ok
done

# Container credentials on the stand-in, with an authorization token.
ctl state '{"ecs_auth": "Bearer ecs-test"}'
AWS_CONTAINER_CREDENTIALS_FULL_URI=$URL/ecs-creds AWS_CONTAINER_AUTHORIZATION_TOKEN='Bearer ecs-test' \
    run "$SB" live --config "$TMP/live.json" --once --verbose
expect_rc ecs 0
expect_err ecs "credentials from container credentials $URL/ecs-creds"
AWS_CONTAINER_CREDENTIALS_FULL_URI=$URL/ecs-creds AWS_CONTAINER_AUTHORIZATION_TOKEN='Bearer wrong' \
    run "$SB" live --config "$TMP/live.json" --once
expect_rc "ecs refused" 1
expect_err "ecs refused" "container credentials $URL/ecs-creds: HTTP 403"
AWS_CONTAINER_CREDENTIALS_FULL_URI=http://203.0.113.5/creds \
    run "$SB" live --config "$TMP/live.json" --once
expect_rc "ecs not loopback" 1
expect_err "ecs not loopback" "plain http is allowed only to a loopback address or the ECS/EKS credential agent"

# No credentials anywhere: every call fails, --once exits 1.
run "$SB" live --config "$TMP/live.json" --once
expect_rc "no credentials" 1
expect_err "no credentials" "no AWS credentials found"
# ... said once for the tick, with the count of the calls it failed.
n=$(grep -c "no AWS credentials found" "$TMP/err")
[ "$n" = 1 ] && ok || bad "the missing credentials said $n times in one tick"
expect_err "no credentials" "(and 5 more calls of this tick)"

# Nothing listening: connection failures, retried, then exit 1.
export AWS_ACCESS_KEY_ID=$AK AWS_SECRET_ACCESS_KEY=$SK
"$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' >"$TMP/free"
FREE=$(cat "$TMP/free")
sed "s#$URL#http://127.0.0.1:$FREE#g; s#http://localhost:$PORT#http://127.0.0.1:$FREE#" "$TMP/live.json" >"$TMP/down.json"
run "$SB" live --config "$TMP/down.json" --once
expect_rc unreachable 1
expect_out unreachable "TargetCapacity=failed PendingCapacity=failed"
expect_err unreachable "(after 3 attempts)"

# The loop: SIGTERM ends it cleanly after the tick in flight.
sed 's/"policy"/"interval": 60, "policy"/' "$TMP/live.json" >"$TMP/loop.json"
"$SB" live --config "$TMP/loop.json" >"$TMP/loop.out" 2>"$TMP/loop.err" &
LOOP=$!
i=0
# The background job creates its output file itself, maybe after we look.
while [ "$(cat "$TMP/loop.out" 2>/dev/null | wc -l)" -lt 1 ] && [ "$i" -lt 100 ]; do
    sleep 0.1
    i=$((i + 1))
done
kill -TERM "$LOOP"
i=0
while kill -0 "$LOOP" 2>/dev/null && [ "$i" -lt 50 ]; do
    sleep 0.1
    i=$((i + 1))
done
if kill -0 "$LOOP" 2>/dev/null; then
    kill -KILL "$LOOP"
    bad "loop: still running 5 s after SIGTERM"
else
    wait "$LOOP"
    rc=$?
    expect_rc "loop SIGTERM" 0
fi
n=$(wc -l <"$TMP/loop.out")
[ "$n" -eq 1 ] && ok || bad "loop: $n tick lines before SIGTERM, wanted 1"

# A loop that cannot observe stops after --max-failed-ticks failed ticks in
# a row with exit 1, so a supervisor's Restart=on-failure fires.
sed 's/"endpoints"/"interval": 1, "endpoints"/' "$TMP/down.json" >"$TMP/downloop.json"
run "$SB" live --config "$TMP/downloop.json" --max-failed-ticks 2
expect_rc "failed ticks in a row" 1
expect_err "failed ticks in a row" "2 ticks in a row could not observe or act; stopping"
expect_lines "failed ticks in a row" 2
# Stopped by SIGTERM while failing: exit 1 too.
"$SB" live --config "$TMP/downloop.json" --max-failed-ticks 0 >"$TMP/loop2.out" 2>"$TMP/loop2.err" &
LOOP=$!
i=0
while [ "$(cat "$TMP/loop2.out" 2>/dev/null | wc -l)" -lt 1 ] && [ "$i" -lt 100 ]; do
    sleep 0.1
    i=$((i + 1))
done
kill -TERM "$LOOP"
wait "$LOOP"
rc=$?
expect_rc "SIGTERM after a failed tick" 1
grep -qF "stopped after" "$TMP/loop2.err" && ok || bad "SIGTERM after a failed tick: $(tail -2 "$TMP/loop2.err")"

# A misspelt key of the config, or of its params, gets the closest one.
cat >"$TMP/typo.json" <<EOF2
{"FleetRequestId": "sfr-1", "AutoScalingGroupName": "g", "policy": "guarded",
 "max_on_demnd": 3, "region": "us-east-1"}
EOF2
run "$SB" live --config "$TMP/typo.json" --once
expect_rc "misspelt config key" 2
expect_err "misspelt config key" "unknown key 'max_on_demnd' (did you mean 'max_on_demand'?)"
cat >"$TMP/typo2.json" <<EOF2
{"FleetRequestId": "sfr-1", "AutoScalingGroupName": "g", "policy": "guarded",
 "max_on_demand": 3, "region": "us-east-1", "params": {"confrim": 2}}
EOF2
run "$SB" live --config "$TMP/typo2.json" --once
expect_rc "misspelt parameter" 2
expect_err "misspelt parameter" "(did you mean 'params.confirm'?)"

finish
