#!/bin/sh
# test_trace_gen.sh: `spotbench trace gen prices|demand|cloudwatch` end to
# end: the same seed gives the same bytes and another seed other bytes, the
# output passes `trace check`, an `all` price outage puts every pool above
# on-demand, option errors exit 2 naming the option and write nothing, and
# generated prices + availability + demand drive a tiny scenario in which
# the outage interrupts spot and the ASG launches on-demand.
. "$(dirname "$0")/lib.sh"
POOLS=c4.xlarge/us-east-1d=0.199,c4.2xlarge/us-east-1a=0.398,m4.xlarge/us-east-1a=0.239,m4.2xlarge/us-east-1d=0.479
S=2017-03-01T00:00:00Z
E=2017-03-02T00:00:00Z

gen() { run "$SB" trace gen prices --pools "$POOLS" --start $S --end $E "$@"; }

# Determinism.
gen --seed 7 -o "$TMP/a.csv"
expect_rc "gen prices" 0
gen --seed 7 -o "$TMP/b.csv"
cmp -s "$TMP/a.csv" "$TMP/b.csv" && ok || bad "same seed, different bytes"
gen --seed 8 -o "$TMP/c.csv"
cmp -s "$TMP/a.csv" "$TMP/c.csv" && bad "another seed, same bytes" || ok
[ "$(head -1 "$TMP/a.csv")" = "Timestamp,InstanceType,AvailabilityZone,SpotPrice" ] && ok || bad "prices header"
grep -qx '2017-03-01T00:00:00Z,c4.2xlarge,us-east-1a,0.119400' "$TMP/a.csv" && ok || bad "first row at the mean, 6 decimals"
tail -n +2 "$TMP/a.csv" | sort -c -t, -k1,1 -k2,2 && ok || bad "sorted by Timestamp, InstanceType"
run "$SB" trace check "$TMP/a.csv"
expect_rc "check generated" 0
expect_out "check generated" "pools: 4"
expect_out "check generated" "unchanged: 0"

# An `all` price outage from 06:00 for 3 h, and a capacity outage in one AZ.
gen --seed 7 --outage 2017-03-01T06:00:00Z:3h:all \
    --outage 2017-03-01T15:00:00Z:30m:az=us-east-1a:capacity \
    --availability-out "$TMP/avail.csv" -o "$TMP/prices.csv"
expect_rc "gen outage" 0
run "$SB" trace info "$TMP/prices.csv" --above 0.958
expect_out "outage episodes" "all pools: 0 episodes"
run "$SB" trace info "$TMP/prices.csv" --above 0.397
expect_out "outage all pools" "m4.2xlarge us-east-1d: 1 episodes, total 10800 s (3.0 h)"
for p in "c4.xlarge,us-east-1d,0.398000" "c4.2xlarge,us-east-1a,0.796000" \
         "m4.xlarge,us-east-1a,0.478000" "m4.2xlarge,us-east-1d,0.958000"; do
    grep -qx "2017-03-01T06:00:00Z,$p" "$TMP/prices.csv" && ok || bad "2x on-demand at 06:00: $p"
done
[ "$(grep -c '^2017-03-01T09:00:00Z,' "$TMP/prices.csv")" -eq 4 ] && ok || bad "every pool back at 09:00"
# Outside the outage, the prices are those of the run without it.
grep -v '^2017-03-01T0[678]:' "$TMP/prices.csv" | grep -v '^2017-03-01T09:00:00Z' >"$TMP/p1"
grep -v '^2017-03-01T0[678]:' "$TMP/a.csv" | grep -v '^2017-03-01T09:00:00Z' >"$TMP/p2"
cmp -s "$TMP/p1" "$TMP/p2" && ok || bad "the outage changed rows outside it"
[ "$(head -1 "$TMP/avail.csv")" = "Timestamp,InstanceType,AvailabilityZone,Capacity" ] && ok || bad "availability header"
grep -qx '2017-03-01T15:00:00Z,c4.2xlarge,us-east-1a,0' "$TMP/avail.csv" && ok || bad "capacity 0 at AT"
grep -qx '2017-03-01T15:30:00Z,m4.xlarge,us-east-1a,1000' "$TMP/avail.csv" && ok || bad "capacity back at AT+DURATION"
grep -q 'us-east-1d' "$TMP/avail.csv" && bad "capacity rows for another AZ" || ok
falls=$(grep -c '^2017-03-01T14:5[6-9]:..Z,c4.2xlarge' "$TMP/avail.csv")
[ "$falls" -ge 1 ] && [ "$falls" -le 2 ] && ok || bad "capacity falls in steps before AT ($falls)"

