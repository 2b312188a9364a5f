#!/bin/sh
# test_trace_events.sh: recorded EventBridge events in direct mode: `trace
# import --format eventbridge` (event JSON Lines and an SQS queue dump) into
# the events CSV, and a direct-mode replay with direct.events against the
# same replay without it, each figure computed by hand below.
. "$(dirname "$0")/lib.sh"
EV=tests/fixtures/eventbridge-events.jsonl
DUMP=tests/fixtures/eventbridge-queue-dump.json

# Four documents: a warning, a rebalance, the warning again (same id), a
# state-change notification; the dump holds one more warning. Sorted by
# time, each --weight 4 units.
run "$SB" trace import --format eventbridge --weight 4 "$EV" "$DUMP" -o "$TMP/ev.csv"
expect_rc "import events" 0
expect_err "import events" "wrote $TMP/ev.csv: 3 events (1 repeated ids dropped, 1 other events or messages skipped), 4 units each"
cat >"$TMP/ev.want" <<'W'
Timestamp,DetailType,InstanceId,Units
2017-03-01T00:05:00Z,EC2 Instance Rebalance Recommendation,i-0bbb0000000000002,4
2017-03-01T00:10:30Z,EC2 Spot Instance Interruption Warning,i-0aaa0000000000001,4
2017-03-01T00:20:10Z,EC2 Spot Instance Interruption Warning,i-0ccc0000000000003,4
W
cmp -s "$TMP/ev.csv" "$TMP/ev.want" && ok || bad "events CSV: $(diff "$TMP/ev.want" "$TMP/ev.csv")"

# Errors: exit 2, the document named, nothing written.
printf '{"id": "x", "source": "aws.ec2", "detail-type": "EC2 Spot Instance Interruption Warning", "detail": {"instance-id": "i-1"}}\n' >"$TMP/notime.jsonl"
run "$SB" trace import --format eventbridge "$TMP/notime.jsonl" -o "$TMP/bad.csv"
expect_rc "event without time" 2
expect_err "event without time" "notime.jsonl: document 1: time: missing or not an ISO-8601 UTC time"
printf '{"id": 1}\nnot json\n' >"$TMP/notjson.jsonl"
run "$SB" trace import --format eventbridge "$TMP/notjson.jsonl" -o "$TMP/bad.csv"
expect_rc "not JSON" 2
expect_err "not JSON" "notjson.jsonl: document 2: not a JSON object"
[ ! -e "$TMP/bad.csv" ] && ok || bad "output written after an error"
run "$SB" trace import --format eventbridge --weight 0 "$EV" -o "$TMP/bad.csv"
expect_rc "--weight 0" 2

# A replay (invocations on the second: Offset 0, no Jitter): 32 units
# recorded whole every minute (no shortfall in the
# metrics), guarded with 4 units an instance, the group at 0 (cooldown 300
# s, launches take 60 s). Only the first warning (00:10:30) lies in
# [00:00, 00:15); the rebalance is not acted on by guarded.
# The metrics begin 20 minutes before the run, so guarded's 900 s scale-in
# window is whole from the start.
{
    echo "Timestamp,TargetCapacity,FulfilledCapacity,PendingCapacity,TerminatingCapacity"
    m=40
    while [ $m -lt 60 ]; do
        printf '2017-02-28T23:%02d:00Z,32,32,0,0\n' $m
        m=$((m + 1))
    done
    m=0
    while [ $m -lt 60 ]; do
        printf '2017-03-01T00:%02d:00Z,32,32,0,0\n' $m
        m=$((m + 1))
    done
} >"$TMP/metrics.csv"
cat >"$TMP/with.json" <<'J'
{"name": "direct-events", "mode": "direct", "seed": 1,
 "start": "2017-03-01T00:02:00Z", "end": "2017-03-01T00:30:00Z",
 "direct": {"metrics": "metrics.csv", "Period": 60, "SpotPrice": 0.01, "events": "ev.csv"},
 "cloudwatch": {"IngestionDelay": 0},
 "controller": {"policy": "guarded", "Cron": true, "Interval": 60, "Offset": 0,
                "Jitter": {"min": 0, "max": 0},
                "params": {"guarded": {"units_per_instance": 4}}},
 "asg": {"AutoScalingGroupName": "g", "InstanceType": "c4.xlarge", "WeightedCapacity": 4,
         "OnDemandPrice": 0.2, "MinSize": 0, "MaxSize": 20, "DesiredCapacity": 0,
         "DefaultCooldown": 300, "LaunchDelay": {"min": 60, "max": 60}}}
J
sed 's/, "events": "ev.csv"//' "$TMP/with.json" >"$TMP/without.json"
run "$SB" run "$TMP/with.json" --db "$TMP/d.db" --json
expect_rc "replay with events" 0
# Received 00:10:30; the 00:11:00 invocation covers 4 units: 1 instance,
# running from 00:12:00. The warning leaves the two-minute window after
# 00:12:30; the scale-in to 0 honours the cooldown (300 s from 00:12:00):
# refused at 00:13 .. 00:16, accepted at 00:17:00. The second warning
# (00:20:10) gives the same: set at 00:21:00 (a scale-out ignores the
# cooldown), launched 00:22:00, in at 00:27:00. Two
# launches, 2 x 5 min = 1/6 instance-hour, 2 x 6 set calls, 2 x 4 refused.
python3 - "$TMP/out" <<'P' && ok || bad "replay with events: $(head -c 600 "$TMP/out")"
import json, sys
r = json.loads(open(sys.argv[1]).readline())
s = r["summary"]
assert s["od_launches"] == 2, s["od_launches"]
assert abs(s["od_instance_hours"] - 2 * 5 / 60) < 1e-9, s["od_instance_hours"]
assert (s["set_calls"], s["set_rejected"]) == (12, 8), (s["set_calls"], s["set_rejected"])
assert not any("no events" in n or "had none" in n for n in r["notes"]), r["notes"]
P
run "$SB" run "$TMP/without.json" --db "$TMP/d.db" --json
expect_rc "replay without events" 0
# Without them the metrics show nothing: no call, and the note that
# guarded ran blind.
python3 - "$TMP/out" <<'P' && ok || bad "replay without events: $(head -c 600 "$TMP/out")"
import json, sys
r = json.loads(open(sys.argv[1]).readline())
s = r["summary"]
assert (s["od_launches"], s["set_calls"]) == (0, 0), s
assert any("a replay of recorded metrics carries no events" in n for n in r["notes"]), r["notes"]
P
# A bad events file is refused naming its row.
printf 'Timestamp,DetailType,InstanceId,Units\n2017-03-01T00:10:30Z,EC2 Something,i-1,4\n' >"$TMP/ev.csv"
run "$SB" run "$TMP/with.json" --db "$TMP/d.db"
expect_rc "bad DetailType" 2
expect_err "bad DetailType" "'EC2 Something' is not"
finish
