#!/bin/sh
# test_limits.sh: run and sweep check their documented limits before any
# work starts (docs/scenario.md and docs/sweep.md, "Limits"): a message
# naming the field or option and the limit, exit 2, within seconds, and
# nothing stored. Each case once grew past gigabytes or never ended.
. "$(dirname "$0")/lib.sh"
SC=traces/scenarios/all-outbid-3h/scenario.json
DB="$TMP/l.db"

# limit_case NAME WANT CMD...: exit 2 within 20 s, stderr has WANT.
limit_case() {
    name=$1 want=$2
    shift 2
    run timeout 20 "$@"
    expect_rc "$name" 2
    expect_err "$name" "$want"
}

limit_case "TargetCapacity 1e9" "fleet.TargetCapacity: 1000000000 units are 250000000 instances of WeightedCapacity 4; at most 200000 instances" \
    "$SB" run "$SC" --db "$DB" --set fleet.TargetCapacity=1e9
limit_case "MaxSize 2e9" "asg.MaxSize: 2000000000 instances; at most 200000" \
    "$SB" run "$SC" --db "$DB" --set asg.MaxSize=2000000000 --set asg.DesiredCapacity=2000000000
limit_case "end 2^53" "end: the span is" \
    "$SB" run "$SC" --db "$DB" --set end=9007199254740992
expect_err "end 2^53" "at most 316224000 s (3660 days)"
limit_case "IngestionDelay 2^53" "cloudwatch.IngestionDelay: 9007199254740992 s; at most 86400 s" \
    "$SB" run "$SC" --db "$DB" --set cloudwatch.IngestionDelay=9007199254740992
limit_case "IngestionDelay max 2^53" "cloudwatch.IngestionDelay: 9007199254740992 s" \
    "$SB" run "$SC" --db "$DB" --set 'cloudwatch.IngestionDelay={"min": 0, "max": 9007199254740992}'
# One invocation a second over ten years: 3.16e8 invocations.
limit_case "Interval 1 over ten years" "controller.Interval: 1 s over the span makes" \
    "$SB" run "$SC" --db "$DB" --set end=2027-02-26T00:00:00Z --set controller.Interval=1 \
    --set controller.Jitter=0 --set controller.Offset=0
# Target tracking: what the demand asks for counts, not only TargetCapacity.
mkdir "$TMP/tt"
cp traces/scenarios/scale-out-during-outage/* "$TMP/tt/"
limit_case "target tracking demand" "fleet.TargetTracking: " \
    "$SB" run "$TMP/tt/scenario.json" --db "$DB" --set fleet.TargetTracking.TargetValue=0.001
# LaunchSpecifications: 100,000 distinct ones are refused before any is read
# (the duplicate check was quadratic: 50 s); 1,000, the limit, load and run,
# and a duplicate among them is found and named.
python3 - "$SC" "$TMP/specs" <<'PY'
import json, os, sys
base = json.load(open(sys.argv[1]))
os.mkdir(sys.argv[2])
def write(n, name, dup=False):
    sc = dict(base, fleet=dict(base["fleet"]), traces={"prices": name + ".csv"})
    sc["fleet"]["LaunchSpecifications"] = [
        {"InstanceType": "x%d.large" % (i if not (dup and i == n - 1) else 7),
         "AvailabilityZone": "us-east-1%s" % "abcd"[i % 4], "WeightedCapacity": 4,
         "OnDemandPrice": 0.2} for i in range(n)]
    with open(os.path.join(sys.argv[2], name + ".json"), "w") as f:
        json.dump(sc, f)
    with open(os.path.join(sys.argv[2], name + ".csv"), "w") as f:
        f.write("Timestamp,InstanceType,AvailabilityZone,SpotPrice\n")
        for i in range(n):
            f.write("2017-03-01T00:00:00Z,x%d.large,us-east-1%s,0.05\n" % (i, "abcd"[i % 4]))
write(100000, "many")
write(1000, "limit")
write(1000, "dup", dup=True)
PY
limit_case "100k LaunchSpecifications" \
    "many.json: fleet.LaunchSpecifications: 100000 specifications; at most 1000" \
    "$SB" run "$TMP/specs/many.json" --db "$DB"
limit_case "a duplicate among 1000" \
    "fleet.LaunchSpecifications[999]: duplicate of [7] (x7.large in us-east-1d)" \
    "$SB" run "$TMP/specs/dup.json" --db "$DB"
[ ! -e "$DB" ] && ok || bad "a refused run created the database"
run timeout 20 "$SB" run "$TMP/specs/limit.json" --db "$TMP/limit.db" --set end=2017-03-01T06:00:00Z
expect_rc "1000 LaunchSpecifications" 0
expect_out "1000 LaunchSpecifications" "scenario  all-outbid-3h"

# Right at the limits it runs (a day, 20000-instance group allowed).
run "$SB" run "$SC" --db "$DB" --set asg.MaxSize=20000
expect_rc "at the limit" 0

# Sweeps: the size is checked before the per-point checks, and a count that
# overflows is not taken for 0.
limit_case "7.5e9 points" "--grid window (86341 values) x --grid scale_in_delay (86401 values) = 7459948741 parameter sets x 1 scenario; at most 1000000 runs" \
    "$SB" sweep "$SC" --policy guarded --grid window=60:86400:1 --grid scale_in_delay=0:86400:1 --db "$TMP/s.db"
limit_case "overflowing count" "overflows a count" \
    "$SB" sweep "$SC" --policy guarded --grid window=60:100000:1 --grid scale_in_delay=0:99999:1 \
    --grid confirm=1:10:1 --grid staleness=60:99999:1 --grid headroom_units=0:99999:1 --db "$TMP/s.db"
limit_case "--samples 1e12" "--samples 1000000000000: expected a whole number from 1 to 1000000" \
    "$SB" sweep "$SC" --policy guarded --random window=60:600 --samples 1000000000000 --db "$TMP/s.db"
limit_case "runs over scenarios" "x 2 scenarios; at most 1000000 runs" \
    "$SB" sweep "$SC" "$SC" --policy guarded --random window=60:600 --samples 600000 --db "$TMP/s.db"
[ ! -e "$TMP/s.db" ] && ok || bad "a refused sweep created the database"
finish