# Demand and cloudwatch.
run "$SB" trace gen demand --start $S --end $E --base 24 --amplitude 8 --noise 1 --seed 3 -o "$TMP/d1.csv"
expect_rc "gen demand" 0
run "$SB" trace gen demand --start $S --end $E --base 24 --amplitude 8 --noise 1 --seed 3 -o "$TMP/d2.csv"
cmp -s "$TMP/d1.csv" "$TMP/d2.csv" && ok || bad "demand not deterministic"
[ "$(head -1 "$TMP/d1.csv")" = "Timestamp,Demand" ] && ok || bad "demand header"
grep -q ',-' "$TMP/d1.csv" && bad "negative demand" || ok
run "$SB" trace gen demand --start $S --end $E --base 24 --amplitude 8 --noise 1 --seed 4 -o "$TMP/d3.csv"
cmp -s "$TMP/d1.csv" "$TMP/d3.csv" && bad "demand: another seed, same bytes" || ok

# A family outage touches only that family; a regime raises the level.
gen --seed 7 --outage 2017-03-01T06:00:00Z:1h:family=m4 -o "$TMP/fam.csv"
expect_rc "family outage" 0
# 0.46: above every pool's cap (0.95 x on-demand <= 0.455), below 2 x m4.xlarge's.
run "$SB" trace info "$TMP/fam.csv" --above 0.46
expect_out "family outage" "m4.xlarge us-east-1a: 1 episodes, total 3600 s"
expect_out "family outage" "all pools: 2 episodes"
gen --seed 7 --volatility 0 --jump-prob 0 \
    --regime 2017-03-01T12:00:00Z:2017-03-02T00:00:00Z:0.9 -o "$TMP/reg.csv"
expect_rc "regime" 0
grep -q '^2017-03-01T23:55:00Z,m4.2xlarge,us-east-1d,0.43' "$TMP/reg.csv" && ok || bad "regime: price near 0.9 x on-demand at the end: $(tail -2 "$TMP/reg.csv")"

run "$SB" trace gen cloudwatch --delay-p 0.5 --delay-min 30 --delay-max 120 --missing 0.01
expect_rc "gen cloudwatch" 0
expect_out "gen cloudwatch" '{"IngestionDelay": {"min": 30, "max": 120, "p": 0.5}, "MissingProbability": 0.01}'

# Errors: exit 2, the option named, nothing written.
gen --pools c4.xlarge/us-east-1a -o "$TMP/x.csv"
expect_rc "bad --pools" 2
expect_err "bad --pools" "spotbench: trace gen: --pools: "
[ ! -e "$TMP/x.csv" ] && ok || bad "output written on bad --pools"
run "$SB" trace gen prices --start $S --end $E -o "$TMP/x.csv"
expect_rc "missing --pools" 2
expect_err "missing --pools" "spotbench: trace gen: --pools: required"
gen --outage 2017-03-01T06:00:00Z:1h:zone=a -o "$TMP/x.csv"
expect_rc "bad --outage" 2
expect_err "bad --outage" "trace gen: --outage: "
gen --outage 2017-03-01T06:00:00Z:1h:all:capacity -o "$TMP/x.csv"
expect_rc "capacity without file" 2
expect_err "capacity without file" "--availability-out"
gen --reversion 3 -o "$TMP/x.csv"
expect_rc "bad --reversion" 2
expect_err "bad --reversion" "trace gen: --reversion: must be in [0, 1]"
[ ! -e "$TMP/x.csv" ] && ok || bad "output written on bad --reversion"
gen --step abc -o "$TMP/x.csv"
expect_rc "bad --step" 2
expect_err "bad --step" "trace gen: --step: 'abc'"
run "$SB" trace gen demand --start $S --end $E --amplitude 3 -o "$TMP/x.csv"
expect_rc "missing --base" 2
expect_err "missing --base" "trace gen: --base: required"
run "$SB" trace gen cloudwatch --missing 2
expect_rc "bad --missing" 2
run "$SB" trace gen spikes
expect_rc "unknown generator" 2
# A misspelt option: the closest one of that generator named, exit 2,
# nothing written.
gen --sede 7 -o "$TMP/x.csv"
expect_rc "misspelt prices option" 2
expect_err "misspelt prices option" "trace gen prices: unknown option '--sede' (did you mean '--seed'?)"
[ ! -e "$TMP/x.csv" ] && ok || bad "a misspelt option wrote an output"
run "$SB" trace gen demand --start $S --end $E --base 3 --amplitdue 1 -o "$TMP/x.csv"
expect_rc "misspelt demand option" 2
expect_err "misspelt demand option" "trace gen demand: unknown option '--amplitdue' (did you mean '--amplitude'?)"
run "$SB" trace gen cloudwatch --dealy-max 3
expect_rc "misspelt cloudwatch option" 2
expect_err "misspelt cloudwatch option" "trace gen cloudwatch: unknown option '--dealy-max' (did you mean '--delay-max'?)"
# An option of another generator is not this one's.
run "$SB" trace gen demand --start $S --end $E --base 3 --amplitude 1 --pools x -o "$TMP/x.csv"
expect_rc "prices option to demand" 2
expect_err "prices option to demand" "trace gen demand: unknown option '--pools'"
run "$SB" trace gen cloudwatch --delay-max 5
expect_rc "cloudwatch --delay-max" 0
expect_out "cloudwatch --delay-max" "\"max\": 5,"

# A tiny scenario on the generated traces (fleet and asg as in
# traces/scenarios/every-pool-outbid): the `all` price outage interrupts
# spot, and the ASG covers with on-demand.
mkdir -p "$TMP/sc"
cp "$TMP/prices.csv" "$TMP/avail.csv" "$TMP/sc/"
cat >"$TMP/sc/scenario.json" <<'JSON'
{
  "name": "gen-all-outage",
  "mode": "model",
  "seed": 1,
  "start": "2017-03-01T00:00:00Z",
  "end": "2017-03-02T00:00:00Z",
  "billing": "per-second",
  "fleet": {
    "TargetCapacity": 32,
    "AllocationStrategy": "diversified",
    "LaunchDelay": {"min": 60, "max": 180},
    "LaunchSpecifications": [
      {"InstanceType": "c4.xlarge", "AvailabilityZone": "us-east-1d",
       "WeightedCapacity": 4, "SpotPrice": 0.04725, "OnDemandPrice": 0.199},
      {"InstanceType": "c4.2xlarge", "AvailabilityZone": "us-east-1a",
       "WeightedCapacity": 8, "SpotPrice": 0.04725, "OnDemandPrice": 0.398},
      {"InstanceType": "m4.xlarge", "AvailabilityZone": "us-east-1a",
       "WeightedCapacity": 4, "SpotPrice": 0.054, "OnDemandPrice": 0.239},
      {"InstanceType": "m4.2xlarge", "AvailabilityZone": "us-east-1d",
       "WeightedCapacity": 8, "SpotPrice": 0.054, "OnDemandPrice": 0.479}
    ]
  },
  "traces": {"prices": "prices.csv", "availability": "avail.csv"},
  "ecs": {"RegistrationDelay": 30},
  "cloudwatch": {"IngestionDelay": 0},
  "controller": {"policy": "classic", "Cron": true, "Interval": 60},
  "asg": {
    "AutoScalingGroupName": "ecsDemandBackupGroup",
    "InstanceType": "c3.xlarge",
    "WeightedCapacity": 4,
    "OnDemandPrice": 0.21,
    "MinSize": 0,
    "MaxSize": 200,
    "DesiredCapacity": 0,
    "DefaultCooldown": 2700,
    "LaunchDelay": {"min": 60, "max": 120}
  }
}
JSON
run "$SB" run "$TMP/sc/scenario.json" --json --db "$TMP/sc.db"
expect_rc "run on generated traces" 0
cat "$TMP/out" >"$TMP/run.json"
/usr/bin/python3 - "$TMP/run.json" <<'PY' && ok || bad "interruptions and on-demand launches: $(head -c 400 "$TMP/run.json")"
import json, sys
text = open(sys.argv[1]).read()
docs = [json.loads(l) for l in text.splitlines() if l.strip().startswith("{")] or [json.loads(text)]
def find(o, key):
    if isinstance(o, dict):
        for k, v in o.items():
            if k == key:
                return v
            r = find(v, key)
            if r is not None:
                return r
    elif isinstance(o, list):
        for v in o:
            r = find(v, key)
            if r is not None:
                return r
    return None
d = docs[0]
intr = find(d, "interruptions")
od = find(d, "od_launches")
if od is None:
    od = find(d, "launches_od")
print("interruptions", intr, "on-demand launches", od, file=sys.stderr)
sys.exit(0 if intr and od and intr > 0 and od > 0 else 1)
PY

# The demand trace drives the fleet's target (fleet.TargetTracking).
cp "$TMP/d1.csv" "$TMP/sc/demand.csv"
run "$SB" run "$TMP/sc/scenario.json" --json --db "$TMP/sc.db" \
    --set 'fleet.TargetTracking={"Demand": "demand.csv", "TargetValue": 75}'
expect_rc "run with generated demand" 0
expect_out "run with generated demand" '"interruptions"'

finish
